"""JSON Lines input: the two real record files from other scrapers.

de-scraper-2022.jsonl: body-only texts with leftover HTML, non-breaking spaces,
adaptation notes and a leaked newsletter script. de-rss-2026.jsonl: all
paragraphs joined by spaces, with a video notice and closing initials inside the
running text. Every record must come out clean, with `source` "path#line", its
other fields under `input`, and a bad line must become a reject, not a crash.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import cleaner.formats.records as records_module
from cleaner.core import article_id
from cleaner.document import Document
from cleaner.errors import DwCleanError, UsageError
from cleaner.explain import explain_rows
from cleaner.formats import RecordError, clean_any, detect_format, to_documents
from cleaner.formats.records import (
    analyse_record_page,
    find_record,
    html_to_lines,
    split_inline_chrome,
)
from cleaner.rules import default_ruleset

RECORDS = Path(__file__).resolve().parent.parent / "fixtures" / "records"
FILES = sorted(RECORDS.glob("*.jsonl"))
VIDEO_NOTICE = (
    "To view this video please enable JavaScript, and consider upgrading to a web browser "
    "that supports HTML5 video"
)
INVISIBLE = re.compile("[\u200b\u00ad\ufeff]")
# Closing initials with agencies at the very end of a text, as the test reads them.
TRAILING_INITIALS = re.compile(
    r"(?P<initials>[a-z]{1,5}(?:/[A-Za-z]{1,5}){1,4})\s*\((?P<agencies>[^()]+)\)\s*$"
)


def visible(text: str) -> str:
    """Without the zero-width characters the cleaner drops."""
    return INVISIBLE.sub("", text)


@cache
def raw(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@cache
def documents(path: Path) -> list[Document]:
    docs = to_documents(path.read_text(encoding="utf-8"), source=str(path))
    assert all(isinstance(doc, Document) for doc in docs)
    return [doc for doc in docs if isinstance(doc, Document)]


def pairs() -> list[tuple[Path, int]]:
    return [(path, index) for path in FILES for index in range(len(raw(path)))]


def test_both_record_files_are_there() -> None:
    assert [p.name for p in FILES] == ["de-rss-2026.jsonl", "de-scraper-2022.jsonl"]
    assert [len(raw(p)) for p in FILES] == [5, 40]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_detected_as_jsonl(path: Path) -> None:
    data = path.read_text(encoding="utf-8")
    assert detect_format(data) == "jsonl"
    assert detect_format(data, name=path.name) == "jsonl"
    assert detect_format(data, name="records.txt") == "jsonl"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_json_lines_with_a_damaged_line_are_still_json_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = "Traceback (most recent call last):"
    assert detect_format("\n".join(lines), name="records.txt") == "jsonl"


JSON_LD = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "NATO concern"}'


def test_a_text_dump_that_opens_with_a_line_of_json_is_a_text_dump() -> None:
    # A page's JSON-LD leaked to the top of its dump: read as JSON Lines, the
    # article gave a reject a line and no record.
    page = (RECORDS.parent / "examples" / "000_9910ba9fc400b7a4.txt").read_text("utf-8")
    leaked = f"{JSON_LD}\n{page}"
    assert detect_format(leaked, name="page.txt") == detect_format(leaked) == "text"
    (plain,), (document,) = to_documents(page), to_documents(leaked)
    assert isinstance(plain, Document) and isinstance(document, Document)
    assert (document.title, document.text) == (plain.title, plain.text)
    assert document.removed["markup"] == 1


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_one_record_per_line_with_path_and_line_as_source(path: Path) -> None:
    docs = documents(path)
    assert len(docs) == len(raw(path))
    assert [doc.source for doc in docs] == [f"{path}#{n}" for n in range(1, len(docs) + 1)]
    assert {doc.format for doc in docs} == {"jsonl"}


@pytest.mark.parametrize(("path", "index"), pairs())
def test_fields_used_and_the_rest_kept_under_input(path: Path, index: int) -> None:
    record, doc = raw(path)[index], documents(path)[index]
    assert doc.url == record["url"]
    assert doc.input == {
        k: v for k, v in record.items() if k not in ("text", "url", "title", "date")
    }
    # The article id comes from the URL ("/a-61582649").
    match = re.search(r"/(a-\d+)", record["url"])
    assert match is not None
    assert doc.id == match.group(1)


@pytest.mark.parametrize(("path", "index"), pairs())
def test_text_is_clean(path: Path, index: int) -> None:
    text = documents(path)[index].text
    assert text
    assert "pym.Parent" not in text
    assert "var pymParent" not in text
    assert "To view this video" not in text
    assert not re.search(r"</?[a-zA-Z][^<>]*>", text), "HTML tag left in text"
    assert "\u00a0" not in text


@pytest.mark.parametrize(("path", "index"), pairs())
def test_titles_and_dates_from_the_fields(path: Path, index: int) -> None:
    record, doc = raw(path)[index], documents(path)[index]
    if record.get("title"):
        assert doc.title
        assert "<" not in doc.title
        assert "vor " not in doc.title  # "<span class="date">vor 2 Std.</span>" is not title
        assert doc.title in record["title"]
    if record.get("date"):
        day, month, year = record["date"].split(".")
        assert doc.date == f"{year}-{month}-{day}"


def test_html_headings_become_headings() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    checked = 0
    for record, doc in zip(raw(path), documents(path), strict=True):
        for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", record["text"], flags=re.DOTALL):
            plain = " ".join(re.sub(r"<[^>]+>", " ", heading).split())
            if plain and plain in doc.text.split("\n\n"):
                assert plain in doc.headings
                checked += 1
    assert checked > 50


def test_list_items_become_lines_of_their_own() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    record = next(r for r in raw(path) if "<li><strong>" in r["text"])
    doc = documents(path)[raw(path).index(record)]
    match = re.search(r"<li><strong>(.*?)</strong>", record["text"])
    assert match is not None
    assert " ".join(match.group(1).split()) in doc.text.split("\n\n")


@pytest.mark.parametrize(("path", "index"), pairs())
def test_closing_initials_go_to_authors_and_agencies(path: Path, index: int) -> None:
    record, doc = raw(path)[index], documents(path)[index]
    text = record["text"].replace("\u00a0", " ")
    text = re.sub(r"var pymParent.*$", "", text, flags=re.DOTALL).strip()
    match = TRAILING_INITIALS.search(text)
    if match is None:
        return
    initials = match["initials"].split("/")
    agencies = [a.strip() for a in match["agencies"].split(",")]
    assert doc.authors[-len(initials) :] == initials
    assert doc.agencies == agencies
    assert match["initials"] not in doc.text


def test_rss_initials_are_cut_out_of_the_running_text() -> None:
    path = RECORDS / "de-rss-2026.jsonl"
    with_initials = [
        (record, doc)
        for record, doc in zip(raw(path), documents(path), strict=True)
        if TRAILING_INITIALS.search(record["text"])
    ]
    assert len(with_initials) >= 2
    for record, doc in with_initials:
        # The paragraph keeps its last sentence, without the initials glued on.
        match = TRAILING_INITIALS.search(record["text"])
        assert match is not None
        last_sentence = visible(record["text"][: match.start()].strip())
        assert visible(doc.text).endswith(last_sentence[-80:])


AUDIO_NOTICE = (
    "To play this audio please enable JavaScript, and consider upgrading to a web browser "
    "that supports HTML5 audio"
)


@pytest.mark.parametrize(("notice", "category"), [(VIDEO_NOTICE, "video"),
                                                  (AUDIO_NOTICE, "audio")])
def test_rss_player_notices_are_cut_out_precisely(notice: str, category: str) -> None:
    path = RECORDS / "de-rss-2026.jsonl"
    found = 0
    for record, doc in zip(raw(path), documents(path), strict=True):
        if notice not in record["text"]:
            continue
        found += 1
        before, after = record["text"].split(notice, 1)
        assert before.strip()[-60:] in doc.text
        assert after.strip()[:60] in doc.text
        assert notice not in doc.text
        assert doc.removed.get(category) == 1
    assert found == 1


def test_adaptation_notes_leave_the_text() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    checked = 0
    for record, doc in zip(raw(path), documents(path), strict=True):
        last = record["text"].replace("\u00a0", " ").strip().splitlines()[-1].strip()
        if last.startswith(("Adaption aus dem", "Eine Adaption aus dem", "Aus dem Englischen")):
            assert last not in doc.text
            assert doc.notes
            checked += 1
    assert checked >= 10


def test_a_note_that_quotes_the_original_title_leaves_the_text() -> None:
    # de-rss-2026.jsonl#1 ends 'Der Artikel wurde aus dem englischen Original
    # "Can Trump sell the MAGA crowd on soccer with the World Cup?" adaptiert.':
    # the title's question mark was taken for the note going on as a sentence.
    path = RECORDS / "de-rss-2026.jsonl"
    doc = documents(path)[0]
    note = (
        'Der Artikel wurde aus dem englischen Original "Can Trump sell the MAGA crowd on'
        ' soccer with the World Cup?" adaptiert.'
    )
    assert doc.notes == [note]
    assert "englischen Original" not in doc.text
    assert doc.text.endswith("neue politische Diskussionen.")
    assert doc.removed == {"notes": 1}


# RSS text (paragraphs joined by spaces) that ends with a note quoting the
# original's title: a question, two sentences, a title longer than a note.
QUOTED_TITLES = [
    "Can Trump sell the MAGA crowd now?",
    "Was wissen wir? Eine Bilanz",
    "Can Trump sell the MAGA crowd on soccer with the World Cup that starts in June in"
    " three countries?",
]


@pytest.mark.parametrize("title", QUOTED_TITLES)
def test_a_closing_note_quoting_any_title_goes_to_notes(title: str) -> None:
    body = (
        "Donald Trump unterstützt oft Sportarten wie MMA oder Wrestling. Seine Werbung für die"
        " Fußball-WM in den USA ist dagegen schwierig."
    )
    note = f'Der Artikel wurde aus dem englischen Original "{title}" adaptiert.'
    [doc] = to_documents(json.dumps({"text": f"{body} {note}"}), source="rss.jsonl")
    assert isinstance(doc, Document)
    assert (doc.text, doc.notes) == (body, [note])


def test_the_leaked_script_is_counted_as_markup() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    leaked = [
        doc
        for record, doc in zip(raw(path), documents(path), strict=True)
        if "pym.Parent" in record["text"]
    ]
    assert len(leaked) == 2
    assert all(doc.removed.get("markup") == 1 for doc in leaked)


def test_author_field_gives_authors() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    for record, doc in zip(raw(path), documents(path), strict=True):
        for name in filter(None, (n.strip() for n in record["author"].split(","))):
            assert name in doc.authors


# --- bad lines and options ---------------------------------------------------------


def test_bad_lines_are_rejects_in_place_not_a_crash() -> None:
    good = json.dumps({"url": "https://www.dw.com/de/x/a-1", "text": "Ein Satz, der bleibt."})
    data = "\n".join(
        [
            good,
            '{"url": "https://www.dw.com/de/y/a-2", "text": "abgeschnitten',
            "",
            '["not", "an", "object"]',
            json.dumps({"url": "https://www.dw.com/de/z/a-3", "text": "   "}),
            json.dumps({"url": "https://www.dw.com/de/z/a-4"}),
            good,
        ]
    )
    out = to_documents(data, source="dump.jsonl")
    assert [getattr(item, "reason", "ok") for item in out] == [
        "ok",
        "json",
        "json",
        "no_text",
        "no_text",
        "ok",
    ]
    assert [item.source for item in out] == [f"dump.jsonl#{n}" for n in (1, 2, 4, 5, 6, 7)]
    error = out[1]
    assert isinstance(error, RecordError)
    assert error.detail


# --- JSON arrays and single objects (.json exports) --------------------------------


def comparable_records(docs: list[Document | RecordError]) -> list[dict[str, Any]]:
    return [doc.to_dict() for doc in docs if isinstance(doc, Document)]


@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "pretty"])
def test_a_json_array_gives_the_records_json_lines_gives(indent: int | None) -> None:
    path = RECORDS / "de-rss-2026.jsonl"
    array = json.dumps(raw(path), ensure_ascii=False, indent=indent)
    assert detect_format(array, name="export.txt") == "jsonl"
    out = to_documents(array, source="export.json")
    assert [item.source for item in out] == [f"export.json#{n}" for n in range(1, len(out) + 1)]
    as_lines = to_documents(path.read_text(encoding="utf-8"), source="export.json")
    assert comparable_records(out) == comparable_records(as_lines)
    assert len(comparable_records(out)) == len(raw(path))


def test_one_pretty_printed_object_is_one_record() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    record = raw(path)[0]
    pretty = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    assert detect_format(pretty) == "jsonl"
    (doc,) = to_documents(pretty, source="page.json")
    assert isinstance(doc, Document)
    assert doc.source == "page.json#1"
    assert doc.title == documents(path)[0].title
    assert doc.text == documents(path)[0].text


def test_array_elements_without_text_or_not_objects_are_rejects_in_place() -> None:
    data = json.dumps(
        [
            {"url": "https://www.dw.com/de/x/a-1", "text": "Ein Satz, der bleibt."},
            ["not", "an", "object"],
            {"url": "https://www.dw.com/de/z/a-3", "body": "Text im falschen Feld."},
            {"url": "https://www.dw.com/de/x/a-4", "text": "Noch ein Satz, der bleibt."},
        ],
        indent=2,
    )
    out = to_documents(data, source="export.json")
    assert [getattr(item, "reason", "ok") for item in out] == ["ok", "json", "no_text", "ok"]
    assert [item.source for item in out] == [f"export.json#{n}" for n in (1, 2, 3, 4)]


@pytest.mark.parametrize(
    ("data", "reason", "detail"),
    [
        ('[\n  {"text": "Ein Satz.", "title": "abgeschnitten\n', "json", "line 2"),
        ('{\n  "title": "x"\n  "text": "abc"\n}\n', "json", "line 3"),
        ('{\n  "text": "a"\n}\n{\n  "text": "b"\n}\n', "json", "Extra data"),
        ("[]\n", "no_text", "empty JSON array"),
    ],
    ids=["truncated-array", "missing-comma", "concatenated-objects", "empty-array"],
)
def test_a_broken_json_document_is_one_reject_for_the_input(
    data: str, reason: str, detail: str
) -> None:
    (error,) = to_documents(data, source="export.json")
    assert isinstance(error, RecordError)
    assert (error.source, error.reason) == ("export.json", reason)
    assert detail in error.detail


def test_json_lines_named_json_keep_their_line_numbers() -> None:
    path = RECORDS / "de-scraper-2022.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = "\n".join([lines[0], "", "{broken", lines[1]]) + "\n"
    out = to_documents(data, source="dump.json")
    assert [getattr(item, "reason", "ok") for item in out] == ["ok", "json", "ok"]
    assert [item.source for item in out] == ["dump.json#1", "dump.json#3", "dump.json#4"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"],
                         ids=["line-separator", "paragraph-separator", "next-line"])
def test_unicode_line_breaks_inside_strings_do_not_split_json_lines(separator: str) -> None:
    # JSON allows these raw in a string, and json.dumps(ensure_ascii=False)
    # writes them so: they are not the line breaks of JSON Lines.
    path = RECORDS / "de-scraper-2022.jsonl"
    records = raw(path)[:3]
    marked = [
        {**record, "text": record["text"].replace(". ", "." + separator, 1),
         "title": f"{record['title']}{separator}Nachtrag"}
        for record in records
    ]
    data = "\n".join(json.dumps(record, ensure_ascii=False) for record in marked) + "\n"
    assert separator in data
    out = to_documents(data, source="dump.jsonl")
    assert [item.source for item in out] == ["dump.jsonl#1", "dump.jsonl#2", "dump.jsonl#3"]
    assert all(isinstance(item, Document) for item in out)
    # The same words as the records without the separator (which may break a
    # line or stand as a space: the record's text, whole, is what counts).
    unmarked = to_documents(
        "\n".join(json.dumps(record) for record in records), source="dump.jsonl"
    )
    assert [words(doc) for doc in out] == [words(doc) for doc in unmarked]


def words(doc: Document | RecordError) -> list[str]:
    assert isinstance(doc, Document)
    return doc.text.split()


@pytest.mark.parametrize(
    "page", ["de-old-2023-03-14.html", "de-new-2024-01-30.html", "en-old-2013-uncork.html"]
)
def test_a_whole_html_page_in_a_record_is_read_as_the_html_file_is(page: str) -> None:
    # Scrapers store the fetched page under a field of its own (`html`); read
    # as a body with leftover tags, its menus and footer became the text.
    html = (RECORDS.parent / "html" / page).read_text(encoding="utf-8")
    url = "https://www.dw.com/de/stored/a-1"
    data = json.dumps({"url": url, "html": html, "fetched": "2024-02-01"}) + "\n"
    (doc,) = to_documents(data, source="pages.jsonl", text_field="html")
    (as_file,) = to_documents(html, source=page)
    assert isinstance(doc, Document) and isinstance(as_file, Document)
    assert doc.text == as_file.text
    assert (doc.title, doc.date, doc.authors) == (as_file.title, as_file.date, as_file.authors)
    assert (doc.url, doc.format, doc.input) == (url, "jsonl", {"fetched": "2024-02-01"})


def test_files_with_a_bom_concatenated_keep_every_record() -> None:
    # `cat` of two JSON Lines files written with a byte-order mark each: the
    # second one's mark starts a line, and that record was a `json` reject.
    path = RECORDS / "de-scraper-2022.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = "\ufeff" + "\n".join(lines[:2]) + "\n\ufeff" + "\n".join(lines[2:4]) + "\n"
    out = to_documents(data, source="both.jsonl")
    assert [item.source for item in out] == [f"both.jsonl#{n}" for n in (1, 2, 3, 4)]
    assert [words(doc) for doc in out] == [words(doc) for doc in documents(path)[:4]]


@pytest.mark.parametrize(
    ("change", "text_field", "detail"),
    [
        ({"text": None}, "text", "field 'text' is null"),
        ({"text": 1234}, "text", "field 'text' holds a number, not text"),
        ({"text": {"de": "..."}}, "text", "field 'text' holds an object, not text"),
        ({"text": ["Absatz", 2]}, "text", "field 'text' is a list that is not all text"),
        ({"text": " \n "}, "text", "field 'text' is empty"),
        ({}, "body", "no field 'body' (fields: 'url', 'title', 'date', 'author', "
                     "'permalink', 'text'); see --text-field"),
        ({"content": {"body": "..."}}, "content.text",
         "no field 'content.text' ('content' has the fields: 'body'); see --text-field"),
        ({"content": "..."}, "content.text",
         "no field 'content.text' ('content' holds text, not an object); see --text-field"),
    ],
    ids=["null", "number", "object", "mixed-list", "blank", "missing", "nested",
         "nested-in-text"],
)
def test_a_record_without_text_says_what_its_field_holds(
    change: dict[str, Any], text_field: str, detail: str
) -> None:
    # "no text in field 'text'" said the same for a missing field, a null and
    # a number, and left a user with nested records guessing.
    record = {**raw(RECORDS / "de-scraper-2022.jsonl")[0], **change}
    (error,) = to_documents(json.dumps(record) + "\n", source="x.jsonl", text_field=text_field)
    assert isinstance(error, RecordError)
    assert error.reason == "no_text"
    assert detail in error.detail


@pytest.mark.parametrize(
    ("page", "form"),
    [("html/de-old-2023-03-14.html", "html"), ("dumps/de-old-2023-03-14.resiliparse.txt", "text")],
)
def test_a_file_with_no_json_object_is_one_reject_that_says_what_it_looks_like(
    page: str, form: str
) -> None:
    # An HTML error page or a text dump saved under a JSON name gave one
    # "Expecting value: line 1 column 1" reject per line: 1572 for this page.
    data = (RECORDS.parent / page).read_text(encoding="utf-8")
    (error,) = to_documents(data, source="export.json")
    assert isinstance(error, RecordError)
    assert (error.source, error.reason) == ("export.json", "json")
    assert error.detail.startswith("not JSON records: none of its ")
    assert error.detail.endswith(f"it looks like {form} (--format {form} reads it so)")


def test_a_line_that_is_not_an_object_is_named_in_json_terms() -> None:
    # QA: the rejects said "a JSON NoneType" and "a JSON list", Python's names.
    lines = (RECORDS / "de-scraper-2022.jsonl").read_text(encoding="utf-8").splitlines()
    data = "\n".join(["null", "[1, 2]", '"text"', "3.5", "true", lines[0]]) + "\n"
    out = to_documents(data, source="dump.jsonl")
    assert [getattr(item, "detail", "ok") for item in out] == [
        "JSON null, not an object", "a JSON array, not an object",
        "a JSON string, not an object", "a JSON number, not an object",
        "a JSON boolean, not an object", "ok"]


def test_bad_lines_before_the_first_record_are_still_rejects_in_place() -> None:
    lines = (RECORDS / "de-scraper-2022.jsonl").read_text(encoding="utf-8").splitlines()
    data = "\n".join(["# export of 2022-04-25", "[1, 2]", *lines[:2]]) + "\n"
    out = to_documents(data, source="dump.jsonl")
    assert [getattr(item, "reason", "ok") for item in out] == ["json", "json", "ok", "ok"]
    assert [item.source for item in out] == [f"dump.jsonl#{n}" for n in (1, 2, 3, 4)]


def test_text_field_option() -> None:
    data = json.dumps({"body": "Der Text steht hier.", "text": "nicht dieser"}) + "\n"
    (doc,) = to_documents(data, fmt="jsonl", text_field="body")
    assert isinstance(doc, Document)
    assert doc.text == "Der Text steht hier."
    assert doc.input == {"text": "nicht dieser"}


def test_a_dotted_text_field_names_a_field_inside_an_object() -> None:
    # QA: records that keep the page in an object (`{"data": {"content": ...}}`,
    # as API dumps do) could not be read at all: --text-field took only a
    # top-level name. A dotted path, as jq's `.data.content`, now reaches it.
    flat = dict(raw(RECORDS / "de-scraper-2022.jsonl")[0])  # (a copy: raw() is cached)
    text = flat.pop("text")
    nested = {**flat, "data": {"content": text, "lang": "de"}}
    (expected,) = to_documents(json.dumps({**flat, "text": text}) + "\n", source="x.jsonl")
    (doc,) = to_documents(json.dumps(nested) + "\n", source="x.jsonl", text_field="data.content")
    assert isinstance(doc, Document) and isinstance(expected, Document)
    assert doc.text == expected.text and doc.title == expected.title
    # The text is not kept twice: `input` has the object's other fields.
    assert doc.input == {**expected.input, "data": {"lang": "de"}}
    # A field whose own name has the dot is that field.
    both = {**nested, "data.content": "Ein anderer Text steht hier."}
    (literal,) = to_documents(json.dumps(both) + "\n", source="x.jsonl",
                              text_field="data.content")
    assert isinstance(literal, Document)
    assert literal.text == "Ein anderer Text steht hier."
    assert literal.input["data"] == {"content": text, "lang": "de"}


def test_clean_any_refuses_jsonl() -> None:
    with pytest.raises(DwCleanError, match=r"^This input is JSON records.*to_documents"):
        clean_any(FILES[0].read_text(encoding="utf-8"))
    # QA: asked for, JSON records were blamed on the input, a text dump here.
    text = (RECORDS.parent / "examples" / "000_9910ba9fc400b7a4.txt").read_text("utf-8")
    with pytest.raises(DwCleanError, match=r"^JSON records are asked for; use .*to_documents"):
        clean_any(text, fmt="jsonl")


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Unknown format"):
        to_documents("x", fmt="pdf")


# --- the pre-pass on its own ---------------------------------------------------------


def test_split_inline_chrome_cuts_notice_and_initials() -> None:
    line = (
        "Erster Satz. Zweiter Satz. " + VIDEO_NOTICE + " Dritter Satz steht hier. bea/AR (dpa, afp)"
    )
    assert split_inline_chrome(line, default_ruleset()) == [
        "Erster Satz. Zweiter Satz.",
        VIDEO_NOTICE,
        "Dritter Satz steht hier.",
        "bea/AR (dpa, afp)",
    ]


def test_split_inline_chrome_cuts_a_closing_note() -> None:
    line = "Der letzte Satz des Artikels. Adaption aus dem Englischen: Sabine Oelze"
    assert split_inline_chrome(line, default_ruleset()) == [
        "Der letzte Satz des Artikels.",
        "Adaption aus dem Englischen: Sabine Oelze",
    ]


def test_split_inline_chrome_cuts_a_note_with_a_long_quoted_title() -> None:
    # 22 words with the title, 9 without: the title counts as one word.
    note = (
        'Der Artikel wurde aus dem englischen Original "Can Trump sell the MAGA crowd on'
        ' soccer with the World Cup in June?" adaptiert.'
    )
    line = f"Der letzte Satz des Artikels. {note}"
    assert split_inline_chrome(line, default_ruleset()) == ["Der letzte Satz des Artikels.", note]


@pytest.mark.parametrize(
    "line",
    [
        "Er sagte, die Lage sei ernst (siehe oben).",
        "Die Werte und/oder Ziele (Stand heute) bleiben.",
        "Ein Video zeigt es. Das ist alles, was wir wissen.",
    ],
)
def test_split_inline_chrome_leaves_prose_alone(line: str) -> None:
    assert split_inline_chrome(line, default_ruleset()) == [line]


def test_html_to_lines() -> None:
    lines, headings = html_to_lines(
        "Satz eins.<br/>Satz&nbsp;zwei. \n <h2>\nÜber&shy;schrift\n</h2> <ul><li>a</li>"
        "<li><strong>b</strong></li></ul><script>var x = 1;</script>Ende"
    )
    kept = [line for line in lines if line]
    assert kept == ["Satz eins.", "Satz zwei.", "Über\u00adschrift", "a", "b", "Ende"]
    assert [lines[i] for i in headings] == ["Über\u00adschrift"]


def test_a_list_announced_by_a_colon_stays_in_the_text() -> None:
    # "... wie wir der Doomscrolling-Spirale entkommen:" and three tips, the
    # last ones at the end of the record: short lines without a full stop,
    # which read like an image's alt text and caption. A colon announces them.
    path = RECORDS / "de-scraper-2022.jsonl"
    for record, doc in zip(raw(path), documents(path), strict=True):
        for item in re.findall(r"<li>(.*?)</li>", record["text"], flags=re.S):
            words = " ".join(re.sub(r"<[^>]+>", "", item).split())
            assert words in " ".join(doc.text.split()), words


def test_a_summary_list_gives_no_headings_and_no_lead() -> None:
    # Live blogs open with "Das Wichtigste in Kürze:" over <li> items: the
    # label was the lead, and items followed by a longer one were headings.
    path = RECORDS / "de-scraper-2022.jsonl"
    labelled = 0
    for record, doc in zip(raw(path), documents(path), strict=True):
        items = {
            " ".join(re.sub(r"<[^>]+>", "", item).split())
            for item in re.findall(r"<li>(.*?)</li>", record["text"], flags=re.S)
        }
        subheadings = {
            " ".join(re.sub(r"<[^>]+>", "", heading).split())
            for heading in re.findall(r"<h[2-6][^>]*>(.*?)</h[2-6]>", record["text"], flags=re.S)
        }
        assert not (set(doc.headings) & items) - subheadings, doc.source
        if doc.text.startswith("Das Wichtigste in Kürze:"):
            assert doc.lead is None, doc.source
            labelled += 1
    assert labelled >= 8
    doc = documents(path)[11]
    assert doc.source is not None and doc.source.endswith("#12")
    assert doc.lead is None
    assert "Nancy Pelosi überraschend in Kiew" in doc.text.split("\n\n")
    assert "Nancy Pelosi überraschend in Kiew" not in doc.headings


# Markdown of a real page with three video blocks ("## title" over the player's
# notice), as a scraper that stores a reader service's or html2text's output in
# a record has it.
DUMPS = RECORDS.parent / "dumps"
MARKDOWN_DUMPS = [
    DUMPS / "de-new-2023-06-13.html2text.txt",
    DUMPS / "de-new-2023-06-13.markdownify.md",
    DUMPS / "de-new-2023-06-13.pandoc.md",
    # Raw HTML for its first 20 kB: markdown only further on (detect.py).
    DUMPS / "de-new-2023-06-13.pandoc-gfm.md",
]


@pytest.mark.parametrize("path", MARKDOWN_DUMPS, ids=lambda path: path.name)
def test_markdown_in_a_record_is_read_as_markdown(path: Path) -> None:
    markdown = path.read_text(encoding="utf-8")
    line = json.dumps({"url": "https://www.dw.com/de/a-65893424", "text": markdown})
    [record] = to_documents(line, source="pages.jsonl")
    assert isinstance(record, Document)
    page = clean_any(markdown, source=path.name)
    assert record.videos == page.videos
    assert {video.title for video in record.videos} & set(record.headings) == set()
    assert (record.title, record.headings, record.text) == (page.title, page.headings, page.text)
    assert "](" not in record.text
    assert not [paragraph for paragraph in record.text.split("\n\n") if paragraph[0] == "#"]


def test_lone_surrogate_escapes_are_replaced_and_the_record_says_so() -> None:
    # JSON from JavaScript that cut a string inside an emoji: "\ud83d" alone.
    # One in a title made the run fail writing its output; one in a text
    # rejected the whole file.
    lines = [
        {"text": "Ein ganz normaler Satz steht hier."},
        {"text": "Hallo Welt \ud800 das ist ein Satz.", "title": "Ein \ud83d Titel",
         "tags": ["a\udfff", {"\udc80": 1}], "emoji": "\ud83d\ude00"},
    ]
    data = "\n".join(json.dumps(line) for line in lines) + "\n"
    first, second = to_documents(data, source="s.jsonl")
    assert isinstance(first, Document) and isinstance(second, Document)
    assert "lone_surrogates_replaced" not in first.warnings
    assert "lone_surrogates_replaced" in second.warnings
    assert second.text == "Hallo Welt \ufffd das ist ein Satz."
    assert second.title == "Ein \ufffd Titel"
    # A pair that is whole is a character, and stays.
    assert second.input == {"tags": ["a\ufffd", {"\ufffd": 1}], "emoji": "\U0001f600"}
    json.dumps(second.to_dict(), ensure_ascii=False).encode("utf-8")


def test_a_one_line_json_document_that_breaks_says_where() -> None:
    # It is JSON Lines too, none of whose lines is a record; where it breaks
    # says more than "it looks like text".
    [error] = to_documents('{"text": "a b", "x": }', source="b.json")
    assert isinstance(error, RecordError)
    assert (error.source, error.reason) == ("b.json", "json")
    assert error.detail.startswith("not valid JSON: Expecting value: line 1 column 22")
    # A file of JSON Lines with one bad line still rejects that line alone.
    good, bad = to_documents('{"text": "Ein Satz."}\n{"x": }\n', source="d.json")
    assert isinstance(good, Document) and isinstance(bad, RecordError)
    assert bad.source == "d.json#2"


# --- explain FILE#N: one record, read as a run reads it ---------------------------


def _explained(data: str, name: str, number: int, text_field: str = "text") -> list[Any]:
    record = find_record(data, name, number)
    assert isinstance(record, dict), record
    analysed = analyse_record_page(record, text_field=text_field)
    assert analysed is not None
    return explain_rows(analysed[0])


@pytest.mark.parametrize(("path", "index"), pairs())
def test_explain_of_a_record_shows_what_its_record_keeps_and_removes(
    path: Path, index: int
) -> None:
    data = path.read_text(encoding="utf-8")
    doc = documents(path)[index]
    name, _, number = doc.source.rpartition("#")
    rows = _explained(data, name, int(number))
    dropped = Counter(category for _, decision, category, _, _ in rows if decision == "DROP")
    assert dropped == doc.removed
    kept = [text for _, decision, _, _, text in rows if decision == "KEEP"]
    assert "\n\n".join(kept) == doc.text


@pytest.mark.parametrize(
    "page", ["de-old-2023-03-14.html", "en-old-2013-uncork.html"]
)
def test_explain_of_a_record_holding_a_whole_html_page_reads_it_as_html(page: str) -> None:
    html = (RECORDS.parent / "html" / page).read_text(encoding="utf-8")
    data = json.dumps({"id": 1}) + "\n" + json.dumps({"html": html}) + "\n"
    (_, doc) = to_documents(data, source="pages.jsonl", text_field="html")
    assert isinstance(doc, Document) and doc.source == "pages.jsonl#2"
    rows = _explained(data, "pages.jsonl", 2, text_field="html")
    assert Counter(row[2] for row in rows if row[1] == "DROP") == doc.removed
    assert "\n\n".join(row[4] for row in rows if row[1] == "KEEP") == doc.text


def test_find_record_names_records_as_a_run_does() -> None:
    data = '{"text": "a"}\n\n{"text": "b"}\nnot json\n'
    assert find_record(data, "p.jsonl", 1) == {"text": "a"}
    assert find_record(data, "p.jsonl", 2) is None  # the blank line
    assert find_record(data, "p.jsonl", 3) == {"text": "b"}
    broken = find_record(data, "p.jsonl", 4)
    assert isinstance(broken, RecordError) and broken.reason == "json"
    assert find_record('[{"text": "a"}, {"text": "b"}]', "p.json", 2) == {"text": "b"}
    whole = find_record("no json here\n", "p.jsonl", 1)
    assert isinstance(whole, RecordError) and whole.source == "p.jsonl"


FRONT_MATTER_DUMPS = sorted((RECORDS.parent / "front-matter").glob("*.trafilatura-meta.*"))


@pytest.mark.parametrize("path", FRONT_MATTER_DUMPS, ids=lambda path: path.name)
def test_a_record_holding_trafilatura_metadata_output_reads_as_the_file_does(
    path: Path,
) -> None:
    # QA: `trafilatura --with-metadata` output stored in a record was read as
    # a body: the title was "hostname: dw.com" (or "---"), the URL was lost
    # and the header's lines stayed in the text.
    text = path.read_text(encoding="utf-8")
    data = json.dumps({"text": text}) + "\n"
    (doc,) = to_documents(data, source="pages.jsonl")
    # (As a file of no telling name: a record's text has none, and some of
    # trafilatura's markdown reads as text without its ".md".)
    as_file = clean_any(text)
    assert isinstance(doc, Document)
    assert (doc.title, doc.url, doc.date, doc.authors) == (
        as_file.title, as_file.url, as_file.date, as_file.authors
    )
    assert (doc.text, doc.removed) == (as_file.text, as_file.removed)
    rows = _explained(data, "pages.jsonl", 1)
    assert "\n\n".join(row[4] for row in rows if row[1] == "KEEP") == doc.text


def test_a_one_line_record_text_counts_words_once_per_note_not_per_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # QA: RSS scrapers join a page's paragraphs by spaces. The words of the
    # whole rest of the line were counted at every sentence break, looking
    # for a note such as "Adaption aus dem Englischen: ...": quadratic time,
    # 5 s for a record of 266 kB, and a 4 MB one ran into --timeout.
    counted: list[str] = []
    real = records_module.structural_words

    def counting(text: str) -> int:
        counted.append(text)
        return real(text)

    monkeypatch.setattr(records_module, "structural_words", counting)
    sentences = " ".join(
        f"Der Minister sagte am Dienstag {n} Worte zum Haushalt." for n in range(400)
    )
    record = json.dumps({"text": f"{sentences} Adaption aus dem Englischen: Anna Schmidt"})
    [doc] = to_documents(record + "\n", source="rss.jsonl")
    assert isinstance(doc, Document)
    assert "Adaption" not in doc.text and doc.text.count("Worte zum Haushalt.") == 400
    long_counts = [text for text in counted if len(text) > 1000]
    assert len(long_counts) <= 1


PAGE_TEXT = (RECORDS.parent / "examples" / "001_26d23cd7d08ed03d.txt").read_text(encoding="utf-8")


def _record_document(**fields: object) -> Document:
    [doc] = to_documents(json.dumps({"text": PAGE_TEXT, **fields}) + "\n", source="r.jsonl")
    assert isinstance(doc, Document)
    return doc


@pytest.mark.parametrize(
    ("title", "date"),
    [
        ("Lavrov: not boosting presence in Syria | News | DW | 10.09.2015", "2015-09-10"),
        ("Lavrov: not boosting presence in Syria – DW – 10.09.2015", "2015-09-10"),
    ],
)
def test_a_record_title_loses_dws_suffix_as_a_page_title_does(title: str, date: str) -> None:
    # QA: the HTML and metadata-header readers take " | DW | 10.09.2015" off
    # a title; a JSON record's title kept it.
    doc = _record_document(title=title)
    assert (doc.title, doc.date) == ("Lavrov: not boosting presence in Syria", date)
    assert doc.input == {}


def test_a_record_author_that_is_the_site_is_no_author() -> None:
    doc = _record_document(author="Deutsche Welle", authors=["DW", "Anna Schmidt"])
    assert "Anna Schmidt" in doc.authors
    assert not {"Deutsche Welle", "DW"} & set(doc.authors)


@pytest.mark.parametrize(
    ("fields", "kept"),
    [
        # Scrapy writes fields as lists; an epoch date is a number.
        ({"url": ["https://www.dw.com/en/a-18702265"]}, "url"),
        ({"date": 1441699200}, "date"),
        # Dates that are no day of the calendar.
        ({"date": "2015-02-30"}, "date"),
        ({"date": "0000-00-00"}, "date"),
    ],
)
def test_a_record_field_that_gives_nothing_is_kept_under_input(
    fields: dict[str, object], kept: str
) -> None:
    # QA: such fields were dropped, neither used nor kept; an impossible ISO
    # date stood in `date`.
    doc = _record_document(**fields)
    assert doc.input == {kept: fields[kept]}
    assert doc.url is None
    assert doc.date == "2015-09-10"  # the page's own


def test_a_blank_record_url_is_no_url() -> None:
    assert _record_document(url="   ").url is None


def test_a_record_title_is_part_of_the_id_the_text_and_title_give() -> None:
    # QA: the id hashed the text's own title, before the record's was set:
    # two records that differ only in title shared an id.
    first, second = _record_document(title="One headline"), _record_document(title="Another")
    assert first.id.startswith("sha256-") and first.id != second.id
    assert first.id == article_id(None, first.text, "One headline")
