"""Time limits on cleaning one document (`--timeout`), by SIGALRM.

The readers of HTML, markdown and JSON Lines are imported when the first page
of their form is cleaned (a run over text dumps never loads trafilatura), so
inside a time limit. `untimed()` pauses the limit's timer around such an
import: an alarm in the middle of an import could leave the module half
loaded, and was seen swallowed by the import machinery (the page then got a
record with no timeout); and an import is no part of cleaning the page.

An alarm can also fire just before the pause, its handler running only a few
bytecodes later, inside the import. The handler therefore defers while a pause
is on, and the pause raises the timeout when it ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class _Pause:
    """The main thread's pause state, shared by `time_limit`'s handler and `untimed`."""

    depth = 0  # untimed blocks entered and not left
    expired = False  # the limit ran out during one of them


class DocumentTimeout(BaseException):
    """Cleaning one document ran out of time.

    A BaseException so that a broad `except Exception` in the cleaner cannot
    swallow it.
    """


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `DocumentTimeout` in the block after `seconds` (main thread only)."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable or seconds is None:
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if _Pause.depth:
            _Pause.expired = True
            return
        raise DocumentTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _Pause.expired = False  # an untimed block that raised left it set


@contextmanager
def untimed() -> Iterator[None]:
    """Pause the time limit's timer (if one runs) for the block."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return
    _Pause.depth += 1
    remaining, interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        _Pause.depth -= 1
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining, interval)
    if not _Pause.depth and _Pause.expired:
        _Pause.expired = False
        raise DocumentTimeout
