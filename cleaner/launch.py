"""The `dw-clean` entry point: start the CLI, and stop quietly on Ctrl-C meanwhile.

Loading the CLI (Typer, Click) takes a good part of a short run. A Ctrl-C
then raised KeyboardInterrupt in the import, before any handler of the CLI
existed, and Python printed a traceback. This module imports nothing heavy,
so that the interrupt is caught here.
"""

from __future__ import annotations

import os
import signal
import sys

from cleaner import interrupts

# Exit status of a process stopped by Ctrl-C, as the shell reports it.
EXIT_SIGINT = 128 + signal.SIGINT


def occupy_closed_standard_streams() -> None:
    """Put /dev/null on each standard descriptor the caller closed (`2>&-`).

    A closed descriptor's number is the next one a file opened takes: the
    `-o` file would become descriptor 2, and whatever a worker process or a
    library writes to "standard error" would land among the records. As
    gnulib's stdopen does, standard input and output get /dev/null in the
    contrary mode, so that reading or writing them fails rather than quietly
    finding nothing or losing records (the CLI reports them as closed).
    Standard error gets a writable /dev/null and a `sys.stderr` on it: with
    nobody to read them, messages are dropped, and the run goes on.
    """
    for fd, mode in ((0, os.O_WRONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, mode)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115 - lives as long as the process
                          closefd=False, buffering=1)


def main() -> None:
    """Console-script entry point: `dw-clean` and `python -m cleaner`."""
    occupy_closed_standard_streams()
    interrupts.note_sigint()  # before the slow imports: see cleaner.interrupts
    try:
        _start()
    finally:
        interrupts.forget_caught_keyboard_interrupts()


def _start() -> None:
    try:
        from cleaner.cli import main as run_cli  # noqa: PLC0415 - the slow import
    except KeyboardInterrupt:
        try:
            sys.stderr.write("dw-clean: stopped by SIGINT while starting; nothing was done.\n")
        except OSError:
            # Nobody reads standard error: the message is lost, not the
            # status (and the flush at exit, which would fail again and
            # make it 120, goes to /dev/null).
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
        sys.exit(EXIT_SIGINT)
    run_cli()
