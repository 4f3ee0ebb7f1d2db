"""`clean()`: one page of text in, one `Document` out. Pure: no I/O, no globals
changed, safe to call from any process or framework."""

from __future__ import annotations

import hashlib

import regex

from cleaner.classify import HEADING, KEPT, HtmlTitle, Page, classify
from cleaner.dates import parse_date_line
from cleaner.document import Document, Image, Media
from cleaner.language import detect_language
from cleaner.lines import split_lines
from cleaner.rules import RuleSet, default_ruleset

# DW article ids in URLs: /a-18702265 (article), /av-... (video), /g-... (gallery),
# /l-... or /live-... (live blog), /audio-... (audio).
_ARTICLE_ID = regex.compile(r"/(?P<id>(?:a|av|g|l|live|audio|video|e|s|t)-\d+)(?:[/?#]|$)")

# Warnings a record may carry.
WARN_NO_CHROME = "no_dw_chrome"
WARN_EMPTY_TEXT = "empty_text"


# Passes over the kept text before giving up on reaching a fixed point; in
# practice the second pass changes nothing or removes a line or two.
MAX_PASSES = 5


def _classify_text(text: str, rules: RuleSet, keep_gallery: bool) -> Page:
    lines = split_lines(text)
    page = Page(lines=lines, labels=[None] * len(lines), rules=rules, keep_gallery=keep_gallery)
    return classify(page)


def analyse(text: str, *, rules: RuleSet | None = None, keep_gallery: bool = False) -> Page:
    """Label every line of a page; `clean()` and `explain` both build on this.

    Structural rules read a line's neighbours, and removing chrome changes who
    the neighbours are. So the kept text is classified again, as `clean()`
    would see it, and what that pass removes is removed from the page too,
    until nothing changes: cleaning clean text then changes nothing.
    """
    rules = rules or default_ruleset()
    page = _classify_text(text, rules, keep_gallery)
    for _ in range(MAX_PASSES):
        kept = [i for i, label in enumerate(page.labels) if label is not None and label.kept]
        again = _classify_text(
            "\n\n".join(page.lines[i].text for i in kept), rules, keep_gallery
        )
        changed = False
        for position, i in enumerate(kept):
            label = again.labels[2 * position]
            if label is not None and not label.kept:
                page.labels[i] = label
                changed = True
            elif label is not None:
                # Heading or paragraph, as a second cleaning would see it.
                page.labels[i] = label
        if not changed:
            break
    return page


def article_id(url: str | None, text: str, title: str | None) -> str:
    if url:
        match = _ARTICLE_ID.search(url)
        if match:
            return match["id"]
    digest = hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()[:16]
    return f"sha256-{digest}"


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def clean(
    text: str,
    *,
    source: str | None = None,
    url: str | None = None,
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Document:
    """Clean one scraped DW page (a plain-text dump) into a `Document`."""
    page = analyse(text, rules=rules, keep_gallery=keep_gallery)
    return document_from_page(page, source=source, url=url)


def document_from_page(page: Page, *, source: str | None, url: str | None) -> Document:
    paragraphs: list[str] = []
    headings: list[str] = []
    removed: dict[str, int] = {}
    title: str | None = None
    fallback_title: str | None = None
    dates: list[str] = []
    fallback_dates: list[str] = []
    authors: list[str] = []
    agencies: list[str] = []
    editors: list[str] = []
    notes: list[str] = []
    images: list[Image] = []
    videos: list[Media] = []
    audios: list[Media] = []
    gallery: list[str] = []
    section = permalink = updated = None
    chrome_seen = False
    for line, label in zip(page.lines, page.labels, strict=True):
        if label is None:
            continue
        category, value = label.category, label.value
        if category in KEPT:
            paragraphs.append(line.text)
            if category == HEADING:
                headings.append(line.text)
            if isinstance(value, str) and page.keep_gallery and label.rule.startswith(
                "structure:gallery"
            ):
                gallery.append(value)
            continue
        removed[category] = removed.get(category, 0) + 1
        if category not in ("title", "date", "section", "byline"):
            chrome_seen = True
        if category == "title":
            if isinstance(value, HtmlTitle):
                fallback_title = value.title
                if value.date:
                    fallback_dates.append(value.date)
            elif isinstance(value, str) and title is None:
                title = value
        elif category == "date" and isinstance(value, str):
            (dates if label.rule.startswith("structure") else fallback_dates).append(value)
        elif category == "byline" and isinstance(value, tuple):
            authors.extend(value[0])
            agencies.extend(value[1])
        elif category == "byline" and isinstance(value, list):
            authors.extend(value)
        elif category == "section" and isinstance(value, str) and section is None:
            section = value
        elif category == "permalink" and isinstance(value, str):
            permalink = value
        elif category == "editors" and isinstance(value, str):
            editors.append(value)
        elif category == "notes" and isinstance(value, str):
            notes.append(value)
        elif category == "updated":
            updated = updated or _updated_value(line.text, value, page.rules)
        elif isinstance(value, Image):
            images.append(value)
        elif category == "video" and isinstance(value, Media):
            videos.append(value)
        elif category == "audio" and isinstance(value, Media):
            audios.append(value)
        elif category == "gallery" and isinstance(value, str):
            gallery.append(value)
    body = "\n\n".join(paragraphs)
    title = title or fallback_title
    date = (dates or [parse_date_line(d, page.rules) or "" for d in fallback_dates] or [None])[0]
    warnings = []
    if not chrome_seen:
        warnings.append(WARN_NO_CHROME)
    if not body:
        warnings.append(WARN_EMPTY_TEXT)
    lead = next((p for p, h in _with_heading_flags(paragraphs, headings) if not h), None)
    return Document(
        id=article_id(url, body, title),
        source=source,
        url=url,
        language=detect_language(body, page.rules, url) if body else None,
        title=title,
        date=date or None,
        lead=lead,
        text=body,
        headings=headings,
        authors=_unique(authors),
        agencies=_unique(agencies),
        editors=_unique(editors),
        section=section,
        permalink=permalink,
        images=images,
        videos=videos,
        audios=audios,
        updated=updated,
        notes=_unique(notes),
        gallery=gallery,
        removed=removed,
        warnings=warnings,
        word_count=len(body.split()),
    )


def _with_heading_flags(paragraphs: list[str], headings: list[str]) -> list[tuple[str, bool]]:
    heading_set = set(headings)
    return [(p, p in heading_set) for p in paragraphs[:1]]


def _updated_value(text: str, value: object, rules: RuleSet) -> str:
    """A live blog's status: its date when the line has one, else the line."""
    found = parse_date_line(str(value), rules) if value else None
    return found or text
