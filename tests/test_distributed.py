"""Dask runs (a real LocalCluster on loopback) give a local run's output."""

from __future__ import annotations

import errno
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cleaner import batch, distributed, outputs

pytest.importorskip("distributed")
pytest.importorskip("fsspec")

import dask
import fsspec
from distributed import Client, LocalCluster

from cleaner.batch import Options, Outcome, Summary, process_input, run
from cleaner.cli import clean_app, normalize_args
from cleaner.distributed import (
    FsspecShardSink,
    check_workers,
    clean_one,
    discover_any,
    protocol,
    run_dask,
)
from cleaner.errors import Reason, UsageError
from cleaner.formats import records
from cleaner.inputs import InputRef, discover
from cleaner.outputs import MANIFEST_NAME, REJECTS_NAME, RUN_NAME, ShardSink, read_jsonl

ROOT = Path(__file__).resolve().parent.parent
DUMPS = ROOT / "fixtures" / "dumps"
BAD = ROOT / "fixtures" / "bad"
EXAMPLES = ROOT / "fixtures" / "examples"
PYTHON = sys.executable

# Cleaning functions for worker processes, where monkeypatching cannot reach;
# they misbehave on pages with a marker word and clean the rest.
HOOKS = '''
import os
import time

from cleaner.core import clean as real_clean


def slow(text, *, source=None, url=None):
    if "SLOWPAGE" in text:
        # Python code, not one long sleep: an asynchronous exception is raised
        # between bytecodes, so a thread's time limit can stop this loop.
        for _ in range(3000):
            time.sleep(0.01)
    return real_clean(text, source=source, url=url)


def crash(text, *, source=None, url=None):
    if "CRASHPAGE" in text:
        os._exit(3)
    return real_clean(text, source=source, url=url)
'''


@pytest.fixture(scope="module")
def hooks_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = str(tmp_path_factory.mktemp("hooks"))
    Path(directory, "dwclean_dask_hooks.py").write_text(HOOKS)
    # Worker processes are spawned with this process's sys.path, restarted ones too.
    sys.path.insert(0, directory)
    yield directory
    sys.path.remove(directory)


@pytest.fixture(scope="module")
def scheduler(hooks_dir: str) -> Iterator[str]:
    """Address of a scheduler with 2 single-threaded worker processes on loopback."""
    # A dying worker fails its task at once instead of after 3 retries: keeps
    # the crash test short (the scheduler runs in this process).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        yield str(cluster.scheduler_address)


@pytest.fixture
def memory_root() -> Iterator[str]:
    """A fresh directory on fsspec's in-memory file system (this process only)."""
    root = f"/dwclean-test-{uuid.uuid4().hex}"
    yield root
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


def memory_files(root: str) -> dict[str, bytes]:
    fs = fsspec.filesystem("memory")
    return {Path(path).name: fs.cat_file(path) for path in fs.find(root)}


def local_run(paths: list[str], out: Path, **kwargs: Any) -> Summary:
    """The reference: a local `--output-dir` run, in this process."""
    options = kwargs.pop("options", Options())
    shard_size = kwargs.pop("shard_size", 7)
    sink = ShardSink(str(out), shard_size=shard_size)
    return run(discover(paths), options, sink, jobs=1, **kwargs)


def files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_dask_output_is_byte_identical_to_a_local_run(scheduler: str, tmp_path: Path) -> None:
    # Bad inputs (empty, binary, undecodable...), a missing file, and a copy of
    # a page, one more duplicate for --dedup to flag.
    copy = tmp_path / "copy.txt"
    shutil.copy(DUMPS / "de-old-2022-01.trafilatura.txt", copy)
    paths = [str(DUMPS), str(BAD), str(tmp_path / "missing.txt"), str(copy)]

    local = local_run(paths, tmp_path / "local", dedup="flag")
    summary = run_dask(paths, str(tmp_path / "dask"), scheduler, shard_size=7, dedup="flag",
                       batch_size=5)

    expected = files(tmp_path / "local")
    assert files(tmp_path / "dask") == expected
    assert len([name for name in expected if name.startswith("part-")]) > 3
    rejects = [json.loads(line) for line in expected[REJECTS_NAME].splitlines()]
    assert {r["reason"] for r in rejects} >= {"empty", "binary", "encoding", "unreadable"}
    assert (summary.inputs, summary.records, summary.rejects, summary.duplicates) == (
        local.inputs, local.records, local.rejects, local.duplicates)
    assert summary.duplicates > 0
    assert summary.removed == local.removed


