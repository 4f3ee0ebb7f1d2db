"""A Ctrl-C that is noted as well as raised, so that no code on the way can lose it.

Python's own SIGINT handler only raises KeyboardInterrupt, wherever the main
thread happens to be. Raised inside a `__del__` method or a weakref callback
(regex's pattern parser has `__del__` methods, run as patterns compile at
start-up; the import system's module locks have a weakref callback), CPython
prints it as "Exception ignored" and drops it: QA saw runs interrupted so
early go on to the end, exiting 1 with the whole output, as if never
interrupted. (SIGTERM never had this problem: its only handler is the run's,
which sets a flag rather than raising.)

`note_sigint()`, which the `dw-clean` launcher calls before its slow imports,
installs a handler that notes the signal before raising. Whoever reports an
interrupt answers it (`answered`); a run that takes the signals over takes an
unanswered one as its first signal (`batch.StopRequested.installed`) and stops
before its first input, as after any Ctrl-C; one lost outside a run is
answered by `cleaner.cli.main` before the process exits.

Imports nothing heavy: it is loaded before the CLI's slow imports.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType


class _Noted:
    sigint = False  # a SIGINT arrived that nobody has reported or acted on yet
    run_began = False  # a run has taken the signals over (see `take_over`)


def _note_and_raise(signum: int, frame: FrameType | None) -> None:
    _Noted.sigint = True  # first: whatever happens to the exception, this stays
    raise KeyboardInterrupt


def note_sigint() -> None:
    """Note each SIGINT before raising KeyboardInterrupt, for the rest of the process.

    Only in place of Python's own handler: a SIGINT ignored from the start
    (`nohup`, a background job of a script) stays ignored, and a handler of
    the embedding program (a test's) stays.
    """
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    signal.signal(signal.SIGINT, _note_and_raise)
    report_unraisable = sys.unraisablehook

    def quiet_when_noted(unraisable: sys.UnraisableHookArgs) -> None:
        # The KeyboardInterrupt dropped is noted, and acted on later: CPython's
        # "Exception ignored" and traceback would read as a crash before the
        # usual message of the interrupt.
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _Noted.sigint:
            return
        report_unraisable(unraisable)

    sys.unraisablehook = quiet_when_noted


def answered() -> None:
    """The SIGINT noted has been reported (its KeyboardInterrupt was caught)."""
    _Noted.sigint = False


def take_over() -> bool:
    """For a run taking the signals over, its handler in place: whether a SIGINT
    came before whose KeyboardInterrupt was lost (the run's to act on now)."""
    _Noted.run_began = True
    return take_unanswered_sigint()


def run_began() -> bool:
    """Whether a run has taken the signals over (one lost after it is not its)."""
    return _Noted.run_began


def take_unanswered_sigint() -> bool:
    """Whether a SIGINT arrived that nothing answered (its KeyboardInterrupt was
    lost); it is the caller's to answer from now on."""
    unanswered, _Noted.sigint = _Noted.sigint, False
    return unanswered


def forget_caught_keyboard_interrupts() -> None:
    """Keep the exit status the CLI chose after a KeyboardInterrupt it caught.

    CPython (3.11 at least) remembers a KeyboardInterrupt that left any exec()
    or eval() of a string, caught or not; dataclasses and typing run the code
    they generate so, at import. `python -m cleaner` then ended by killing
    itself with SIGINT, whatever status it exited with: a caller saw -2 (or
    a signal death, not exit 130), and some shells stop a script for that.
    The next exec() of a string clears the memory.
    """
    exec("")  # (runs nothing: see above)
