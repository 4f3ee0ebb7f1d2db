"""Records from other people's scrapers: JSON Lines, a JSON array, one JSON object.

JSON Lines has one JSON object per line; a `.json` export holds the same
objects as one JSON array (`[{...}, {...}]`, compact or pretty-printed), or one
pretty-printed object per file. The article text is in `text_field` ("text" by
default); `url`, `title` and `date` are used when present (and `author` /
`authors` and `permalink`, the other fields scrapers commonly have); every
field except the text, url, title and date is kept verbatim under `input`. A
record's `source` is "<path>#<n>": the line number in JSON Lines, the element's
number (from 1) in an array, the line a single object starts on (1, mostly). A
line or an element that is not a JSON object is a `RecordError` with reason
"json", one without text reason "no_text": a bad record never stops the file.
A JSON document that does not parse is one `RecordError` "json" for the whole
input (source "<path>"), with the line and column where it breaks: none of its
records can be read.

An array is parsed whole (a JSON parser needs the closing bracket), so a
`.json` export takes a few times its size in memory, where JSON Lines is
parsed a line at a time.

Record texts are body-only but dirty, in two ways this module undoes before the
classifier sees them (after joining the lines of a hard-wrapped text, as
`cleaner.unwrap` does for a text dump):

- HTML left in the text (`<h2>...</h2>`, `<ul><li>`, `<br/>`, entities): block
  tags become line breaks, headings their own lines (preset as headings, so
  they reach `headings` unless a rule table calls them chrome),
  scripts and styles go with their content, other tags are dropped;
- chrome inside a paragraph: RSS scrapers join all paragraphs with spaces, so the
  video notice ("To view this video please enable JavaScript, ...") and the
  closing initials ("jj/se (dpa, afp)") stand inside running text. The text is
  split into lines at exactly those points: the browser notices of the rule
  tables wherever they occur, closing initials and agencies after the last
  sentence, and an adaptation/translation note (a `notes` or `editors` prefix of
  the rule tables) that follows a sentence end near the paragraph's end (a
  title the note quotes counted as one word). The classifier then labels the
  split-off lines like any other.
"""

from __future__ import annotations

import datetime
import functools
import html
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import regex

from cleaner.classify import (
    HEADING,
    MAX_PREFIX_LINE_WORDS,
    Label,
    Page,
    split_names,
    without_quotations,
)
from cleaner.core import WARN_NO_CHROME, WARN_SURROGATES_REPLACED, document_from_page
from cleaner.core import without_lone_surrogates as without_lone_surrogates_in
from cleaner.dates import parse_date_line
from cleaner.document import Document
from cleaner.errors import RecordError, Rejected
from cleaner.formats.common import (
    classify_dump,
    comparable,
    is_person,
    overlay,
    split_title,
    unique,
)
from cleaner.formats.detect import (
    HTML,
    JSONL,
    MARKDOWN,
    SNIFF_CHARS,
    TEXT,
    detect_format,
    looks_like_html_page,
)
from cleaner.formats.frontmatter import (
    analyse_text,
    has_front_matter,
    split_front_matter,
)
from cleaner.lines import (
    WARN_CONTROLS_REMOVED,
    structural_words,
    with_lf_line_breaks,
    without_stray_controls,
)
from cleaner.rules import RuleSet, default_ruleset, normalise_phrase
from cleaner.timelimit import untimed
from cleaner.unwrap import split_link_targets, undo_layout

FORMAT = "jsonl"
REASON_JSON = "json"
REASON_NO_TEXT = "no_text"

# Fields the record is built from (`url`, `title` and `date` too, and they
# alone leave `input` when they give a value); everything else goes to
# `input` as it is.
AUTHOR_FIELDS = ("author", "authors")
PERMALINK_FIELD = "permalink"

# The line breaks that end a JSON Lines line. Not str.splitlines(), which also
# breaks at U+2028, U+2029 and U+0085: JSON allows those raw inside a string
# (Python's json.dumps(ensure_ascii=False) and jq write them so), and a record
# whose text held one was cut in two, both halves rejected as `json`.
_JSON_LINE_BREAK = regex.compile(r"\r\n|\r|\n")