def test_urls_in_and_remote_output(scheduler: str, tmp_path: Path, memory_root: str) -> None:
    """Inputs read by fsspec on the workers, output written by fsspec."""
    local_run([str(BAD)], tmp_path / "local", shard_size=4)
    run_dask([BAD.as_uri(), f"file://{BAD}/no-such-*.txt"], f"memory://{memory_root}/out",
             scheduler, shard_size=4)
    remote = memory_files(memory_root)

    def from_url(text: str) -> str:
        return text.replace("file://", "")

    expected = files(tmp_path / "local")
    # The glob that matches nothing is rejected, as it is locally.
    assert json.loads(remote[REJECTS_NAME].splitlines()[-1]) == {
        "source": f"file://{BAD}/no-such-*.txt", "reason": "unreadable",
        "detail": "no file matches this pattern"}
    remote_rejects = b"\n".join(remote[REJECTS_NAME].splitlines()[:-1]) + b"\n"
    assert from_url(remote_rejects.decode()) == expected[REJECTS_NAME].decode()
    remote_manifest = b"\n".join(remote[MANIFEST_NAME].splitlines()[:-1]) + b"\n"
    assert from_url(remote_manifest.decode()) == expected[MANIFEST_NAME].decode()
    shards = sorted(name for name in expected if name.startswith("part-"))
    assert sorted(name for name in remote if name.startswith("part-")) == shards
    for name in shards:
        assert from_url(gzip.decompress(remote[name]).decode()) == gzip.decompress(
            expected[name]).decode()


def test_fsspec_sink_writes_shard_sink_bytes(tmp_path: Path, memory_root: str) -> None:
    refs = list(discover([str(BAD), str(DUMPS)]))

    def outcomes(todo: Any, stop: Any) -> Iterator[Outcome]:
        return (process_input(ref, Options()) for ref in todo)

    run_options = {"--shard-size": 9, "--dedup": None}
    for sink in (
        ShardSink(str(tmp_path / "local"), shard_size=9, run_options=run_options),
        FsspecShardSink(f"memory://{memory_root}", shard_size=9, run_options=run_options),
    ):
        batch.run(refs, Options(), sink, outcome_source=outcomes)
    assert memory_files(memory_root) == files(tmp_path / "local")
    assert RUN_NAME in files(tmp_path / "local")
    with pytest.raises(UsageError, match="already holds"):
        FsspecShardSink(f"memory://{memory_root}")


class ClientDiedError(Exception):
    """The client process dies: no commit, and the shard in hand is left as it is."""


def cleaned(*, stop_after: int | None = None, die_after: int | None = None,
            worker_dies_on: str | None = None) -> Any:
    """An outcome source for `batch.run` cleaning in this process, that may
    stop (as on SIGINT), die (as a killed client), or fail one input as a
    dead worker does."""
    def outcomes(todo: Any, stop: Any) -> Iterator[Outcome]:
        for count, ref in enumerate(todo):
            if count == stop_after:
                return
            if count == die_after:
                raise ClientDiedError
            if ref.source == worker_dies_on:
                yield Outcome(ref.source, reason=Reason.ERROR, retry=True,
                              detail="worker process died (exit code -9)")
            else:
                yield process_input(ref, Options())
    return outcomes


def resumed(sink: ShardSink | FsspecShardSink, refs: list[InputRef], **kwargs: Any) -> Summary:
    return batch.run(refs, Options(), sink, dedup="flag", done=sink.state.done,
                     earlier_digests=sink.state.digests, outcome_source=cleaned(**kwargs))


RUN_OPTIONS = {"--shard-size": 4, "--dedup": "flag"}


