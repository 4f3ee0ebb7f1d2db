"""trafilatura's metadata header ("front matter") above a text or markdown dump.

`trafilatura --with-metadata` (and `extract(..., with_metadata=True)`) writes,
in its txt and markdown output, a YAML-like header before the text:

    ---
    title: "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära – DW – 30.01.2024"
    author: Jennifer Pahlke
    url: https://www.dw.com/de/russland-wahl-.../a-68117411
    hostname: dw.com
    sitename: Deutsche Welle
    date: "2024-01-30"
    tags: ['Russland,Wahl']
    fingerprint: b77da89b2fad8989
    ---

One `field: value` line per non-empty field, in a fixed order
(`trafilatura.core._YAML_FIELDS`). trafilatura 2 writes a string plain when
YAML reads it back unchanged, else as a JSON string (`"..."`); older versions
wrote every value plain; lists (`tags`, `categories`) are Python reprs. So a
value is read as JSON when it is a JSON string, else as it stands: no YAML
parser is needed for what one known writer writes.

The header gives the record's `url`, `title` (without DW's " | DW | 10.06.2013"
/ " – DW – 30.01.2024" suffix), `date` and `authors`; its lines are removed
from the text and counted as `front_matter`. trafilatura's `date` comes from
htmldate and is often not the publication date on DW's old layout (a 2013 article
with "2019-08-01", a 2023 one with "2013-02-04", see fixtures/front-matter/), so
a date line in the text, then the date in the title's suffix, come before it.
Its `author` is often the site itself ("Deutsche Welle", with `sitename`
"DW.COM"), which is no author.
"""

from __future__ import annotations

import json

import regex

from cleaner import core
from cleaner.classify import Label, Page, split_names
from cleaner.core import WARN_NO_CHROME, analyse, document_from_page
from cleaner.document import Document
from cleaner.formats.common import (
    classify_dump,
    comparable,
    is_person,
    overlay,
    split_title,
    unique,
)
from cleaner.lines import make_line, page_lines
from cleaner.rules import RuleSet
from cleaner.unwrap import undo_layout

# The removed-line category of the header's lines (not page chrome).
FRONT_MATTER = "front_matter"
RULE = "front_matter:trafilatura"
FENCE = "---"
# trafilatura's fields (`_YAML_FIELDS`): a header must name at least one, so a
# text that opens with a "---" rule and a "Note: ..." line keeps its lines.
KNOWN_FIELDS = frozenset(
    {
        "title", "author", "url", "hostname", "description", "sitename", "date",
        "categories", "tags", "fingerprint", "id", "license",
    }
)
# A header holds at most the dozen fields above; a longer run is no header.
MAX_HEADER_LINES = 24
_FIELD = regex.compile(r"(?P<name>[a-z][a-z_]*):(?:[ \t]+(?P<value>.*))?")
_ISO_DATE = regex.compile(r"\s*(?P<date>\d{4}-\d{2}-\d{2})")


def has_front_matter(text: str) -> bool:
    """Cheap test run on every dump: does it open with a "---" line?"""
    return text.startswith(FENCE) or text.startswith("\ufeff" + FENCE)


