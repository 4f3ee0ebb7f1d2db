"""Properties of `clean()` that must hold for any input (issue 4).

Generated pages mix real fixture lines (article paragraphs and chrome) with
arbitrary text, so the search explores real page structure, not only noise.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import clean
from cleaner.classify import KEPT
from cleaner.core import analyse
from cleaner.formats.detect import path_suffixes
from cleaner.language import _WORD, words_of
from cleaner.lines import (
    _LIST_GLYPH,
    _UNSPACED,
    INVISIBLE_CHARS,
    STRAY_CONTROLS,
    count_words,
    make_line,
    page_lines,
    structural_words,
)
from cleaner.unwrap import undo_layout

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dumps"
REAL_LINES = sorted(
    {
        line
        for path in sorted(FIXTURES.glob("*.resiliparse.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
    }
)

any_line = st.one_of(
    st.sampled_from(REAL_LINES),
    st.text(max_size=120),
    st.sampled_from(
        ["", " ", "\t", "02:54", "Image: Reuters", "Advertisement", "1. Skip to content"]
    ),
)
pages = st.lists(any_line, max_size=60).map("\n".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text())
def test_never_raises_on_any_string(text: str) -> None:
    doc = clean(text)
    assert isinstance(doc.text, str)


@SETTINGS
@given(pages)
def test_cleaning_clean_text_changes_nothing(page: str) -> None:
    once = clean(page).text
    assert clean(once).text == once


@SETTINGS
@given(pages)
# Found by this test: a line repeated at about the width of the widest made the
# page look hard-wrapped, and its lines were joined (`unwrap`'s finished
# paragraphs now say it is not).
@example("0\u20280")
@example(
    "Image: Reuters\nGerman army employee goes on trial for spying for Iran\n"
    "T\x00F\u00cd\u00ba\u00ce\n"
    "\u00e2\n  \u2022 Themenseiten Dollar, Michel Aoun, Finanzkrise, Libanon\n"
    + "German army employee goes on trial for spying for Iran\n" * 3
    + "T\x00F\u00cd\u00ba\u00ce\n\u00e2"
)
def test_every_kept_line_comes_from_the_input(page: str) -> None:
    # The lines of a hard-wrapped page are its paragraphs, joined back, as are
    # the pieces of a page cut at inline elements; and a page's lines are those
    # `page_lines` reads (U+2028 is a space).
    lines = page_lines(undo_layout(page).text)
    normalised_input = {make_line(raw).text for raw in lines}
    for paragraph in clean(page).text.split("\n\n"):
        if paragraph:
            assert paragraph in normalised_input


@SETTINGS
@given(pages)
def test_word_count_counts_the_words_of_the_text(page: str) -> None:
    doc = clean(page)
    assert doc.word_count == count_words(doc.text)
    if not _UNSPACED.search(doc.text):
        assert doc.word_count == len(doc.text.split())


@SETTINGS
@given(any_line)
def test_a_line_counts_the_words_of_its_text(raw: str) -> None:
    # The record's word count and the title look-up rely on it.
    line = make_line(raw)
    assert line.word_count == count_words(line.text)
    assert line.words == structural_words(line.text) <= line.word_count
    if not _UNSPACED.search(line.text):
        assert line.words == line.word_count == len(line.text.split())


# Every kind of whitespace (str.split's, which splitlines leaves in a line),
# the invisible characters, list glyphs, digits and Chinese.
_SPACING = " \t\x0b\x1f\xa0\u1680\u2000\u200a\u202f\u205f\u3000" + INVISIBLE_CHARS


_LINE_CHARS = "ab.:1(•-中"


@SETTINGS
@given(
    any_line
    # (Lines of spaces and printable characters alone, which take the short
    # cut, and lines with other spacing, which mostly do not.)
    | st.text(alphabet=st.sampled_from(f" {_LINE_CHARS}"), max_size=40)
    | st.text(alphabet=st.sampled_from(f"{_SPACING}{_LINE_CHARS}"), max_size=40)
)
# Found by hypothesis: a terminal's escape sequence goes whole, not its ESC alone.
@example("\x00/º\U000f6bb4\x1b[p!´\U000e766d\x97\U000575a6")
def test_a_lines_text_is_its_words_between_single_spaces(raw: str) -> None:
    # make_line takes a short cut for lines already spaced so: it must give
    # what splitting the line into words and joining them gives, once the
    # invisible characters and the controls that are not whitespace are gone.
    # (The zero-width joiners are spelling: kept, but no word on their own.)
    # Controls go after the words are split out, and a terminal's escape
    # sequence ("\x1b[31m") goes whole, as the readers remove them.
    removed = INVISIBLE_CHARS.replace("\u200c", "").replace("\u200d", "")
    visible = raw.translate({ord(char): None for char in removed})
    words = [word for word in visible.split() if word.strip("\u200c\u200d")]
    words = STRAY_CONTROLS.sub("", " ".join(words)).split()
    line = make_line(raw)
    assert line.text == _LIST_GLYPH.sub("", " ".join(words), count=1)
    assert line.blank == (not words)
    if not _UNSPACED.search(line.text):
        assert line.words == len(line.text.split())
    if raw.translate({ord(char): None for char in INVISIBLE_CHARS}) == raw:
        # What split_lines asks on a page without invisible characters.
        assert make_line(raw, invisible=False) == line


@SETTINGS
@given(pages)
def test_kept_and_removed_lines_account_for_every_non_blank_line(page: str) -> None:
    # `removed` counts lines of the input: a line joined from several (a
    # hard-wrapped paragraph, a sentence cut at its links) counts them all.
    analysed = analyse(page)
    doc = clean(page)
    parts = analysed.input_parts or [1] * len(analysed.lines)
    non_blank = [part for line, part in zip(analysed.lines, parts, strict=True) if not line.blank]
    kept = [
        part
        for label, part in zip(analysed.labels, parts, strict=True)
        if label is not None and label.category in KEPT
    ]
    assert len(kept) == len([p for p in doc.text.split("\n\n") if p])
    assert sum(kept) + sum(doc.removed.values()) == sum(non_blank)


@given(st.text(alphabet=st.sampled_from("ab éÄ²½_1٣ \t\n\u00a0\u2028\u0301\u093e\u0915,.'’-(«»…")))
def test_language_words_are_the_runs_of_letters(text: str) -> None:
    # words_of() is the fast form of the pattern; both must give the same words.
    assert words_of(text) == _WORD.findall(text)


@given(st.text())
def test_language_words_on_any_string(text: str) -> None:
    assert words_of(text) == _WORD.findall(text)


@given(st.text(alphabet=st.sampled_from("ab./#\\ .gz"), max_size=30) | st.text(max_size=30))
def test_path_suffixes_are_pathlibs(path: str) -> None:
    assert path_suffixes(path) == PurePosixPath(path).suffixes
