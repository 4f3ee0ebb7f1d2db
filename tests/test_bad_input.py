"""Bad input through the CLI: every input accounted for, with the right reason."""

from __future__ import annotations

import builtins
import errno
import gzip
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cleaner.core
from cleaner.cli import clean_app
from cleaner.document import Document

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "fixtures" / "bad"

# Every file of fixtures/bad/ (plus two made here) and what must become of it.
REJECTED = {
    "empty.txt": "empty",
    "whitespace.txt": "empty",
    "binary.txt": "binary",
    "undecodable.txt": "encoding",
    "too-large.txt": "too_large",
    "broken-link.txt": "unreadable",
    "bomb.txt.gz": "too_large",
}
ENCODINGS = {
    "utf16-bom.txt": "utf-16",
    "cp1252.txt": "cp1252",
    "latin1.txt": "cp1252",
    "mojibake.txt": "utf-8",
    "page.txt.gz": "utf-8",
    "no-chrome.txt": "utf-8",
    "truncated.txt": "utf-8",
    "es-no-rules.txt": "utf-8",
}


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "bad"
    shutil.copytree(BAD, directory)
    (directory / "broken-link.txt").symlink_to(tmp_path / "does-not-exist.txt")
    # Small on disk, over the limit once inflated.
    (directory / "bomb.txt.gz").write_bytes(gzip.compress(b"word " * 100_000))
    return directory


def name_of(source: str) -> str:
    return Path(source).name