@pytest.mark.parametrize("pause_ratio", [0.0, 1e9])
def test_remote_run_whose_client_died_resumes_to_the_uninterrupted_output(
    tmp_path: Path, memory_root: str, monkeypatch: pytest.MonkeyPatch, pause_ratio: float,
) -> None:
    # Checkpoints after every shard, or after the first one only: the shards
    # written after the last checkpoint are not listed, and are written again.
    monkeypatch.setattr(distributed, "CHECKPOINT_PAUSE_RATIO", pause_ratio)
    refs = list(discover([str(BAD), str(DUMPS)]))
    batch.run(refs, Options(), ShardSink(str(tmp_path / "whole"), shard_size=4,
                                         run_options=RUN_OPTIONS),
              dedup="flag", outcome_source=cleaned())
    url = f"memory://{memory_root}"
    # Near the end, after a count that is no multiple of 4, whatever the number
    # of fixture files: after a multiple, no shard is torn.
    die_after = len(refs) - 3 if (len(refs) - 3) % 4 else len(refs) - 2
    with pytest.raises(ClientDiedError):
        batch.run(refs, Options(), FsspecShardSink(url, shard_size=4, run_options=RUN_OPTIONS),
                  dedup="flag", outcome_source=cleaned(die_after=die_after))
    left = memory_files(memory_root)
    listed = [line["shard"] for line in outputs.parse_jsonl(
        left[MANIFEST_NAME].splitlines(keepends=True))]
    shards = sorted(name for name in left if name.startswith("part-"))
    assert 0 < len(listed) < len(refs)
    # Beyond what the manifest lists: the torn shard in hand, and (with rare
    # checkpoints) complete shards no manifest names.
    assert max(shards) > max(shard for shard in listed if shard)
    if pause_ratio:
        assert len(shards) - len(set(listed) - {None}) > 1

    sink = FsspecShardSink(url, shard_size=4, resume=True, run_options=RUN_OPTIONS)
    # Not left beside the manifest should this run stop too.
    assert sorted(name for name in memory_files(memory_root) if name.startswith("part-")) == (
        sorted(set(listed) - {None}))
    again = resumed(sink, refs)
    assert again.skipped == len(listed)
    assert memory_files(memory_root) == files(tmp_path / "whole")


def test_remote_run_stopped_mid_shard_resumes_to_the_uninterrupted_output(
    tmp_path: Path, memory_root: str,
) -> None:
    refs = list(discover([str(BAD), str(DUMPS)]))
    batch.run(refs, Options(), ShardSink(str(tmp_path / "whole"), shard_size=4),
              dedup="flag", outcome_source=cleaned())
    url = f"memory://{memory_root}"
    # Stopped as by SIGINT: the run commits a shard of fewer than 4 records.
    # (Near the end, after a count that is no multiple of 4, whatever the
    # number of fixture files: after a multiple, the last shard is whole.)
    stop = len(refs) - 2 if (len(refs) - 2) % 4 else len(refs) - 3
    batch.run(refs, Options(), FsspecShardSink(url, shard_size=4), dedup="flag",
              outcome_source=cleaned(stop_after=stop))
    last = max(name for name in memory_files(memory_root) if name.startswith("part-"))
    assert len(gzip.decompress(memory_files(memory_root)[last]).splitlines()) < 4

    with pytest.raises(UsageError, match="Add --resume to continue it"):
        FsspecShardSink(url, shard_size=4)
    resumed(FsspecShardSink(url, shard_size=4, resume=True), refs)
    assert memory_files(memory_root) == files(tmp_path / "whole")


