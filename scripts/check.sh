#!/usr/bin/env bash
# The project's checks, as CI runs them: lint, types (strict, on the package),
# then the test suite. Run from the repository root after
# `pip install -e '.[test]'`.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check cleaner tests scripts setup.py _build
mypy
pytest -q "$@"