def test_fixture_directory_has_every_kind() -> None:
    names = {p.name for p in BAD.iterdir()} - {"README.md"}
    assert names == (set(REJECTED) - {"broken-link.txt", "bomb.txt.gz"}) | set(ENCODINGS)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_input_is_accounted_for_once(bad_dir: Path, tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "out.jsonl"
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(clean_app, [
        str(bad_dir), "--max-bytes", "8192", "-o", str(out), "--rejects", str(rejects),
        "--jobs", jobs, "--glob", "*.txt",
    ])
    assert result.exit_code == 1, result.output

    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    rejected = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert {name_of(r["source"]): r["reason"] for r in rejected} == REJECTED
    assert {name_of(r["source"]): r["encoding"] for r in records} == ENCODINGS
    all_sources = [r["source"] for r in records] + [r["source"] for r in rejected]
    assert len(all_sources) == len(set(all_sources)) == len(REJECTED) + len(ENCODINGS)
    for reject in rejected:
        assert reject["detail"]
        # Errors go to stderr and name the file.
        assert f"rejected {reject['source']}: {reject['reason']}" in result.stderr

    by_name = {name_of(r["source"]): r for r in records}
    assert "mojibake_repaired" in by_name["mojibake.txt"]["warnings"]
    assert "für" in by_name["mojibake.txt"]["title"]
    assert "Ã" not in by_name["mojibake.txt"]["text"]
    assert by_name["cp1252.txt"]["text"] == by_name["utf16-bom.txt"]["text"]
    assert by_name["cp1252.txt"]["title"] == by_name["mojibake.txt"]["title"]
    assert "é" in by_name["latin1.txt"]["text"]
    for name in ("no-chrome.txt", "truncated.txt", "es-no-rules.txt"):
        assert by_name[name]["text"].strip(), name

    summary = re.search(
        r"(\d+) inputs, (\d+) records, (\d+) rejects \(([^)]*)\), (\d+) duplicates",
        result.stderr,
    )
    assert summary, result.stderr
    inputs, n_records, n_rejects = (int(summary.group(i)) for i in (1, 2, 3))
    assert inputs == n_records + n_rejects == len(REJECTED) + len(ENCODINGS)
    assert n_records == len(records) and n_rejects == len(rejected)
    by_reason = dict(part.split(" ") for part in summary.group(4).split(", "))
    assert {k: int(v) for k, v in by_reason.items()} == {
        "binary": 1, "empty": 2, "encoding": 1, "too_large": 2, "unreadable": 1}


def test_allow_rejects_exits_zero(bad_dir: Path) -> None:
    result = CliRunner().invoke(
        clean_app, [str(bad_dir / "empty.txt"), str(bad_dir / "cp1252.txt"), "--allow-rejects",
                    "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1


def test_only_good_inputs_exit_zero(bad_dir: Path) -> None:
    paths = [str(bad_dir / name) for name in ENCODINGS]
    result = CliRunner().invoke(clean_app, [*paths, "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(ENCODINGS)
    assert result.stderr == ""


def test_quiet_keeps_rejects_out_of_stderr_but_not_the_exit_code(bad_dir: Path) -> None:
    result = CliRunner().invoke(clean_app, [str(bad_dir / "empty.txt"), "-q", "-j", "1"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    # No reject line naming it; only the one line that says why the exit is 1.
    assert "empty.txt" not in result.stderr
    assert result.stderr.startswith("dw-clean: 1 of 1 inputs rejected (empty 1); exit 1")


def test_timeout_in_process_from_the_cli(monkeypatch: pytest.MonkeyPatch, bad_dir: Path,
                                         tmp_path: Path) -> None:
    real = cleaner.core.clean

    def slow(text: str, **options: Any) -> Document:
        source = options.get("source")
        if source is not None and source.endswith("cp1252.txt"):
            time.sleep(30)
        return real(text, **options)

    monkeypatch.setattr(cleaner.core, "clean", slow)
    rejects = tmp_path / "rejects.jsonl"
    started = time.monotonic()
    result = CliRunner().invoke(clean_app, [
        str(bad_dir / "latin1.txt"), str(bad_dir / "cp1252.txt"), str(bad_dir / "utf16-bom.txt"),
        "--jobs", "1", "--timeout", "1", "--rejects", str(rejects),
    ])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    (reject,) = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert (name_of(reject["source"]), reject["reason"]) == ("cp1252.txt", "timeout")
    # The limit as typed (QA: "took over 1.0 s" for --timeout 1).
    assert reject["detail"] == "cleaning took over 1 s"
    assert [name_of(json.loads(x)["source"]) for x in result.stdout.splitlines()] == [
        "latin1.txt", "utf16-bom.txt"]


def test_a_run_without_rejects_empties_the_rejects_file_of_an_earlier_run(
    bad_dir: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    out = str(tmp_path / "out.jsonl")
    first = CliRunner().invoke(clean_app, [str(bad_dir / "empty.txt"), "-o", out, "-j", "1",
                                           "--rejects", str(rejects)])
    assert first.exit_code == 1, first.output
    assert len(rejects.read_text(encoding="utf-8").splitlines()) == 1
    second = CliRunner().invoke(clean_app, [str(bad_dir / "cp1252.txt"), "-o", out, "-j", "1",
                                            "--rejects", str(rejects)])
    assert second.exit_code == 0, second.output
    # The file describes this run: a stale reject would send someone after a fixed input.
    assert rejects.read_text(encoding="utf-8") == ""


# --- inputs a directory walk cannot read ----------------------------------------


@pytest.fixture
def make_unreadable(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Make a file or directory unreadable: chmod 000, or for root (who reads
    anything) the error chmod would cause, raised by the calls that list or open it."""
    as_root = os.geteuid() == 0
    denied: set[str] = set()
    chmodded: list[Path] = []
    if as_root:
        real_scandir, real_open = os.scandir, builtins.open

        def refuse(path: Any) -> None:
            if isinstance(path, (str, bytes, os.PathLike)) and os.path.realpath(path) in denied:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

        def scandir(path: Any = ".") -> Any:
            refuse(path)
            return real_scandir(path)

        def opener(file: Any, *args: Any, **kwargs: Any) -> Any:
            refuse(file)
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(builtins, "open", opener)

    def make(path: Path) -> None:
        if as_root:
            denied.add(os.path.realpath(path))
        else:
            path.chmod(0)
            chmodded.append(path)

    yield make
    for path in chmodded:
        path.chmod(0o700)


@pytest.mark.parametrize(("jobs", "glob"), [("1", None), ("2", None), ("1", "**/*.txt")])
def test_what_a_directory_walk_cannot_read_is_reported_and_counted(
    tmp_path: Path, make_unreadable: Callable[[Path], None], jobs: str, glob: str | None
) -> None:
    # A recursive glob goes where the walk goes, and reports the same things
    # (Python's glob skipped the locked directory without a word, and went
    # forty levels down the loop).
    page = (ROOT / "fixtures" / "examples" / "000_9910ba9fc400b7a4.txt").read_bytes()
    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "open").mkdir()
    (tree / "good.txt").write_bytes(page)
    (tree / "locked" / "hidden.txt").write_bytes(page)
    (tree / "secret.txt").write_bytes(page)
    (tree / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tree / "loop.txt").symlink_to("loop.txt")
    (tree / "open" / "up").symlink_to("..")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.txt").write_bytes(page)
    (tree / "open" / "elsewhere").symlink_to(outside)
    make_unreadable(tree / "locked")
    make_unreadable(tree / "secret.txt")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"

    result = CliRunner().invoke(clean_app, [
        str(tree / glob) if glob else str(tree), "-o", str(out), "--rejects", str(rejects),
        "--jobs", jobs,
    ])

    assert result.exit_code == 1, result.output
    rejected = {
        os.path.relpath(line["source"], tree): line["detail"]
        for line in map(json.loads, rejects.read_text(encoding="utf-8").splitlines())
    }
    assert rejected == {
        "dangling.txt": f"broken symbolic link to {tmp_path / 'gone.txt'}",
        "locked": "cannot list this directory: Permission denied",
        "loop.txt": "Too many levels of symbolic links",
        "open/up": "symbolic link loop: .. is a directory this walk is already inside",
        "secret.txt": "Permission denied",
    }
    for source, detail in rejected.items():
        assert f"rejected {tree / source}: unreadable ({detail})" in result.stderr
    # A link to a directory elsewhere is followed like a link to a file.
    cleaned = [json.loads(line)["source"] for line in out.read_text().splitlines()]
    assert [os.path.relpath(source, tree) for source in cleaned] == [
        "good.txt", "open/elsewhere/linked.txt"]
    assert "7 inputs, 2 records, 5 rejects (unreadable 5)" in result.stderr



def test_json_lines_with_lines_in_two_encodings_give_each_record_unharmed(
    tmp_path: Path,
) -> None:
    # Scrapers append to one JSON Lines file over the years: here every other
    # record of a real export was written in Windows-1252, the rest in UTF-8.
    utf8_file = (ROOT / "fixtures" / "records" / "de-scraper-2022.jsonl").read_bytes()
    encodings = []
    for number, line in enumerate(utf8_file.decode("utf-8").split("\n"), start=1):
        legacy = number % 2 == 1 and not line.isascii() and _fits_cp1252(line)
        encodings.append("cp1252" if legacy else "utf-8")
    mixed = b"\n".join(
        line.encode(encoding)
        for line, encoding in zip(utf8_file.decode("utf-8").split("\n"), encodings, strict=True)
    )
    assert "cp1252" in encodings
    (tmp_path / "mixed.jsonl").write_bytes(mixed)
    (tmp_path / "utf8.jsonl").write_bytes(utf8_file)

    def records(name: str) -> list[dict[str, Any]]:
        result = CliRunner().invoke(clean_app, [str(tmp_path / name), "-j", "1", "-q"])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    got, expected = records("mixed.jsonl"), records("utf8.jsonl")
    assert [record["text"] for record in got] == [record["text"] for record in expected]
    assert [record["title"] for record in got] == [record["title"] for record in expected]
    # Each record names the encoding of its own line (an ASCII line reads the
    # same in both: it is counted with the legacy lines).
    lines = mixed.split(b"\n")
    for record in got:
        line = lines[int(record["source"].rpartition("#")[2]) - 1]
        assert record["encoding"] == ("utf-8" if _is_utf8(line) and not line.isascii()
                                      else "cp1252")


def _fits_cp1252(text: str) -> bool:
    return text.encode("cp1252", errors="replace").decode("cp1252") == text


def _is_utf8(data: bytes) -> bool:
    return data.decode("utf-8", errors="replace").encode("utf-8") == data


# --- gzip cut short -------------------------------------------------------------

RECORDS = ROOT / "fixtures" / "records" / "de-scraper-2022.jsonl"


def _run(tmp_path: Path, name: str, data: bytes) -> tuple[list[str], list[dict[str, str]], int]:
    """Records (as written) and rejects of a run over one input, and its exit code."""
    path, out, rejects = tmp_path / name, tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    path.write_bytes(data)
    result = CliRunner().invoke(
        clean_app, [str(path), "-o", str(out), "--rejects", str(rejects), "-j", "1"]
    )
    written = [line.replace(str(path), "IN") for line in out.read_text("utf-8").splitlines()]
    rejected = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    return written, rejected, result.exit_code


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kept_share", [0.3, 0.7, 0.97])
def test_json_lines_cut_short_keep_their_complete_records(
    tmp_path: Path, kept_share: float, layers: int
) -> None:
    # A crawl's pages.jsonl.gz cut short by a full disk or a broken transfer
    # was rejected whole, its good records with the one cut off.
    data = RECORDS.read_bytes()
    whole, no_rejects, code = _run(tmp_path, "whole.jsonl", data)
    assert code == 0 and no_rejects == [] and len(whole) == data.count(b"\n")
    compressed = data
    for _ in range(layers):
        compressed = gzip.compress(compressed)
    records, rejects, code = _run(
        tmp_path, "cut.jsonl.gz", compressed[: int(len(compressed) * kept_share)]
    )
    assert code == 1
    assert 0 < len(records) < len(whole)
    assert records == whole[: len(records)]
    (reject,) = rejects
    assert reject["source"].endswith(f"cut.jsonl.gz#{len(records) + 1}")
    assert reject["reason"] == "unreadable"
    assert f"ends early, in line {len(records) + 1}" in reject["detail"]


def test_a_second_gzip_member_cut_short_keeps_the_first(tmp_path: Path) -> None:
    # `cat day1.jsonl.gz day2.jsonl.gz > all.jsonl.gz`, the copy cut short.
    lines = RECORDS.read_bytes().splitlines(keepends=True)
    first, second = b"".join(lines[:10]), b"".join(lines[10:])
    whole, _, _ = _run(tmp_path, "whole.jsonl", first + second)
    member = gzip.compress(second)
    records, rejects, code = _run(
        tmp_path, "all.jsonl.gz", gzip.compress(first) + member[: len(member) // 2]
    )
    assert code == 1
    assert len(records) >= 10
    assert records == whole[: len(records)]
    assert [reject["source"].rsplit("#", 1)[1] for reject in rejects] == [str(len(records) + 1)]


def test_a_page_cut_short_is_rejected_whole(tmp_path: Path) -> None:
    # Half a page would be cleaned as if it were the whole article.
    page = (ROOT / "fixtures" / "examples" / "en-old-2020-colonial.txt").read_bytes()
    compressed = gzip.compress(page)
    records, rejects, code = _run(tmp_path, "page.txt.gz", compressed[: len(compressed) // 2])
    assert (records, code) == ([], 1)
    (reject,) = rejects
    assert reject["reason"] == "unreadable"
    assert "truncated gzip" in reject["detail"]


def _gzip_with_garbage_after(data: bytes, garbage: bytes, layers: int, inner: bool) -> bytes:
    """`data` gzipped `layers` times, `garbage` after the innermost layer or the outermost."""
    compressed = gzip.compress(data)
    if inner:
        compressed += garbage
    for _ in range(layers - 1):
        compressed = gzip.compress(compressed)
    return compressed if inner else compressed + garbage


# Junk a downloader appended; the first byte of one more member, the copy cut there.
TRAILING_GARBAGE = [b"</html>\n", b"\x1f"]


@pytest.mark.parametrize("garbage", TRAILING_GARBAGE)
@pytest.mark.parametrize(("layers", "inner"), [(1, False), (2, False), (2, True)])
@pytest.mark.parametrize("last_line_ends", [True, False])
def test_json_lines_with_trailing_garbage_keep_every_record(
    tmp_path: Path, garbage: bytes, layers: int, inner: bool, last_line_ends: bool
) -> None:
    # Python's gzip rejected the whole file as "Not a gzipped file", where
    # `gzip -d` reads it all and warns of trailing garbage.
    data = RECORDS.read_bytes()
    if not last_line_ends:
        data = data.rstrip(b"\n")
    whole, _, _ = _run(tmp_path, "whole.jsonl", data)
    records, rejects, code = _run(
        tmp_path, "pages.jsonl.gz", _gzip_with_garbage_after(data, garbage, layers, inner)
    )
    assert records == whole
    # The garbage may be what is left of more lines: the run says so, and fails.
    assert code == 1
    (reject,) = rejects
    assert reject["source"].endswith(f"pages.jsonl.gz#{len(whole) + 1}")
    assert reject["reason"] == "unreadable"
    assert f"{len(garbage)} bytes after the end of the gzip data are not gzip" in reject["detail"]
    assert f"the {len(whole)} lines before were read" in reject["detail"]


@pytest.mark.parametrize("garbage", TRAILING_GARBAGE)
def test_a_page_with_trailing_garbage_is_rejected_saying_so(tmp_path: Path, garbage: bytes) -> None:
    page = (ROOT / "fixtures" / "examples" / "en-old-2020-colonial.txt").read_bytes()
    records, rejects, code = _run(tmp_path, "page.txt.gz", gzip.compress(page) + garbage)
    assert (records, code) == ([], 1)
    (reject,) = rejects
    assert reject["reason"] == "unreadable"
    assert "not gzip (trailing garbage" in reject["detail"]
    assert "Not a gzipped file" not in reject["detail"]


def test_nul_bytes_after_gzip_data_are_padding(tmp_path: Path) -> None:
    # As gzip and GzipFile read them: no garbage, no reject.
    page = (ROOT / "fixtures" / "examples" / "en-old-2020-colonial.txt").read_bytes()
    plain, _, _ = _run(tmp_path, "page.txt", page)
    records, rejects, code = _run(tmp_path, "page.txt.gz", gzip.compress(page) + b"\x00" * 512)
    assert (records, rejects, code) == (plain, [], 0)


def test_json_lines_cut_inside_their_first_line_are_rejected_whole(tmp_path: Path) -> None:
    compressed = gzip.compress(RECORDS.read_bytes())
    records, rejects, code = _run(tmp_path, "cut.jsonl.gz", compressed[:200])
    assert (records, code) == ([], 1)
    assert [reject["source"].rsplit("/", 1)[1] for reject in rejects] == ["cut.jsonl.gz"]


def _nested_in_body(page: bytes, opening_tag: bytes, depth: int) -> bytes:
    """`page` with `depth` unclosed `opening_tag`s at the start of its <body>."""
    body = page.index(b">", page.index(b"<body")) + 1
    return page[:body] + opening_tag * depth + page[body:]


HTML_PAGE = ROOT / "fixtures" / "html" / "en-old-2020-colonial.html"


@pytest.mark.parametrize("opening_tag", [b'<span class="x">', b"<div>", b"<font>"])
def test_html_nested_past_the_parsers_default_depth_is_read_whole(
    tmp_path: Path, opening_tag: bytes
) -> None:
    # libxml2 stops at 256 levels unless asked for more: 300 unclosed tags
    # gave an empty record, exit 0, nothing counted as removed.
    page = HTML_PAGE.read_bytes()
    plain, _, _ = _run(tmp_path, "page.html", page)
    records, rejects, code = _run(tmp_path, "page.html", _nested_in_body(page, opening_tag, 300))
    assert (records, rejects, code) == (plain, [], 0)
    assert json.loads(records[0])["word_count"] > 700


def test_html_nested_past_the_deepest_the_parser_reads_is_rejected(tmp_path: Path) -> None:
    records, rejects, code = _run(
        tmp_path, "page.html", _nested_in_body(HTML_PAGE.read_bytes(), b"<div>", 3000)
    )
    assert (records, code) == ([], 1)
    (reject,) = rejects
    assert reject["reason"] == "unreadable"
    assert "nested deeper than 2,048 elements" in reject["detail"]


def test_a_json_record_of_html_nested_too_deep_is_rejected_alone(tmp_path: Path) -> None:
    page = HTML_PAGE.read_text(encoding="utf-8")
    deep = _nested_in_body(HTML_PAGE.read_bytes(), b"<div>", 3000).decode("utf-8")
    lines = [json.dumps({"text": text}) for text in (page, deep, page)]
    records, rejects, code = _run(tmp_path, "pages.jsonl", "\n".join(lines).encode("utf-8"))
    assert [json.loads(record)["source"] for record in records] == ["IN#1", "IN#3"]
    assert [(reject["source"].rsplit("/", 1)[1], reject["reason"]) for reject in rejects] == [
        ("pages.jsonl#2", "unreadable")
    ]
    assert code == 1


# --- JSON that Python cannot load ------------------------------------------------

RECORD_TEXTS = (
    "Die Regierung hat am Montag einen neuen Plan vorgestellt.",
    "Der Plan soll im kommenden Jahr in Kraft treten.",
)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [300, 100_000], ids=["parses", "past-the-parser"])
@pytest.mark.parametrize("line", [1, 2, 3])
def test_a_json_lines_line_nested_too_deeply_is_rejected_alone(
    tmp_path: Path, depth: int, line: int
) -> None:
    # Past about 1,000 levels json.loads raises RecursionError, and at 300 the
    # cleaner's own walk of the record did: either way the whole file was an
    # `error` reject, its good records lost.
    lines = [json.dumps({"text": text}) for text in RECORD_TEXTS]
    lines.insert(line - 1, '{"text": "Ein Satz.", "n": ' + _nested(depth) + "}")
    records, rejects, code = _run(tmp_path, "pages.jsonl", "\n".join(lines).encode("utf-8"))
    assert len(records) == len(RECORD_TEXTS)
    assert [(reject["source"].rsplit("/", 1)[1], reject["reason"], reject["detail"])
            for reject in rejects] == [
        (f"pages.jsonl#{line}", "json",
         "JSON nested too deeply: arrays and objects more than 200 levels deep")
    ]
    assert code == 1


def test_a_json_lines_line_with_an_integer_too_long_is_rejected_alone(tmp_path: Path) -> None:
    lines = [json.dumps({"text": text}) for text in RECORD_TEXTS]
    lines.insert(1, '{"text": "Ein Satz.", "n": ' + "7" * 5000 + "}")
    records, rejects, _ = _run(tmp_path, "pages.jsonl", "\n".join(lines).encode("utf-8"))
    assert len(records) == len(RECORD_TEXTS)
    assert [(reject["source"].rsplit("/", 1)[1], reject["reason"], reject["detail"])
            for reject in rejects] == [
        ("pages.jsonl#2", "json", "JSON integer too long: more than 4300 digits")
    ]


@pytest.mark.parametrize("indent", [None, 2], ids=["one-line", "pretty"])
@pytest.mark.parametrize(
    ("value", "detail"),
    [("7" * 5000, "JSON integer too long"), (_nested(5000), "JSON nested too deeply")],
    ids=["integer", "nesting"],
)
def test_a_json_document_python_cannot_load_is_a_json_reject(
    tmp_path: Path, indent: int | None, value: str, detail: str
) -> None:
    # Where json.loads gave up is not known: none of the records is read,
    # and the reject says why (it said `error`, "a bug"). (Whether it gives
    # up on nesting depends on the recursion limit, which a test run's
    # plugins may have raised: read whole, the record nested too deeply is
    # rejected alone, and the others are read.)
    records = [{"text": text, "n": 0} for text in RECORD_TEXTS]
    for document in (records, records[0]):
        data = json.dumps(document, indent=indent).replace('"n": 0', '"n": ' + value, 1)
        written, rejects, code = _run(tmp_path, "export.json", data.encode("utf-8"))
        sources = [reject["source"].rsplit("/", 1)[1] for reject in rejects]
        assert [reject["reason"] for reject in rejects] == ["json"]
        assert rejects[0]["detail"].startswith(detail)
        assert code == 1
        if sources != ["export.json"]:  # read whole: the deep record alone
            assert detail == "JSON nested too deeply"
            assert sources[0].startswith("export.json#")
            assert len(written) == (len(records) - 1 if isinstance(document, list) else 0)
        else:
            assert written == []


def test_a_json_array_element_nested_too_deeply_is_rejected_alone(tmp_path: Path) -> None:
    records: list[object] = [{"text": text} for text in RECORD_TEXTS]
    records.insert(1, {"text": "Ein Satz.", "n": json.loads(_nested(300))})
    written, rejects, _ = _run(tmp_path, "export.json", json.dumps(records).encode("utf-8"))
    assert len(written) == len(RECORD_TEXTS)
    assert [(reject["source"].rsplit("/", 1)[1], reject["reason"]) for reject in rejects] == [
        ("export.json#2", "json")
    ]


def test_json_lines_whose_first_line_is_nested_too_deeply_are_still_json_lines(
    tmp_path: Path,
) -> None:
    # Named .txt, the form is told by the first line, which json.loads could
    # not load (RecursionError): detection failed the whole input.
    lines = ['{"text": "Ein Satz.", "n": ' + _nested(1500) + "}",
             *(json.dumps({"text": text}) for text in RECORD_TEXTS)]
    written, rejects, _ = _run(tmp_path, "pages.txt", "\n".join(lines).encode("utf-8"))
    assert len(written) == len(RECORD_TEXTS)
    assert [(reject["source"].rsplit("/", 1)[1], reject["reason"]) for reject in rejects] == [
        ("pages.txt#1", "json")
    ]


def test_an_html_page_whose_json_ld_is_nested_too_deeply_is_cleaned(tmp_path: Path) -> None:
    # A broken JSON-LD block is skipped; one json.loads gave up on by
    # recursion failed the whole page as `error`.
    page = HTML_PAGE.read_bytes()
    head = page.index(b"</head>")
    block = b'<script type="application/ld+json">' + _nested(5000).encode() + b"</script>"
    written, rejects, code = _run(tmp_path, "page.html", page[:head] + block + page[head:])
    assert (len(written), rejects, code) == (1, [], 0)
