"""The `dw-clean` entry point: start the CLI, and stop quietly on Ctrl-C meanwhile.

Loading the CLI (Typer, Click) takes a good part of a short run. A Ctrl-C
then raised KeyboardInterrupt in the import, before any handler of the CLI
existed, and Python printed a traceback. This module imports nothing heavy,
so that the interrupt is caught here.
"""

from __future__ import annotations

import signal
import sys

# Exit status of a process stopped by Ctrl-C, as the shell reports it.
EXIT_SIGINT = 128 + signal.SIGINT


def main() -> None:
    """Console-script entry point: `dw-clean` and `python -m cleaner`."""
    try:
        from cleaner.cli import main as run_cli  # noqa: PLC0415 - the slow import
    except KeyboardInterrupt:
        sys.stderr.write("dw-clean: stopped by SIGINT while starting; nothing was done.\n")
        sys.exit(EXIT_SIGINT)
    run_cli()