def test_remote_resume_cleans_again_an_input_whose_worker_died_as_a_local_one(
    tmp_path: Path, memory_root: str,
) -> None:
    refs = list(discover([str(BAD), str(DUMPS)]))
    died = refs[len(refs) // 2].source
    url = f"memory://{memory_root}"
    rejects_url = f"memory://{memory_root}-rejects/rejects.jsonl"
    local, local_rejects = tmp_path / "local", str(tmp_path / "rejects.jsonl")
    for first_sink in (ShardSink(str(local), shard_size=4, rejects_path=local_rejects),
                       FsspecShardSink(url, shard_size=4, rejects_url=rejects_url)):
        resumed(first_sink, refs, worker_dies_on=died)
    assert b'"status":"failed"' in memory_files(memory_root)[MANIFEST_NAME]

    local_sink = ShardSink(str(local), shard_size=4, resume=True, rejects_path=local_rejects)
    remote_sink = FsspecShardSink(url, shard_size=4, resume=True, rejects_url=rejects_url)
    for sink in (local_sink, remote_sink):
        assert (resumed(sink, refs).inputs, sink.state.failed[died]) == (1, 0)
    assert memory_files(memory_root) == files(local)
    assert b'"status":"failed"' not in files(local)[MANIFEST_NAME]
    assert memory_files(f"{memory_root}-rejects")[REJECTS_NAME] == Path(
        local_rejects).read_bytes()
    fsspec.filesystem("memory").rm(f"{memory_root}-rejects", recursive=True)


def test_time_limit_and_dead_workers_on_the_cluster(scheduler: str, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    page = (BAD / "no-chrome.txt").read_text(encoding="utf-8")
    for name, text in {"a": page, "b": "SLOWPAGE " + page, "c": "CRASHPAGE " + page,
                       "d": page + " more"}.items():
        (pages / f"{name}.txt").write_text(text, encoding="utf-8")

    started = time.monotonic()
    run_dask([str(pages)], str(tmp_path / "slow"), scheduler,
             Options(timeout=1.0, cleaner="dwclean_dask_hooks:slow"))  # --timeout 1
    assert time.monotonic() - started < 20
    rejects = list(read_jsonl(str(tmp_path / "slow" / REJECTS_NAME)))
    assert rejects == [{"source": str(pages / "b.txt"), "reason": "timeout",
                        "detail": "cleaning took over 1 s"}]

    run_dask([str(pages)], str(tmp_path / "crash"), scheduler,
             Options(cleaner="dwclean_dask_hooks:crash"), batch_size=4)
    # Only the page that kills its worker is lost; its batch-mates are retried.
    [reject] = list(read_jsonl(str(tmp_path / "crash" / REJECTS_NAME)))
    assert (reject["source"], reject["reason"]) == (str(pages / "c.txt"), "error")
    assert reject["detail"] == "worker process died while cleaning it (Dask KilledWorker)"
    manifest = list(read_jsonl(str(tmp_path / "crash" / MANIFEST_NAME)))
    # Not known to be the page's fault: a resumed run cleans it again.
    assert [entry["status"] for entry in manifest] == ["ok", "ok", "failed", "ok"]


def test_time_limit_in_a_thread(hooks_dir: str) -> None:
    """The thread time limit stops the slow page and leaves no stray exception."""
    page = (BAD / "no-chrome.txt").read_text(encoding="utf-8")
    options = Options(timeout=0.5, cleaner="dwclean_dask_hooks:slow")
    refs = [InputRef("slow", data=("SLOWPAGE " + page).encode()),
            InputRef("fast", data=page.encode())]
    results: list[Outcome] = []
    thread = threading.Thread(target=lambda: results.extend(clean_one(r, options) for r in refs))
    thread.start()
    thread.join(timeout=20)
    assert [(o.source, o.reason) for o in results] == [("slow", Reason.TIMEOUT), ("fast", None)]
    # Longer than the limit after a fast page: the cancelled timer stays silent.
    time.sleep(0.7)
    assert not thread.is_alive()


def test_each_json_record_has_its_own_time_limit_in_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As in a local run: records that together take longer than --timeout
    # stand; the one over it is rejected alone (it was the whole file).
    real = records.record_document

    def slow(record: dict[str, Any], **options: Any) -> Any:
        for _ in range(int(record["sleep"] * 100)):  # (see HOOKS' slow)
            time.sleep(0.01)
        return real(record, **options)

    monkeypatch.setattr(records, "record_document", slow)
    text = "Die Regierung hat am Montag einen neuen Plan vorgestellt."
    data = "".join(json.dumps({"text": text, "sleep": sleep}) + "\n"
                   for sleep in [0.2, 0.2, 30, 0.2]).encode()
    results: list[Outcome] = []
    thread = threading.Thread(target=lambda: results.append(
        clean_one(InputRef("pages.jsonl", data=data), Options(timeout=0.5))))
    thread.start()
    thread.join(timeout=20)
    [got] = results
    assert got.reason is None
    assert [record.source for record in got.records] == [
        "pages.jsonl#1", "pages.jsonl#2", "pages.jsonl#4"]
    assert got.record_rejects == (("pages.jsonl#3", Reason.TIMEOUT, "cleaning took over 0.5 s"),)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("s3://bucket/prefix", "s3"), ("simplecache::s3://bucket/key", "simplecache::s3"),
     ("file:///data", "file"), ("/data/x.txt", None), ("dumps/a b://c.txt", None),
     ("./odd://name", None)],
)
def test_protocol(path: str, expected: str | None) -> None:
    assert protocol(path) == expected


def test_discover_any_mixes_paths_and_urls() -> None:
    refs = list(discover_any([str(BAD / "empty.txt"), (BAD / "cp1252.txt").as_uri()]))
    assert refs == [InputRef(str(BAD / "empty.txt"), str(BAD / "empty.txt")),
                    InputRef((BAD / "cp1252.txt").as_uri(), (BAD / "cp1252.txt").as_uri())]


