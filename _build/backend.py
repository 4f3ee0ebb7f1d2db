"""setuptools' build backend, with mypyc added when the compiled build is asked for.

`DW_CLEAN_COMPILE=1 pip install .` compiles the cleaning modules with mypyc
(see setup.py); mypyc comes with mypy, which no other build needs. This is the
wrapper setuptools documents for build requirements that depend on the build
("Dynamic build dependencies and other build_meta tweaks").
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - the backend's other hooks, unchanged

# mypyc, and the type stubs it reads to compile calls into `regex` natively.
COMPILE_REQUIRES = ["mypy>=1.10", "types-regex"]


def _compiling() -> bool:
    return os.environ.get("DW_CLEAN_COMPILE") == "1"


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    if _compiling():
        # setup.py cannot run before mypyc is there, so it is not asked; it
        # declares no build requirements of its own.
        return list(COMPILE_REQUIRES)
    return list(_setuptools.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    if _compiling():
        # An editable install would leave the compiled modules next to the
        # sources, where they shadow every later edit of the .py files.
        raise SystemExit(
            "DW_CLEAN_COMPILE=1 is for `pip install .`, not `pip install -e .`: compiled "
            "modules in the source tree would hide edits to the Python files."
        )
    return list(_setuptools.get_requires_for_build_editable(config_settings))
