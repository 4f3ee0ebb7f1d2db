"""`clean()`: one page of text in, one `Document` out. Pure: no I/O, no globals
changed, safe to call from any process or framework."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import repeat

import regex

from cleaner.classify import (
    HEADING,
    KEPT,
    HtmlTitle,
    Label,
    Page,
    classify,
    is_kept_gallery_slide,
    is_list_label,
)
from cleaner.dates import parse_date_line
from cleaner.document import Document, Image, Media
from cleaner.language import detect_language
from cleaner.lines import Line, make_line, split_lines, with_lf_line_breaks
from cleaner.rules import RuleSet, default_ruleset
from cleaner.unwrap import (
    DOUBLE_SPACED,
    Layout,
    LinkTargets,
    join_double_spaced,
    split_link_targets,
    undo_layout,
)

# DW article ids in URLs: /a-18702265 (article), /av-... (video), /g-... (gallery),
# /l-... or /live-... (live blog), /audio-... (audio).
_ARTICLE_ID = regex.compile(r"/(?P<id>(?:a|av|g|l|live|audio|video|e|s|t)-\d+)(?:[/?#]|$)")

# Warnings a record may carry.
WARN_NO_CHROME = "no_dw_chrome"
WARN_EMPTY_TEXT = "empty_text"
# Skip links after the article began: another page follows in the same input
# (two dumps concatenated, a scraper's file appended to). Its article was
# counted as the first page's footer and related links, unsaid, or kept as
# the first page's text where the first file's last line ran into it.
WARN_ANOTHER_PAGE = "another_page_follows"
WARN_SURROGATES_REPLACED = "lone_surrogates_replaced"

# Half of a UTF-16 pair alone: no character, and UTF-8 cannot write it. A
# str may hold one (json.loads of JSON cut inside an emoji, text read with
# errors="surrogateescape"); given to the library, a text page failed to
# hash for its id and lxml cut an HTML page short at it.
_LONE_SURROGATE = regex.compile(r"[\ud800-\udfff]")


def classify_lines(
    lines: list[Line],
    rules: RuleSet,
    keep_gallery: bool,
    *,
    preset: Mapping[int, Label] | None = None,
    title_index: int | None = None,
    layout: str = "",
    tables: bool = True,
) -> Page:
    """The page's lines labelled, `preset` labels set first (see
    `formats.common.classify_dump`), read with the `layout` that was undone."""
    page = Page(
        lines=lines,
        labels=[None] * len(lines),
        rules=rules,
        keep_gallery=keep_gallery,
        title_index=title_index,
        input_layout=layout,
    )
    for index, label in (preset or {}).items():
        page.labels[index] = label
    return classify(page, tables=tables)


def settle(
    page: Page, rules: RuleSet, keep_gallery: bool, preset: Mapping[int, Label] | None = None
) -> Page:
    """Classify the page's kept text again, as cleaning it a second time would
    read it, and take what that pass decides, until nothing changes.

    Structural rules read a line's neighbours, and removing chrome changes who
    the neighbours are. `text` puts a blank line between paragraphs, which a
    second cleaning reads as a double-spaced page (`unwrap.single_space`): its
    lines in a row. Preset kept lines (headings) stay preset in every pass.
    Each pass that changes anything removes a line, so this ends; in practice
    the second pass changes nothing or removes a line or two.
    """
    preset = preset or {}
    while True:
        # (`category in KEPT`, not the `kept` property: one call fewer per line.)
        kept = [
            i for i, label in enumerate(page.labels) if label is not None and label.category in KEPT
        ]
        # Kept lines passed the rule tables unlabelled: only structure can change.
        # (The Line objects are reused: splitting their text again gives the
        # same text and key.)
        again = classify_lines(
            [page.lines[i] for i in kept],
            rules,
            keep_gallery,
            preset={n: preset[i] for n, i in enumerate(kept) if i in preset},
            layout=DOUBLE_SPACED if len(kept) > 1 else "",
            tables=False,
        )
        changed = False
        for position, i in enumerate(kept):
            label = again.labels[position]
            if label is not None and not label.kept:
                page.labels[i] = label
                changed = True
            elif label is not None and not is_kept_gallery_slide(page.labels[i]):
                # Heading or paragraph, as a second cleaning would see it.
                page.labels[i] = label
        if not changed:
            return page


def page_text(data: object, caller: str) -> str:
    """A page as the cleaner reads it, given to a library function: a str
    (bytes are refused: their encoding is the reader's to find), without a
    byte order mark, its lines ending in LF if they end in CR alone
    (`with_lf_line_breaks`)."""
    if not isinstance(data, str):
        if isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(
                f"{caller}() takes the page as str, not bytes: decode it first "
                "(cleaner.inputs.decode(data).text finds its encoding as dw-clean does)"
            )
        raise TypeError(f"{caller}() takes the page as str, not {type(data).__name__}")
    return with_lf_line_breaks(data.removeprefix("\ufeff"))


def without_lone_surrogates(text: str) -> tuple[str, bool]:
    """`text` with lone surrogates replaced by U+FFFD (as the decoder replaces
    stray bytes), and whether it had any."""
    if text.isascii() or _LONE_SURROGATE.search(text) is None:
        return text, False
    return _LONE_SURROGATE.sub("\ufffd", text), True


def url_without_lone_surrogates(url: str | None) -> tuple[str | None, bool]:
    """`url` with lone surrogates replaced, and whether it had any: no URL
    holds one, and the record could not be written as UTF-8. (A `source`
    keeps its own: a file name from `os.listdir` that is not UTF-8 holds them
    for its bytes, which the run's writer writes back as they were.)"""
    return without_lone_surrogates(url) if url else (url, False)


def analyse(text: str, *, rules: RuleSet | None = None, keep_gallery: bool = False) -> Page:
    """Label every line of a page; `clean()` and `explain` both build on this.

    The kept text is classified again as `clean()` would see it (`settle`):
    cleaning clean text then changes nothing.
    """
    text = without_lone_surrogates(page_text(text, "analyse"))[0]
    return _analyse_text(text, rules or default_ruleset(), keep_gallery)


def _analyse_text(text: str, rules: RuleSet, keep_gallery: bool) -> Page:
    """`analyse()` of a page already read as the library reads it (`page_text`,
    `without_lone_surrogates`)."""
    linked = split_link_targets(text)
    if linked is None:
        return _analyse_layout(text, rules, keep_gallery)
    # Read without its links' targets, as the same page rendered without
    # them; the lines of nothing else are put back after, so that no rule
    # reads them as a page's line (they stood between an alt text and its
    # caption, in a menu's block).
    return with_link_target_lines(_analyse_layout(linked.text, rules, keep_gallery), linked)


def _analyse_layout(text: str, rules: RuleSet, keep_gallery: bool) -> Page:
    layout = undo_layout(text, rules)
    page = _classified(layout, rules, keep_gallery)
    if (
        layout.kind == DOUBLE_SPACED
        and any(label is not None and not label.kept for label in page.labels)
        and _WHITESPACE_ONLY_LINE.search(text) is None
    ):
        # A page with chrome, not clean text: its pieces, if cut, are joined.
        # (Not BeautifulSoup's get_text("\n\n") without strip=True: its lines
        # of spaces, the whitespace between the HTML's blocks, are where its
        # paragraphs end, and they are gone once its blank lines are.)
        joined = join_double_spaced(layout, rules)
        if joined is not None:
            page = _classified(joined, rules, keep_gallery)
    return page


_WHITESPACE_ONLY_LINE = re.compile(r"^[^\S\n]+$", re.MULTILINE)


LINK_TARGETS_RULE = "structure:link_targets"
_LINK_TARGETS_LABEL = Label("markup", LINK_TARGETS_RULE)


def with_link_target_lines(page: Page, linked: LinkTargets) -> Page:
    """The page read without its links' targets (`unwrap.split_link_targets`),
    with the lines that held nothing else back in their places, as `markup`
    (counted in `removed`, shown by `explain`); every input line has its row
    in `explain`, as written, targets and all."""
    spans = page.input_spans or [1] * len(page.lines)
    parts = page.input_parts
    # The input lines the page's lines were read from, by their index.
    targets = {index for index, _ in linked.lines}
    total = sum(spans) + len(targets)
    read = [index for index in range(total) if index not in targets]
    lines: list[Line] = []
    labels: list[Label | None] = []
    new_spans: list[int] = []
    new_parts: list[int] = []
    moved: dict[int, int] = {}
    pending = list(reversed(linked.lines))
    at = 0

    def put_target_lines(before: int) -> None:
        while pending and pending[-1][0] < before:
            lines.append(make_line(pending.pop()[1]))
            labels.append(_LINK_TARGETS_LABEL)
            new_spans.append(1)
            new_parts.append(1)

    for index, (line, label, span) in enumerate(zip(page.lines, page.labels, spans, strict=True)):
        put_target_lines(read[at])
        last = read[at + span - 1]
        # A target's line inside a line joined from several (rare): its row
        # in `explain` is the joined line's.
        inside = 0
        while pending and pending[-1][0] < last:
            pending.pop()
            inside += 1
        moved[index] = len(lines)
        lines.append(line)
        labels.append(label)
        new_spans.append(span + inside)
        new_parts.append(parts[index] if parts is not None else 1)
        at += span
    put_target_lines(total)
    page.lines, page.labels = lines, labels
    # Spans always: `explain` shows the input lines as written, with their targets.
    page.input_spans = new_spans
    page.input_parts = new_parts if parts is not None else None
    page.table_rules = {moved[index]: rule for index, rule in page.table_rules.items()}
    page.code_openers = [moved[index] for index in page.code_openers]
    if page.title_index is not None:
        page.title_index = moved[page.title_index]
    page.end_index = moved.get(page.end_index, len(lines))
    return page


def _classified(layout: Layout, rules: RuleSet, keep_gallery: bool) -> Page:
    page = classify_lines(split_lines(layout.text), rules, keep_gallery, layout=layout.kind)
    page.input_spans = layout.spans
    page.input_parts = layout.parts
    return settle(page, rules, keep_gallery)


def article_id(url: str | None, text: str, title: str | None) -> str:
    if url:
        match = _ARTICLE_ID.search(url)
        if match:
            return match["id"]
    digest = hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()[:16]
    return f"sha256-{digest}"


def _first(items: list[str]) -> str | None:
    return items[0] if items else None


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
    text, replaced = without_lone_surrogates(page_text(text, "clean"))
    url, replaced_in_url = url_without_lone_surrogates(url)
    page = _analyse_text(text, rules or default_ruleset(), keep_gallery)
    document = document_from_page(page, source=source, url=url)
    # (A text dump's lines are in page order; the HTML reader's are not: the
    # article comes first, then the page's other lines.)
    if _another_page_follows(page, document.removed):
        document.warnings.append(WARN_ANOTHER_PAGE)
    if replaced or replaced_in_url:
        document.warnings.append(WARN_SURROGATES_REPLACED)
    return document


# Categories whose string value is simply listed in a field of the harvest.
# (A module constant, not a ClassVar of the dataclass: the class is compiled
# by mypyc in the optional compiled build, which takes no mutable defaults.)
_TEXT_FIELDS: dict[str, str] = {
    "title": "titles",
    "section": "sections",
    "permalink": "permalinks",
    "editors": "editors",
    "notes": "notes",
    "gallery": "gallery",
}


@dataclass
class _Harvest:
    """What the labelled lines of a page add up to, gathered in one walk."""

    rules: RuleSet
    keep_gallery: bool
    paragraphs: list[str] = field(default_factory=list)
    # Words of the paragraphs: the lines counted them when they were split,
    # where splitting the joined text again took 7% of a text page's time.
    words: int = 0
    headings: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)
    fallback_titles: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    fallback_dates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    permalinks: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    videos: list[Media] = field(default_factory=list)
    audios: list[Media] = field(default_factory=list)
    gallery: list[str] = field(default_factory=list)

    def keep(self, line: Line, label: Label) -> None:
        self.paragraphs.append(line.text)
        self.words += line.word_count
        if label.category == HEADING:
            self.headings.append(line.text)
        # A slide text kept by --keep-gallery is listed in `gallery` all the same
        # (labelled by the classifier's "structure:" rules or the HTML reader's).
        if isinstance(label.value, str) and label.rule.endswith(":gallery_slide_text"):
            self.gallery.append(label.value)

    def take_value(self, line: Line, label: Label) -> None:
        """What a removed line carries into the record (a title, an image, a date...)."""
        category, value = label.category, label.value
        if isinstance(value, HtmlTitle):
            self.fallback_titles.append(value.title)
            if value.date:
                self.fallback_dates.append(value.date)
        elif isinstance(value, Image):
            self.images.append(value)
        elif isinstance(value, Media):
            (self.audios if category == "audio" else self.videos).append(value)
        elif category == "byline" and isinstance(value, tuple):
            self.authors.extend(value[0])
            self.agencies.extend(value[1])
        elif category == "byline" and isinstance(value, list):
            self.authors.extend(value)
        elif category == "date" and isinstance(value, str):
            # A date line found by structure beats a "Date 19.01.2020" label.
            (self.dates if label.rule.startswith("structure") else self.fallback_dates).append(
                value
            )
        elif category == "updated":
            self.updated.append(_updated_value(line.text, value, self.rules))
        elif category == "notes" and value is None:
            # A note the tables know whole (a live ticker's "This article is
            # updated throughout the day..."): the line is the note.
            self.notes.append(line.text)
        elif isinstance(value, str) and category in _TEXT_FIELDS:
            getattr(self, _TEXT_FIELDS[category]).append(value)


    def date(self) -> str | None:
        if self.dates:
            return self.dates[0]
        parsed = (parse_date_line(d, self.rules) for d in self.fallback_dates)
        return next((d for d in parsed if d), None)


# Removed lines that are the article's own metadata, not page chrome (a
# scraper's metadata header, `front_matter`, neither).
_NOT_CHROME = frozenset({"title", "date", "section", "byline", "front_matter"})


# Categories whose removed line is itself the value, when its label has none.
_VALUE_IS_THE_LINE = frozenset({"updated", "notes"})


def _another_page_follows(page: Page, removed: Mapping[str, int]) -> bool:
    """Whether skip links, which open a page, stand after its article began,
    or after its end. (Where the first page's last line ran into the next
    one's first, `cat` of a file without a final line break, the end was not
    found: the second page's menu and article were kept as the first's.)

    `removed` counts every skip link's input lines: those before the first
    kept line are looked at, not the whole page."""
    total = removed.get("skip_links", 0)
    if not total:
        return False
    before = 0
    # (Not strict: `repeat(1)` has no end. `category in KEPT`, not the
    # `kept` property: a call fewer for each of the menu's lines.)
    parts: Iterable[int] = page.input_parts if page.input_parts is not None else repeat(1)
    for label, part in zip(page.labels, parts, strict=False):
        if label is None:
            continue
        category = label.category
        if category in KEPT:
            return before < total
        if category == "skip_links":
            before += part
    return False


def document_from_page(page: Page, *, source: str | None, url: str | None) -> Document:
    harvest = _Harvest(page.rules, page.keep_gallery)
    removed = harvest.removed
    # `removed` counts input lines: a hard-wrapped dump's joined line stands
    # for the lines it was joined from, and so does the line of a page cut at
    # inline elements. (Not the blank lines in between: a double-spaced
    # page's line stands for itself and the blank lines below it, which are
    # no removed lines.)
    input_lines: Iterable[int] = page.input_parts if page.input_parts is not None else repeat(1)
    # (Not strict: `repeat(1)` has no end.)
    for line, label, lines_of_input in zip(page.lines, page.labels, input_lines, strict=False):
        if label is None:
            continue
        category = label.category
        if category in KEPT:
            harvest.keep(line, label)
            continue
        removed[category] = removed.get(category, 0) + lines_of_input
        # Most removed lines (menus, teasers) carry nothing more: counted inline.
        if label.value is not None or category in _VALUE_IS_THE_LINE:
            harvest.take_value(line, label)
    body = "\n\n".join(harvest.paragraphs)
    title = _first(harvest.titles or harvest.fallback_titles)
    warnings = []
    if removed.keys() <= _NOT_CHROME:  # nothing removed but the article's own metadata
        warnings.append(WARN_NO_CHROME)
    if not body:
        warnings.append(WARN_EMPTY_TEXT)
    first = harvest.paragraphs[0] if harvest.paragraphs else None
    return Document(
        id=article_id(url, body, title),
        source=source,
        # An empty URL is none, as every reader of the other forms has it.
        url=url or None,
        language=detect_language(body, page.rules, url) if body else None,
        title=title,
        date=harvest.date(),
        lead=_lead(first, harvest.headings),
        text=body,
        headings=harvest.headings,
        authors=_unique(harvest.authors),
        agencies=_unique(harvest.agencies),
        editors=_unique(harvest.editors),
        section=_first(harvest.sections),
        # The last permalink: old layouts show a video's before the article's.
        permalink=harvest.permalinks[-1] if harvest.permalinks else None,
        images=harvest.images,
        videos=harvest.videos,
        audios=harvest.audios,
        updated=_first(harvest.updated),
        notes=_unique(harvest.notes),
        gallery=harvest.gallery,
        removed=harvest.removed,
        warnings=warnings,
        word_count=harvest.words,
    )


def _lead(first: str | None, headings: list[str]) -> str | None:
    """The teaser: the text's first paragraph, when it is one. A text that
    opens with a subheading or with a list's label ("Das Wichtigste in
    Kürze:" over a live blog's summary) has none."""
    if first is None or first in headings or is_list_label(first):
        return None
    return first


def _updated_value(text: str, value: object, rules: RuleSet) -> str:
    """A live blog's status: its date when the line has one, else the line."""
    found = parse_date_line(str(value), rules) if value else None
    return found or text
