"""Single source of the version string (kept in step with pyproject.toml), and
which build is running: pure Python, or compiled with mypyc (setup.py)."""

from __future__ import annotations

import importlib.machinery
import sys

__version__ = "0.1.0"


def compiled_modules() -> list[str]:
    """The loaded dw-clean modules that are compiled extensions (none in the
    default, pure-Python install)."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if (name == "cleaner" or name.startswith("cleaner."))
        and str(getattr(module, "__file__", None) or "").endswith(suffixes)
    )


def build_description() -> str:
    """"pure Python" or "compiled with mypyc, N modules", for --version and the benchmark."""
    # Every module a run may use (the form readers are otherwise loaded by
    # the first page of their form).
    import cleaner.formats.markdown  # noqa: F401, PLC0415

    compiled = compiled_modules()
    return f"compiled with mypyc, {len(compiled)} modules" if compiled else "pure Python"
