"""Every third-party module the package imports is declared in pyproject.toml.

The test environment has more installed than a user's: the test extra and the
optional extras pull in packages of their own. A module the package imports
but does not declare works in CI and fails for users. (tqdm, imported only
when stderr is a terminal, was such a one: `dw-clean dir/` in a terminal
failed on a plain `pip install .`.)
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cleaner"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

# Modules that belong to an optional extra (`pip install 'dw-clean[datatrove]'`),
# with the extra that provides what they import.
EXTRA_OF_MODULE = {"datatrove_step.py": "datatrove", "distributed.py": "dask"}


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def third_party_imports(path: Path) -> set[str]:
    """Top-level names of the modules `path` imports that are neither stdlib nor ours."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "cleaner"}


def test_the_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    # The imports that only some runs reach (a terminal, a form) sit in functions.
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from tqdm import tqdm\n    import regex.x\n")
    assert third_party_imports(module) == {"tqdm", "regex"}


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_imported_distribution_is_declared(path: Path) -> None:
    declared = _names(PYPROJECT["dependencies"])
    extra = EXTRA_OF_MODULE.get(path.name)
    if extra is not None:
        declared |= _names(PYPROJECT["optional-dependencies"][extra])
    distributions = packages_distributions()
    for module in sorted(third_party_imports(path)):
        providers = {canonicalize_name(name) for name in distributions.get(module, [])}
        assert providers, f"{path.name} imports {module}, which no installed distribution provides"
        assert providers & declared, (
            f"{path.name} imports {module} (from {sorted(providers)}), "
            "which pyproject.toml does not declare"
        )
