"""The README against the tool: what a new user reads is what the tool does.

The README's examples and tables drift as the tool changes; these tests catch
the kinds of drift that can be checked mechanically.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cleaner.cli import clean_app, explain_app
from cleaner.errors import Reason

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The README's own marker for lines left out of an excerpt.
ELIDED = ("...", "…")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match[1]


def code_block_after(marker: str) -> str:
    match = re.search(rf"```\w*\n({re.escape(marker)}.*?)```", README, re.S)
    assert match, f"README has no code block starting with {marker!r}"
    return match[1]


def test_explain_excerpt_is_what_explain_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    block = code_block_after("$ dw-clean explain ")
    command, *shown = block.splitlines()
    monkeypatch.chdir(ROOT)  # the README runs it from the repository root
    result = CliRunner().invoke(explain_app, command.split()[3:])
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    excerpt = [line for line in shown if line.strip() not in ELIDED]
    assert len(excerpt) > 5, block
    # Every line shown is printed, in the README's order (the "..." stand for the rest).
    positions = [printed.index(line) if line in printed else -1 for line in excerpt]
    assert -1 not in positions, [line for line in excerpt if line not in printed]
    assert positions == sorted(positions)


def test_record_example_holds_the_fields_the_tool_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = json.loads(code_block_after('{"id": '))
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(clean_app, [shown["source"], "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    (written,) = [json.loads(line) for line in result.stdout.splitlines()]
    # Values the README shortens with "..." are left out; all others must be exact.
    exact = {key: value for key, value in shown.items()
             if not any(mark in json.dumps(value, ensure_ascii=False) for mark in ELIDED)}
    assert len(exact) > 10, exact
    assert {key: written[key] for key in exact} == exact


def test_every_reject_reason_is_in_the_reasons_table() -> None:
    table = section("Bad input and exit codes")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
    assert listed == {reason.value for reason in Reason}


@pytest.mark.parametrize(
    ("app", "name"), [(clean_app, "dw-clean"), (explain_app, "dw-clean explain")]
)
def test_every_option_in_help_is_in_the_readme(app: typer.Typer, name: str) -> None:
    # The benchmark tables name options too, but a user must not need them to
    # learn what an option does.
    readme = README.replace(section("Speed"), "")
    shown = CliRunner().invoke(app, ["--help"], prog_name=name, terminal_width=200).output
    options = re.findall(r"^\s+(?:(-\w), )?(--[a-z][a-z-]*)", shown, re.M)
    assert ("-h", "--help") in options and ("", "--format") in options, shown

    def mentioned(flag: str) -> bool:
        return bool(flag) and (f"`{flag}" in readme or f"{flag} " in readme)

    missing = {long for short, long in options
               if long != "--help" and not (mentioned(short) or mentioned(long))}
    assert not missing, f"{name} --help has options the README never mentions: {sorted(missing)}"


def options_help(app: typer.Typer, name: str) -> dict[str, str]:
    """Each option of `name --help` with its help text on one line."""
    shown = CliRunner().invoke(app, ["--help"], prog_name=name, terminal_width=200).output
    blocks = re.split(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", shown.split("Options:", 1)[1], flags=re.M)
    pairs = zip(blocks[1::2], blocks[2::2], strict=True)
    return {option: " ".join(help_text.split()) for option, help_text in pairs}


def test_options_of_both_commands_state_the_same_default() -> None:
    # A user who reads one command's help must not be left guessing at the other's.
    run = options_help(clean_app, "dw-clean")
    explain = options_help(explain_app, "dw-clean explain")
    shared = (set(run) & set(explain)) - {"--help", "--version"}
    assert {"--max-bytes", "--format"} <= shared
    for option in shared:
        stated = [re.findall(r"\[default: ([^\];]+)", help_text)
                  for help_text in (run[option], explain[option])]
        assert stated[0] == stated[1], (option, run[option], explain[option])


def test_layout_names_every_module_and_script() -> None:
    layout = section("Layout")
    files = [*(ROOT / "cleaner").glob("*.py"), *(ROOT / "scripts").iterdir()]
    names = {path.name for path in files if not path.name.startswith("_")}
    assert "cli.py" in names and "check.sh" in names
    assert not {name for name in names if f"`{name}`" not in layout}


def test_links_to_repository_files_lead_somewhere() -> None:
    # `![alt](src)` and `[text](url)` in the input-forms notes are markdown syntax, not links.
    targets = [target for target in re.findall(r"\]\(([^)\s]+)\)", README)
               if "/" in target and "://" not in target]
    assert targets, "the README links no repository file"
    assert [target for target in targets if not (ROOT / target).exists()] == []
