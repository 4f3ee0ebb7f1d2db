"""Line memos: what cleaning made of a line, kept for the next page.

DW chrome repeats line for line from page to page: menus, footers, credits,
"Skip next section". In the 52 real pages of fixtures/, 85% of the non-blank
lines that cleaning removes also appear on another page. Splitting such a line
and running it through the rule tables again gives the same result every
time, so the result is kept, per process.

- Only recurring lines are kept: a line enters the memo the second time it is
  seen. Article paragraphs, titles and captions are new on every page and
  would fill the memo with lines that never come back.
- Only short lines (at most MAX_MEMO_CHARS): chrome is short, and long lines
  are article text. A memo of whole runs of lines (the markdown reader's
  pieces: a menu between two blank lines) sets its own, larger bounds.
- Bounded: a memo holding MAX_MEMO_LINES lines is emptied, and so is the
  record of lines seen once; memory stays flat over any number of pages.

What is kept is a pure function of the line, so a memo never changes a result.
"""

from __future__ import annotations

from typing import Generic, TypeVar

MAX_MEMO_CHARS = 200
# DW's recurring chrome is a few hundred lines per language and layout.
MAX_MEMO_LINES = 10_000
# Hashes of lines seen once (a collision only makes a line recur early): the
# last few hundred pages' worth, as a page has a few dozen short lines of its
# own (title, captions, teasers).
MAX_SEEN_ONCE = 10_000

Value = TypeVar("Value")


class LineMemo(Generic[Value]):
    """A memo of recurring lines; `max_chars` and `max_entries` override the
    module's bounds for a memo of longer texts (runs of lines)."""

    __slots__ = ("max_chars", "max_entries", "seen_once", "values")

    def __init__(self, *, max_chars: int | None = None, max_entries: int | None = None) -> None:
        # Read directly by the loops over a page's lines: `memo.values.get(raw)`,
        # then `remember` on a miss (a method call per line costs more).
        self.values: dict[str, Value] = {}
        self.seen_once: set[int] = set()
        self.max_chars = max_chars
        self.max_entries = max_entries

    def remember(self, raw: str, value: Value) -> None:
        """Note that `raw` gave `value`; keep it if the line recurs."""
        # The module's bounds are read at each call, so a test can lower them.
        if len(raw) > (MAX_MEMO_CHARS if self.max_chars is None else self.max_chars):
            return
        key = hash(raw)
        if key not in self.seen_once:
            if len(self.seen_once) >= MAX_SEEN_ONCE:
                self.seen_once.clear()
            self.seen_once.add(key)
            return
        if len(self.values) >= (MAX_MEMO_LINES if self.max_entries is None else self.max_entries):
            self.values.clear()
        self.values[raw] = value

    def clear(self) -> None:
        self.values.clear()
        self.seen_once.clear()

    def __len__(self) -> int:
        return len(self.values)