# --- HTML left in the text -------------------------------------------------------

# Elements whose content is never article text.
_INVISIBLE = regex.compile(
    r"<(?P<tag>script|style|noscript|template)\b[^>]*>.*?</(?P=tag)\s*>",
    flags=regex.IGNORECASE | regex.DOTALL,
)
_HEADING = regex.compile(
    r"<h[1-6]\b[^>]*>(?P<text>.*?)</h[1-6]\s*>", flags=regex.IGNORECASE | regex.DOTALL
)
# Tags that end a line in a browser.
_BLOCK_TAG = regex.compile(
    r"</?(?:p|div|li|ul|ol|br|hr|tr|td|th|table|thead|tbody|blockquote|figure|figcaption|"
    r"section|article|header|footer|aside|nav|dl|dt|dd|h[1-6])\b[^<>]*>",
    flags=regex.IGNORECASE,
)
_ANY_TAG = regex.compile(r"<!--.*?-->|</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>", flags=regex.DOTALL)
# Marks a heading's line through tag removal; never in real text.
_HEADING_MARK = "\x01"

# --- chrome inside a paragraph ---------------------------------------------------

# Rule-table categories whose whole-line phrases are cut out of running text
# wherever they stand: the browsers' video/audio notices are sentences no
# article writes. Only long phrases qualify, so "Video" or "Audio" never split.
INLINE_CATEGORIES = frozenset({"video", "audio"})
MIN_INLINE_WORDS = 6
# Prefix categories that, after a sentence end, start a closing note.
NOTE_CATEGORIES = frozenset({"notes", "editors"})
# A closing note is short; a longer rest is running text.
MAX_NOTE_WORDS = 20
# Closing initials after the last sentence: "bea/AR (dpa, afp)", "jj/se (dpa, afp,
# rtr, epd)", "wa/cw/djo (afp, dpa, rtr)"; or the agencies alone, "(dpa, AFP)".
_SENTENCE_END = r"(?<=[.!?…\"“”»«)])"
_TRAILING_INITIALS = regex.compile(
    _SENTENCE_END
    + r"""\s+(?P<tail>
        \p{Ll}{1,5}(?:\s?/\s?\p{L}{1,5}){1,7}\.?     # initials of writers and editors
        (?:\s*[(（](?P<agencies>[^()（）]{1,80})[)）])?\.?    # agencies
      | [(（](?P<only>[^()（）]{2,80})[)）]\.?           # agencies alone
    )\s*$""",
    flags=regex.VERBOSE,
)
_SENTENCE_BREAK = regex.compile(_SENTENCE_END + r"\s+(?=\p{Lu})")
# An agency name in a closing bracket: one short word ("dpa", "AFP", "rtr").
MAX_AGENCY_CHARS = 12


def html_to_lines(text: str) -> tuple[list[str], set[int]]:
    """Lines of a text with leftover HTML, and the indices of the lines that were headings."""
    if "<" in text:
        text = _INVISIBLE.sub("\n", text)
        text = _HEADING.sub(lambda m: f"\n{_HEADING_MARK}{m['text'].strip()}\n", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _ANY_TAG.sub("", text)
    text = html.unescape(text) if "&" in text else text
    lines: list[str] = []
    headings: set[int] = set()
    for raw in text.split("\n"):
        if raw.lstrip().startswith(_HEADING_MARK):
            headings.add(len(lines))
        lines.append(" ".join(raw.replace(_HEADING_MARK, " ").split()))
    return lines, headings


def inline_pattern(rules: RuleSet) -> regex.Pattern[str] | None:
    phrases = sorted(
        {
            rule.phrase.rstrip(".")
            for rule in rules.lines.values()
            if rule.category in INLINE_CATEGORIES
            and structural_words(rule.phrase) >= MIN_INLINE_WORDS
        },
        key=len,
        reverse=True,
    )
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(regex.escape, p.split())) for p in phrases)
    return regex.compile(rf"((?:{alternatives})\.?)", flags=regex.IGNORECASE)


def _is_agency_list(text: str) -> bool:
    parts = [part.strip() for part in text.split(",")]
    return bool(parts) and all(0 < len(p) <= MAX_AGENCY_CHARS and " " not in p for p in parts)


