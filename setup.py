"""The optional compiled build; everything else about the package is in pyproject.toml.

By default dw-clean installs as pure Python. `DW_CLEAN_COMPILE=1 pip install .`
compiles the modules where cleaning spends its time with mypyc (the compiler
of mypy, black and charset-normalizer's wheels): the same code, typed as it is,
1.3x to 1.5x faster per page (README, "Speed"). It needs a C compiler and the
Python headers. I/O, the CLI and the worker pool stay Python either way.
"""

from __future__ import annotations

import os

from setuptools import setup

# The pure functions of cleaning: line shapes, rule tables, the structural
# passes, dates, language, the harvest, format sniffing, markdown, and the
# check for hard wrapping that every text page goes through.
COMPILED_MODULES = [
    "cleaner/memo.py",
    "cleaner/rules/__init__.py",
    "cleaner/lines.py",
    "cleaner/unwrap.py",
    "cleaner/dates.py",
    "cleaner/leaked_code.py",
    "cleaner/classify.py",
    "cleaner/language.py",
    "cleaner/core.py",
    "cleaner/formats/common.py",
    "cleaner/formats/markdown.py",
    "cleaner/formats/detect.py",
]


def ext_modules() -> list[object]:
    if os.environ.get("DW_CLEAN_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # noqa: PLC0415 - only the compiled build has mypyc

    # The libraries the other modules import (lxml, trafilatura...) are not in
    # the build environment; what they return is typed Any, as mypyc allows.
    return list(mypycify(["--ignore-missing-imports", *COMPILED_MODULES], opt_level="3"))


setup(ext_modules=ext_modules())