@pytest.mark.parametrize("typed", ["", "/*", "/*.txt", "/**/*.txt", "/.*", "/**"])
def test_a_url_walk_finds_what_a_local_walk_finds_in_its_order(
    tmp_path: Path, typed: str
) -> None:
    # QA: a directory walked through fsspec listed its files sorted by full
    # path ("sub/a.txt" before "z.txt") and its globs matched names starting
    # with a dot: the same pages read from s3:// or from a disk filled their
    # shards in another order, and --dedup named another first copy.
    root = tmp_path / "pages"
    for name in ("z.txt", "a.txt", ".h.txt", "sub/a.txt", ".hid/b.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    # QA: fsspec's walk left out the files behind a link to a directory, and
    # its "**" matched directories too, whose files then came twice.
    (root / "linked").symlink_to(root / "sub")
    local = [ref.source for ref in discover([f"{root}{typed}"], pattern="*")]
    remote = [ref.source for ref in discover_any([f"{root.as_uri()}{typed}"], pattern="*")]
    assert [source.removeprefix("file://") for source in remote] == local
    assert len(local) >= 2
    assert len(set(remote)) == len(remote)
    if typed in ("", "/**", "/**/*.txt"):
        assert f"{root.as_uri()}/linked/a.txt" in remote


def test_cli_dask_url_walk_leaves_out_the_runs_own_outputs(
    scheduler: str, tmp_path: Path,
) -> None:
    # QA: a directory walked through fsspec (file:// here, s3:// alike) read
    # the run's own files back: run.json in the first run (a `no_text`
    # reject, exit 1), then the manifest, shards and rejects in a --resume,
    # as a plain path's walk never does.
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("001_26d23cd7d08ed03d.txt", "fr-old-2011-elephants.txt"):
        shutil.copy(EXAMPLES / name, pages / name)
    args = [pages.as_uri(), "--glob", "*", "--output-dir", str(pages / "out"),
            "--rejects", str(pages / "rejects.jsonl"), "--dask", scheduler, "-q"]
    expected = [(pages / name).as_uri()
                for name in ("001_26d23cd7d08ed03d.txt", "fr-old-2011-elephants.txt")]
    first = invoke(args)
    assert first.exit_code == 0, first.output
    assert [entry["source"] for entry in read_jsonl(str(pages / "out" / MANIFEST_NAME))] == expected
    again = invoke([*args, "--resume"])
    assert again.exit_code == 0, again.output
    assert [entry["source"] for entry in read_jsonl(str(pages / "out" / MANIFEST_NAME))] == expected
    assert (pages / "rejects.jsonl").read_text() == ""
    # Named, a file the run writes is refused, as a plain path is.
    manifest = pages / "out" / MANIFEST_NAME
    before = manifest.read_bytes()
    named = invoke([manifest.as_uri(), *args[1:], "--resume"])
    assert named.exit_code == 2, named.output
    assert f"{manifest.as_uri()} is both an input and this run's output" in named.stderr
    assert manifest.read_bytes() == before


def test_cli_dask_reads_relative_paths_from_the_client_directory(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # QA: the workers read a relative path from their own working directory,
    # so `dw-clean pages/ --output-dir out --dask tcp://...` run anywhere but
    # where the workers were started rejected every page as `unreadable`.
    pages = tmp_path / "pages"
    (pages / "old").mkdir(parents=True)
    shutil.copy(EXAMPLES / "001_26d23cd7d08ed03d.txt", pages / "a.txt")
    shutil.copy(EXAMPLES / "fr-old-2011-elephants.txt", pages / "old" / "b.txt")
    monkeypatch.chdir(tmp_path)  # not the directory the workers were started in
    local = invoke(["pages", "./pages/old/b.txt", "--output-dir", "local", "-j", "1"])
    on_dask = invoke(["pages", "./pages/old/b.txt", "--output-dir", "dask", "--dask", scheduler])
    assert (on_dask.exit_code, local.exit_code) == (0, 0), on_dask.output
    assert files(tmp_path / "dask") == files(tmp_path / "local")


def test_remote_walk_leaves_out_the_runs_own_outputs(memory_root: str) -> None:
    """The same on a remote file system: the output directory met in the walk
    is left out whole, the run's files where the walk starts in it."""
    fs = fsspec.filesystem("memory")
    for name in ("a.txt", "out/part-00000.jsonl.gz", "out/manifest.jsonl", "out/run.json",
                 "out/pages/b.txt", "rejects.jsonl", "z/c.txt"):
        fs.pipe(f"{memory_root}/{name}", b"page")
    root = f"memory://{memory_root}"
    own = {"output_dir": f"{root}/out", "rejects": f"{root}/rejects.jsonl"}
    walked = [ref.source for ref in discover_any([root], pattern="*", **own)]
    assert walked == [f"memory://{memory_root}/{name}" for name in ("a.txt", "z/c.txt")]
    globbed = [ref.source for ref in discover_any([f"{root}/*"], pattern="*", **own)]
    assert globbed == walked
    inside = [ref.source for ref in discover_any([f"{root}/out"], pattern="*", **own)]
    assert inside == [f"memory://{memory_root}/out/pages/b.txt"]


def test_a_remote_double_star_glob_gives_each_file_once(memory_root: str) -> None:
    # QA: fsspec's "**" matches the directories as well as their files, and
    # each matched directory was walked again: s3://bucket/** listed a file
    # once per directory above it.
    fs = fsspec.filesystem("memory")
    for name in ("a.txt", "d/b.txt", "d/e/c.txt"):
        fs.pipe(f"{memory_root}/{name}", b"page")
    root = f"memory://{memory_root}"
    globbed = [ref.source for ref in discover_any([f"{root}/**"], pattern="*")]
    assert globbed == [f"{root}/{name}" for name in ("a.txt", "d/b.txt", "d/e/c.txt")]


def test_import_cleaner_stays_light() -> None:
    code = (
        "import sys, cleaner, cleaner.cli, cleaner.distributed\n"
        "heavy = {'dask', 'distributed', 'fsspec', 'datatrove'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_local_cluster_address(tmp_path: Path) -> None:
    """`local:N` starts (and stops) its own cluster."""
    summary = run_dask([str(BAD / "cp1252.txt"), str(BAD / "empty.txt")],
                       str(tmp_path / "out"), "local:1")
    assert (summary.inputs, summary.records, dict(summary.rejects)) == (2, 1, {"empty": 1})
    with pytest.raises(UsageError, match="local:N"):
        run_dask([str(BAD)], str(tmp_path / "bad-address"), "local:many")
    assert not (tmp_path / "bad-address").exists()


@pytest.mark.parametrize("address", ["scheduler", "tcp://scheduler", "tpc://scheduler:8786"])
def test_malformed_scheduler_address_is_a_usage_error_before_any_output(
        tmp_path: Path, address: str) -> None:
    # A typo in the address used to leave a directory holding run.json and
    # advice to --resume a run that never started.
    out = tmp_path / "out"
    result = CliRunner().invoke(clean_app, normalize_args(
        [str(BAD / "cp1252.txt"), "--output-dir", str(out), "--dask", address]))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"dw-clean: usage error: --dask {address}: ")
    assert "tcp://host:8786" in result.stderr
    assert not out.exists()


def test_a_scheduler_without_workers_is_said_before_the_run_waits(scheduler: str) -> None:
    # QA: --dask tcp://... with a scheduler that had no workers waited for
    # ever without a word; a cluster that starts workers when work arrives
    # is fine, so it is a notice, and the workers of a real one pass silently.
    notices: list[str] = []
    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                      ) as empty, Client(empty) as client:
        check_workers(client, notices.append)
    assert notices == ["the Dask scheduler has no workers yet: the run waits for one "
                       "to join (Ctrl-C stops it)."]
    with Client(scheduler) as client:
        check_workers(client, notices.append)
    assert len(notices) == 1


def test_missing_dask_tells_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UsageError, match=r"pip install 'dw-clean\[dask\]'"):
        run_dask([str(BAD)], str(tmp_path / "out"), "local:1")
    assert not (tmp_path / "out").exists()


