"""The `dw-clean` command line: options, outputs, exit codes, signals."""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cleaner.cli import clean_app, explain_app, normalize_args
from cleaner.document import RECORD_FIELDS
from cleaner.version import __version__, build_description

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "fixtures" / "examples"
DUMPS = ROOT / "fixtures" / "dumps"
PYTHON = sys.executable


def invoke(args: list[str], stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(clean_app, normalize_args(args), input=stdin)


def records(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize(
    "args",
    [
        ["--output-dir", "file:///tmp/dw-clean-out"],
        ["-o", "s3://bucket/records.jsonl"],
        ["--rejects", "file:///tmp/dw-clean-rejects.jsonl"],
    ],
)
def test_urls_without_dask_are_a_usage_error(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: a local run took `--output-dir file:///x` for a relative path and
    # made a folder called "file:" in the current one.
    monkeypatch.chdir(tmp_path)
    result = invoke([str(EXAMPLES), *args])
    assert result.exit_code == 2, result.output
    assert f"{args[0]} {args[1]}: URLs are for --dask runs" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["s3://bucket/pages", "file:///tmp/dw-clean-pages/a.txt",
                                 "simplecache::s3://bucket/pages/*.txt"])
def test_an_input_url_without_dask_is_a_usage_error(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: a local run took an input URL for a relative path and rejected it
    # as "unreadable (no such file)", where an output URL says what to do.
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = invoke([str(EXAMPLES), url, "--output-dir", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{url}: URLs are for --dask runs" in result.stderr
    assert not out.exists()
    # A local file whose name has "://" in it is still read.
    odd = tmp_path / "a b:" / "c.txt"
    odd.parent.mkdir()
    shutil.copy(EXAMPLES / "001_26d23cd7d08ed03d.txt", odd)
    assert invoke(["a b://c.txt", "-o", str(tmp_path / "x.jsonl")]).exit_code == 0


def test_help_mentions_explain_and_options() -> None:
    for flag in ("--help", "-h"):
        result = invoke([flag])
        assert result.exit_code == 0, result.output
        for word in ("explain", "--output-dir", "--resume", "--dedup", "--jobs", "--rejects",
                     "--timeout", "--format", "--version"):
            assert word in result.output


def test_help_and_readme_give_the_usage_the_command_has() -> None:
    # Any number of paths, none when --files-from lists them: "[PATH]...".
    shown = invoke(["--help"]).output
    usage = re.search(r"^Usage: \S+ \[OPTIONS\] (\S+)$", shown, re.M)
    assert usage, shown
    assert usage[1] == "[PATH]..."
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^dw-clean (?!explain)(\S+)", readme, re.M) == [usage[1]]


def test_explain_help_and_readme_give_its_usage_plainly() -> None:
    # One required file: "FILE", as the README writes it, not Typer's "{FILE}"
    # (which reads like a choice among values), in the help and in a usage error.
    for args in (["--help"], []):
        shown = CliRunner().invoke(explain_app, args, prog_name="dw-clean explain").output
        usage = re.search(r"^Usage: dw-clean explain \[OPTIONS\] (\S+)$", shown, re.M)
        assert usage, shown
        assert usage[1] == "FILE"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^dw-clean explain (\S+)", readme, re.M) == ["FILE"]


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"dw-clean {__version__} ({build_description()})"


def test_examples_to_stdout() -> None:
    result = invoke([str(EXAMPLES), "-j", "1"])
    assert result.exit_code == 0, result.output
    docs = records(result.stdout)
    assert [Path(str(d["source"])).name for d in docs] == sorted(p.name for p in EXAMPLES.iterdir())
    for doc in docs:
        assert tuple(doc) == RECORD_FIELDS
        assert doc["encoding"] == "utf-8"
    # UTF-8 as is, not ASCII escapes.
    assert "Brüssel" in result.stdout or "ü" in result.stdout
    assert "\\u00fc" not in result.stdout
    assert "Skip to content" not in str(docs[0]["text"])
    count = len(docs)
    assert f"{count} inputs, {count} records, 0 rejects" in result.stderr


def test_same_output_for_any_jobs() -> None:
    one = invoke([str(DUMPS), "-j", "1", "-q"])
    two = invoke([str(DUMPS), "-j", "2", "-q"])
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == len(list(DUMPS.glob("*.txt")))


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_output_file(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    result = invoke([str(EXAMPLES), "-o", str(target), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = target.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    assert len(records(data.decode())) == len(list(EXAMPLES.glob("*.txt")))
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary left behind


def test_output_dir_shards_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke([str(DUMPS), "--output-dir", str(out), "--shard-size", "10"])
    assert result.exit_code == 0, result.output
    shards = sorted(out.glob("part-*.jsonl.gz"))
    total = len(list(DUMPS.glob("*.txt")))
    assert len(shards) == -(-total // 10)
    counts = [len(gzip.decompress(s.read_bytes()).splitlines()) for s in shards]
    assert counts[:-1] == [10] * (len(shards) - 1) and sum(counts) == total
    manifest = records((out / "manifest.jsonl").read_text())
    assert len(manifest) == total
    assert {m["status"] for m in manifest} == {"ok"}
    assert (out / "rejects.jsonl").read_text() == ""

    again = invoke([str(DUMPS), "--output-dir", str(out)])
    assert again.exit_code == 2, again.output
    assert "--resume" in again.stderr
    resumed = invoke([str(DUMPS), "--output-dir", str(out), "--shard-size", "10", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"{total} skipped as done" in resumed.stderr


def test_dedup_flag_and_drop() -> None:
    page = str(EXAMPLES / "000_9910ba9fc400b7a4.txt")
    flagged = invoke([page, page, "--dedup", "-j", "1"])
    assert flagged.exit_code == 0, flagged.output
    assert [d["duplicate_of"] for d in records(flagged.stdout)] == [None, page]
    assert "2 inputs, 2 records, 0 rejects, 1 duplicates;" in flagged.stderr
    dropped = invoke([page, page, "--dedup", "drop", "-j", "1"])
    assert dropped.exit_code == 0, dropped.output
    assert len(records(dropped.stdout)) == 1
    # The counts add up: one record, and the duplicate that was dropped.
    assert "2 inputs, 1 records, 0 rejects, 1 duplicates (1 dropped);" in dropped.stderr


def test_stdin_and_files_from(tmp_path: Path) -> None:
    page = EXAMPLES / "001_26d23cd7d08ed03d.txt"
    result = invoke(["-", "-j", "1"], stdin=page.read_bytes())
    assert result.exit_code == 0, result.output
    assert [d["source"] for d in records(result.stdout)] == ["-"]

    listing = tmp_path / "list.txt"
    listing.write_text(f"{page}\n{EXAMPLES / '*.txt'}\n")
    result = invoke(["--files-from", str(listing), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(records(result.stdout)) == 1 + len(list(EXAMPLES.glob("*.txt")))
    result = invoke(["--files-from", "-", "-j", "1"], stdin=f"{page}\n".encode())
    assert result.exit_code == 0, result.output
    assert [d["source"] for d in records(result.stdout)] == [str(page)]


def test_every_files_from_list_is_read_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: a repeated --files-from read only the last list, and exited 0.
    monkeypatch.chdir(tmp_path)
    pages = sorted(EXAMPLES.glob("*.txt"))
    (tmp_path / "a.txt").write_text(f"{pages[1]}\n{pages[0]}\n")
    (tmp_path / "b.txt").write_text(f"{pages[2]}\n")
    result = invoke([str(pages[3]), "--files-from", "a.txt", "--files-from", "-",
                     "--files-from", "b.txt", "-j", "1"], stdin=f"{pages[4]}\n".encode())
    assert result.exit_code == 0, result.output
    assert [d["source"] for d in records(result.stdout)] == [
        str(page) for page in (pages[3], pages[1], pages[0], pages[4], pages[2])]


def test_a_dash_in_a_files_from_list_is_the_file_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: it was "'-' (standard input) can be given only once", with '-' given once.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_bytes((EXAMPLES / "001_26d23cd7d08ed03d.txt").read_bytes())
    (tmp_path / "list.txt").write_text("-\n")
    result = invoke(["--files-from", "list.txt", "-j", "1"], stdin=b"not read\n")
    assert result.exit_code == 0, result.output
    assert [d["source"] for d in records(result.stdout)] == ["./-"]


def test_a_files_from_null_entry_is_a_name_never_a_glob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: "./[a].txt", listed by find and gone by the time of the run, was
    # expanded as a glob: "./a.txt" was read twice, and "[a].txt" was in no
    # output, exit 0.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_bytes((EXAMPLES / "001_26d23cd7d08ed03d.txt").read_bytes())
    (tmp_path / "list").write_text("./a.txt\0./[a].txt\0")
    result = invoke(["--files-from", "list", "-0", "-j", "1"])
    assert result.exit_code == 1, result.output
    assert [d["source"] for d in records(result.stdout)] == ["a.txt"]
    assert "[a].txt" in result.stderr and "unreadable" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "No input"),
        (["x.txt", "-o", "a.jsonl", "--output-dir", "d"], "not both"),
        (["x.txt", "--resume"], "--resume needs --output-dir"),
        (["x.txt", "--dedup=twice"], "flag or drop"),
        (["x.txt", "--format", "pdf"], "pdf"),
        (["x.txt", "--format", "pdf"], "Unknown --format"),
        (["x.txt", "-o", "out.json"], ".jsonl"),
        (["-", "--files-from", "-"], "only once"),
        (["--files-from", "-", "--files-from", "-"], "only once"),
        (["x.txt", "--rejects", "no/such/folder/r.jsonl"], "no/such/folder does not exist"),
        # QA: found out only at the end, after all the cleaning (and the -o file was replaced).
        (["x.txt", "-o", "out.jsonl", "--rejects", "."], "--rejects . is a directory"),
        # The rejects, written last, replaced the manifest, and --resume then redid everything.
        (["x.txt", "--output-dir", "out", "--rejects", "out/manifest.jsonl"], "writes itself"),
        (["x.txt", "--output-dir", "out", "--rejects", "out/part-00000.jsonl.gz"],
         "writes itself"),
        # Standard output carries the records: the rejects cannot go there too.
        (["x.txt", "--rejects", "-"], "where the records go"),
        (["x.txt", "--jobs", "0"], ""),
        (["x.txt", "--no-such-option"], ""),
        # QA: an empty name (an unset shell variable) was read as the default.
        (["x.txt", "--text-field", ""], "--text-field names the field"),
        (["x.txt", "--text-field", " "], "cannot be empty"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a file named "-"


BAD = ROOT / "fixtures" / "bad"


@pytest.mark.parametrize("records_to", ["-o", "--output-dir"])
def test_rejects_to_standard_output_when_the_records_go_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records_to: str
) -> None:
    monkeypatch.chdir(tmp_path)
    target = "out.jsonl" if records_to == "-o" else "out"
    pages = [str(page) for page in sorted(EXAMPLES.iterdir())]
    bad = [str(BAD / "empty.txt"), str(BAD / "binary.txt")]
    result = invoke([*pages, *bad, records_to, target, "--rejects", "-", "-j", "1"])
    assert result.exit_code == 1, result.output
    rejected = records(result.stdout)
    assert [entry["source"] for entry in rejected] == bad
    assert [entry["reason"] for entry in rejected] == ["empty", "binary"]
    assert not (tmp_path / "-").exists()
    if records_to == "-o":
        written = records((tmp_path / target).read_text(encoding="utf-8"))
    else:
        with gzip.open(tmp_path / target / "part-00000.jsonl.gz", "rt", encoding="utf-8") as shard:
            written = records(shard.read())
    assert [doc["source"] for doc in written] == pages


def test_output_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke([str(EXAMPLES), "-o", "-", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(records(result.stdout)) == len(list(EXAMPLES.iterdir()))
    assert list(tmp_path.iterdir()) == []


def _pages_in(tmp_path: Path, name: str) -> Path:
    tree = tmp_path / name
    tree.mkdir()
    for page in EXAMPLES.iterdir():
        (tree / page.name).write_bytes(page.read_bytes())
    return tree


def test_outputs_inside_the_input_tree_are_not_read_back(tmp_path: Path) -> None:
    pages = sorted(page.name for page in EXAMPLES.iterdir())
    # --output-dir: its shards are committed while the walk goes on.
    tree = _pages_in(tmp_path, "shards")
    command = [str(tree), "--glob", "*", "--output-dir", str(tree / "out"), "--shard-size",
               "2", "--rejects", str(tree / "rejects.jsonl"), "-j", "1"]
    first = invoke(command)
    assert first.exit_code == 0, first.output
    manifest = (tree / "out" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Path(json.loads(line)["source"]).name for line in manifest] == pages
    again = invoke([*command, "--resume"])
    assert again.exit_code == 0, again.output
    assert f"0 inputs, 0 records, 0 rejects, 0 duplicates, {len(pages)} skipped" in again.stderr
    # -o and --rejects: also their temporary files, and through a glob.
    tree = _pages_in(tmp_path, "file")
    out, rejects = tree / "all.jsonl", tree / "rejects.jsonl"
    for where in (str(tree), str(tree / "*"), str(tree / "**"), str(tree / "**" / "*")):
        for _ in range(2):
            result = invoke([where, "--glob", "*", "-o", str(out), "--rejects", str(rejects)])
            assert result.exit_code == 0, result.output
            assert [Path(str(doc["source"])).name for doc in records(out.read_text())] == pages
            assert rejects.read_text() == ""


def _manifest_names(output_dir: Path) -> list[str]:
    lines = (output_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [Path(json.loads(line)["source"]).name for line in lines]


def test_inputs_below_the_output_directory_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--output-dir .` over `pages/`: every input is under the output
    # directory. The walk skipped it all, and the run exited 0 with "no input".
    pages = sorted(page.name for page in EXAMPLES.iterdir())
    _pages_in(tmp_path, "pages")
    monkeypatch.chdir(tmp_path)
    result = invoke(["pages", "--output-dir", ".", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert _manifest_names(tmp_path) == pages
    # Walking the output directory itself leaves out what the run wrote
    # there (shards, manifest, run.json, rejects) and takes the rest: the
    # pages, which are done ("./pages/x" is "pages/x"), and the new file.
    (tmp_path / "extra.txt").write_bytes((EXAMPLES / pages[0]).read_bytes())
    again = invoke([".", "--output-dir", ".", "--resume", "-j", "1"])
    assert again.exit_code == 0, again.output
    assert f"1 inputs, 1 records, 0 rejects, 0 duplicates, {len(pages)} skipped as done" in (
        again.stderr
    )
    assert _manifest_names(tmp_path)[len(pages):] == ["extra.txt"]


def test_a_file_the_output_directory_run_writes_is_refused_as_an_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke([str(EXAMPLES), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    manifest = (out / "manifest.jsonl").read_bytes()
    for name in ("part-00000.jsonl.gz", "manifest.jsonl", "run.json", "rejects.jsonl"):
        result = invoke([str(out / name), "--output-dir", str(out), "--resume", "-j", "1"])
        assert result.exit_code == 2, result.output
        assert f"{out / name} is both an input and this run's output" in result.stderr
    assert (out / "manifest.jsonl").read_bytes() == manifest
    # Another directory's shard is an input like any other JSON Lines file.
    other = invoke([str(out / "part-00000.jsonl.gz"), "--output-dir", str(tmp_path / "b")])
    assert other.exit_code == 0, other.output


def test_missing_file_is_a_reject_naming_it() -> None:
    result = invoke(["no/such/file.txt", "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "rejected no/such/file.txt: unreadable" in result.stderr


def test_explain_command() -> None:
    if importlib.util.find_spec("cleaner.explain") is None:
        pytest.skip("cleaner.explain is not there yet")
    page = EXAMPLES / "000_9910ba9fc400b7a4.txt"
    result = CliRunner().invoke(explain_app, [str(page)])
    assert result.exit_code == 0, result.output
    assert "Skip to content" in result.stdout
    assert "skip_links" in result.stdout
    assert CliRunner().invoke(explain_app, ["--help"]).exit_code == 0
    missing = CliRunner().invoke(explain_app, ["nope.txt"])
    assert missing.exit_code == 1, missing.output
    assert "nope.txt" in missing.stderr


def test_explain_names_only_the_forms_it_explains() -> None:
    # QA: `explain --format foo` listed jsonl among the choices, which explain refuses.
    page = EXAMPLES / "000_9910ba9fc400b7a4.txt"
    result = CliRunner().invoke(explain_app, [str(page), "--format", "foo"])
    assert result.exit_code == 2, result.output
    assert "explain takes one of auto, text, markdown, html." in result.stderr
    refused = CliRunner().invoke(explain_app, [str(page), "--format", "jsonl"])
    assert refused.exit_code == 2, refused.output
    assert "one page per record" in refused.stderr


def test_explain_on_json_lines_is_a_usage_error_not_a_traceback() -> None:
    records = ROOT / "fixtures" / "records" / "de-rss-2026.jsonl"
    result = CliRunner().invoke(explain_app, [str(records)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("dw-clean: usage error: explain works on one page")


def test_explain_takes_a_record_by_the_source_a_run_gives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A record's `source` ("pages.jsonl#3") pasted after `explain` shows that
    # record line by line; before, JSON records could only be explained
    # through `jq -r .text`, which lost the record's title and its form.
    monkeypatch.chdir(ROOT)
    path = "fixtures/records/de-scraper-2022.jsonl"
    ran = invoke([path, "-q"])
    by_source = {record["source"]: record for record in records(ran.stdout)}
    source = f"{path}#5"
    shown = CliRunner().invoke(explain_app, [source])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith(f"# {source}\n")
    removed = by_source[source]["removed"]
    assert isinstance(removed, dict)
    assert shown.stdout.count("  DROP  ") == sum(removed.values()) > 0
    # Errors name the record, and exit 1 as for an unreadable page.
    missing = CliRunner().invoke(explain_app, [f"{path}#99"])
    assert missing.exit_code == 1
    assert f"cannot explain {path}#99: {path} has no record #99" in missing.stderr
    assert CliRunner().invoke(explain_app, [source, "--format", "text"]).exit_code == 2
    assert CliRunner().invoke(explain_app, [source, "--text-field", ""]).exit_code == 2
    no_text = CliRunner().invoke(explain_app, [source, "--text-field", "body"])
    assert no_text.exit_code == 1
    assert f"cannot explain {source}: no_text (no field 'body'" in no_text.stderr
    # A file whose own name ends in "#N" is that file, a page.
    odd = tmp_path / "page.txt#2"
    shutil.copy(EXAMPLES / "000_9910ba9fc400b7a4.txt", odd)
    assert CliRunner().invoke(explain_app, [str(odd)]).stdout.startswith(f"# {odd}\n")


def test_explain_of_a_record_reads_the_file_as_a_run_does(tmp_path: Path) -> None:
    # QA: a .jsonl.gz cut short gives a run its complete lines, but explain
    # refused every record of it; "#0" and a page named as a record gave
    # errors that led nowhere.
    lines = (ROOT / "fixtures" / "records" / "de-rss-2026.jsonl").read_bytes()
    packed = gzip.compress(lines)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    ran = invoke([str(cut), "-q"])
    kept = [record["source"] for record in records(ran.stdout)]
    assert kept and all(isinstance(source, str) for source in kept)
    first = CliRunner().invoke(explain_app, [str(kept[0])])
    assert first.exit_code == 0, first.output
    lost = f"{cut}#{len(kept) + 1}"
    gone = CliRunner().invoke(explain_app, [lost])
    assert gone.exit_code == 1
    assert f"cannot explain {lost}: unreadable (the gzip data ends early" in gone.stderr
    zero = CliRunner().invoke(explain_app, [f"{cut}#0"])
    assert zero.exit_code == 2 and "from 1 and without leading zeros" in zero.stderr
    page = tmp_path / "page.txt"
    shutil.copy(EXAMPLES / "000_9910ba9fc400b7a4.txt", page)
    named = CliRunner().invoke(explain_app, [f"{page}#2"])
    assert named.exit_code == 1
    assert f"holds no JSON records but a text page: `dw-clean explain {page}`" in named.stderr


def test_explain_of_a_line_that_is_no_object_says_what_the_run_says(tmp_path: Path) -> None:
    # QA: the run's reject said "a JSON array, not an object", explain "a JSON value".
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"text": "a"}\n[1, 2]\n"text"\nnull\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    invoke([str(mixed), "-q", "--rejects", str(rejects)])
    said = {reject["source"]: reject["detail"]
            for reject in records(rejects.read_text(encoding="utf-8"))}
    assert said == {f"{mixed}#2": "a JSON array, not an object",
                    f"{mixed}#3": "a JSON string, not an object",
                    f"{mixed}#4": "JSON null, not an object"}
    for source, detail in said.items():
        explained = CliRunner().invoke(explain_app, [str(source)])
        assert explained.exit_code == 1
        assert explained.stderr == f"dw-clean: cannot explain {source}: json ({detail})\n"


def test_json_exports_give_records_and_broken_ones_a_reject(tmp_path: Path) -> None:
    lines = (ROOT / "fixtures" / "records" / "de-rss-2026.jsonl").read_text(encoding="utf-8")
    records_in = [json.loads(line) for line in lines.splitlines()]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(records_in[:2], ensure_ascii=False, indent=2), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(records_in[:2], indent=2)[:-40], encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    result = invoke([str(export), str(broken), "-j", "1", "--rejects", str(rejects)])
    assert result.exit_code == 1, result.output
    docs = records(result.stdout)
    assert [d["source"] for d in docs] == [f"{export}#1", f"{export}#2"]
    assert all(d["format"] == "jsonl" and d["url"] for d in docs)
    (reject,) = records(rejects.read_text(encoding="utf-8"))
    assert (reject["source"], reject["reason"]) == (str(broken), "json")
    assert "2 inputs (3 records read), 2 records, 1 reject" in result.stderr


# --- the installed entry points, as subprocesses ---------------------------------


def run_cli(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([PYTHON, "-m", "cleaner", *args], capture_output=True, check=False,
                          cwd=ROOT, timeout=120, **kwargs)  # type: ignore[call-overload]


def test_the_summary_adds_up_for_json_lines_with_bad_lines(tmp_path: Path) -> None:
    # QA: 7 lines, 6 of them bad, were "1 inputs, 1 records, 6 rejects", and
    # with -q "6 of 1 inputs rejected".
    page = (EXAMPLES / "001_26d23cd7d08ed03d.txt").read_text(encoding="utf-8")
    dump = tmp_path / "recs.jsonl"
    dump.write_text(json.dumps({"text": page}) + "\n" + "not json\n" * 6, encoding="utf-8")
    result = invoke([str(dump), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "dw-clean: 1 inputs (7 records read), 1 records, 6 rejects (json 6), " \
        "0 duplicates;" in result.stderr
    quiet = invoke([str(dump), "-j", "1", "-q"])
    assert quiet.stderr.startswith("dw-clean: 6 of 7 records read from 1 inputs rejected "
                                   "(json 6); exit 1"), quiet.stderr


def test_python_m_cleaner_and_explain_dispatch() -> None:
    result = run_cli(["--version"])
    assert result.returncode == 0, result.stderr
    # (Run from the repository root: the build is whichever `cleaner` that finds.)
    assert result.stdout.decode().startswith(f"dw-clean {__version__} (")
    result = run_cli(["explain", "--help"])
    assert result.returncode == 0, result.stderr
    assert b"FILE" in result.stdout


# Runs dw-clean the way a launcher does, with a Ctrl-C arriving while MODULE
# is imported (for the console script, as declared in pyproject.toml).
INTERRUPTED_IMPORT = """
import importlib, runpy, sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
if LAUNCHER == "-m":
    runpy.run_module("cleaner", run_name="__main__", alter_sys=True)
else:
    module, _, function = LAUNCHER.partition(":")
    sys.exit(getattr(importlib.import_module(module), function)())
"""


@pytest.mark.parametrize("module", ["typer", "cleaner.batch"])
@pytest.mark.parametrize("launcher", ["console script", "-m"])
def test_ctrl_c_while_starting_ends_quietly_with_130(module: str, launcher: str) -> None:
    if launcher == "console script":
        with (ROOT / "pyproject.toml").open("rb") as handle:
            launcher = tomllib.load(handle)["project"]["scripts"]["dw-clean"]
    code = f"MODULE = {module!r}\nLAUNCHER = {launcher!r}\n{INTERRUPTED_IMPORT}"
    result = subprocess.run([PYTHON, "-c", code, str(EXAMPLES), "-j", "1"], capture_output=True,
                            check=False, cwd=ROOT, timeout=120)
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert result.stderr.startswith(b"dw-clean: stopped by SIGINT "), result.stderr
    assert b"Traceback" not in result.stderr
    assert result.stdout == b""


# Installed as the sitecustomize of a `python -m cleaner` process: a real
# SIGINT arrives as MODULE is first looked for, handled (as Python handles
# signals) inside a `__del__` method, which drops the KeyboardInterrupt after
# printing "Exception ignored" (QA saw regex's parser objects and an import
# lock's weakref callback do so at start-up), or inside an exec() of a string,
# as the code dataclasses and typing generate runs.
SIGINT_AT_IMPORT = """
import os, signal, sys
MODULE, WHERE = os.environ["SIGINT_AT_IMPORT"].split(":")
class Dropped:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            sys.meta_path.remove(self)
            if WHERE == "__del__":
                Dropped()
            else:
                exec("signal.raise_signal(signal.SIGINT)")
sys.meta_path.insert(0, Interrupt())
"""


def _run_with_sigint_at_import(
    tmp_path: Path, module: str, where: str, args: list[str]
) -> subprocess.CompletedProcess[bytes]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SIGINT_AT_IMPORT)
    env = dict(os.environ, SIGINT_AT_IMPORT=f"{module}:{where}",
               PYTHONPATH=os.pathsep.join([str(site), *filter(None, [os.environ.get(
                   "PYTHONPATH")])]))
    return subprocess.run([PYTHON, "-m", "cleaner", *args], capture_output=True, check=False,
                          cwd=ROOT, env=env, timeout=120)


@pytest.mark.parametrize("module", ["typer", "cleaner.batch", "cleaner.formats"])
def test_ctrl_c_whose_keyboard_interrupt_is_lost_still_stops_the_run(
    tmp_path: Path, module: str
) -> None:
    # QA: a Ctrl-C early in a run was lost in a few runs of a hundred, which
    # went on to the end (exit 1, as some inputs are bad, and all the output).
    out = tmp_path / "out"
    result = _run_with_sigint_at_import(tmp_path, module, "__del__",
                                        [str(EXAMPLES), "--output-dir", str(out), "-j", "1"])
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    # The usual messages, without CPython's "Exception ignored" and traceback.
    assert result.stderr.startswith(b"dw-clean: 0 inputs, 0 records"), result.stderr
    assert result.stderr.endswith(b"\ndw-clean: interrupted by SIGINT: stopped (0 inputs done "
                                  b"this run); rerun the same command with --resume to "
                                  b"continue.\n"), result.stderr
    assert result.stderr.count(b"\n") == 2, result.stderr
    # A run directory --resume takes up, and finishes as the run would have.
    resumed = subprocess.run([PYTHON, "-m", "cleaner", str(EXAMPLES), "--output-dir", str(out),
                              "-j", "1", "--resume", "-q"],
                             capture_output=True, check=False, cwd=ROOT, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run([PYTHON, "-m", "cleaner", str(EXAMPLES), "-j", "1", "-q"],
                           capture_output=True, check=True, cwd=ROOT, timeout=120)
    records = b"".join(gzip.decompress(shard.read_bytes())
                       for shard in sorted(out.glob("part-*.jsonl.gz")))
    assert records == whole.stdout


def test_ctrl_c_lost_where_no_run_follows_still_exits_130(tmp_path: Path) -> None:
    # `--version` runs nothing that could take the lost Ctrl-C up.
    result = _run_with_sigint_at_import(tmp_path, "typer", "__del__", ["--version"])
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert result.stderr.endswith(
        b"dw-clean: stopped by SIGINT before the run began; nothing was written.\n")


@pytest.mark.parametrize("module", ["typer", "cleaner.batch"])
def test_ctrl_c_inside_generated_code_exits_130_not_by_the_signal(
    tmp_path: Path, module: str
) -> None:
    # `python -m cleaner` said it stopped, then died of SIGINT (-2 to a
    # caller) instead of exiting 130: CPython remembers a KeyboardInterrupt
    # that left an exec() of a string, caught or not.
    result = _run_with_sigint_at_import(tmp_path, module, "exec", [str(EXAMPLES), "-j", "1"])
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert b"dw-clean: stopped by SIGINT " in result.stderr
    assert b"Traceback" not in result.stderr
    assert result.stdout == b""


def test_ctrl_c_while_typer_makes_the_command_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Typer reads the command's signature before click (or the command) can
    # catch a KeyboardInterrupt: a Ctrl-C then ended in a traceback.
    from cleaner import cli, interrupts  # noqa: PLC0415

    def interrupted(**_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "clean_app", interrupted)
    monkeypatch.setattr(interrupts._Noted, "run_began", False)
    with pytest.raises(SystemExit) as stopped:
        cli.main([str(EXAMPLES)])
    assert stopped.value.code == 128 + signal.SIGINT
    assert capsys.readouterr().err == (
        "dw-clean: stopped by SIGINT before the run began; nothing was written.\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_full_disk_is_a_clear_error() -> None:
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run([PYTHON, "-m", "cleaner", str(EXAMPLES), "-j", "1"],
                                stdout=full, stderr=subprocess.PIPE, check=False, timeout=120)
    assert result.returncode == 1, result.stderr
    assert b"disk is full" in result.stderr
    assert b"Traceback" not in result.stderr
    # How far it got, after the error (none written: the first record failed).
    assert b"\ndw-clean: 0 inputs, 0 records" in result.stderr
    assert b"dw-clean: stopped by the error above (0 inputs done this run)" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("unbuffered", ["1", ""])
@pytest.mark.parametrize("command", [["explain"], ["-q"]])
def test_standard_output_on_a_full_disk_is_one_clear_error(
    command: list[str], unbuffered: str
) -> None:
    # QA: explain gave a traceback; with a buffered standard output both
    # commands then exited 120 with "Exception ignored" when Python flushed
    # it at exit.
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run(
            [PYTHON, "-m", "cleaner", *command, str(EXAMPLES / "000_9910ba9fc400b7a4.txt")],
            stdout=full, stderr=subprocess.PIPE, check=False, timeout=120, env=env)
    assert result.returncode == 1, result.stderr
    first, *rest = result.stderr.decode().splitlines()
    assert first.startswith("dw-clean: error: Cannot write standard output: "), first
    assert "disk is full" in first
    assert all(line.startswith("dw-clean: stopped by the error above") for line in rest), rest


def test_explain_to_a_reader_that_goes_away_exits_141_also_unbuffered(tmp_path: Path) -> None:
    # QA: with PYTHONUNBUFFERED=1, explain's one write() to the pipe was cut
    # short when `head -1` went away, taken as complete, and the exit was 0.
    page = tmp_path / "long.txt"
    page.write_bytes((EXAMPLES / "en-old-2020-colonial.txt").read_bytes() * 10)
    process = subprocess.Popen(
        [PYTHON, "-m", "cleaner", "explain", str(page)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout and process.stderr
    process.stdout.readline()  # far less than explain writes in one go: it is writing
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert (process.wait(timeout=120), stderr) == (128 + signal.SIGPIPE, b"")


# dw-clean on a disk that fills up when the shard named FULL_AT is written.
FULL_DISK_MAIN = """
import errno, os, sys
from cleaner import outputs
real_write = outputs.AtomicFile.write
def write(self, data):
    if self.path.endswith(os.environ["FULL_AT"]):
        full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise outputs.write_error(full, self.path)
    real_write(self, data)
outputs.AtomicFile.write = write
from cleaner.cli import main
main(sys.argv[1:])
"""


def test_a_run_stopped_by_a_full_disk_says_how_far_it_got_and_resume_completes(
    tmp_path: Path,
) -> None:
    # QA: after a fatal error stderr said nothing of the inputs already done,
    # nor that --resume can continue.
    pages, whole, parts = tmp_path / "pages", tmp_path / "whole", tmp_path / "parts"
    make_pages(pages, 10)
    common = [str(pages), "--shard-size", "2", "-j", "1"]
    assert invoke([*common, "--output-dir", str(whole)]).exit_code == 0
    failed = subprocess.run(
        [PYTHON, "-c", FULL_DISK_MAIN, *common, "--output-dir", str(parts)],
        capture_output=True, check=False, timeout=120,
        env={**os.environ, "FULL_AT": "part-00002.jsonl.gz"},
    )
    assert failed.returncode == 1, failed.stderr
    stderr = failed.stderr.decode()
    lines = stderr.splitlines()
    assert lines[0].startswith("dw-clean: error: Cannot write "), stderr
    assert "disk is full" in lines[0]
    # The fifth page's record was being written when the disk filled.
    assert lines[1].startswith("dw-clean: 4 inputs, 4 records, 0 rejects"), stderr
    assert lines[2] == (f"dw-clean: stopped by the error above (4 inputs done this run after "
                        f"{pages / 'p003.txt'}); {parts} holds the 4 inputs its manifest "
                        "lists; deal with the error, then rerun the same command with "
                        "--resume to continue.")
    resumed = invoke([*common, "--output-dir", str(parts), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert "4 skipped as done" in resumed.stderr
    assert _directory_bytes(parts) == _directory_bytes(whole)


def test_a_run_to_a_file_stopped_by_a_full_disk_says_the_file_was_left_alone(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.jsonl"
    failed = subprocess.run(
        [PYTHON, "-c", FULL_DISK_MAIN, str(EXAMPLES), "-j", "1", "-q", "-o", str(out)],
        capture_output=True, check=False, timeout=120, env={**os.environ, "FULL_AT": "out.jsonl"},
    )
    assert failed.returncode == 1, failed.stderr
    lines = failed.stderr.decode().splitlines()
    assert len(lines) == 2, lines  # -q: the error and how far it got, no summary
    assert lines[1] == (f"dw-clean: stopped by the error above (0 inputs done this run); "
                        f"{out} was left as it was (it is written only when complete); "
                        "deal with the error, then rerun.")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rejects_to", ["file", "full stdout"])
def test_a_run_whose_rejects_cannot_be_written_leaves_the_output_file_as_it_was(
    tmp_path: Path, rejects_to: str
) -> None:
    # QA: the -o file was committed before the rejects were written, and a
    # failure to write them then said, falsely, that it was left as it was.
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    out.write_bytes(b'{"old": true}\n')
    args = [str(EXAMPLES), str(BAD / "empty.txt"), "-j", "1", "-q", "-o", str(out)]
    if rejects_to == "file":
        failed = subprocess.run(
            [PYTHON, "-c", FULL_DISK_MAIN, *args, "--rejects", str(rejects)],
            capture_output=True, check=False, timeout=120,
            env={**os.environ, "FULL_AT": "rejects.jsonl"},
        )
    elif not Path("/dev/full").exists():
        pytest.skip("needs Linux's /dev/full")
    else:
        with Path("/dev/full").open("wb") as full:
            failed = subprocess.run([PYTHON, "-m", "cleaner", *args, "--rejects", "-"],
                                    stdout=full, stderr=subprocess.PIPE, check=False,
                                    timeout=120)
    assert failed.returncode == 1, failed.stderr
    assert b"disk is full" in failed.stderr
    assert f"{out} was left as it was".encode() in failed.stderr
    assert out.read_bytes() == b'{"old": true}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.jsonl"]


@pytest.mark.parametrize("args", [
    [str(DUMPS), "--jobs", "1"],
    [str(DUMPS), "--jobs", "2"],  # more inputs than a run cleans in one process
    ["-"],
    ["explain", str(EXAMPLES / "000_9910ba9fc400b7a4.txt")],
])
def test_a_closed_stdout_stops_the_run_quietly_with_the_sigpipe_status(args: list[str]) -> None:
    # `dw-clean ... | head -1`, with the reader gone before the first record
    # is written: no traceback, no message, and 128 + SIGPIPE as the status.
    reads_stdin = args == ["-"]
    process = subprocess.Popen([PYTHON, "-m", "cleaner", *args],
                               stdin=subprocess.PIPE if reads_stdin else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout and process.stderr
    process.stdout.close()
    if process.stdin:  # dw-clean waits for the page until here: the reader is gone first
        process.stdin.write((EXAMPLES / "000_9910ba9fc400b7a4.txt").read_bytes())
        process.stdin.close()
    stderr = process.stderr.read()
    process.stderr.close()
    process.wait(timeout=120)
    assert (process.returncode, stderr) == (128 + signal.SIGPIPE, b"")


def _run_with_stderr(
    how: str, args: list[str], module: tuple[str, ...] = ("-m", "cleaner")
) -> tuple[int, bytes]:
    """Exit status and standard output of `dw-clean ARGS` with standard error
    closed by the shell (`2>&-`) or read by nobody (`2>&1 >out | head -c0`)."""
    command = [PYTHON, *module, *args]
    if how == "closed":
        done = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", *command], check=False,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, cwd=ROOT,
                              timeout=120)
        return done.returncode, done.stdout
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout and process.stderr
    process.stderr.close()  # gone before dw-clean writes its first message
    stdout = process.stdout.read()
    process.stdout.close()
    return process.wait(timeout=120), stdout


@pytest.mark.parametrize("how", ["closed", "reader gone"])
@pytest.mark.parametrize("target", ["stdout", "-o"])
def test_without_standard_error_the_run_still_gives_its_output_and_its_status(
    tmp_path: Path, how: str, target: str
) -> None:
    # stderr is for people: when nobody can read it, the messages are lost,
    # not the run (no traceback, no 141 for the wrong stream, no discarded -o
    # file), and the status says what it says with stderr open.
    out = tmp_path / "out.jsonl"
    if target == "stdout":  # all is well: only the summary is lost
        args, code = [str(DUMPS), "--jobs", "1"], 0
    else:  # a reject line is lost too; worker processes clean the pages
        args, code = [str(DUMPS), str(tmp_path / "missing.txt"), "--jobs", "2",
                      "-o", str(out)], 1
    reference = run_cli(args)
    assert reference.returncode == code, reference.stderr
    expected = out.read_bytes() if target == "-o" else reference.stdout
    assert len(records(expected.decode())) == len(list(DUMPS.glob("*.txt")))
    out.unlink(missing_ok=True)

    status, stdout = _run_with_stderr(how, args)

    assert status == code
    assert (out.read_bytes() if target == "-o" else stdout) == expected
    if target == "-o":
        assert stdout == b""


@pytest.mark.parametrize("how", ["closed", "reader gone"])
@pytest.mark.parametrize(("args", "code"), [
    (["--no-such-option", str(EXAMPLES)], 2),  # click's own usage errors
    (["--jobs", "0", str(EXAMPLES)], 2),
    (["explain"], 2),
    (["--resume", str(EXAMPLES)], 2),  # dw-clean's
    (["explain", str(EXAMPLES / "missing.txt")], 1),
])
def test_without_standard_error_an_error_keeps_its_status(
    how: str, args: list[str], code: int
) -> None:
    assert run_cli(args).returncode == code
    assert _run_with_stderr(how, args) == (code, b"")


@pytest.mark.parametrize("how", ["closed", "reader gone"])
def test_without_standard_error_ctrl_c_while_starting_ends_with_130(how: str) -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        launcher = tomllib.load(handle)["project"]["scripts"]["dw-clean"]
    code = f"MODULE = 'typer'\nLAUNCHER = {launcher!r}\n{INTERRUPTED_IMPORT}"
    assert _run_with_stderr(how, ["-c", code, str(EXAMPLES)], module=()) == (
        128 + signal.SIGINT, b"")


@pytest.mark.parametrize(("redirect", "args", "says"), [
    (">&-", [str(EXAMPLES)], b"Standard output is closed, and records go there"),
    (">&-", ["explain", str(EXAMPLES / "000_9910ba9fc400b7a4.txt")],
     b"Standard output is closed; the explanation goes there"),
    ("<&-", ["-"], b"Standard input is closed"),
    ("<&-", ["--files-from", "-"], b"Standard input is closed"),
    ("<&-", ["explain", "-"], b"Standard input is closed"),
])
def test_a_closed_stream_the_run_needs_is_a_usage_error(
    redirect: str, args: list[str], says: bytes
) -> None:
    command = ["sh", "-c", f'exec "$@" {redirect}', "sh", PYTHON, "-m", "cleaner", *args]
    done = subprocess.run(command, capture_output=True, check=False, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(b"dw-clean: usage error: " + says), done.stderr


def test_rejects_to_a_closed_standard_output_is_a_usage_error(tmp_path: Path) -> None:
    # QA: an AttributeError traceback from where the rejects were written.
    out = tmp_path / "out.jsonl"
    command = ["sh", "-c", 'exec "$@" >&-', "sh", PYTHON, "-m", "cleaner", str(BAD),
               "--glob", "*", "-o", str(out), "--rejects", "-"]
    done = subprocess.run(command, capture_output=True, check=False, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(b"dw-clean: usage error: Standard output is closed, and "
                                  b"--rejects - writes the rejects there"), done.stderr
    assert list(tmp_path.iterdir()) == []


# A dw-clean whose cleaning takes a while, so a signal can arrive mid-run.
SLOW_MAIN = """
import os, sys, time
import cleaner.core
real = cleaner.core.clean
# How long a page takes, and a file made when the cleaning of one begins.
seconds = float(os.environ.get("SLOW_PAGE_SECONDS", "0.05"))
mark = os.environ.get("SLOW_PAGE_MARK")
def slow(text, **kwargs):
    if mark:
        open(mark, "w").close()
    time.sleep(seconds)
    return real(text, **kwargs)
cleaner.core.clean = slow
from cleaner.cli import main
main(sys.argv[1:])
"""


def make_pages(directory: Path, count: int) -> None:
    directory.mkdir()
    text = (EXAMPLES / "001_26d23cd7d08ed03d.txt").read_text()
    for i in range(count):
        (directory / f"p{i:03d}.txt").write_text(text.replace("Lavrov", f"Lavrov {i}"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_run_then_resume(tmp_path: Path, sig: signal.Signals) -> None:
    common, whole, parts, process = _interrupted_run(tmp_path, jobs=1)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + sig, stderr
    assert f"interrupted by {sig.name}".encode() in stderr
    assert b"--resume" in stderr
    for shard in parts.glob("part-*.jsonl.gz"):  # complete gzip streams, whole JSON lines
        records(gzip.decompress(shard.read_bytes()).decode())
    assert not list(parts.glob(".*tmp*"))
    manifest = records((parts / "manifest.jsonl").read_text())
    assert 0 < len(manifest) < 40
    resumed_stderr = _resume_and_compare(common, parts, whole)
    assert f"{len(manifest)} skipped as done".encode() in resumed_stderr


def _interrupted_run(
    tmp_path: Path, *, jobs: int, options: tuple[str, ...] = ("--shard-size", "7"),
) -> tuple[list[str], Path, Path, subprocess.Popen[bytes]]:
    """An uninterrupted run of 40 slow pages into `whole`, and the same run
    into `parts` started and under way, ready for a signal."""
    pages = tmp_path / "pages"
    make_pages(pages, 40)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    common = [str(pages), *options, "-j", str(jobs)]
    _slow_run_whole(common, whole)
    return common, whole, parts, _start_when_under_way(common, parts)


def _resume_and_compare(common: list[str], parts: Path, whole: Path) -> bytes:
    """Resume the run in `parts`; its files must equal the uninterrupted run's."""
    resumed = subprocess.run(
        [PYTHON, "-c", SLOW_MAIN, *common, "--output-dir", str(parts), "--resume"],
        capture_output=True, check=False, timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    names = sorted(p.name for p in whole.iterdir())
    assert sorted(p.name for p in parts.iterdir()) == names
    for name in names:
        assert (parts / name).read_bytes() == (whole / name).read_bytes(), name
    return resumed.stderr


def _slow_run_whole(args: list[str], whole: Path) -> None:
    """The uninterrupted run an interrupted one is compared with."""
    done = subprocess.run([PYTHON, "-c", SLOW_MAIN, *args, "--output-dir", str(whole)],
                          capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr


def _start_when_under_way(args: list[str], parts: Path) -> subprocess.Popen[bytes]:
    """A slow run in its own process group, once it has committed a first shard."""
    process = subprocess.Popen([PYTHON, "-c", SLOW_MAIN, *args, "--output-dir", str(parts)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while not (parts / "manifest.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return process


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_an_interrupted_run_leaves_its_output_file_as_it_was(tmp_path: Path, name: str) -> None:
    # QA: SIGTERM mid-run renamed the records written so far into -o FILE,
    # replacing the complete output of an earlier run with part of one; an
    # -o file is the whole run's or left as it was, and so are its rejects.
    pages = tmp_path / "pages"
    make_pages(pages, 40)
    (pages / "empty.txt").write_text("")
    out, rejects, mark = tmp_path / name, tmp_path / "rejects.jsonl", tmp_path / "started"
    out.write_bytes(b'{"earlier": "run"}\n')
    rejects.write_bytes(b'{"earlier": "rejects"}\n')
    process = subprocess.Popen(
        [PYTHON, "-c", SLOW_MAIN, str(pages), "-j", "1", "-o", str(out), "--rejects", str(rejects)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "SLOW_PAGE_MARK": str(mark)},
    )
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # a few pages cleaned
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert f"{out} was left as it was".encode() in stderr, stderr
    assert out.read_bytes() == b'{"earlier": "run"}\n'
    assert rejects.read_bytes() == b'{"earlier": "rejects"}\n'
    assert not list(tmp_path.glob(".*tmp*"))


def test_resume_with_a_bare_command_line_goes_on_with_the_options_the_run_began_with(
    tmp_path: Path,
) -> None:
    # QA: `--resume` without the --shard-size and --glob the run was started
    # with was refused, the left-out options taking their defaults.
    started_with = ("--shard-size", "7", "--glob", "p0[0-2]*.txt")  # 30 of the 40 pages
    _, whole, parts, process = _interrupted_run(tmp_path, jobs=1, options=started_with)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert 0 < len(records((parts / "manifest.jsonl").read_text())) < 30
    bare = [str(tmp_path / "pages"), "-j", "1"]

    # A value given must still be the run's: refused, and the note not said.
    other = invoke([*bare, "--shard-size", "8", "--output-dir", str(parts), "--resume"])
    assert other.exit_code == 2, other.output
    assert other.stderr == (f"dw-clean: usage error: --resume with --shard-size 8, but the run "
                            f"in {parts} was started with --shard-size 7: resume with the same "
                            "options, or start again in another directory.\n")

    resumed_stderr = _resume_and_compare([*bare, "-q"], parts, whole)
    assert resumed_stderr.decode() == (
        f"dw-clean: resuming with the options the run in {parts} was started with "
        "(run.json): --glob p0[0-2]*.txt --shard-size 7\n")


def test_sigterm_to_the_process_group_spares_the_workers_and_resume_completes(
    tmp_path: Path,
) -> None:
    # `timeout` and `kill -- -PGID` signal the workers too; they must leave
    # stopping to the parent, or their inputs end up as error rejects.
    common, whole, parts, process = _interrupted_run(tmp_path, jobs=2)
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert b"rejected" not in stderr
    assert (parts / "rejects.jsonl").read_text() == ""
    _resume_and_compare(common, parts, whole)


@pytest.mark.parametrize(("first", "said"), [
    (signal.SIGTERM, b"stopped at once by a second SIGTERM;"),
    # QA: a SIGTERM after a Ctrl-C was "a second SIGTERM".
    (signal.SIGINT, b"stopped at once by a SIGTERM after a SIGINT;"),
])
def test_a_second_signal_stops_at_once_with_its_exit_code(
    tmp_path: Path, first: signal.Signals, said: bytes
) -> None:
    pages = tmp_path / "pages"
    make_pages(pages, 40)
    parts = tmp_path / "parts"
    # Both signals while a page is in hand: the first lets it finish, the second
    # must not. (Between two pages the first signal alone ends the run at once.)
    mark = tmp_path / "cleaning"
    process = subprocess.Popen(
        [PYTHON, "-c", SLOW_MAIN, str(pages), "-j", "1", "--output-dir", str(parts)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "SLOW_PAGE_SECONDS": "30", "SLOW_PAGE_MARK": str(mark)},
    )
    while not mark.exists() and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(first)
    time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert said in stderr
    assert not list(parts.glob(".*tmp*"))


@pytest.mark.parametrize("first", [signal.SIGINT, signal.SIGTERM])
def test_a_first_signal_stops_a_run_that_waits_on_a_named_pipe(
    tmp_path: Path, first: signal.Signals
) -> None:
    # QA: `dw-clean page.txt <(slow) other.txt` did nothing at a first Ctrl-C
    # until the pipe ended; a second one stopped it, throwing its output away.
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    pages = sorted(EXAMPLES.glob("*.txt"))[:2]
    process = subprocess.Popen(
        [PYTHON, "-m", "cleaner", str(pages[0]), str(pipe), str(pages[1]), "-j", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    # Opening the pipe to write returns once the run opened it to read; it
    # then waits for lines that do not come, nor does the pipe's end.
    with pipe.open("wb"):
        process.send_signal(first)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + first, stderr
    assert b"second" not in stderr
    # What was done before is kept; the pipe and what follows it are left to --resume.
    assert [record["source"] for record in records(stdout.decode())] == [str(pages[0])]


def _children(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _has_exited(pid: int) -> bool:
    """Whether process `pid` is gone or a zombie (exited, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_of_a_run_killed_with_sigkill_exit_and_release_its_output(
    tmp_path: Path,
) -> None:
    # SIGKILL (the out-of-memory killer, `kill -9`) gives the parent no time
    # to stop its workers. They used to block for ever sending results that
    # nobody read, each holding the pipe open for the others, with the run's
    # standard output: the reader of `dw-clean dir/ | gzip` never saw its end.
    pages = tmp_path / "pages"
    pages.mkdir()
    # Large records: a chunk of them is more than a pipe holds.
    text = (DUMPS / "en-old-2020-colonial.html2text.txt").read_text(encoding="utf-8")
    for i in range(80):
        (pages / f"p{i:03d}.txt").write_text(text.replace("colonial", f"colonial {i}"),
                                             encoding="utf-8")
    process = subprocess.Popen(
        [PYTHON, "-m", "cleaner", str(pages), "-q", "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline()  # under way: both workers have inputs in hand
        workers = _children(process.pid)
        assert len(workers) == 2
        process.kill()
        process.wait(timeout=60)
        deadline = time.monotonic() + 60
        while not all(_has_exited(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_has_exited(pid) for pid in workers), "orphaned workers still running"
        process.stdout.read()  # ends: no process holds standard output any more
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


# The number of read(2) on the machines this runs on, as /proc/PID/syscall shows it.
READ_SYSCALL = {"x86_64": "0", "aarch64": "63"}.get(os.uname().machine)


def _wait_until_reading_stdin(process: subprocess.Popen[bytes]) -> None:
    """Return once `process` is blocked reading its standard input."""
    while process.poll() is None:
        with contextlib.suppress(OSError):
            call = Path(f"/proc/{process.pid}/syscall").read_text().split()
            if call[:2] == [READ_SYSCALL, "0x0"]:
                return
        time.sleep(0.02)


@pytest.mark.skipif(READ_SYSCALL is None or not Path("/proc/self/syscall").exists(),
                    reason="needs Linux's /proc/PID/syscall on x86_64 or aarch64")
@pytest.mark.parametrize("args", [["-"], ["-", "--jobs", "2"], ["--files-from", "-"]])
def test_ctrl_c_while_standard_input_stays_open_stops_at_once(args: list[str]) -> None:
    # `dw-clean -` at a terminal, or fed by a pipe that never ends: the
    # signal must not wait for an end of input that may never come.
    process = subprocess.Popen([PYTHON, "-m", "cleaner", *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        _wait_until_reading_stdin(process)
        process.send_signal(signal.SIGINT)
        # Standard input stays open: only the signal can end the run.
        code = process.wait(timeout=60)
    finally:
        process.kill()
        stdout, stderr = process.communicate()
    assert code == 128 + signal.SIGINT, stderr
    assert b"interrupted by SIGINT: stopped (0 inputs done this run)" in stderr
    assert b"Traceback" not in stderr
    assert stdout == b""


def _run_with_terminal_stderr(args: list[str], *, sized: bool = True) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; its exit code and what stderr showed.

    `sized=False` leaves the terminal 0 x 0, as a new one is."""
    import fcntl  # noqa: PLC0415
    import pty  # noqa: PLC0415
    import struct  # noqa: PLC0415
    import termios  # noqa: PLC0415

    main_end, terminal = pty.openpty()
    if sized:  # as a real one is
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen([PYTHON, "-m", "cleaner", *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main_end, 4096)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_end)
    return process.wait(timeout=60), shown.decode("utf-8", errors="replace")


@pytest.mark.parametrize(("jobs", "sized"), [("1", True), ("2", True), ("1", False)])
def test_a_terminal_gets_a_progress_bar_then_the_summary(
    tmp_path: Path, jobs: str, sized: bool,
) -> None:
    # sized=False: a terminal that reports no size (0 x 0) got no bar at all.
    pages = [str(path) for path in sorted(DUMPS.glob("*.txt"))[:12]]
    out = tmp_path / "out.jsonl"
    code, shown = _run_with_terminal_stderr([*pages, "--jobs", jobs, "-o", str(out)],
                                            sized=sized)
    assert code == 0, shown
    # tqdm's bar (drawn at the start, redrawn every 0.1 s: a run this short
    # may end before the first redraw), then cleared for the summary.
    assert re.search(r"\r\d+doc \[\d\d:\d\d", shown), shown
    assert "12 inputs, 12 records, 0 rejects" in shown
    assert len(out.read_text(encoding="utf-8").splitlines()) == 12


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reject_line_starts_a_line_of_its_own_under_the_progress_bar(
    tmp_path: Path, jobs: str,
) -> None:
    # QA: a reject line was written after the bar's text on the same line
    # ("0doc [00:00, ?doc/s]dw-clean: rejected ..."), not in its place.
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    pages = [str(path) for path in sorted(DUMPS.glob("*.txt"))[:12]]
    code, shown = _run_with_terminal_stderr(
        [*pages[:6], str(empty), *pages[6:], "--jobs", jobs, "-o", str(tmp_path / "out.jsonl")]
    )
    assert code == 1, shown
    assert re.search(r"\r\d+doc \[\d\d:\d\d", shown), shown
    at = shown.index(f"dw-clean: rejected {empty}: empty")
    # What the line shows before it is blank: the bar was cleared first.
    assert shown[shown.rfind("\n", 0, at) + 1 : at].split("\r")[-1] == "", shown


def test_quiet_keeps_a_terminal_silent(tmp_path: Path) -> None:
    code, shown = _run_with_terminal_stderr(
        [str(EXAMPLES), "-q", "-o", str(tmp_path / "out.jsonl")]
    )
    assert (code, shown) == (0, "")


def test_quiet_still_says_why_the_run_exits_1(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(EXAMPLES, pages)
    (pages / "empty.txt").write_bytes(b"")
    shutil.copy(ROOT / "fixtures" / "bad" / "binary.txt", pages / "binary.txt")
    inputs = len(list(pages.iterdir()))
    result = invoke([str(pages), "-q", "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    # One line, not one per reject nor the summary.
    assert result.stderr == (
        f"dw-clean: 2 of {inputs} inputs rejected (binary 1, empty 1); exit 1 "
        "(without -q, each is named on stderr; --allow-rejects exits 0).\n"
    )
    allowed = invoke([str(pages), "-q", "-o", str(tmp_path / "out.jsonl"), "--allow-rejects"])
    assert (allowed.exit_code, allowed.stderr) == (0, "")


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_a_run_that_finds_no_input_says_so_even_when_quiet(
    quiet: list[str], tmp_path: Path
) -> None:
    # A directory of HTML files walked for the default "*.txt", or an empty
    # list from `find`: nothing is rejected, so the run exits 0, but a CI log
    # must show why the output is empty.
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "page.html").write_text("<p>Text</p>", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    for args, where in (([str(pages)], repr(str(pages))),
                        (["--files-from", "-"], "the list on standard input")):
        result = invoke([*args, *quiet, "-o", str(out)], stdin=b"")
        assert result.exit_code == 0, result.output
        # Named where it looked, before the summary it explains.
        warning, *summary = result.stderr.splitlines()
        assert warning == (f"dw-clean: warning: no input files found in {where} "
                           "(directories are searched for --glob '*.txt').")
        assert len(summary) == (0 if quiet else 1)
        assert out.read_bytes() == b""
    found = invoke([str(pages), "--glob", "*.html", *quiet, "-o", str(out)])
    assert (found.exit_code, "no input files" in found.stderr) == (0, False)


def _shard_records(directory: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for shard in sorted(directory.glob("part-*.jsonl.gz")):
        found += records(gzip.decompress(shard.read_bytes()).decode("utf-8"))
    return found


def test_resume_deletes_a_shard_that_no_manifest_line_lists(tmp_path: Path) -> None:
    # QA: a run killed between renaming a shard and listing it in the manifest
    # left that shard; --resume wrote the shards the manifest led to and left
    # it, so the directory held records no manifest line accounts for (here
    # of an input the resumed run was no longer given). A --dask resume
    # already deleted such shards.
    pages = sorted(str(p) for p in EXAMPLES.glob("*.txt"))[:3]
    out, whole = tmp_path / "out", tmp_path / "whole"
    assert invoke([*pages, "--output-dir", str(out), "--shard-size", "1", "-j", "1"]
                  ).exit_code == 0
    assert (out / "part-00002.jsonl.gz").exists()
    manifest = out / "manifest.jsonl"
    manifest.write_bytes(b"".join(manifest.read_bytes().splitlines(keepends=True)[:2]))
    result = invoke([*pages[:2], "--output-dir", str(out), "--resume", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert invoke([*pages[:2], "--output-dir", str(whole), "--shard-size", "1", "-j", "1"]
                  ).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in whole.iterdir())
    assert _shard_records(out) == _shard_records(whole)


def test_a_new_run_deletes_the_shard_of_a_run_that_stopped_before_its_manifest(
    tmp_path: Path,
) -> None:
    # A run killed between renaming its first shard and writing the manifest
    # leaves run.json and that shard; a new run into the directory (there is
    # no manifest to resume) whose inputs give no record left the shard, a
    # record no manifest line lists.
    page = str(sorted(EXAMPLES.glob("*.txt"))[0])
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert invoke([page, "--output-dir", str(out), "-j", "1"]).exit_code == 0
    (out / "manifest.jsonl").unlink()
    assert invoke([str(empty), "--output-dir", str(out), "-j", "1"]).exit_code == 1
    assert invoke([str(empty), "--output-dir", str(fresh), "-j", "1"]).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in fresh.iterdir())


def test_an_output_file_that_is_a_directory_is_refused_before_any_cleaning(
    tmp_path: Path,
) -> None:
    # QA: `-o out.jsonl` naming a directory failed only at the rename after
    # the last input: a run over thousands of files cleaned them for nothing.
    target = tmp_path / "out.jsonl"
    target.mkdir()
    result = invoke([str(EXAMPLES), "-o", str(target), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert f"Cannot write {target}: Is a directory" in result.stderr
    assert "inputs done" not in result.stderr and "0 inputs" not in result.stderr
    assert list(target.iterdir()) == [] and sorted(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("option", ["--rejects", "-o"])
def test_an_output_through_a_symbolic_link_is_written_to_its_file(
    tmp_path: Path, option: str
) -> None:
    # QA: the file renamed into place replaced the link itself, and the file
    # it pointed to was left as it was.
    (tmp_path / "link.jsonl").symlink_to("real.jsonl")
    other = ["-o", str(tmp_path / "out.jsonl")] if option == "--rejects" else []
    result = invoke([str(BAD), option, str(tmp_path / "link.jsonl"), *other, "-q"])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "link.jsonl").is_symlink()
    lines = (tmp_path / "real.jsonl").read_text().splitlines()
    key = "reason" if option == "--rejects" else "text"
    assert lines and all(key in json.loads(line) for line in lines)
    assert not [path.name for path in tmp_path.iterdir() if ".tmp-" in path.name]


@pytest.mark.parametrize("option", ["-o", "--rejects"])
def test_an_output_linked_to_an_input_is_refused_and_the_input_kept(
    tmp_path: Path, option: str
) -> None:
    # QA: the link's file is the one replaced, and only the link's own name
    # was compared with the inputs: `dw-clean raw.jsonl -o link.jsonl` put
    # the records over raw.jsonl (with --rejects, an empty file), exit 0.
    records_file = tmp_path / "raw.jsonl"
    made = invoke([str(EXAMPLES), "-o", str(records_file), "-j", "1"])
    assert made.exit_code == 0, made.output
    before = records_file.read_bytes()
    (tmp_path / "link.jsonl").symlink_to("raw.jsonl")
    other = ["-o", str(tmp_path / "out.jsonl")] if option == "--rejects" else []
    result = invoke([str(records_file), option, str(tmp_path / "link.jsonl"), *other])
    assert result.exit_code == 2, result.output
    assert "is both an input and this run's output" in result.stderr
    assert records_file.read_bytes() == before


def test_rejects_linked_to_the_output_file_are_a_usage_error(tmp_path: Path) -> None:
    # QA: the rejects replaced the records written through the other name,
    # and the message said the file had been left as it was.
    (tmp_path / "out.jsonl").write_text('{"earlier": "run"}\n')
    (tmp_path / "link.jsonl").symlink_to("out.jsonl")
    result = invoke([str(BAD), "-o", str(tmp_path / "out.jsonl"),
                     "--rejects", str(tmp_path / "link.jsonl")])
    assert result.exit_code == 2, result.output
    assert "--rejects and -o must be different files" in result.stderr
    assert (tmp_path / "out.jsonl").read_text() == '{"earlier": "run"}\n'


def test_rejects_to_a_named_pipe_are_written_into_it(tmp_path: Path) -> None:
    # QA: a device or a pipe was replaced by a regular file holding the
    # rejects; as root, `--rejects /dev/null` did that to /dev/null.
    fifo = tmp_path / "rejects"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = invoke([str(BAD), "--rejects", str(fifo), "-o", str(tmp_path / "out.jsonl"), "-q"])
    reader.join(timeout=30)
    assert result.exit_code == 1, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    reasons = sorted(json.loads(line)["reason"] for line in received[0].splitlines())
    assert reasons == ["binary", "empty", "empty", "encoding"]


@pytest.mark.skipif(not Path("/dev/stderr").exists(), reason="needs /dev/stderr")
def test_rejects_to_dev_stderr_go_into_a_log_file_among_the_messages(tmp_path: Path) -> None:
    # README QA: with `2>log`, the rejects (written at the end of the log
    # through a new handle) were overwritten by the summary, written at
    # standard error's own offset.
    log = tmp_path / "log"
    with log.open("wb") as stderr:
        result = subprocess.run(
            [PYTHON, "-m", "cleaner", str(BAD / "empty.txt"),
             str(EXAMPLES / "001_26d23cd7d08ed03d.txt"),
             "-o", str(tmp_path / "out.jsonl"), "--rejects", "/dev/stderr"],
            stdout=subprocess.DEVNULL, stderr=stderr, check=False, timeout=60)
    assert result.returncode == 1
    lines = log.read_text(encoding="utf-8").splitlines()
    rejects = [json.loads(line) for line in lines if line.startswith("{")]
    assert [reject["reason"] for reject in rejects] == ["empty"]
    assert any(line.startswith("dw-clean: 2 inputs, 1 records, 1 rejects") for line in lines)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_unwritable_rejects_file_is_refused_before_any_cleaning(tmp_path: Path) -> None:
    # QA: found when the rejects were written after the last input, and the
    # run's whole output was then thrown away. (/proc takes no new file,
    # even from root, whom permissions would not stop.)
    result = invoke([str(EXAMPLES), "--rejects", "/proc/dw-clean-rejects.jsonl",
                     "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1, result.output
    assert "Cannot write /proc/dw-clean-rejects.jsonl" in result.stderr
    assert "inputs" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_second_run_into_a_directory_being_written_stops_before_writing(
    tmp_path: Path,
) -> None:
    # QA: two runs into one --output-dir at once (two CI jobs given the same
    # one) replaced each other's manifest and shards, and both exited 0.
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    other_run = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(other_run, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run in progress holds it
        result = invoke([str(EXAMPLES), "--output-dir", str(out), "-j", "1"])
        assert result.exit_code == 2, result.output
        assert f"{out} is being written by another dw-clean run" in result.stderr
        assert list(out.iterdir()) == []
    finally:
        os.close(other_run)
    # Once it has ended, the directory is free; a run leaves no lock behind.
    assert invoke([str(EXAMPLES), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    assert invoke([str(EXAMPLES), "--output-dir", str(out), "-j", "1", "--resume"]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.jsonl", "part-00000.jsonl.gz", "rejects.jsonl", "run.json"]


def _wait_for_the_parent(parent: Any) -> None:
    parent.send("started")
    parent.recv()


def test_a_forked_worker_does_not_keep_the_directory_locked(tmp_path: Path) -> None:
    # QA: after a run's parent was killed (SIGKILL), its workers, which end
    # only when they find their pipe closed, still held the directory's lock:
    # a `--resume` retried at once was refused, 3 times in 10.
    pytest.importorskip("fcntl")
    import multiprocessing  # noqa: PLC0415

    from cleaner import outputs  # noqa: PLC0415

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers are forked only where fork exists")
    lock = outputs.lock_directory(str(tmp_path))
    assert lock is not None
    to_worker, worker_end = multiprocessing.Pipe()
    worker = multiprocessing.get_context("fork").Process(
        target=_wait_for_the_parent, args=(worker_end,))
    worker.start()
    try:
        assert to_worker.recv() == "started"
        outputs.unlock_directory(lock)  # as the parent's death releases its copy
        again = outputs.lock_directory(str(tmp_path))  # UsageError if the worker holds it
        assert again is not None
        outputs.unlock_directory(again)
    finally:
        to_worker.send(None)
        worker.join()


def test_a_file_name_with_a_line_break_or_an_escape_is_one_line_on_stderr(
    tmp_path: Path,
) -> None:
    # QA: a name with a line break split its reject line in two (a log grep
    # for "rejected" missed the name's end); a terminal escape in one was
    # sent to the terminal as it was. They are shown escaped, as in repr().
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("a\nb.txt", "c\x1b[31mred.txt"):
        try:
            (pages / name).write_bytes(b"")
        except OSError:
            pytest.skip("this file system does not take such names")
    result = invoke([str(pages), "-o", str(tmp_path / "out.jsonl"), "-j", "1"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert f"dw-clean: rejected {pages}/a\\nb.txt: empty (empty or only whitespace)" in lines
    assert (f"dw-clean: rejected {pages}/c\\x1b[31mred.txt: empty (empty or only whitespace)"
            in lines)
    assert len(lines) == 3, lines


def test_resume_redoes_a_path_listed_twice_as_often_as_it_is_listed(tmp_path: Path) -> None:
    first, second = sorted(str(p) for p in EXAMPLES.glob("*.txt"))[:2]
    done_list, full_list = tmp_path / "done.txt", tmp_path / "full.txt"
    done_list.write_text(f"{first}\n{second}\n", encoding="utf-8")
    full_list.write_text(f"{first}\n{second}\n{first}\n", encoding="utf-8")
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert invoke(["--files-from", str(full_list), "--output-dir", str(whole), "-j", "1"]
                  ).exit_code == 0
    # An interrupted run that got as far as the first two lines, then --resume.
    assert invoke(["--files-from", str(done_list), "--output-dir", str(resumed), "-j", "1"]
                  ).exit_code == 0
    result = invoke(["--files-from", str(full_list), "--output-dir", str(resumed), "-j", "1",
                     "--resume"])
    assert result.exit_code == 0, result.output
    assert "2 skipped as done" in result.stderr
    assert _shard_records(resumed) == _shard_records(whole)
    assert len(_shard_records(whole)) == 3
    manifest = (resumed / "manifest.jsonl").read_text(encoding="utf-8")
    assert manifest == (whole / "manifest.jsonl").read_text(encoding="utf-8")


def test_resume_knows_a_finished_input_however_its_path_is_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pages = tmp_path / "pages"
    shutil.copytree(EXAMPLES, pages)
    # Another name of a page, through a link: another input, done in its own name.
    (pages / "same.txt").symlink_to(sorted(pages.glob("*.txt"))[0].name)
    names = sorted(path.name for path in pages.glob("*.txt"))
    assert invoke(["pages", "--output-dir", "whole", "-j", "1"]).exit_code == 0
    # Interrupted after two inputs, named with "./" and a doubled slash.
    Path("done.txt").write_text(f"./pages/{names[0]}\npages//{names[1]}\n", encoding="utf-8")
    assert invoke(["--files-from", "done.txt", "--output-dir", "out", "-j", "1"]).exit_code == 0
    assert _shard_records(tmp_path / "out")[0]["source"] == f"pages/{names[0]}"
    # The first resume cleans the rest; the later ones find every input done.
    for typed, skipped in (("./pages/", 2), (str(pages), len(names)), ("pages", len(names))):
        result = invoke([typed, "--output-dir", "out", "-j", "1", "--resume"])
        assert result.exit_code == 0, result.output
        assert f"0 duplicates, {skipped} skipped as done" in result.stderr
    assert _shard_records(tmp_path / "out") == _shard_records(tmp_path / "whole")


def test_resume_from_another_directory_knows_inputs_named_by_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cluster job started in /data with `pages`, resumed from / with `data/pages`.
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES, data / "pages")
    names = sorted(path.name for path in (data / "pages").glob("*.txt"))
    monkeypatch.chdir(data)
    assert invoke(["pages", "--output-dir", "whole", "-j", "1"]).exit_code == 0
    Path("done.txt").write_text(f"pages/{names[0]}\n", encoding="utf-8")
    assert invoke(["--files-from", "done.txt", "--output-dir", "out", "-j", "1"]).exit_code == 0
    manifest = [json.loads(line) for line in
                Path("out/manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [entry["path"] for entry in manifest] == [str(data / "pages" / names[0])]
    monkeypatch.chdir(tmp_path)
    result = invoke(["data/pages", "--output-dir", "data/out", "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert "0 duplicates, 1 skipped as done" in result.stderr
    records = _shard_records(data / "out")
    assert [Path(record["source"]).name for record in records] == names
    # A resume of the resume, from a third directory, finds every input done.
    monkeypatch.chdir(data / "pages")
    result = invoke([".", "--output-dir", "../out", "-j", "1", "--resume"])
    assert f"0 duplicates, {len(names)} skipped as done" in result.stderr
    assert _shard_records(data / "out") == records


def test_resume_from_another_directory_cleans_another_file_of_the_same_relative_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: `cd b1 && dw-clean pages --output-dir /x`, then `cd b2 && dw-clean
    # pages --output-dir /x --resume`: b2's pages/ were skipped as done, by
    # their name, though the manifest named b1's files, and were in no output.
    pages = sorted(EXAMPLES.glob("*.txt"))
    for folder, page in (("b1", pages[0]), ("b2", pages[1])):
        (tmp_path / folder / "pages").mkdir(parents=True)
        shutil.copy(page, tmp_path / folder / "pages" / "page.txt")
    monkeypatch.chdir(tmp_path / "b1")
    assert invoke(["pages", "--output-dir", str(tmp_path / "out"), "-j", "1"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "b2")
    result = invoke(["pages", "--output-dir", str(tmp_path / "out"), "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert "skipped as done" not in result.stderr
    texts = [record["text"] for record in _shard_records(tmp_path / "out")]
    assert len(texts) == 2 and texts[0] != texts[1]


def test_a_resumed_run_exits_as_the_whole_run_would_for_earlier_rejects(tmp_path: Path) -> None:
    # Its rejects all came before the interruption: the resumed part has none,
    # and exited 0, so a script gating on $? missed them.
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(EXAMPLES / "000_9910ba9fc400b7a4.txt", pages / "a.txt")
    (pages / "b.txt").write_bytes(b"")
    out = str(tmp_path / "out")
    assert invoke([str(pages), "--output-dir", out, "-j", "1", "-q"]).exit_code == 1
    again = invoke([str(pages), "--output-dir", out, "-j", "1", "-q", "--resume"])
    assert again.exit_code == 1
    assert (f"1 rejects from the earlier runs into {out} (empty 1: listed in its rejects "
            "file); exit 1") in again.stderr
    allowed = invoke([str(pages), "--output-dir", out, "-j", "1", "-q", "--resume",
                      "--allow-rejects"])
    assert allowed.exit_code == 0 and allowed.stderr == ""
    # Rejected into a --rejects FILE that the resume is not given: the
    # manifest still lists them as rejected.
    elsewhere = str(tmp_path / "elsewhere")
    assert invoke([str(pages), "--output-dir", elsewhere, "-j", "1", "-q", "--rejects",
                   str(tmp_path / "r.jsonl")]).exit_code == 1
    resumed_elsewhere = invoke([str(pages), "--output-dir", elsewhere, "-j", "1", "-q",
                                "--resume"])
    assert resumed_elsewhere.exit_code == 1
    assert "1 listed only as rejected in its manifest" in resumed_elsewhere.stderr
    # Nothing rejected before: a resume exits 0, as the whole run would.
    (pages / "b.txt").unlink()
    clean_out = str(tmp_path / "clean")
    assert invoke([str(pages), "--output-dir", clean_out, "-j", "1", "-q"]).exit_code == 0
    resumed = invoke([str(pages), "--output-dir", clean_out, "-j", "1", "-q", "--resume"])
    assert resumed.exit_code == 0 and resumed.stderr == ""


def test_resume_into_a_directory_without_a_run_warns_and_starts_one(tmp_path: Path) -> None:
    # A mistyped directory name started a new run in silence.
    out = tmp_path / "ouput"
    result = invoke([str(EXAMPLES), "--output-dir", str(out), "-j", "1", "-q", "--resume"])
    assert result.exit_code == 0
    assert f"warning: --resume, but {out} holds no run" in result.stderr
    assert (out / "manifest.jsonl").exists()
    # A run stopped before its first commit left run.json: that is a run, resumed quietly.
    (out / "manifest.jsonl").unlink()
    again = invoke([str(EXAMPLES), "--output-dir", str(out), "-j", "1", "-q", "--resume"])
    assert again.exit_code == 0 and again.stderr == ""


def test_dedup_names_the_earlier_json_lines_record_also_after_resume(tmp_path: Path) -> None:
    lines = (ROOT / "fixtures" / "records" / "de-rss-2026.jsonl").read_text(
        encoding="utf-8"
    ).splitlines()
    early, late = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    early.write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n", encoding="utf-8")
    late.write_text(lines[1] + "\n", encoding="utf-8")
    result = invoke([str(early), "--dedup", "-j", "1"])
    assert [r["duplicate_of"] for r in records(result.stdout)] == [None, None, f"{early}#2"]
    out = tmp_path / "out"
    assert invoke([str(early), "--dedup", "--output-dir", str(out), "-j", "1"]).exit_code == 0
    result = invoke([str(early), str(late), "--dedup", "--output-dir", str(out), "-j", "1",
                     "--resume"])
    assert result.exit_code == 0, result.output
    assert _shard_records(out)[-1]["duplicate_of"] == f"{early}#2"


def test_a_file_name_that_is_not_utf8_is_named_in_escapes_and_resumed(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    text = (EXAMPLES / "001_26d23cd7d08ed03d.txt").read_bytes()
    try:
        with open(os.fsencode(pages) + b"/b\xff\xfe.txt", "wb") as handle:  # noqa: PTH123
            handle.write(text)
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    (pages / "a.txt").write_bytes(text.replace(b"Lavrov", b"Lawrow"))
    out = tmp_path / "out"
    assert invoke([str(pages), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    raw = gzip.decompress((out / "part-00000.jsonl.gz").read_bytes())
    sources = [r["source"] for r in records(raw.decode("utf-8"))]  # strict UTF-8
    assert sources == [str(pages / "a.txt"), str(pages) + "/b\\xff\\xfe.txt"]
    again = invoke([str(pages), "--output-dir", str(out), "-j", "1", "--resume"])
    assert again.exit_code == 0, again.output
    assert "0 inputs, 0 records" in again.stderr and "2 skipped as done" in again.stderr


def test_a_name_spelt_like_the_escapes_of_another_is_another_input(tmp_path: Path) -> None:
    # QA: "b\xff.txt" typed with a backslash (valid UTF-8) and a name with the
    # byte 0xff were both named "b\xff.txt": two files, one source, so that
    # their records could not be told apart and --resume took the one for
    # the other.
    pages = tmp_path / "pages"
    pages.mkdir()
    text = (EXAMPLES / "001_26d23cd7d08ed03d.txt").read_bytes()
    try:
        with open(os.fsencode(pages) + b"/b\xff.txt", "wb") as handle:  # noqa: PTH123
            handle.write(text)
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    spelt = pages / "b\\xff.txt"
    spelt.write_bytes(text.replace(b"Lavrov", b"Lawrow"))
    result = invoke([str(pages), "-j", "1"])
    assert result.exit_code == 0, result.output
    sources = [r["source"] for r in records(result.stdout)]
    assert len(set(sources)) == 2, sources
    assert str(pages) + "/b\\xff.txt" in sources
    # The file of the escape-like name done, the other is not.
    out = tmp_path / "out"
    assert invoke([str(spelt), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    again = invoke([str(pages), "--output-dir", str(out), "-j", "1", "--resume"])
    assert again.exit_code == 0, again.output
    assert "1 inputs, 1 records" in again.stderr and "1 skipped as done" in again.stderr
    titles = sorted(str(r["title"]) for r in _shard_records(out))
    assert len(titles) == 2 and titles[0] != titles[1], titles


def test_resume_leaves_a_rejects_file_like_a_fresh_run_even_with_nothing_rejected(
    tmp_path: Path,
) -> None:
    # A run into --output-dir writes rejects.jsonl (empty when nothing was
    # rejected); `--resume` into a new directory, or with a --rejects FILE
    # not written yet, did not, and a script reading the file failed.
    page = str(EXAMPLES / "000_9910ba9fc400b7a4.txt")
    fresh, resumed = tmp_path / "fresh", tmp_path / "resumed"
    assert invoke([page, "--output-dir", str(fresh), "-j", "1"]).exit_code == 0
    result = invoke([page, "--output-dir", str(resumed), "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in resumed.iterdir()) == sorted(p.name for p in fresh.iterdir())
    assert (resumed / "rejects.jsonl").read_bytes() == b""
    # Everything done already: nothing new to list, but the file asked for is there.
    elsewhere = tmp_path / "rejects-of-the-rerun.jsonl"
    result = invoke([page, "--output-dir", str(resumed), "-j", "1", "--resume",
                     "--rejects", str(elsewhere)])
    assert result.exit_code == 0, result.output
    assert "1 skipped as done" in result.stderr
    assert elsewhere.read_bytes() == b""


def test_rejects_may_go_into_the_output_dir_the_run_creates(tmp_path: Path) -> None:
    out = tmp_path / "new"
    result = invoke([str(EXAMPLES), str(tmp_path / "missing.txt"), "--output-dir", str(out),
                     "--rejects", str(out / "mine.jsonl"), "-j", "1"])
    assert result.exit_code == 1, result.output
    (reject,) = records((out / "mine.jsonl").read_text(encoding="utf-8"))
    assert reject["source"] == str(tmp_path / "missing.txt")
    manifest = records((out / "manifest.jsonl").read_text(encoding="utf-8"))
    assert len(manifest) == len(list(EXAMPLES.iterdir())) + 1


def _directory_bytes(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.mark.parametrize(("first", "then", "says"), [
    (["--shard-size", "2"], ["--shard-size", "3"], "--shard-size 3, but the run in {} was "
                                                   "started with --shard-size 2"),
    ([], ["--dedup"], "--dedup flag, but the run in {} was started with --dedup not given"),
    (["--dedup", "drop"], ["--dedup", "flag"], "started with --dedup drop"),
    ([], ["--keep-gallery"], "--keep-gallery given, but"),
    ([], ["--format", "text"], "--format text, but the run in {} was started with --format auto"),
    ([], ["--text-field", "body"], "--text-field body, but"),
    ([], ["--glob", "*"], "--glob *, but the run in {} was started with --glob *.txt"),
    ([], ["--max-bytes", "1000"], "--max-bytes 1000, but the run in {} was started with "
                                  "--max-bytes 33554432"),
    # Values as a user types them: not 5.0 or 60.0.
    ([], ["--timeout", "5"], "--timeout 5, but the run in {} was started with --timeout 60:"),
    (["--timeout", "0"], ["--timeout", "2.5"], "--timeout 2.5, but the run in {} was started "
                                              "with --timeout 0:"),
])
def test_resume_refuses_options_that_change_the_records_and_writes_nothing(
    tmp_path: Path, first: list[str], then: list[str], says: str,
) -> None:
    # QA: a resumed run with another --shard-size mixed shards of 50 and 70
    # records; with another --dedup, --glob... its output was unlike that of
    # one uninterrupted run, without a word.
    pages, out = tmp_path / "pages", tmp_path / "out"
    make_pages(pages, 3)
    common = [str(pages), "--output-dir", str(out), "-j", "1"]
    started = invoke([*common, *first])
    assert started.exit_code == 0, started.output
    (pages / "p003.txt").write_text((pages / "p000.txt").read_text() + "\nMore.")
    before = _directory_bytes(out)
    result = invoke([*common, *first, *then, "--resume"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("dw-clean: usage error: --resume with "), result.stderr
    assert says.format(out) in result.stderr
    assert _directory_bytes(out) == before


def test_resume_with_other_jobs_or_quiet_is_the_uninterrupted_run(tmp_path: Path) -> None:
    pages, whole, parts = tmp_path / "pages", tmp_path / "whole", tmp_path / "parts"
    make_pages(pages, 10)
    common = ["--shard-size", "3", "--dedup", "drop"]
    assert invoke([str(pages), *common, "--output-dir", str(whole), "-j", "1"]).exit_code == 0
    first_half = sorted(str(page) for page in pages.iterdir())[:5]
    assert invoke([*first_half, *common, "--output-dir", str(parts), "-j", "1"]).exit_code == 0
    # Other PATHs, --jobs, --quiet and --rejects change no record: no refusal.
    result = invoke([str(pages), *common, "--output-dir", str(parts), "-j", "2", "-q",
                     "--resume", "--rejects", str(tmp_path / "rejects.jsonl")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert _shard_records(parts) == _shard_records(whole)
    run_file = json.loads((whole / "run.json").read_text(encoding="utf-8"))
    assert run_file["options"]["--shard-size"] == 3
    assert run_file["options"]["--dedup"] == "drop"
    assert (parts / "run.json").read_bytes() == (whole / "run.json").read_bytes()


def test_resume_of_a_directory_without_run_json_warns_that_options_are_unchecked(
    tmp_path: Path,
) -> None:
    # Written by a dw-clean that did not record its options: still resumable.
    pages, out = tmp_path / "pages", tmp_path / "out"
    make_pages(pages, 2)
    assert invoke([str(pages), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    (out / "run.json").unlink()
    result = invoke([str(pages), "--output-dir", str(out), "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "has no run.json" in result.stderr
    assert "2 skipped as done" in result.stderr
    assert not (out / "run.json").exists()  # its first run's options are still unknown


def test_resume_of_a_run_killed_before_its_first_commit_takes_its_options(
    tmp_path: Path,
) -> None:
    # Killed (SIGKILL, out of memory) before its first shard: run.json alone
    # is left, and says how the run was started.
    pages, whole, parts = tmp_path / "pages", tmp_path / "whole", tmp_path / "parts"
    make_pages(pages, 5)
    started_with = ["--shard-size", "2", "--dedup", "drop"]
    assert invoke([str(pages), *started_with, "--output-dir", str(whole), "-j", "1"]
                  ).exit_code == 0
    parts.mkdir()
    (parts / "run.json").write_bytes((whole / "run.json").read_bytes())
    result = invoke([str(pages), "--output-dir", str(parts), "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert (f"resuming with the options the run in {parts} was started with (run.json): "
            "--dedup drop --shard-size 2\n") in result.stderr
    assert _directory_bytes(parts) == _directory_bytes(whole)


@pytest.mark.parametrize(("option", "value"), [
    ("--shard-size", "500"), ("--keep-gallery", 1), ("--max-bytes", 0), ("--timeout", -1),
    # A mode no run writes: once said to be a bad command-line --dedup (exit
    # 2), which the user never typed.
    ("--dedup", "bogus"), ("--format", "pdf"), ("--timeout", 1e300),
])
def test_resume_refuses_a_run_json_option_no_run_writes(
    tmp_path: Path, option: str, value: object,
) -> None:
    # A resumed run takes the options it is not given from run.json: an
    # edited "500" must not reach the shard writer as a string, nor a
    # --max-bytes 0 be read as "not given".
    pages, out = tmp_path / "pages", tmp_path / "out"
    make_pages(pages, 2)
    assert invoke([str(pages), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    run_file = json.loads((out / "run.json").read_text(encoding="utf-8"))
    run_file["options"][option] = value
    (out / "run.json").write_text(json.dumps(run_file) + "\n", encoding="utf-8")
    result = invoke([str(pages), "--output-dir", str(out), "-j", "1", "--resume"])
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"dw-clean: error: Cannot resume: {out / 'run.json'} gives "
                             f"{option} {json.dumps(value)}, which no dw-clean run writes; "
                             "was it edited?\n")


@pytest.mark.parametrize(("clash", "says"), [
    (["-o", "out.jsonl"], "Give -o FILE or --output-dir DIR, not both."),
    (["--null"], "--null (-0) says how the --files-from list is separated"),
    (["--dedup=bogus"], "--dedup takes flag or drop, not 'bogus'."),
    (["--format", "pdf"], "Unknown --format 'pdf'"),
    (["-", "-"], "Standard input (-) can be used only once."),
])
def test_resume_reports_a_usage_error_before_reading_a_broken_run_json(
    tmp_path: Path, clash: list[str], says: str,
) -> None:
    # The command line's fault is told first, with exit 2: the broken
    # run.json is the next thing to deal with, not the one hiding it.
    pages, out = tmp_path / "pages", tmp_path / "out"
    make_pages(pages, 2)
    assert invoke([str(pages), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    (out / "run.json").write_text("{broken\n", encoding="utf-8")
    before = _directory_bytes(out)
    result = invoke([str(pages), "--output-dir", str(out), "-j", "1", "--resume", *clash],
                    stdin=b"")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"dw-clean: usage error: {says}"), result.stderr
    assert _directory_bytes(out) == before


def test_resume_of_a_run_another_version_started_warns_and_goes_on(tmp_path: Path) -> None:
    pages, out = tmp_path / "pages", tmp_path / "out"
    make_pages(pages, 3)
    assert invoke([str(pages), "--output-dir", str(out), "-j", "1"]).exit_code == 0
    run_file = json.loads((out / "run.json").read_text(encoding="utf-8"))
    run_file["dw_clean"] = "0.0.1"
    (out / "run.json").write_text(json.dumps(run_file) + "\n", encoding="utf-8")
    result = invoke([str(pages), "--output-dir", str(out), "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr
    assert f"started by dw-clean 0.0.1, and this is {__version__}" in result.stderr
    assert "3 skipped as done" in result.stderr


@pytest.mark.parametrize("names", [
    lambda records_file: [str(records_file), "-o", str(records_file)],
    lambda records_file: [str(EXAMPLES), str(records_file), "-o",
                          str(records_file.parent / "out.jsonl"), "--rejects", str(records_file)],
    lambda records_file: [str(EXAMPLES), "--files-from", "-", "-o", str(records_file)],
], ids=["-o", "--rejects", "--files-from"])
def test_an_input_that_is_the_runs_own_output_file_is_refused_and_kept(
    tmp_path: Path, names: Callable[[Path], list[str]],
) -> None:
    # `dw-clean raw.jsonl -o raw.jsonl` replaced the scraped records with
    # their clean text (and a text dump named as the rejects file with the
    # rejects): the input was lost for good.
    records_file = tmp_path / "pages.jsonl"
    made = invoke([str(EXAMPLES), "-o", str(records_file), "-j", "1"])
    assert made.exit_code == 0, made.output
    before = records_file.read_bytes()
    result = invoke([*names(records_file), "-j", "1"], stdin=f"{records_file}\n".encode())
    assert result.exit_code == 2, result.output
    assert "is both an input and this run's output (-o, --rejects" in result.stderr
    assert records_file.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pages.jsonl"]


@pytest.mark.parametrize("seconds", ["inf", "1e300", "nan"])
def test_a_timeout_no_watchdog_can_time_is_a_usage_error(tmp_path: Path, seconds: str) -> None:
    # `--timeout inf` (and any value past the timers' range) made every
    # input an `error` reject, a "bug"; `nan` ran without a limit but went
    # into run.json as null, which --resume then refused as an edited file.
    out = tmp_path / "out"
    result = invoke([str(EXAMPLES), "--timeout", seconds, "--output-dir", str(out), "-j", "1"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--timeout'" in result.stderr
    assert "0 for no limit" in result.stderr
    assert not out.exists()


def test_a_run_that_finds_no_input_names_a_few_of_the_places_it_looked(tmp_path: Path) -> None:
    empty = [tmp_path / name for name in ("a.txt", "b", "c", "d", "e")]  # a.txt: a directory
    for directory in empty:
        directory.mkdir()
    result = invoke([*map(str, empty), "-q", "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0
    assert f"found in {str(empty[0])!r}, {str(empty[1])!r}, {str(empty[2])!r} and 2 more " \
        in result.stderr
