"""Steps every input form shares once it has become a text dump.

Each reader (HTML, markdown, JSON Lines) turns its input into a plain-text dump,
one paragraph per line, and lets the core classifier label it, so the same rule
tables decide on every form. What the input form itself says about a line (this
is a markdown heading, that line is an HTML figure caption, the first `#`
heading is the title) is handed to the classifier as a `Label` set before it
runs, or applied to the kept lines after it ran. Metadata the input carries
outside the text (HTML meta tags, JSON fields) is laid over the record last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import regex

from cleaner.classify import (
    BODY,
    HEADING,
    Label,
    Page,
    looks_like_names,
    split_names,
)
from cleaner.core import article_id, classify_lines, settle
from cleaner.document import Document
from cleaner.lines import make_line, split_lines
from cleaner.rules import RuleSet, normalise_phrase

# Record fields a reader may set from what the input carries outside the text.
OVERLAY_FIELDS = frozenset(
    {
        "title",
        "date",
        "authors",
        "agencies",
        "editors",
        "section",
        "permalink",
        "images",
        "videos",
        "audios",
        "language",
        "url",
        "source",
        "input",
        "notes",
        "warnings",
        "format",
    }
)

# A page's own name for itself shows up as "author" in meta tags and JSON-LD;
# these markers (plus the page's publisher and site names) identify it.
ORGANISATION = regex.compile(r"\b(?:deutsche\s+welle|dw)\b|www\.|\.com\b", flags=regex.IGNORECASE)
# DW's <title> and og:title: "Headline | Section | DW | 19.01.2020" (old layout),
# "Headline – DW – 30.01.2024" (new layout).
TITLE_SUFFIX = regex.compile(
    r"""^(?P<title>.+?)
        (?:\s*\|[^|]*)*?                          # section names
        \s*[|–—-]\s*DW\s*[|–—-]\s*
        (?P<date>\d{1,2}\.\d{1,2}\.\d{4})\s*$     # the page's date
    """,
    flags=regex.VERBOSE,
)
# Quote look-alikes that differ between a page's meta tags, its <h1> and
# trafilatura's output of the same sentence, and invisible characters some keep.
_QUOTES = str.maketrans({"′": "'", "’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
_NEEDS_TRANSLATION = regex.compile("[′’‘`“”„\u200b]")


def comparable(text: str) -> str:
    """The form two renderings of the same sentence are compared in.

    Called for every paragraph of a page, so the common case (no look-alike
    quotes) costs one split, one join and one casefold.
    """
    key = " ".join(text.split()).casefold()
    if _NEEDS_TRANSLATION.search(key):
        key = " ".join(key.translate(_QUOTES).replace("\u200b", "").split())
    return key


def split_title(title: str | None) -> tuple[str | None, str | None]:
    """("Headline", ISO date) from DW's "Headline | Section | DW | 19.01.2020"."""
    if not title:
        return None, None
    title = " ".join(title.split())
    match = TITLE_SUFFIX.match(title)
    if not match:
        return title, None
    day, month, year = (int(part) for part in match["date"].split("."))
    return match["title"].strip(), f"{year:04d}-{month:02d}-{day:02d}"


def is_person(name: str, organisations: Iterable[str]) -> bool:
    """Whether an author name is a person, not the site ("Deutsche Welle", "DW.COM")."""
    key = comparable(name)
    return (
        bool(key)
        and not ORGANISATION.search(name)
        and key not in {comparable(org) for org in organisations}
    )


def classify_dump(
    text: str,
    *,
    rules: RuleSet,
    keep_gallery: bool = False,
    preset: Mapping[int, Label] | None = None,
    title_index: int | None = None,
    layout: str = "",
) -> Page:
    """`core.analyse()` with what the input form already knows about some lines.

    `preset` labels (0-based line index -> label) are set before the classifier
    runs: its structural passes only label lines that are still undecided, so a
    preset line keeps its label unless a rule table claims the line, and the
    lines around it are judged knowing what it is. `title_index` anchors the
    head of the page the way a title the classifier found would. `layout` is
    the one undone before (`unwrap.Layout.kind`).

    Like `core.analyse()`, the kept text is classified again, as cleaning it a
    second time would see it, until nothing changes (`core.settle`).
    """
    page = classify_lines(
        split_lines(text),
        rules,
        keep_gallery,
        preset=preset,
        title_index=title_index,
        layout=layout,
    )
    return settle(page, rules, keep_gallery, preset)


def preset_headings(indices: Iterable[int], lines: list[str], rule: str) -> dict[int, Label]:
    """Lines the input marks as headings, as preset labels (a rule table still wins)."""
    return {i: Label(HEADING, rule, " ".join(lines[i].split())) for i in indices}


def promote_headings(page: Page, indices: Iterable[int], rule: str) -> None:
    """Kept lines the input marks as headings become headings (and join `headings`).

    Only lines the classifier kept as body are touched: a heading that opens a
    related-content section or a menu stays chrome.
    """
    for index in indices:
        label = page.labels[index]
        if label is not None and label.category == BODY:
            page.set(index, HEADING, rule, page.lines[index].text)


def line_index(page: Page) -> dict[str, list[int]]:
    """Comparable line text -> indices of the non-blank lines with that text."""
    found: dict[str, list[int]] = {}
    for index, line in enumerate(page.lines):
        if not line.blank:
            found.setdefault(comparable(line.text), []).append(index)
    return found


def is_table_phrase(text: str, rules: RuleSet) -> bool:
    """Whether a whole line is a phrase of the rule tables (a menu entry, a label...)."""
    return normalise_phrase(text) in rules.lines


def byline_below_title(lines: list[str], title_index: int | None, rule: str) -> dict[int, Label]:
    """A preset byline: names on the first line below a known title ("Julia Vergin | Clare Roth").

    Without it the classifier, looking for a title above the date line, would
    take the byline that stands between title and date for a second title.
    """
    if title_index is None:
        return {}
    title = comparable(make_line(lines[title_index]).text)
    for index in range(title_index + 1, len(lines)):
        # The line as the classifier reads it: an invisible character
        # ("Jenni\u200bfer") is no letter of a name, nor a line of it alone text.
        text = make_line(lines[index]).text
        if not text or comparable(text) == title:  # (the title again, put twice)
            continue
        if looks_like_names(text):
            return {index: Label("byline", rule, split_names(text))}
        return {}
    return {}


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def overlay(document: Document, **fields: Any) -> Document:
    """A copy of `document` with the given fields replaced; None values are skipped."""
    unknown = set(fields) - OVERLAY_FIELDS
    if unknown:
        raise TypeError(f"not an overlay field: {sorted(unknown)}")
    changed = dataclasses.replace(
        document, **{name: value for name, value in fields.items() if value is not None}
    )
    if changed.title != document.title and document.id.startswith("sha256-"):
        # The id hashes the title with the text: a record's or header's own
        # title, set after the text's, was left out of it, and two records
        # that differ only in title shared an id.
        changed = dataclasses.replace(
            changed, id=article_id(changed.url, changed.text, changed.title)
        )
    return changed