def _split_initials(line: str) -> list[str]:
    match = _TRAILING_INITIALS.search(line)
    if match is None:
        return [line]
    only = match["only"]
    if only is not None and not _is_agency_list(only):
        return [line]
    if match["agencies"] is not None and not _is_agency_list(match["agencies"]):
        return [line]
    return [line[: match.start()].rstrip(), match["tail"]]


def _note_starts(text: str, rules: RuleSet) -> bool:
    words = normalise_phrase(text).split(" ")
    for count in range(min(len(words), rules.max_prefix_words), 0, -1):
        rule = rules.prefixes.get(" ".join(words[:count]))
        if rule is not None and rule.category in NOTE_CATEGORIES:
            return True
    return False


def _split_note(line: str, rules: RuleSet) -> list[str]:
    for match in _SENTENCE_BREAK.finditer(line):
        rest = line[match.end() :]
        # Its first words first: counted over the whole rest at every
        # sentence break, an RSS text of one line (all its paragraphs joined
        # by spaces) took quadratic time, 5 s for 266 kB.
        first_words = rest.split(None, rules.max_prefix_words)[: rules.max_prefix_words]
        if not _note_starts(" ".join(first_words), rules):
            continue
        words = structural_words(rest)
        # (Longer, the classifier would not read it as a note.)
        if words > MAX_PREFIX_LINE_WORDS:
            continue
        # A title the note quotes counts as one word: 'Der Artikel wurde aus
        # dem englischen Original "Can Trump sell the MAGA crowd on soccer
        # with the World Cup?" adaptiert.' is a short note with a long title.
        if words <= MAX_NOTE_WORDS or structural_words(without_quotations(rest)) <= MAX_NOTE_WORDS:
            return [line[: match.start()].rstrip(), rest]
    return [line]


def split_inline_chrome(
    line: str, rules: RuleSet, pattern: regex.Pattern[str] | None = None
) -> list[str]:
    """One line of running text as lines, cut where chrome stands inside it.

    `pattern` is `inline_pattern(rules)`, passed in when splitting many lines.
    """
    pattern = pattern or inline_pattern(rules)
    parts = [p.strip() for p in pattern.split(line)] if pattern is not None else [line]
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        head, *tail = _split_initials(part)
        out.extend(_split_note(head, rules) if not tail else [head])
        out.extend(tail)
    return [p for p in out if p]


def record_text_to_dump(text: str, rules: RuleSet) -> tuple[list[str], set[int], str]:
    """A record's text as dump lines (hard wrapping or double spacing and HTML
    undone, inline chrome split off), heading indices, and the layout undone
    (`unwrap.Layout.kind`, "" for none)."""
    # A scraper that stored `w3m -dump` output stored it wrapped: joined first,
    # as a text dump file is (`core.analyse`), while the lines still have the
    # widths the wrapper gave them. A double-spaced text loses its blank lines.
    # A text whose renderer wrote its links' targets is read without them, as
    # a file is; the lines of nothing else are left out (the record's dump
    # shows the lines it was cleaned from).
    linked = split_link_targets(text)
    layout = undo_layout(text if linked is None else linked.text, rules)
    lines, headings = html_to_lines(layout.text)
    pattern = inline_pattern(rules)
    out: list[str] = []
    out_headings: set[int] = set()
    for index, line in enumerate(lines):
        if index in headings and line:
            out_headings.add(len(out))
            out.append(line)
            continue
        out.extend(split_inline_chrome(line, rules, pattern) if line else [""])
    return out, out_headings, layout.kind


# --- fields -------------------------------------------------------------------


def field_text(value: object) -> str | None:
    """A short field (a title) without leftover HTML: its first line of text."""
    if not isinstance(value, str):
        return None
    lines, _ = html_to_lines(value)
    return next((line for line in lines if line), None)