def test_client_is_closed(scheduler: str) -> None:
    # Nothing above leaves a client open on the shared cluster.
    with Client(scheduler) as client:
        assert len(client.scheduler_info()["workers"]) == 2


# --- the command line -----------------------------------------------------------


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(clean_app, normalize_args(args))


def test_cli_dask_run_equals_local_run(scheduler: str, tmp_path: Path) -> None:
    paths = [str(DUMPS), str(BAD), "--shard-size", "6", "-q", "--dedup"]
    local = invoke([*paths, "--output-dir", str(tmp_path / "local"), "-j", "2"])
    on_dask = invoke([*paths, "--output-dir", str(tmp_path / "dask"), "--dask", scheduler])
    # Exit code 1 as locally: fixtures/bad holds inputs that are rejected.
    assert (on_dask.exit_code, local.exit_code) == (1, 1), on_dask.output
    assert files(tmp_path / "dask") == files(tmp_path / "local")

    # --resume on a local output directory works as for a local run.
    again = invoke([*paths, "--output-dir", str(tmp_path / "dask"), "--dask", scheduler,
                    "--resume", "--allow-rejects"])
    assert again.exit_code == 0, again.output
    assert files(tmp_path / "dask") == files(tmp_path / "local")
    # ... and is refused with other options, as for a local run.
    other = invoke([*paths, "--shard-size", "7", "--output-dir", str(tmp_path / "dask"),
                    "--dask", scheduler, "--resume"])
    assert other.exit_code == 2, other.output
    assert "--resume with --shard-size 7, but the run in" in other.stderr


