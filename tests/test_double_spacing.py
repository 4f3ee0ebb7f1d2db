"""Double-spaced pages (a blank line after every line, as from BeautifulSoup's
`get_text("\\n\\n")`): they are read without their blank lines, and clean like
the same page with one line per block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import clean
from cleaner.document import Document
from cleaner.explain import render_explanation
from cleaner.formats import detect_format, to_documents
from cleaner.lines import make_line, page_lines
from cleaner.unwrap import CUT_AT_INLINE_ELEMENTS, DOUBLE_SPACED, single_space, undo_layout

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Every text page of the fixtures that has one line per block, or a piece a
# line (BeautifulSoup's `get_text("\n", strip=True)`, whose pieces are
# joined double-spaced as well: `get_text("\n\n")`): the hard-wrapped ones
# are a layout of their own (tests/test_unwrap.py), and so is html2text's
# markdown wrapped at 78 columns, which only looks cut at inline elements
# read as a text dump. Nor jusText's text: with no chrome left in it, it
# reads double-spaced as clean text does, whose lines are never joined.
# Nor BeautifulSoup's `get_text("\n")` without strip=True:
# its blank lines are the whitespace between the HTML's elements, some
# blocks with one and some with none, a layout that double-spacing its lines
# anew would lose.
def _one_line_per_block_or_piece(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    kind = undo_layout(text).kind
    return kind in ("", DOUBLE_SPACED) or (
        kind == CUT_AT_INLINE_ELEMENTS and detect_format(text, name=path.name) == "text"
    )


PAGES = sorted(
    path
    for path in [
        *FIXTURES.glob("dumps/*.txt"),
        *FIXTURES.glob("examples/*.txt"),
        *FIXTURES.glob("pages/*.txt"),
    ]
    if _one_line_per_block_or_piece(path)
    and not path.name.endswith((".bs4.txt", ".justext.txt"))
)
RECORDS = sorted(FIXTURES.glob("records/*.jsonl"))


def double_spaced(text: str) -> str:
    return "\n\n".join(line for line in text.splitlines() if line.strip()) + "\n"


def test_the_pages_are_there() -> None:
    assert len(PAGES) >= 90


def assert_cleans_like(spaced_text: str, text: str) -> None:
    page, spaced = clean(text), clean(spaced_text)
    if "structure:title_above_lead" in render_explanation(text) and spaced.title is None:
        # A headline told from a paragraph only by its glue to the lead
        # (trafilatura's txt) has none when double-spaced, as a short first
        # paragraph of clean text has none: it stays in the text.
        assert page.title in spaced.text.split("\n\n")[:2]
        assert spaced.text.endswith(page.text)
    else:
        assert spaced.to_dict() == page.to_dict()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_double_spaced_page_cleans_like_the_page(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_cleans_like(double_spaced(text), text)


# (A page under 4,000 characters is let pass no pair of lines in a row.)
LONG_PAGES = [path for path in PAGES if len(path.read_text(encoding="utf-8")) >= 4000]


def test_most_pages_are_long() -> None:
    assert len(LONG_PAGES) >= 70


@pytest.mark.parametrize("path", LONG_PAGES, ids=lambda p: p.name)
def test_a_line_break_inside_a_block_leaves_a_long_page_double_spaced(path: Path) -> None:
    # BeautifulSoup keeps a text node's own line break (a cookie notice over
    # two lines): one pair of lines in a row, a blank line around every other.
    text = path.read_text(encoding="utf-8")
    spaced = double_spaced(text)
    last = spaced.rstrip("\n").rfind("\n\n")
    glued = spaced[:last] + spaced[last + 1 :]
    assert single_space(glued) is not None
    assert_cleans_like(glued, text)


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_a_double_spaced_text_in_a_json_record_cleans_like_the_text(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spaced = dict(record, text=double_spaced(record["text"]))
        [original] = to_documents(json.dumps(record), fmt="jsonl", source="a.jsonl")
        [respaced] = to_documents(json.dumps(spaced), fmt="jsonl", source="a.jsonl")
        assert isinstance(original, Document) and isinstance(respaced, Document)
        assert respaced.to_dict() == original.to_dict()


def test_a_page_with_two_lines_in_a_row_keeps_its_blank_lines() -> None:
    assert single_space("Title\nSubtitle\n\nParagraph one.\n\nParagraph two.\n") is None


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\x85", "\u2029"])
def test_lines_in_a_row_are_found_whatever_ends_them(newline: str) -> None:
    page = (FIXTURES / "examples" / "001_26d23cd7d08ed03d.txt").read_text("utf-8")
    assert single_space(page.replace("\n", newline)) is None
    assert single_space(double_spaced(page).replace("\n", newline)) is not None


def test_a_page_without_blank_lines_is_not_double_spaced() -> None:
    assert single_space("One line.\rAnother line.\r") is None
    assert single_space("\n\nOne line only.\n\n") is None


def test_each_line_stands_for_itself_and_the_blank_lines_below_it() -> None:
    assert single_space("\nTitle\n\nParagraph.\n\n\nLast.\n") == (
        "Title\nParagraph.\nLast.\n",
        [3, 3, 1],
    )


def test_explain_numbers_the_input_lines_of_a_double_spaced_page() -> None:
    text = double_spaced((FIXTURES / "examples" / "de-new-2024-01-30.txt").read_text("utf-8"))
    explanation = render_explanation(text).splitlines()
    rows = [line for line in explanation[2:] if not line.startswith("#")]
    assert len(rows) == len(text.splitlines())
    # Every other row is a blank input line, with no decision.
    assert all(row.split()[1:2] in (["KEEP"], ["DROP"]) for row in rows[0::2])
    assert all(len(row.split()) == 1 for row in rows[1::2])
    assert explanation[-1].startswith("# double-spaced")


def test_a_headline_glued_to_its_lead_is_the_title_and_one_a_blank_line_apart_is_not() -> None:
    lead = (
        "Die Bundesregierung will den Schutz des Regenwalds in Brasilien stärken. "
        "Der Minister reist dafür nach Brasília und trifft dort Präsident Lula."
    )
    body = "Mehr als 40 Unternehmen begleiten ihn auf der Reise, die fünf Tage dauert."
    headline = "Habeck will besseren Schutz für den Regenwald"
    glued = clean(f"{headline}\n{lead}\n{body}\n")
    assert glued.title == headline
    assert glued.text == f"{lead}\n\n{body}"
    # Double-spaced, it is the clean text of a page whose first paragraph is short.
    spaced = clean(double_spaced(f"{headline}\n{lead}\n{body}\n"))
    assert spaced.title is None
    assert spaced.text == f"{headline}\n\n{lead}\n\n{body}"
    assert clean(spaced.text).text == spaced.text


def test_a_short_first_paragraph_under_the_title_stays_in_the_text() -> None:
    lead = (
        "Die Bundesregierung will den Schutz des Regenwalds in Brasilien stärken. "
        "Der Minister reist dafür nach Brasília und trifft dort Präsident Lula."
    )
    page = (
        f"Startseite\nPolitik\nHabeck in Brasilien\n13.06.2023\n\nWarum das wichtig ist\n\n"
        f"{lead}\n\nMehr als 40 Unternehmen begleiten ihn.\n"
    )
    document = clean(page)
    assert document.title == "Habeck in Brasilien"
    assert document.text.startswith(f"Warum das wichtig ist\n\n{lead}")
    assert clean(document.text).text == document.text


@pytest.mark.parametrize("path", PAGES[::10], ids=lambda p: p.name)
def test_blank_lines_of_zero_width_spaces_are_blank_lines(path: Path) -> None:
    # A renderer's U+200B on a line of its own: the cleaner reads that line as
    # blank, and the page as double-spaced all the same.
    text = path.read_text(encoding="utf-8")
    spaced = "\n\u200b\n".join(line for line in text.splitlines() if line.strip()) + "\n"
    assert_cleans_like(spaced, text)
    assert single_space("A line.\n\u200b\u2060\nAnother line.\n") == (
        "A line.\nAnother line.\n", [2, 1])


CUT_SENTENCES = [
    ("Die Regierung will im kommenden Jahr mehr Geld für die", "Bundeswehr",
     "ausgeben, sagte ein Sprecher am Montag."),
    ("Auch die Opposition fordert seit Wochen höhere Ausgaben für die", "Infrastruktur",
     "im ganzen Land und vor allem im Osten."),
    ("Die Länder verlangen dagegen mehr Unterstützung bei der", "Flüchtlingshilfe",
     "und drohen mit einer Blockade im Bundesrat."),
]


def test_a_double_spaced_page_is_joined_where_cut_only_when_it_has_chrome() -> None:
    # BeautifulSoup's get_text("\n\n") writes a link's text as a paragraph of
    # its own: with chrome around it, a page, whose pieces are joined (QA: a
    # piece a paragraph, precision 58-75%). Without, it reads as clean text
    # does, which a second cleaning must leave as it is.
    body = "\n\n".join(piece for sentence in CUT_SENTENCES for piece in sentence)
    page = "Zum Inhalt springen\n\nZur Hauptnavigation springen\n\n" + body
    assert clean(page).text == "\n\n".join(" ".join(sentence) for sentence in CUT_SENTENCES)
    assert clean(body).text == body
    once = clean(page).text
    assert clean(once).text == once


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("html/*.html")), ids=lambda path: path.name
)
def test_get_text_double_spaced_without_strip_joins_no_lines(path: Path) -> None:
    # QA: without strip=True, the lines of spaces between the HTML's blocks
    # mark where paragraphs end, and they go with the blank lines: joined as
    # pieces, "...frühburgunder." ran on into the next paragraph, and the
    # page kept 7 paragraphs of 31. Such a page is read line by line.
    from bs4 import BeautifulSoup  # noqa: PLC0415 - a test dependency only here

    page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text("\n\n")
    lines = {make_line(line).text for line in page_lines(page)}
    paragraphs = clean(page).text.split("\n\n")
    assert paragraphs != [""]
    assert all(paragraph in lines for paragraph in paragraphs)
