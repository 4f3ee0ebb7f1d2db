"""Errors users see, and the reason codes of rejected inputs.

Two kinds of failure, kept apart on purpose:

- `DwCleanError` stops a run (bad options, an output that cannot be written, a
  full disk). Its message says what went wrong *and what to do next*; the CLI
  prints it on stderr and exits non-zero. Library code raises only this type.
- `Rejected` is about one input (empty, binary, too large...). A batch run
  records it in the rejects file and goes on with the next input.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DwCleanError(Exception):
    """A problem that stops the run; `str(error)` is the message for the user."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        # 2 for usage errors (wrong options), 1 for everything else.
        self.exit_code = exit_code


class UsageError(DwCleanError):
    """Options that cannot work together; exits with code 2 like Typer's own."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)


class Reason(StrEnum):
    """Why an input gave no record. The values are the public reason codes."""

    # Nothing but whitespace (or nothing at all) after decoding.
    EMPTY = "empty"
    # NUL bytes, control characters or the magic number of a binary format.
    BINARY = "binary"
    # Bytes that no supported encoding decodes into sensible text.
    ENCODING = "encoding"
    # Over --max-bytes, on disk or after decompressing a .gz input.
    TOO_LARGE = "too_large"
    # Missing file, broken link, permission denied, corrupt .gz stream.
    UNREADABLE = "unreadable"
    # Cleaning took longer than --timeout seconds.
    TIMEOUT = "timeout"
    # JSON Lines input: a line that is not a JSON object.
    JSON = "json"
    # JSON Lines input: a record without a text in --text-field.
    NO_TEXT = "no_text"
    # The cleaner itself failed on this input (a bug: please report it).
    ERROR = "error"


class Rejected(Exception):  # noqa: N818 - it is an outcome, not a fault
    """One input is rejected; carries the reason code and a human detail."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class RecordError:
    """A JSON Lines line that gave no record: where, why ("json", "no_text"), details.

    A value in the list of an input's records, in the line's place, not an
    exception: the other lines of the input still give their records.
    """

    source: str
    reason: str
    detail: str