def field_date(value: object, rules: RuleSet) -> str | None:
    """An ISO date from a record's date field; None for no date, or one
    that is no day of the calendar ("2015-02-30", a scraper's "0000-00-00":
    taken as they were, they stood in `date` as if real)."""
    if not isinstance(value, str) or not value.strip():
        return None
    iso = regex.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
    if iso is None:
        return parse_date_line(value, rules)
    try:
        return datetime.date.fromisoformat(iso.group(1)).isoformat()
    except ValueError:
        return None


def field_names(record: dict[str, Any]) -> list[str]:
    """The persons a record's author fields name: not the site ("DW",
    "Deutsche Welle"), which the HTML and metadata-header readers leave out too."""
    names: list[str] = []
    for key in AUTHOR_FIELDS:
        value = record.get(key)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str):
                names.extend(name for name in split_names(item) if is_person(name, ()))
    return names


def _blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def field_url(value: object) -> str | None:
    """A record's `url`, if it is a string with something in it."""
    return value.strip() or None if isinstance(value, str) else None


def field_path(record: dict[str, Any], text_field: str) -> tuple[str, ...] | None:
    """The keys that lead to `text_field` in `record`, or None.

    A dotted name is a path into objects, as jq's `.data.content` is:
    records that keep the page in an object (`{"data": {"content": ...}}`,
    as API dumps do) could not be read otherwise. A field whose own name
    has the dot is taken first, at every level, so a name that worked
    before still names the same field.
    """
    if text_field in record:
        return (text_field,)
    for dot, char in enumerate(text_field):
        if char != ".":
            continue
        inner = record.get(text_field[:dot])
        if isinstance(inner, dict):
            rest = field_path(inner, text_field[dot + 1 :])
            if rest is not None:
                return (text_field[:dot], *rest)
    return None


