"""The optional compiled build (setup.py): which modules it compiles, and that
the running build is the one the environment asks for.

CI runs the whole suite twice: on the editable, pure-Python install of the
README's test command, and on a wheel built with DW_CLEAN_COMPILE=1 with
DW_CLEAN_EXPECT_COMPILED=1 set, so that a compiled module that failed to
build or load, or a test run that picked up the sources instead of the wheel,
fails here instead of passing on Python code.
"""

from __future__ import annotations

import ast
import importlib
import os
from pathlib import Path

from cleaner.version import build_description, compiled_modules

ROOT = Path(__file__).resolve().parent.parent


def modules_setup_compiles() -> list[str]:
    """COMPILED_MODULES of setup.py, as module names."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "COMPILED_MODULES"
        ):
            paths = ast.literal_eval(node.value)
            return sorted(
                p.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for p in paths
            )
    raise AssertionError("setup.py has no COMPILED_MODULES")


def test_setup_compiles_existing_pure_modules() -> None:
    names = modules_setup_compiles()
    assert "cleaner.classify" in names
    for name in names:
        module = importlib.import_module(name)  # each one exists and imports
        assert module.__name__ == name
    # I/O, the CLI and the worker pool stay Python: they wait on files and pipes.
    assert not {"cleaner.cli", "cleaner.batch", "cleaner.inputs", "cleaner.outputs"} & set(names)


def test_running_build_is_the_one_asked_for() -> None:
    for name in modules_setup_compiles():
        importlib.import_module(name)
    if os.environ.get("DW_CLEAN_EXPECT_COMPILED") == "1":
        assert compiled_modules() == modules_setup_compiles()
        assert build_description() == f"compiled with mypyc, {len(compiled_modules())} modules"
    else:
        assert compiled_modules() == []
        assert build_description() == "pure Python"
