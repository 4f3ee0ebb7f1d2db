"""Split a page into lines and give each the forms the classifier needs."""

from __future__ import annotations

import re
from typing import NamedTuple

from cleaner.memo import LineMemo
from cleaner.rules import match_key

# A leading list glyph that the policy lets us strip from kept text. (w3m
# marks nested lists with "□" and then "☆".)
_GLYPHS = frozenset("•·▪◦‣●○■□☆▶►*-–—")
_LIST_GLYPH = re.compile(r"^(?:[•·▪◦‣●○■□☆▶►*\-–—]\s+)+")
# Numbering of menu entries and skip links ("1. Skip to content"): stripped for
# matching only, since an article's own numbered list must stay as written.
_NUMBERING = re.compile(r"^\(?\d{1,2}[.)]\s+")
# Characters that renderers leave behind invisibly. (Non-breaking and other
# Unicode spaces need no table: str.split() already splits on them.)
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Sentence-final punctuation, closing quotes included, in DW's scripts.
SENTENCE_END = tuple(".!?…。！？؟۔\"'”’»“)")
# Punctuation after which a line is not a heading but an unfinished sentence.
CLAUSE_END = tuple(".,;:…。，；：،")


class Line(NamedTuple):
    # A NamedTuple, not a frozen dataclass: pages are split into hundreds of
    # lines and a tuple is several times cheaper to build. The line's shapes
    # are fields, computed once: the passes of the classifier ask for them
    # hundreds of thousands of times a second, and a field is read in C.
    # (No line number: a line is its page's lines[i], and a Line that depends
    # on its text alone can be shared by every page that has that line.)
    raw: str  # the input line, without its line break
    text: str  # whitespace-normalised, list glyph stripped: what `text` keeps
    key: str  # casefolded and numbering stripped: what rule tables match
    words: int
    blank: bool
    # A sentence or more of running text, the stuff paragraphs are made of.
    is_prose: bool
    # Short and not ending like a sentence fragment: titles, headings, labels.
    is_heading_like: bool


_new_line = tuple.__new__


def make_line(raw: str, *, invisible: bool = True) -> Line:
    """One line of a page; `invisible=False` says the page has no invisible characters."""
    visible = _INVISIBLE.sub("", raw) if invisible and not raw.isascii() else raw
    words = visible.split()
    if not words:
        return _new_line(Line, (raw, "", "", 0, True, False, False))
    first = words[0]
    if first in _GLYPHS or first[0].isdigit() or first[0] == "(":
        text = _LIST_GLYPH.sub("", " ".join(words), count=1)
        key = match_key(" ".join(_NUMBERING.sub("", text, count=1).split()))
        count = len(text.split())
    else:
        text = " ".join(words)
        key = match_key(text)
        count = len(words)
    # tuple.__new__ skips the NamedTuple constructor's extra Python frame.
    return _new_line(
        Line,
        (
            raw,
            text,
            key,
            count,
            False,
            (count >= 12 and text.endswith(SENTENCE_END)) or count >= 30,
            count <= 20 and len(text) <= 200 and not text.endswith(CLAUSE_END),
        ),
    )


# Recurring lines, made once (see cleaner/memo.py): a Line depends on its raw
# text alone.
_SHAPES: LineMemo[Line] = LineMemo()


def split_lines(page: str) -> list[Line]:
    raws = page.splitlines()
    # One look over the page spares one per line on the (usual) page without
    # zero-width spaces, soft hyphens or direction marks. (Substring searches:
    # many times faster than the character-class pattern over a whole page.)
    invisible = not page.isascii() and any(char in page for char in _INVISIBLE_CHARS)
    # Recurring lines come from the memo in one sweep; the new ones are made after.
    lines: list[Line | None] = list(map(_SHAPES.values.get, raws))
    for index, known in enumerate(lines):
        if known is None:
            raw = raws[index]
            made = make_line(raw, invisible=invisible)
            _SHAPES.remember(raw, made)
            lines[index] = made
    return lines  # type: ignore[return-value]  # every None was replaced
