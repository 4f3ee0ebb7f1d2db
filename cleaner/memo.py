"""Line memos: what cleaning made of a line, kept for the next page.

DW chrome repeats line for line from page to page: menus, footers, credits,
"Skip next section". In the 52 real pages of fixtures/, 85% of the non-blank
lines that cleaning removes also appear on another page. Splitting such a line
and running it through the rule tables again gives the same result every
time, so the result is kept, per process.

- Only recurring lines are kept: a line enters the memo the second time it is
  seen. Article paragraphs, titles and captions are new on every page and
  would fill the memo with lines that never come back. What a line seen once
  gave waits beside the memo (`pending`, bounded too), so that the second
  sight is no work either: each `--jobs` worker warms its own memos, and a
  fresh process cleaned the 500 pages a `--jobs 2` worker gets of the
  benchmark's 1,000 with 2.7% more instructions when it made a line twice
  before keeping it (callgrind).
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
# Lines seen once, with what they gave: the last hundred pages' worth or so,
# as a page has a few dozen short lines of its own (title, captions, teasers),
# and a crawl's chrome comes back sooner. (5,000 added 2 MB to the peak RSS
# of `--jobs 1` over 20,000 pages of the benchmark, 5%, against 1 MB over
# 1,000: memory is to stay flat whatever the number of pages.)
MAX_SEEN_ONCE = 3_000

Value = TypeVar("Value")


class LineMemo(Generic[Value]):
    """A memo of recurring lines; `max_chars` and `max_entries` override the
    module's bounds for a memo of longer texts (runs of lines).

    Use: `memo.values.get(raw)` (inlined in the loops over a page's lines: a
    method call per line costs more); on a miss, `recall(raw)`; if that
    gives None too, make the value and `remember(raw, value)`.
    """

    __slots__ = ("max_chars", "max_entries", "pending", "values")

    def __init__(self, *, max_chars: int | None = None, max_entries: int | None = None) -> None:
        self.values: dict[str, Value] = {}
        self.pending: dict[str, Value] = {}
        self.max_chars = max_chars
        self.max_entries = max_entries

    def recall(self, raw: str) -> Value | None:
        """What `raw` gave the one time it was seen before, now kept in
        `values`; None if it was not seen (or has been forgotten)."""
        value = self.pending.pop(raw, None)
        if value is not None:
            # The module's bounds are read at each call, so a test can lower them.
            if len(self.values) >= (
                MAX_MEMO_LINES if self.max_entries is None else self.max_entries
            ):
                self.values.clear()
            self.values[raw] = value
        return value

    def remember(self, raw: str, value: Value) -> None:
        """Note that `raw`, not seen before, gave `value`; kept if it recurs."""
        if len(raw) > (MAX_MEMO_CHARS if self.max_chars is None else self.max_chars):
            return
        if len(self.pending) >= (
            MAX_SEEN_ONCE if self.max_entries is None else min(self.max_entries, MAX_SEEN_ONCE)
        ):
            self.pending.clear()
        self.pending[raw] = value

    def clear(self) -> None:
        self.values.clear()
        self.pending.clear()

    def __len__(self) -> int:
        return len(self.values)
