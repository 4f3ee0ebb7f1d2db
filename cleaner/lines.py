"""Split a page into lines and give each the forms the classifier needs."""

from __future__ import annotations

import re
from typing import NamedTuple

from cleaner.rules import match_key

# A leading list glyph that the policy lets us strip from kept text.
_GLYPHS = frozenset("•·▪◦‣●○■□▶►*-–—")
_LIST_GLYPH = re.compile(r"^(?:[•·▪◦‣●○■□▶►*\-–—]\s+)+")
# Numbering of menu entries and skip links ("1. Skip to content"): stripped for
# matching only, since an article's own numbered list must stay as written.
_NUMBERING = re.compile(r"^\(?\d{1,2}[.)]\s+")
# Characters that renderers leave behind invisibly. (Non-breaking and other
# Unicode spaces need no table: str.split() already splits on them.)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")
# Sentence-final punctuation, closing quotes included, in DW's scripts.
SENTENCE_END = tuple(".!?…。！？؟۔\"'”’»“)")
# Punctuation after which a line is not a heading but an unfinished sentence.
CLAUSE_END = tuple(".,;:…。，；：،")


class Line(NamedTuple):
    # A NamedTuple, not a frozen dataclass: pages are split into hundreds of
    # lines and a tuple is several times cheaper to build.
    number: int  # 1-based line number in the input
    raw: str  # the input line, without its line break
    text: str  # whitespace-normalised, list glyph stripped: what `text` keeps
    key: str  # casefolded and numbering stripped: what rule tables match
    indent: int  # leading spaces in the input, a structural hint
    words: int

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def is_prose(self) -> bool:
        """A sentence or more of running text, the stuff paragraphs are made of."""
        return (self.words >= 12 and self.text.endswith(SENTENCE_END)) or self.words >= 30

    @property
    def is_heading_like(self) -> bool:
        """Short and not ending like a sentence fragment: titles, headings, labels."""
        return 0 < self.words <= 20 and len(self.text) <= 200 and not self.text.endswith(CLAUSE_END)


def make_line(number: int, raw: str) -> Line:
    if not raw or raw.isspace():
        return Line(number, raw, "", "", len(raw), 0)
    raw_visible = _INVISIBLE.sub("", raw) if not raw.isascii() else raw
    indent = len(raw_visible) - len(raw_visible.lstrip())
    words = raw_visible.split()
    if words and (words[0] in _GLYPHS or words[0][:1].isdigit() or words[0][:1] == "("):
        text = _LIST_GLYPH.sub("", " ".join(words), count=1)
        key = match_key(" ".join(_NUMBERING.sub("", text, count=1).split()))
        return Line(number, raw, text, key, indent, len(text.split()))
    text = " ".join(words)
    return Line(number, raw, text, match_key(text), indent, len(words))


def split_lines(page: str) -> list[Line]:
    return [make_line(number, raw) for number, raw in enumerate(page.splitlines(), start=1)]