def _value(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"') and raw.endswith('"') and len(raw) > 1:
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        return value if isinstance(value, str) else raw
    return raw


def split_front_matter(text: str) -> tuple[dict[str, str], list[str], str]:
    """(fields, the header's lines, the text after it); ({}, [], text) when there is none."""
    if not has_front_matter(text):
        return {}, [], text
    # The last item is the rest of the text, unsplit: a header is short.
    lines = text.split("\n", MAX_HEADER_LINES + 1)
    if lines[0].lstrip("\ufeff").rstrip() != FENCE:
        return {}, [], text
    fields: dict[str, str] = {}
    for index in range(1, min(len(lines), MAX_HEADER_LINES + 1)):
        line = lines[index].rstrip("\r")
        if line.rstrip() == FENCE:
            if not KNOWN_FIELDS & fields.keys():
                break
            header = [line.rstrip("\r").lstrip("\ufeff") for line in lines[: index + 1]]
            return fields, header, "\n".join(lines[index + 1 :])
        match = _FIELD.fullmatch(line)
        if match is None:
            break
        fields[match["name"]] = _value(match["value"] or "")
    return {}, [], text


def with_header_lines(page: Page, header: list[str]) -> Page:
    """The page with the header's lines in front, labelled `front_matter`.

    Added after classification, so the classifier never takes a header line for
    the title or a byline; counted in `removed` and shown by `explain` like any
    removed line.
    """
    if not header:
        return page
    labels: list[Label | None] = [Label(FRONT_MATTER, RULE, None)] * len(header)
    page.lines = [make_line(line) for line in header] + page.lines
    page.labels = labels + page.labels
    page.table_rules = {index + len(header): rule for index, rule in page.table_rules.items()}
    if page.title_index is not None:
        page.title_index += len(header)
    page.end_index += len(header)
    return page


def analyse_text(
    text: str, *, rules: RuleSet, keep_gallery: bool = False
) -> tuple[Page, dict[str, str]]:
    """A text dump's labelled page and its header's fields ({} without a header).

    The first line of the text, when it is the header's title, is preset as the
    title, the way a record's title field marks it (`records.analyse_record`).
    A hard-wrapped or double-spaced text under the header is read without
    that layout, as a dump without one is (`core.analyse`): the header's own
    lines (a long `description`) would hide it if the two were looked at
    together.
    """
    fields, header, body = split_front_matter(text)
    if not header:
        return analyse(text, rules=rules, keep_gallery=keep_gallery), {}
    layout = undo_layout(body, rules)
    body = layout.text
    title, _ = header_title(fields)
    lines = page_lines(body)
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    preset: dict[int, Label] = {}
    title_index = None
    if title and first is not None and comparable(lines[first]) == comparable(title):
        preset[first] = Label("title", "front_matter:title", " ".join(lines[first].split()))
        title_index = first
    page = classify_dump(
        body,
        rules=rules,
        keep_gallery=keep_gallery,
        preset=preset,
        title_index=title_index,
        layout=layout.kind,
    )
    page = with_header_lines(page, header)
    if layout.spans is not None:
        page.input_spans = [1] * len(header) + layout.spans
    if layout.parts is not None:
        page.input_parts = [1] * len(header) + layout.parts
    return page, fields


def clean_text(
    text: str,
    *,
    source: str | None = None,
    url: str | None = None,
    keep_gallery: bool = False,
    rules: RuleSet,
) -> Document:
    """Clean a text dump that may open with trafilatura's header (else: `core.clean`)."""
    if not split_front_matter(text)[1]:
        # core.clean looked up at each call, so that a test can patch the cleaner.
        return core.clean(text, source=source, url=url, keep_gallery=keep_gallery, rules=rules)
    page, fields = analyse_text(text, rules=rules, keep_gallery=keep_gallery)
    document = document_from_page(page, source=source, url=url or fields.get("url") or None)
    return overlay_front_matter(document, fields)


def header_title(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """The headline and the date of DW's title suffix, from the header's `title`."""
    return split_title(fields.get("title") or None)


def header_authors(fields: dict[str, str]) -> list[str]:
    """The header's `author` names that are persons ("Julia Vergin; Clare Roth")."""
    site = [fields[name] for name in ("sitename", "hostname") if fields.get(name)]
    return [name for name in split_names(fields.get("author", "")) if is_person(name, site)]


def overlay_front_matter(document: Document, fields: dict[str, str]) -> Document:
    """The record with what the header says laid over it (see the module doc)."""
    if not fields:
        return document
    title, title_date = header_title(fields)
    header_date = _ISO_DATE.match(fields.get("date", ""))
    url = document.url or fields.get("url") or None
    is_dw = "dw.com/" in (url or "")
    return overlay(
        document,
        url=url,
        title=title or document.title,
        date=document.date or title_date or (header_date["date"] if header_date else None),
        authors=unique(header_authors(fields) + document.authors),
        warnings=[w for w in document.warnings if not (is_dw and w == WARN_NO_CHROME)],
    )