def _eight_pages_and_a_whole_run(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Eight pages, the options a run of six of them starts with, and that run
    done locally in one go (`whole`), to compare resumed runs against."""
    pages, whole = tmp_path / "pages", tmp_path / "whole"
    pages.mkdir()
    text = (EXAMPLES / "001_26d23cd7d08ed03d.txt").read_text()
    for i in range(8):
        (pages / f"p{i:03d}.txt").write_text(text.replace("Lavrov", f"Lavrov {i}"))
    started_with = ["--shard-size", "2", "--glob", "p00[0-5].txt"]  # 6 of the 8 pages
    assert invoke([str(pages), *started_with, "--output-dir", str(whole), "-j", "1"]
                  ).exit_code == 0
    return pages, whole, started_with


def test_cli_dask_resume_with_a_bare_command_line_goes_on_as_the_run_began(
    scheduler: str, tmp_path: Path,
) -> None:
    parts = tmp_path / "parts"
    pages, whole, started_with = _eight_pages_and_a_whole_run(tmp_path)
    # A run stopped after its first three pages, then resumed on the cluster
    # without the options it was started with.
    first_three = [str(pages / f"p{i:03d}.txt") for i in range(3)]
    assert invoke([*first_three, *started_with, "--output-dir", str(parts), "--dask",
                   scheduler]).exit_code == 0
    resumed = invoke([str(pages), "--output-dir", str(parts), "--dask", scheduler, "--resume",
                      "-q"])
    assert resumed.exit_code == 0, resumed.output
    assert resumed.stderr == (f"dw-clean: resuming with the options the run in {parts} was "
                              "started with (run.json): --glob p00[0-5].txt --shard-size 2\n")
    assert files(parts) == files(whole)


def test_cli_dask_remote_output_resumes_as_the_run_in_its_run_json(
    scheduler: str, tmp_path: Path, memory_root: str,
) -> None:
    # Issue: --resume was refused for any --output-dir but a local one, so a
    # cluster run into object storage that died had to start again.
    url = f"memory://{memory_root}/out"
    pages, whole, started_with = _eight_pages_and_a_whole_run(tmp_path)
    first_three = [str(pages / f"p{i:03d}.txt") for i in range(3)]
    assert invoke([*first_three, *started_with, "--output-dir", url, "--dask", scheduler]
                  ).exit_code == 0

    again = invoke([str(pages), *started_with, "--output-dir", url, "--dask", scheduler])
    assert again.exit_code == 2, again.output
    assert "Add --resume to continue it" in again.stderr
    other = invoke([str(pages), "--shard-size", "3", "--output-dir", url, "--dask", scheduler,
                    "--resume"])
    assert other.exit_code == 2, other.output
    assert f"--resume with --shard-size 3, but the run in {url} was started with" in other.stderr

    resumed = invoke([str(pages), "--output-dir", url, "--dask", scheduler, "--resume", "-q"])
    assert resumed.exit_code == 0, resumed.output
    assert resumed.stderr == (f"dw-clean: resuming with the options the run in {url} was "
                              "started with (run.json): --glob p00[0-5].txt --shard-size 2\n")
    assert memory_files(memory_root) == files(whole)


def test_cli_dask_file_url_output_is_resumable_as_its_local_directory(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # QA: with --output-dir file:///x a fatal error said the run "cannot be
    # resumed", and --resume there kept its warnings to itself, though /x is
    # the local directory, written and resumed as such.
    pages, out = tmp_path / "pages", tmp_path / "out"
    pages.mkdir()
    text = (EXAMPLES / "001_26d23cd7d08ed03d.txt").read_text()
    for i in range(3):
        (pages / f"p{i:03d}.txt").write_text(text.replace("Lavrov", f"Lavrov {i}"))
    common = [str(pages), "--shard-size", "1", "--dask", scheduler, "--output-dir", out.as_uri()]

    real_write = outputs.AtomicFile.write

    def full_at_second_shard(self: outputs.AtomicFile, data: bytes) -> None:
        if self.path.endswith("part-00001.jsonl.gz"):  # the client writes the shards
            full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            raise outputs.write_error(full, self.path)
        real_write(self, data)

    with monkeypatch.context() as patch:
        patch.setattr(outputs.AtomicFile, "write", full_at_second_shard)
        failed = invoke(common)
    assert failed.exit_code == 1, failed.output
    assert failed.stderr.splitlines()[-1] == (
        f"dw-clean: stopped by the error above (1 inputs done this run after "
        f"{pages / 'p000.txt'}); {out} holds the 1 inputs its manifest lists; deal with the "
        "error, then rerun the same command with --resume to continue.")

    # The --rejects it would write over are refused as for a plain path.
    clash = invoke([*common, "--resume", "--rejects", str(out / RUN_NAME)])
    assert clash.exit_code == 2, clash.output
    assert "is a file --output-dir writes itself" in clash.stderr

    (out / RUN_NAME).unlink()  # as if an older dw-clean had started the run
    resumed = invoke([*common, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"warning: {out} has no run.json" in resumed.stderr
    assert "2 inputs, 2 records, 0 rejects, 0 duplicates, 1 skipped as done" in resumed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dask", "local:2"], "--dask needs --output-dir"),
        (["--dask", "local:2", "-o", "out.jsonl"], "--dask needs --output-dir"),
        (["--dask", "local:two", "--output-dir", "OUT"], "give local:N"),
        # Found by QA: the local directory's sink failed to write it at the
        # end of the run, after all the cleaning.
        (["--dask", "local:2", "--output-dir", "OUT", "--rejects", "memory://x/rejects.jsonl"],
         "a URL for the rejects needs a remote --output-dir"),
        # Was accepted and ignored: the run used the cluster's workers.
        (["--dask", "local:2", "--output-dir", "OUT", "--jobs", "4"],
         "--jobs 4 sets the processes of a local run"),
    ],
)
def test_cli_dask_usage_errors(args: list[str], message: str, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke([str(BAD), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_cli_dask_file_url_rejects_are_its_local_file(scheduler: str, tmp_path: Path) -> None:
    # QA: `--rejects file:///x/rejects.jsonl` beside a local --output-dir
    # failed at the end of the run ("Cannot write file:///..."): it is /x/rejects.jsonl.
    rejects = tmp_path / "rejects.jsonl"
    result = invoke([str(BAD), "--dask", scheduler, "--output-dir", str(tmp_path / "out"),
                     "--rejects", rejects.as_uri()])
    assert result.exit_code == 1, result.output  # BAD holds rejects
    assert [json.loads(line)["source"] for line in rejects.read_text().splitlines()]


def test_cli_without_dask_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = invoke([str(BAD), "--output-dir", str(tmp_path / "out"), "--dask", "local:1"])
    assert result.exit_code == 2, result.output
    assert "pip install 'dw-clean[dask]'" in result.output


@pytest.mark.parametrize("where", ["remote", "rejects elsewhere"])
def test_a_resumed_dask_run_exits_as_the_uninterrupted_run_would(
    scheduler: str, tmp_path: Path, memory_root: str, where: str
) -> None:
    # QA: the rejects of the earlier runs counted for a resumed local run's
    # exit code, not for a --dask run's into a remote directory (never read),
    # nor into a local one whose first run wrote --rejects elsewhere (the
    # manifest's rejected inputs were not passed on): exit 0 there, 1 here.
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(EXAMPLES / "001_26d23cd7d08ed03d.txt", pages / "a.txt")
    shutil.copy(BAD / "empty.txt", pages / "empty.txt")
    if where == "remote":
        options = ["--output-dir", f"memory://{memory_root}/out"]
    else:
        options = ["--output-dir", str(tmp_path / "out")]
    first = invoke([str(pages), *options, "--dask", scheduler, "-q",
                    *(["--rejects", str(tmp_path / "r.jsonl")] if where != "remote" else [])])
    assert first.exit_code == 1, first.output
    again = invoke([str(pages), *options, "--dask", scheduler, "-q", "--resume"])
    assert again.exit_code == 1, again.output
    assert "1 rejects from the earlier runs" in again.stderr


@pytest.mark.parametrize("where", ["input", "output"])
def test_a_url_whose_file_system_cannot_load_is_a_usage_error_before_any_output(
    tmp_path: Path, where: str
) -> None:
    # QA: s3:// without s3fs was a 60-line traceback, after run.json was
    # written into the output directory.
    url = "nosuchfs://bucket/pages"
    out = tmp_path / "out"
    args = ([url, "--output-dir", str(out)] if where == "input"
            else [str(EXAMPLES), "--output-dir", url])
    result = invoke([*args, "--dask", "local:1", "-q"])
    assert result.exit_code == 2, result.output
    assert f"usage error: {url}: Protocol not known: nosuchfs" in result.stderr
    assert not out.exists()


def test_a_scheduler_address_that_reaches_nothing_leaves_no_output_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: an address that parses but reaches no scheduler (a typo) made the
    # output directory and its run.json, then failed, advising --resume.
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "out"
    result = invoke([str(EXAMPLES), "--output-dir", str(out), "--dask", "tcp://127.0.0.1:9", "-q"])
    assert result.exit_code == 1, result.output
    assert "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert f"{out} was not made" in result.stderr
    assert not out.exists()
