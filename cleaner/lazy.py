"""Patterns compiled when first used, not when their module is imported.

`regex` parses a pattern in Python: 0.3 to 5 ms each (the alternation of every
HTML element name, 4 ms). Some are needed only by a few pages: the HTML tests
of format sniffing run only when the first kilobytes hold a "<", the shapes of
leaked script only on lines with code's punctuation. Compiled at import, they
cost every start-up, and a shell loop that runs `dw-clean -` per file pays
start-up every time; compiled on first use, a process pays for them once,
and only if a page needs them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import regex


def compiled_on_first_use(pattern: str, flags: int = 0) -> Callable[[], regex.Pattern[str]]:
    """A function that returns `regex.compile(pattern, flags)`, compiled at its first call."""

    @functools.cache
    def compiled() -> regex.Pattern[str]:
        return regex.compile(pattern, flags=flags)

    return compiled
