"""Pages cut at inline elements: BeautifulSoup's `get_text("\\n")`, with
strip=True or without, writes every text node on a line of its own, so a
sentence with a link in it comes in pieces ("...gegen Amtsinhaber" /
"Wladimir Putin" / "antreten zu dürfen."). The pieces are joined back before
the page is read (`cleaner.unwrap.join_inline_pieces`).

fixtures/dumps/*.bs4.txt and *.bs4-strip.txt are the nine corpus pages as
BeautifulSoup writes them (`scripts/render_fixtures.py`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gold_files import gold, page_of

from cleaner import clean
from cleaner.classify import KEPT
from cleaner.core import analyse
from cleaner.evaluation import normalise_line, title_matches
from cleaner.explain import render_explanation
from cleaner.formats import detect_format
from cleaner.lines import page_lines
from cleaner.rules import default_ruleset
from cleaner.unwrap import CUT_AT_INLINE_ELEMENTS, HARD_WRAPPED, join_inline_pieces, undo_layout

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BS4_DUMPS = sorted((FIXTURES / "dumps").glob("*.bs4*.txt"))
_SPACES = re.compile(r"\s+")


def unspaced(text: str) -> str:
    return _SPACES.sub("", text)


def cut_paragraphs(path: Path) -> list[str]:
    """The article's paragraphs that the dump holds, but not on a line of their
    own: cut into pieces at their links (told from the gold file alone)."""
    text = path.read_text(encoding="utf-8")
    lines = {normalise_line(line) for line in text.splitlines()}
    whole = unspaced(normalise_line(" ".join(text.splitlines())))
    return [
        paragraph
        for paragraph in gold(page_of(path)).body
        if normalise_line(paragraph) not in lines
        and unspaced(normalise_line(paragraph)) in whole
    ]


# Dumps whose article has a sentence cut at its links three times or more.
CUT_DUMPS = [path for path in BS4_DUMPS if len(cut_paragraphs(path)) >= 3]


def test_the_dumps_are_there() -> None:
    assert len(BS4_DUMPS) == 18
    assert len(CUT_DUMPS) >= 12


@pytest.mark.parametrize("path", CUT_DUMPS, ids=lambda path: path.name)
def test_a_page_cut_at_its_links_is_read_as_cut(path: Path) -> None:
    assert undo_layout(path.read_text(encoding="utf-8")).kind == CUT_AT_INLINE_ELEMENTS


def test_most_sentences_cut_at_their_links_are_whole_again() -> None:
    # Not all (66 of 76): where the HTML's own source breaks a paragraph after
    # a full stop ("...nur noch in US-Dollar aus." / '"Viele Libanesen ...'),
    # nothing tells that the next line goes on with it.
    cut = whole = 0
    for path in CUT_DUMPS:
        text = clean(path.read_text(encoding="utf-8")).text
        paragraphs = {normalise_line(paragraph) for paragraph in text.split("\n\n")}
        pieces = cut_paragraphs(path)
        cut += len(pieces)
        whole += sum(1 for paragraph in pieces if normalise_line(paragraph) in paragraphs)
    assert cut >= 60
    assert whole >= 0.85 * cut


def test_a_sentence_keeps_its_link_and_its_spaces() -> None:
    path = FIXTURES / "dumps" / "de-new-2024-01-30.bs4-strip.txt"
    doc = clean(path.read_text(encoding="utf-8"))
    assert (
        "um bei der russischen Präsidentschaftswahl im März gegen Amtsinhaber Wladimir Putin"
        " antreten zu dürfen. Nach eigenen Angaben" in doc.text
    )
    assert "bei der Zentralen Wahlkommission der Russischen Föderation einzureichen," in doc.text


@pytest.mark.parametrize("path", BS4_DUMPS, ids=lambda path: path.name)
def test_the_title_is_the_headline(path: Path) -> None:
    # Before the pieces were joined, the "|" between two authors on a line of
    # its own was taken for one page's title.
    doc = clean(path.read_text(encoding="utf-8"))
    assert title_matches(doc.title, gold(page_of(path)).title), doc.title


def test_authors_on_either_side_of_a_bar_are_both_authors() -> None:
    path = FIXTURES / "dumps" / "de-new-2023-06-13.bs4-strip.txt"
    assert "Julia Vergin\n|\nClare Roth\n" in path.read_text(encoding="utf-8")
    doc = clean(path.read_text(encoding="utf-8"))
    assert doc.authors == gold(page_of(path)).metadata["authors"]


@pytest.mark.parametrize("path", CUT_DUMPS, ids=lambda path: path.name)
def test_removed_and_explain_count_the_lines_of_the_input(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    page = analyse(text)
    non_blank_input = sum(1 for line in page_lines(text) if line.strip())
    assert page.input_parts is not None
    assert sum(page.input_parts) == non_blank_input
    # `removed` counts the input lines a joined line was joined from: with the
    # lines that made the kept paragraphs, every line of the input.
    kept = sum(
        part
        for label, part in zip(page.labels, page.input_parts, strict=True)
        if label is not None and label.category in KEPT
    )
    assert kept + sum(clean(text).removed.values()) == non_blank_input
    # explain lists every line of the input, under its own number.
    explanation = render_explanation(text)
    assert "# cut at inline elements" in explanation
    numbers = [int(m[1]) for m in re.finditer(r"^ *(\d+)(?: |$)", explanation, re.MULTILINE)]
    assert numbers == list(range(1, len(page_lines(text)) + 1))


@pytest.mark.parametrize("path", CUT_DUMPS, ids=lambda path: path.name)
def test_cleaning_the_clean_text_again_changes_nothing(path: Path) -> None:
    # The clean text is double-spaced, which is never joined.
    doc = clean(path.read_text(encoding="utf-8"))
    assert clean(doc.text).text == doc.text


# Pages of one block a line (the other tools' plain text, the seed and example
# pages): none of them is cut, and none is read as if it were. (jusText's
# text of a pretty-printed page is cut, at the HTML source's line breaks.)
ONE_BLOCK_A_LINE = sorted(
    path
    for path in [
        *(FIXTURES / "dumps").glob("*.txt"),
        *(FIXTURES / "examples").glob("*.txt"),
        *(FIXTURES / "pages").glob("*.txt"),
    ]
    if ".bs4" not in path.name
    and ".justext" not in path.name
    and detect_format(path.read_text(encoding="utf-8")) == "text"
    and undo_layout(path.read_text(encoding="utf-8")).kind != HARD_WRAPPED
)


def test_the_other_pages_are_there() -> None:
    assert len(ONE_BLOCK_A_LINE) >= 70


@pytest.mark.parametrize("path", ONE_BLOCK_A_LINE, ids=lambda path: path.name)
def test_a_page_of_one_block_a_line_is_not_joined(path: Path) -> None:
    assert join_inline_pieces(path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        # A separator between two authors, on a line of its own.
        ("Julia Vergin\n|\nClare Roth\n", "Julia Vergin | Clare Roth\n"),
        # A comma after a link, and the sentence going on.
        (
            "Sie kämpfen gegen den\nKlimawandel\n, und das zu Recht.\n",
            "Sie kämpfen gegen den Klimawandel, und das zu Recht.\n",
        ),
        # A label and the credit it labels.
        ("Bild:\nReuters\n", "Bild: Reuters\n"),
        # A hyphen glued to the link before it.
        ("Wasserstoff\n-Produktion\n", "Wasserstoff-Produktion\n"),
    ],
)
def test_pieces_that_tell_they_go_on(text: str, joined: str) -> None:
    # Three sentences cut at a link make the page one that is cut; the pieces
    # under test follow them.
    cut = "Er fuhr nach\nLitauen\nund blieb dort.\n" * 3
    result = join_inline_pieces(cut + text)
    assert result is not None
    assert result.text == "Er fuhr nach Litauen und blieb dort.\n" * 3 + joined


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        # A sentence ended inside the line: running text, cut before a noun.
        (
            "Das ist neu. Das zeigt die mehrtägige\nBrasilien-Reise des Ministers.\n",
            "Das ist neu. Das zeigt die mehrtägige Brasilien-Reise des Ministers.\n",
        ),
        # A comma at the line's end.
        ("Nachhaltigkeit, aber auch Demokratie,\nRechtsstaatlichkeit zählen.\n",
         "Nachhaltigkeit, aber auch Demokratie, Rechtsstaatlichkeit zählen.\n"),
        # A word no sentence ends on (the rule tables' `unfinished_words`).
        (
            "Der deutsche Wirtschafts- und\nKlimaschutzminister reist.\n",
            "Der deutsche Wirtschafts- und Klimaschutzminister reist.\n",
        ),
        # A caption (no sentence end inside, a noun at its end) stays apart
        # from the paragraph under it, whose short first line could pass for
        # a link's text: its sentence ends only past a line joined here.
        (
            "Der Regenwald ist in Gefahr\nSeit dem Machtwechsel wird von\n"
            "deutscher Seite versucht. Das zeigt die\nBrasilien-Reise.\n",
            "Der Regenwald ist in Gefahr\nSeit dem Machtwechsel wird von deutscher Seite"
            " versucht. Das zeigt die Brasilien-Reise.\n",
        ),
        # A line cut inside a sentence whose chain ends no sentence stays apart.
        (
            "Das ist neu. Das zeigt die\nBrasilien-Reise\n",
            "Das ist neu. Das zeigt die\nBrasilien-Reise\n",
        ),
    ],
)
def test_a_line_cut_inside_a_sentence_goes_on_in_a_capital(text: str, joined: str) -> None:
    # jusText's text of a pretty-printed page: a paragraph's lines as the
    # HTML's source broke them, without their indentation.
    cut = "Er fuhr nach\nLitauen\nund blieb dort.\n" * 3
    result = join_inline_pieces(cut + text, default_ruleset())
    assert result is not None
    assert result.text == "Er fuhr nach Litauen und blieb dort.\n" * 3 + joined


@pytest.mark.parametrize("form", ["bs4.txt", "bs4-strip.txt"])
def test_a_link_a_line_share_widget_and_permalink_label_are_chrome(form: str) -> None:
    # The old layout's share widget, each service's link on a line of its
    # own, and its "Permalink" label with the URL on the next line.
    path = FIXTURES / "dumps" / f"en-old-2020-colonial.{form}"
    text = path.read_text(encoding="utf-8")
    lines = {line.strip() for line in text.splitlines()}
    assert {"Tumblr", "Digg", "Newsvine", "Permalink"} <= lines
    doc = clean(text)
    kept = {*doc.text.split("\n\n"), *doc.headings}
    services = {"google+", "Tumblr", "stumble", "Digg", "reddit", "Newsvine"}
    assert kept & {*services, "Permalink"} == set()
    assert doc.permalink == "https://p.dw.com/p/3WRPd"
