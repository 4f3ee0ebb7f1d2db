"""Input forms: plain-text dumps, markdown dumps, HTML pages and JSON records.

Every form ends up as the same kind of `Document`, cleaned by the same rule
tables; `Document.format` records which form it came from. The form is detected
from the file name and the first few kilobytes (`detect_format`), or forced.

    >>> from cleaner.formats import clean_any, to_documents
    >>> clean_any(html, source="page.html").format
    'html'
    >>> [r.source for r in to_documents(jsonl, source="dump.jsonl")]
    ['dump.jsonl#1', 'dump.jsonl#2']

Pure functions: strings in, records out, no file I/O (that is `cleaner.inputs`).

The readers of HTML, markdown and JSON Lines are imported when a page of their
form first arrives: a run over text dumps, or `dw-clean page.txt` in a shell
loop, does not pay for their modules and patterns (about 10 ms a process).
"""

from __future__ import annotations

from cleaner import core
from cleaner.classify import Page
from cleaner.core import (
    WARN_SURROGATES_REPLACED,
    analyse,
    page_text,
    url_without_lone_surrogates,
    without_lone_surrogates,
)
from cleaner.document import Document
from cleaner.errors import RecordError, UsageError
from cleaner.formats.detect import FORMATS, HTML, JSONL, MARKDOWN, TEXT, detect_format
from cleaner.rules import RuleSet, default_ruleset
from cleaner.timelimit import untimed

__all__ = [
    "FORMATS",
    "RecordError",
    "analyse_any",
    "clean_any",
    "detect_format",
    "resolve_format",
    "to_documents",
]

AUTO = "auto"
# How a dump with trafilatura's metadata header starts (see formats/frontmatter.py).
FRONT_MATTER_STARTS = ("---", "\ufeff---")


def resolve_format(data: str, fmt: str = AUTO, *, name: str | None = None) -> str:
    """The format to read `data` as: `fmt` itself, or the detected one for "auto"."""
    if fmt == AUTO:
        return detect_format(data, name=name)
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}; choose one of auto, {', '.join(FORMATS)}.")
    return fmt


def _clean_page(
    data: str,
    fmt: str,
    *,
    source: str | None,
    url: str | None,
    keep_gallery: bool,
    rules: RuleSet,
) -> Document:
    if fmt == TEXT and not data.startswith(FRONT_MATTER_STARTS):
        # core.clean looked up at each call, so that a test can patch the
        # cleaner. (It replaces lone surrogates itself: one look at the page.)
        document = core.clean(
            data, source=source, url=url, keep_gallery=keep_gallery, rules=rules
        )
        document.format = TEXT
        return document
    data, replaced_in_data = without_lone_surrogates(data)
    url, replaced_in_url = url_without_lone_surrogates(url)
    replaced = replaced_in_data or replaced_in_url
    document = clean_form(data, fmt, source=source, url=url, keep_gallery=keep_gallery,
                           rules=rules)
    if replaced:
        document.warnings.append(WARN_SURROGATES_REPLACED)
    return document


def clean_form(
    data: str,
    fmt: str,
    *,
    source: str | None,
    url: str | None,
    keep_gallery: bool,
    rules: RuleSet,
) -> Document:
    """A page of HTML, markdown, or text under a metadata header."""
    # (The readers' imports: see the module's docstring.)
    if fmt == HTML:
        with untimed():
            from cleaner.formats.html import clean_html  # noqa: PLC0415

        return clean_html(data, source=source, url=url, keep_gallery=keep_gallery, rules=rules)
    if fmt == MARKDOWN:
        with untimed():
            from cleaner.formats.markdown import clean_markdown  # noqa: PLC0415

        return clean_markdown(data, source=source, url=url, keep_gallery=keep_gallery, rules=rules)
    with untimed():
        from cleaner.formats.frontmatter import clean_text  # noqa: PLC0415

    document = clean_text(data, source=source, url=url, keep_gallery=keep_gallery, rules=rules)
    document.format = TEXT
    return document


def to_documents(
    data: str,
    *,
    fmt: str = AUTO,
    source: str | None = None,
    url: str | None = None,
    text_field: str = "text",
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> list[Document | RecordError]:
    """Clean one input: one record for a page, one per record for JSON records.

    `source` is the input's name (its extension helps detection); JSON records
    get "<source>#<n>" (the line in JSON Lines, the element of a JSON array;
    "<jsonl>#<n>" without a `source`). `url` is a page's address: JSON
    records use their own `url` fields. A record that cannot be read is a
    `RecordError` in the list, in its place, never an exception.
    """
    rules = rules or default_ruleset()
    data = page_text(data, "to_documents")
    resolved = resolve_format(data, fmt, name=source)
    if resolved == JSONL:
        with untimed():
            from cleaner.formats.records import iter_records  # noqa: PLC0415

        return list(
            iter_records(
                data, source=source, text_field=text_field, keep_gallery=keep_gallery, rules=rules
            )
        )
    return [
        _clean_page(data, resolved, source=source, url=url, keep_gallery=keep_gallery, rules=rules)
    ]


def clean_any(
    data: str,
    *,
    fmt: str = AUTO,
    source: str | None = None,
    url: str | None = None,
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Document:
    """Clean a single page in any form but JSON records (use `to_documents` for those)."""
    data = page_text(data, "clean_any")
    resolved = resolve_format(data, fmt, name=source)
    if resolved == JSONL:
        # (Asked for with fmt='jsonl', the input need not be records at all.)
        what = "JSON records are asked for" if fmt == JSONL else (
            "This input is JSON records (JSON Lines or a JSON array)")
        raise UsageError(
            f"{what}; use cleaner.formats.to_documents() to get one result per record, "
            "or pass fmt='text' to clean it as a text dump."
        )
    return _clean_page(
        data,
        resolved,
        source=source,
        url=url,
        keep_gallery=keep_gallery,
        rules=rules or default_ruleset(),
    )


def analyse_any(
    data: str,
    *,
    fmt: str = AUTO,
    source: str | None = None,
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Page:
    """The labelled text dump of one page in any form but JSON records, for `explain`.

    For HTML and markdown the lines are those of the dump the page was turned
    into (trafilatura's paragraphs, the flattened markdown), not of the input;
    for HTML, followed by the page's lines outside the article, labelled for
    `removed`.
    """
    rules = rules or default_ruleset()
    data = without_lone_surrogates(page_text(data, "analyse_any"))[0]
    resolved = resolve_format(data, fmt, name=source)
    if resolved == HTML:
        with untimed():
            from cleaner.formats.html import analyse_html  # noqa: PLC0415

        return analyse_html(data, rules=rules, keep_gallery=keep_gallery)[0]
    if resolved == MARKDOWN:
        with untimed():
            from cleaner.formats.markdown import analyse_markdown  # noqa: PLC0415

        return analyse_markdown(data, rules=rules, keep_gallery=keep_gallery)
    if resolved == JSONL:
        raise UsageError(
            "explain works on one page; JSON records hold one page per record: "
            "name one as FILE#N, as its `source` in the records does (pages.jsonl#3; "
            "records on standard input must be saved to a file first)."
        )
    if data.startswith(FRONT_MATTER_STARTS):
        with untimed():
            from cleaner.formats.frontmatter import analyse_text  # noqa: PLC0415

        return analyse_text(data, rules=rules, keep_gallery=keep_gallery)[0]
    return analyse(data, rules=rules, keep_gallery=keep_gallery)
