"""Shapes of single lines (`cleaner.lines`)."""

from __future__ import annotations

import pytest

from cleaner.lines import has_sentence_break, split_sentences
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
