#!/usr/bin/env bash
# The test suite on CPython 3.12 and 3.13, each in its own venv, for each
# one this machine has: pyproject.toml says ">=3.11", and the README's test
# command proves 3.11 only (the machines here run 3.11; users run 3.12 and
# 3.13 as often). A later version goes into the default list, and the
# classifiers, once the machines carry it. ruff and mypy are left to the
# README's command: their verdict does not depend on the interpreter.
#
#     bash scripts/test_other_pythons.sh          # 3.12 and 3.13
#     bash scripts/test_other_pythons.sh 3.13     # one of them
#
# An interpreter is `python3.X` on PATH, or else pyenv's newest 3.X (pyenv's
# shims answer `python3.X` only for the version it has selected). A version
# that is not here is said on stderr and skipped: the run fails only on a
# failing test.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local minor=$1 version
    if command -v "python$minor" >/dev/null 2>&1 && "python$minor" -c pass >/dev/null 2>&1; then
        command -v "python$minor"
    elif command -v pyenv >/dev/null 2>&1 && version=$(pyenv latest "$minor" 2>/dev/null); then
        echo "$(pyenv root)/versions/$version/bin/python"
    fi
}

if [ $# -eq 0 ]; then
    set -- 3.12 3.13
fi
for minor in "$@"; do
    python=$(find_python "$minor")
    if [ -z "$python" ] || [ ! -x "$python" ]; then
        echo "test_other_pythons: no Python $minor on this machine: its tests did not run" >&2
        continue
    fi
    echo "test_other_pythons: Python $minor ($python)" >&2
    venv=".venv-$minor"
    "$python" -m venv "$venv"
    (
        # shellcheck disable=SC1091
        . "$venv/bin/activate"
        unset DW_CLEAN_EXPECT_COMPILED
        python -m pip install --quiet --upgrade pip
        pip install --quiet -e '.[test]'
        pytest -q -p no:cacheprovider
    )
done
