"""Shapes of single lines (`cleaner.lines`)."""

from __future__ import annotations

import pytest

from cleaner.lines import has_sentence_break
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