def _field_value(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        value = value[key]
    return value


def _without_field(record: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The record without the field at `path`: a nested text is not kept in
    `input` a second time, and the object around it keeps its other fields."""
    head, *rest = path
    if not rest:
        return {k: v for k, v in record.items() if k != head}
    return {k: _without_field(v, tuple(rest)) if k == head else v for k, v in record.items()}


def record_body(record: dict[str, Any], text_field: str) -> str | None:
    path = field_path(record, text_field)
    value = _field_value(record, path) if path is not None else None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = "\n".join(value)
    return value if isinstance(value, str) and value.strip() else None


# JSON's names for the types json.loads gives, for messages.
_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
               dict: "an object", str: "text", type(None): "null"}
# What a JSON line holds that is not an object, in JSON's words: the rejects
# said "a JSON NoneType" and "a JSON list", Python's names for null and an array.
_JSON_VALUES = {bool: "a JSON boolean", int: "a JSON number", float: "a JSON number",
                list: "a JSON array", str: "a JSON string", type(None): "JSON null"}
# Field names a message lists at most.
_MAX_NAMES_SHOWN = 10


def not_an_object_detail(value: object) -> str:
    """Why a JSON line that holds `value` gives no record: "a JSON array, not an object"."""
    return f"{_JSON_VALUES.get(type(value), 'a JSON value')}, not an object"


def no_text_detail(record: dict[str, Any], text_field: str) -> str:
    """Why the record has no text: the field is missing (and which there are),
    null, empty, or holds something else than text."""
    path = field_path(record, text_field)
    if path is None:
        return _missing_field_detail(record, text_field)
    value = _field_value(record, path)
    if value is None:
        return f"field {text_field!r} is null"
    if isinstance(value, list) and not all(isinstance(item, str) for item in value):
        return f"field {text_field!r} is a list that is not all text"
    if isinstance(value, str | list):
        return f"field {text_field!r} is empty"
    kind = _JSON_TYPES.get(type(value), type(value).__name__)
    return f"field {text_field!r} holds {kind}, not text"


def _names(record: dict[str, Any]) -> str:
    names = ", ".join(repr(name) for name in list(record)[:_MAX_NAMES_SHOWN])
    return (names or "none") + (", ..." if len(record) > _MAX_NAMES_SHOWN else "")


def _missing_field_detail(record: dict[str, Any], text_field: str) -> str:
    """Where a missing field's path ends: the deepest object it reaches."""
    parts = text_field.split(".")
    inner, outer = record, ""
    for depth, key in enumerate(parts[:-1]):
        if key not in inner:
            break
        value, where = inner[key], ".".join(parts[: depth + 1])
        if not isinstance(value, dict):
            kind = _JSON_TYPES.get(type(value), type(value).__name__)
            return (f"no field {text_field!r} ({where!r} holds {kind}, not an object); "
                    "see --text-field")
        inner, outer = value, where
    if outer:
        return (f"no field {text_field!r} ({outer!r} has the fields: {_names(inner)}); "
                "see --text-field")
    return f"no field {text_field!r} (fields: {_names(record)}); see --text-field"


def analyse_record(
    record: dict[str, Any],
    text: str,
    *,
    rules: RuleSet,
    keep_gallery: bool = False,
) -> Page:
    """Label every line of a record's text dump (for `record_document` and `explain`)."""
    lines, headings, layout = record_text_to_dump(text, rules)
    # Headings the record's HTML marks are headings, unless a rule table claims them.
    preset = {i: Label(HEADING, "jsonl:html_heading", lines[i]) for i in headings}
    title = field_text(record.get("title"))
    first = next((i for i, line in enumerate(lines) if line), None)
    title_index = None
    if title and first is not None and comparable(lines[first]) == comparable(title):
        preset[first] = Label("title", "jsonl:title_field", lines[first])
        title_index = first
    return classify_dump(
        "\n".join(lines),
        rules=rules,
        keep_gallery=keep_gallery,
        preset=preset,
        title_index=title_index,
        layout=layout,
    )


def is_markdown_text(text: str) -> bool:
    """Is a record's text markdown (a reader service's or html2text's page stored
    in a record), told as a markdown file of no telling name is?"""
    return detect_format(text) == MARKDOWN


def is_html_page(text: str) -> bool:
    """Is a record's text a whole HTML page (a scraper's `html` field), told as
    an HTML file of no telling name is? Not a body with leftover tags, which
    `record_text_to_dump` cleans: only a page has the chrome around the article
    that the HTML reader leaves out."""
    return detect_format(text) == HTML and looks_like_html_page(text[:SNIFF_CHARS])


# A record's text that opens with trafilatura's metadata header
# (`--with-metadata` output stored in a record), read as such a file is.
WITH_HEADER = "text with a metadata header"


def record_form(text: str) -> str:
    """How a record's text is read: as markdown, as a whole HTML page, as a
    text under trafilatura's metadata header, or (TEXT) as a body, perhaps
    with leftover tags (`record_text_to_dump`)."""
    if is_markdown_text(text):
        return MARKDOWN
    if is_html_page(text):
        return HTML
    if has_front_matter(text) and split_front_matter(text)[1]:
        return WITH_HEADER
    return TEXT


def analyse_record_page(
    record: dict[str, Any],
    *,
    text_field: str = "text",
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> tuple[Page, str] | None:
    """The labelled dump of a record's page, read as `record_document` reads
    it, and the text it was read from (for `explain FILE#N`); None for a
    record with no text."""
    rules = rules or default_ruleset()
    record = without_lone_surrogates(record)[0]
    body = record_body(record, text_field)
    if body is None:
        return None
    text = without_stray_controls(with_lf_line_breaks(body))[0]
    form = record_form(text)
    if form == MARKDOWN:
        with untimed():
            from cleaner.formats.markdown import analyse_markdown  # noqa: PLC0415

        return analyse_markdown(text, rules=rules, keep_gallery=keep_gallery), text
    if form == HTML:
        with untimed():
            from cleaner.formats.html import analyse_html  # noqa: PLC0415

        return analyse_html(text, rules=rules, keep_gallery=keep_gallery)[0], text
    if form == WITH_HEADER:
        return analyse_text(text, rules=rules, keep_gallery=keep_gallery)[0], text
    return analyse_record(record, text, rules=rules, keep_gallery=keep_gallery), text


def find_record(data: str, name: str, number: int) -> dict[str, Any] | RecordError | None:
    """Record `name#number` of a JSON Lines text or JSON document, as the
    records a run gives are named (`json_values`): the parsed object, the
    error that line gave a run (its reject), or None when there is no such
    record."""
    wanted = f"{name}#{number}"
    for item in json_values(data, name):
        if isinstance(item, RecordError):
            if item.source in (wanted, name):  # (name: the input as a whole is no JSON)
                return item
        elif item[0] == wanted:
            value = item[1]
            if not isinstance(value, dict):
                return RecordError(wanted, REASON_JSON, not_an_object_detail(value))
            return value
    return None


# Half of a UTF-16 pair, escaped alone ("\ud83d"): JSON written from
# JavaScript or Java that cut a string inside an emoji. json.loads joins the
# pairs that are whole, so what it leaves is no character, and UTF-8 cannot
# write it: one in a title made the run fail writing its output. Replaced by
# U+FFFD, as the decoder replaces stray bytes, and the record says so.


def without_lone_surrogates(value: Any) -> tuple[Any, bool]:
    """A parsed JSON value with lone surrogates replaced, keys and nested
    values too, and whether it had any."""
    if isinstance(value, str):
        return without_lone_surrogates_in(value)
    if isinstance(value, dict):
        pairs = [(without_lone_surrogates(k), without_lone_surrogates(v))
                 for k, v in value.items()]
        if not any(key[1] or item[1] for key, item in pairs):
            return value, False
        return {key[0]: item[0] for key, item in pairs}, True
    if isinstance(value, list):
        items = [without_lone_surrogates(item) for item in value]
        if not any(found for _, found in items):
            return value, False
        return [item for item, _ in items], True
    return value, False


def record_document(
    record: dict[str, Any],
    *,
    source: str,
    text_field: str = "text",
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Document | RecordError:
    rules = rules or default_ruleset()
    record, had_surrogates = without_lone_surrogates(record)
    text = record_body(record, text_field)
    if text is None:
        return RecordError(source, REASON_NO_TEXT, no_text_detail(record, text_field))
    text_path = field_path(record, text_field) or (text_field,)
    # A JSON string may hold any control character ("\u0000"); the file's
    # reader removed the raw ones from a page file, these are removed here.
    text, had_controls = without_stray_controls(with_lf_line_breaks(text))
    url = field_url(record.get("url"))
    try:
        document = _record_text_document(record, text, source=source, url=url,
                                         keep_gallery=keep_gallery, rules=rules)
    except Rejected as rejected:
        # A page the cleaner cannot read whole (HTML nested past the parser's
        # limit) is its record's reject; the file's other records stand.
        return RecordError(source, rejected.reason.value, rejected.detail)
    permalink = record.get(PERMALINK_FIELD)
    is_dw = "dw.com/" in (url or "")
    # DW's title suffix (" | DW | 19.01.2020"), as the HTML and metadata
    # header readers take it off, its date the page's if nothing else says.
    title, title_date = split_title(field_text(record.get("title")))
    date = field_date(record.get("date"), rules)
    # A field that gave nothing (a list of URLs, as Scrapy writes them, an
    # epoch number, a date that is no day) stays under `input`, not lost.
    # (An empty string, a field the scraper lost, says nothing to keep.)
    used = {
        key: value is not None or _blank(record.get(key))
        for key, value in (("url", url), ("title", title), ("date", date))
    }
    return overlay(
        document,
        title=title or document.title,
        date=date or document.date or title_date,
        authors=unique(field_names(record) + document.authors),
        permalink=permalink if isinstance(permalink, str) and permalink else None,
        input={k: v for k, v in _without_field(record, text_path).items()
               if not used.get(k, False)},
        warnings=[w for w in document.warnings if not (is_dw and w == WARN_NO_CHROME)]
        + ([WARN_CONTROLS_REMOVED] if had_controls else [])
        + ([WARN_SURROGATES_REPLACED] if had_surrogates else []),
        format=FORMAT,
    )


def _record_text_document(
    record: dict[str, Any], text: str, *, source: str, url: str | None,
    keep_gallery: bool, rules: RuleSet,
) -> Document:
    """The record's text cleaned as the form it is in."""
    form = record_form(text)
    if form == TEXT:
        page = analyse_record(record, text, rules=rules, keep_gallery=keep_gallery)
        return document_from_page(page, source=source, url=url)
    # A whole page in a record is read as the same page in a file.
    # (Imported here: formats/__init__ imports this module when it needs it.)
    from cleaner.formats import clean_form  # noqa: PLC0415

    return clean_form(text, TEXT if form == WITH_HEADER else form, source=source, url=url,
                      keep_gallery=keep_gallery, rules=rules)


def _first_line(data: str) -> tuple[int, str]:
    """The number (from 1, as JSON Lines counts) and text of the first non-blank line."""
    start = len(data) - len(data.lstrip())
    # (The "x" stands for the line's own text: only the breaks before it count.)
    number = len(_JSON_LINE_BREAK.split(data[:start] + "x"))
    return number, _JSON_LINE_BREAK.split(data[start:], maxsplit=1)[0]


# Records nested deeper than this are rejected (`json`): no scraper writes
# them, and the steps after parsing walk a record by recursion (two Python
# frames a level), as Python's JSON writer does, so that a record nested 800
# deep parsed and then failed the whole input on RecursionError. Far below
# the recursion limit, wherever the cleaning runs (a worker thread included).
MAX_JSON_DEPTH = 200


class UnloadableJSONError(ValueError):
    """Valid JSON that Python's reader cannot load: nested too deeply, or an
    integer too long. Its message is the reject's detail."""


def _too_deep_detail() -> str:
    return f"JSON nested too deeply: arrays and objects more than {MAX_JSON_DEPTH} levels deep"


def load_json(text: str) -> Any:
    """`json.loads(text)`, with what Python cannot load as `UnloadableJSONError`.

    Python's reader recurses a level of nesting at a time (RecursionError past
    about a thousand levels, which no `except ValueError` caught: one such
    line rejected its whole file as `error`), and reads no integer of more
    than `sys.get_int_max_str_digits()` digits (a ValueError whose message
    only a Python programmer can act on).
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise UnloadableJSONError(_too_deep_detail()) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # (the only other ValueError a str gives json.loads)
        raise UnloadableJSONError(
            f"JSON integer too long: more than {sys.get_int_max_str_digits()} digits"
        ) from error


def deeper_than(value: object, limit: int) -> bool:
    """Are arrays and objects nested more than `limit` levels deep in `value`?

    Level by level, not by recursion (that is what it guards), and done after
    `limit` levels: a flat record costs two passes over its fields.
    """
    level = [value]
    for _ in range(limit):
        level = [child for item in level if isinstance(item, dict | list)
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return any(isinstance(item, dict | list) for item in level)


def _parses_alone(line: str) -> bool:
    """Is `line` a JSON value on its own? One Python cannot load counts: a
    JSON Lines file whose first line is nested too deeply keeps its other records."""
    try:
        load_json(line)
    except UnloadableJSONError:
        return True
    except ValueError:
        return False
    return True


def _checked(where: str, value: object) -> tuple[str, object] | RecordError:
    """(where, value), or the record's reject if it is nested too deeply."""
    if isinstance(value, dict | list) and deeper_than(value, MAX_JSON_DEPTH):
        return RecordError(where, REASON_JSON, _too_deep_detail())
    return where, value


def json_values(data: str, name: str) -> Iterator[tuple[str, object] | RecordError]:
    """(source, parsed value) for each record of a JSON Lines text or JSON document.

    The text is one JSON document (an array of records, or one record) when it
    parses whole; JSON Lines when its first line is a JSON value on its own (a
    one-line file is both, and reads the same either way: a single object's
source is the number of the line it starts on).
    A document that breaks after its first line is neither: one error for all.
    """
    body = data[1:] if data.startswith("\ufeff") else data
    start = body.lstrip()[:1]
    broken: str | None = None  # why the document does not load, if it does not
    if start in ("[", "{"):
        try:
            document = load_json(body)
        except json.JSONDecodeError as error:
            number, line = _first_line(body)
            if error.lineno > number and not _parses_alone(line):
                yield RecordError(name, REASON_JSON, _not_valid_json_detail(error))
                return
            broken = _not_valid_json_detail(error)
        except UnloadableJSONError as error:
            # Where Python gave up is not known: JSON Lines if the first line
            # stands alone (its bad line is then a reject of its own), else a
            # document none of whose records can be read.
            if not _parses_alone(_first_line(body)[1]):
                yield RecordError(name, REASON_JSON, str(error))
                return
            broken = str(error)
        else:
            if isinstance(document, dict):
                yield _checked(f"{name}#{_first_line(body)[0]}", document)
                return
            if not document:
                yield RecordError(name, REASON_NO_TEXT, "an empty JSON array: no record in it")
                return
            for number, value in enumerate(document, start=1):
                yield _checked(f"{name}#{number}", value)
            return
    # Until a line is a JSON object, what the lines give is held back: a file
    # with none at all is not JSON records (a text dump or an HTML error page
    # saved as `.json`), one reject for the input rather than one per line.
    held: list[tuple[str, object] | RecordError] | None = []
    for number, line in enumerate(_JSON_LINE_BREAK.split(body), start=1):
        if not line.strip():
            continue
        where = f"{name}#{number}"
        item: tuple[str, object] | RecordError
        try:
            # `cat a.jsonl b.jsonl` of files written with a BOM has one at the
            # start of b's first line: the record is there all the same.
            item = _checked(where, load_json(line.removeprefix("\ufeff")))
        except ValueError as error:  # (UnloadableJSONError too: its message says why)
            item = RecordError(where, REASON_JSON, str(error))
        if held is not None:
            if isinstance(item, RecordError) or not isinstance(item[1], dict):
                held.append(item)
                continue
            yield from held
            held = None
        yield item
    if held and broken is not None and all(isinstance(item, RecordError) for item in held):
        # A document of one line that breaks ('{"text": "a", "x": }') or that
        # Python cannot load (an integer too long): no line is a record either,
        # and why the document fails says more than its look.
        yield RecordError(name, REASON_JSON, broken)
    elif held:
        yield RecordError(name, REASON_JSON, _not_json_records_detail(body, held))


def _not_valid_json_detail(error: json.JSONDecodeError) -> str:
    return (
        f"not valid JSON: {error} (a JSON input is one array of records or one record; "
        "JSON Lines one record per line)"
    )


def _not_json_records_detail(data: str, held: list[tuple[str, object] | RecordError]) -> str:
    """Why a text with no JSON object on any line is not JSON records, and, when
    no line is JSON at all, what it looks like instead."""
    detail = f"not JSON records: none of its {len(held)} non-blank lines is a JSON object"
    if not all(isinstance(item, RecordError) for item in held):
        return detail
    looks_like = detect_format(data)
    if looks_like == JSONL:
        return detail
    return f"{detail}; it looks like {looks_like} (--format {looks_like} reads it so)"


# A record read and not yet cleaned: its source ("<path>#<n>") and the call
# that cleans it, so that the caller can give each record its own time limit
# (`--timeout`) and keep the others when one runs over.
PendingRecord = tuple[str, Callable[[], Document | RecordError]]


def pending_records(
    data: str,
    *,
    source: str | None = None,
    text_field: str = "text",
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Iterator[PendingRecord | RecordError]:
    """Per record of `data` (see `json_values`), a `PendingRecord`, or the
    `RecordError` of one that cannot be read. Each line (or the document) is
    parsed as the iterator reaches it; nothing is cleaned until called."""
    rules = rules or default_ruleset()
    name = source or "<jsonl>"
    for item in json_values(data, name):
        if isinstance(item, RecordError):
            yield item
            continue
        where, record = item
        if not isinstance(record, dict):
            yield RecordError(where, REASON_JSON, not_an_object_detail(record))
            continue
        yield where, functools.partial(
            record_document, record, source=where, text_field=text_field,
            keep_gallery=keep_gallery, rules=rules,
        )


def iter_records(
    data: str,
    *,
    source: str | None = None,
    text_field: str = "text",
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Iterator[Document | RecordError]:
    """One `Document` or `RecordError` per record: per non-blank line of JSON Lines,
    per element of a JSON array, or one for a single JSON object (see `json_values`)."""
    for item in pending_records(data, source=source, text_field=text_field,
                                keep_gallery=keep_gallery, rules=rules):
        yield item if isinstance(item, RecordError) else item[1]()
