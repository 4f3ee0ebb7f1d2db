"""Shapes of single lines (`cleaner.lines`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import clean
from cleaner.lines import has_sentence_break, make_line, split_sentences
from cleaner.rules import default_ruleset

ONE_SENTENCE = [
    "U.S. troops leave Iraq",
    "EU-Gipfel: Dr. Merkel setzt sich durch",
    "Mrs. May and Mr. Juncker meet",
    "Prof. Drosten warnt vor der nächsten Welle",
    "J. K. Rowling schreibt wieder",
    "Seit dem 19. Jahrhundert steht es hier",
    "2.5 million flee to dw.com",
    "Die Kosten steigen auf ca. 100 Millionen",
    "Krise in z.B. Bayern",
]
TWO_SENTENCES = [
    "Sie gehen. Wir bleiben",
    "Er wechselt zur SPD. Dann kommt der Bruch",
    '"Nein." Dann ging er',
    "Warum? Darum",
    "Sie kam… Und ging",
    "Wahlen in Russland. Nadeschdin setzt auf ein Ende",
]


@pytest.mark.parametrize("line", ONE_SENTENCE)
def test_a_full_stop_after_an_abbreviation_ends_no_sentence(line: str) -> None:
    assert not has_sentence_break(line, default_ruleset().abbreviations)


@pytest.mark.parametrize("line", TWO_SENTENCES)
def test_a_sentence_that_ends_inside_a_line_is_found(line: str) -> None:
    assert has_sentence_break(line, default_ruleset().abbreviations)


@pytest.mark.parametrize("line", ONE_SENTENCE)
def test_a_line_of_one_sentence_splits_into_itself(line: str) -> None:
    assert split_sentences(line, default_ruleset().abbreviations) == [line]


def test_sentences_are_cut_where_a_break_is_found() -> None:
    abbreviations = default_ruleset().abbreviations
    assert split_sentences("Anna Schmidt. Redaktion: Dr. Jan  Meier", abbreviations) == [
        "Anna Schmidt.",
        "Redaktion: Dr. Jan Meier",
    ]
    assert split_sentences('"Nein." Dann ging er. Warum? Darum', abbreviations) == [
        '"Nein."',
        "Dann ging er.",
        "Warum?",
        "Darum",
    ]
    assert split_sentences("", abbreviations) == []


def test_a_line_in_emphasis_whole_is_read_without_the_marks() -> None:
    # QA: trafilatura's txt output with --formatting writes an italic note
    # ("*Adaption aus dem Russischen: ...*"), which the tables' prefixes then
    # missed: it stayed in the text, asterisks and all.
    dumps = Path(__file__).resolve().parent.parent / "fixtures" / "dumps"
    path = dumps / "de-old-2022-01.trafilatura.txt"
    page = path.read_text(encoding="utf-8")
    note = "Adaption aus dem Russischen: Markian Ostaptschuk"
    assert note in page.splitlines()
    formatted = page.replace(note, f"*{note}*")
    assert clean(formatted).to_dict() == clean(page).to_dict()
    assert clean(formatted).notes == [note]
    assert make_line("**Reaping the harvest**").text == "Reaping the harvest"
    # Not emphasis around the whole line: kept as written.
    for line in ("*a* and *b*", "***", "2 * 3 * 4", "_internal_name_"):
        assert make_line(line).text == line
