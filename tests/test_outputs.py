"""Writing JSON Lines atomically, and shard directories (cleaner/outputs.py)."""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cleaner.errors import DwCleanError, UsageError
from cleaner.outputs import (
    AtomicFile,
    FileSink,
    ManifestEntry,
    RejectsFile,
    RejectsStream,
    ShardSink,
    SourceCounts,
    StdoutSink,
    dumps,
    encode_line,
    encode_record,
    read_jsonl,
    read_resume_state,
    write_error,
)


def lines_of(path: Path) -> list[str]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode().splitlines()


def test_dumps_keeps_non_ascii_as_utf8() -> None:
    assert dumps({"t": "Größe „x“"}) == '{"t":"Größe „x“"}'


def test_dumps_writes_lone_surrogates_like_the_rest() -> None:
    # A non-UTF-8 file name, decoded with surrogateescape: orjson refuses it.
    name = b"seite-\xe4.txt".decode("utf-8", errors="surrogateescape")
    line = dumps({"source": name, "t": "Größe"})
    assert line == '{"source":"seite-\udce4.txt","t":"Größe"}'
    assert json.loads(line)["source"] == name


def test_encode_record_is_the_dumps_line_as_written() -> None:
    name = b"seite-\xe4.txt".decode("utf-8", errors="surrogateescape")
    for record in ({"t": "Größe „x“", "n": [1, None]}, {"source": name, "t": "Größe"}):
        assert encode_record(record) == encode_line(dumps(record))
    # The lone surrogate goes back to the file name's own byte.
    assert encode_record({"source": name}) == b'{"source":"seite-\xe4.txt"}\n'


def test_an_output_file_clears_what_a_killed_run_left_of_it(tmp_path: Path) -> None:
    # A run killed with SIGKILL cannot remove its temporary file, as large as
    # its output got; a run writing the same file now keeps its own.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        left = tmp_path / f".out.jsonl.tmp-{gone.pid}"
        running = tmp_path / f".out.jsonl.tmp-{alive.pid}"
        other = tmp_path / f".other.jsonl.tmp-{gone.pid}"
        # Names no run of ours writes are left alone, and raise nothing.
        odd = [tmp_path / ".out.jsonl.tmp-\u00b2", tmp_path / f".out.jsonl.tmp-{10**30}"]
        for path in (left, running, other, *odd):
            path.write_bytes(b"{}\n" * 1000)
        sink = FileSink(str(tmp_path / "out.jsonl"))
        sink.commit()
        assert not left.exists()
        assert running.exists() and other.exists()
        assert all(path.exists() for path in odd)
    finally:
        alive.kill()
        alive.wait()


def test_atomic_file_appears_only_on_commit(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    atomic = AtomicFile(str(target))
    atomic.write_line('{"a": 1}')
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == [f".out.jsonl.tmp-{os.getpid()}"]
    atomic.commit()
    assert target.read_text() == '{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_discard_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    atomic = AtomicFile(str(target))
    atomic.write_line("new")
    atomic.discard()
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_gzip_output_is_valid_and_reproducible(tmp_path: Path) -> None:
    blobs = []
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        sink = FileSink(str(tmp_path / name))
        sink.record(encode_line('{"text": "ä"}'))
        sink.commit()
        blobs.append((tmp_path / name).read_bytes())
    assert blobs[0] == blobs[1]  # mtime 0, no file name in the header
    assert gzip.decompress(blobs[0]).decode() == '{"text": "ä"}\n'


def test_stdout_sink_writes_utf8_lines() -> None:
    stream = io.BytesIO()
    sink = StdoutSink(stream)
    sink.record(encode_line('{"t": "ü"}'))
    sink.commit()
    assert stream.getvalue() == '{"t": "ü"}\n'.encode()


class ShortWrites(io.RawIOBase):
    """A raw stream, as an unbuffered standard output is, that takes at most
    a few bytes per write(), as a pipe does when its reader goes away."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        taken = bytes(memoryview(data))[:3]  # type: ignore[arg-type]
        self.data += taken
        return len(taken)


def test_records_and_rejects_to_an_unbuffered_stdout_are_written_whole() -> None:
    # QA: with PYTHONUNBUFFERED=1 a short write was taken as complete: the
    # rest of the line was lost without a word.
    stream = ShortWrites()
    sink = StdoutSink(stream)  # type: ignore[arg-type]
    sink.record(encode_line('{"t": "ü"}'))
    sink.commit()
    rejects = RejectsStream(stream)  # type: ignore[arg-type]
    rejects.add(ManifestEntry("a.txt", "rejected", reason="empty", detail="empty file"))
    rejects.commit()
    assert bytes(stream.data).decode().splitlines() == [
        '{"t": "ü"}', '{"source":"a.txt","reason":"empty","detail":"empty file"}']


def test_full_disk_message_says_what_to_do() -> None:
    error = write_error(OSError(errno.ENOSPC, "No space left on device"), "out.jsonl")
    assert isinstance(error, DwCleanError)
    assert "out.jsonl" in str(error)
    assert "disk is full" in str(error)


def test_write_failure_becomes_a_dw_clean_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Full(io.BytesIO):
        def write(self, data: bytes, /) -> int:  # type: ignore[override]
            raise OSError(errno.ENOSPC, "No space left on device")

    sink = StdoutSink(Full())
    with pytest.raises(DwCleanError, match="disk is full"):
        sink.record(b"{}\n")


def test_read_jsonl_ignores_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": ')
    assert list(read_jsonl(str(path))) == [{"a": 1}, {"a": 2}]


def test_rejects_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "rejects.jsonl"
    rejects = RejectsFile(str(path))
    rejects.add(ManifestEntry("x.txt", "rejected", reason="empty", detail="nothing"))
    rejects.commit()
    expected = {"source": "x.txt", "reason": "empty", "detail": "nothing"}
    assert json.loads(path.read_text()) == expected


def fill(sink: ShardSink, start: int, stop: int, *, reject_every: int = 0) -> None:
    for i in range(start, stop):
        if reject_every and i % reject_every == 0:
            sink.done(ManifestEntry(f"in-{i}", "rejected", reason="empty", detail="d"))
            continue
        sink.record(encode_record({"n": i}))
        sink.done(ManifestEntry(f"in-{i}", "ok", records=1, digests=[f"h{i}"]))


def test_shards_manifest_and_rejects(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sink = ShardSink(str(out), shard_size=3)
    fill(sink, 0, 8, reject_every=4)
    sink.commit()
    names = sorted(p.name for p in out.iterdir())
    assert names == ["manifest.jsonl", "part-00000.jsonl.gz", "part-00001.jsonl.gz",
                     "rejects.jsonl"]
    assert [json.loads(x)["n"] for x in lines_of(out / "part-00000.jsonl.gz")] == [1, 2, 3]
    assert [json.loads(x)["n"] for x in lines_of(out / "part-00001.jsonl.gz")] == [5, 6, 7]
    manifest = list(read_jsonl(str(out / "manifest.jsonl")))
    assert [m["source"] for m in manifest] == [f"in-{i}" for i in range(8)]
    assert [m["shard"] for m in manifest][:5] == [
        None, "part-00000.jsonl.gz", "part-00000.jsonl.gz", "part-00000.jsonl.gz", None]
    assert [json.loads(x)["source"] for x in lines_of(out / "rejects.jsonl")] == ["in-0", "in-4"]


def test_existing_run_needs_resume(tmp_path: Path) -> None:
    sink = ShardSink(str(tmp_path), shard_size=2)
    fill(sink, 0, 1)
    sink.commit()
    with pytest.raises(UsageError, match="--resume"):
        ShardSink(str(tmp_path), shard_size=2)


def test_a_listed_source_is_found_by_its_name_else_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    counts = SourceCounts(Counter({"pages/a.txt": 1, "pages/b.txt": 2, "-": 1}))
    assert counts.take(str(tmp_path / "pages" / "b.txt")) == "pages/b.txt"
    assert counts.take("pages/b.txt") == "pages/b.txt"
    assert counts.take("pages/b.txt") is None  # listed twice, taken twice
    assert counts.take("pages/a.txt") == "pages/a.txt"
    assert counts.take(str(tmp_path / "pages" / "a.txt")) is None
    # Another name of the same file (through a link) is another input;
    # standard input and URLs are found by their name only.
    assert counts.take("link/a.txt") is None
    assert counts.take("-") == "-"
    assert counts.take("file:///x") is None


def test_a_failed_input_cleaned_again_under_another_name_replaces_its_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sink = ShardSink("out", shard_size=4)
    sink.done(ManifestEntry("pages/a.txt", "ok"))
    failed = ManifestEntry("pages/c.txt", "failed", reason="error", detail="worker died")
    sink.done(failed)
    sink.commit()
    # Resumed as /abs/pages: the failure's lines give way to the new outcome.
    sink = ShardSink("out", shard_size=4, resume=True)
    sink.done(ManifestEntry(str(tmp_path / "pages" / "c.txt"), "ok"))
    sink.commit()
    statuses = [line["status"] for line in read_jsonl("out/manifest.jsonl")]
    assert statuses == ["ok", "ok"]
    assert (tmp_path / "out" / "rejects.jsonl").read_text() == ""


def test_resume_continues_a_partial_shard_and_equals_one_run(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    sink = ShardSink(str(whole), shard_size=4)
    fill(sink, 0, 10, reject_every=3)
    sink.commit()

    parts = tmp_path / "parts"
    sink = ShardSink(str(parts), shard_size=4)
    fill(sink, 0, 6, reject_every=3)  # stops inside the second shard
    sink.commit()
    state = read_resume_state(str(parts))
    assert state.done == Counter(f"in-{i}" for i in range(6))
    assert ("h1", "in-1") in state.digests
    sink = ShardSink(str(parts), shard_size=4, resume=True)
    fill(sink, 6, 10, reject_every=3)
    sink.commit()

    for name in ("part-00000.jsonl.gz", "part-00001.jsonl.gz", "manifest.jsonl",
                 "rejects.jsonl"):
        assert (parts / name).read_bytes() == (whole / name).read_bytes(), name
    assert sorted(p.name for p in parts.iterdir()) == sorted(p.name for p in whole.iterdir())


def test_resume_after_a_full_shard_starts_the_next(tmp_path: Path) -> None:
    sink = ShardSink(str(tmp_path), shard_size=2)
    fill(sink, 0, 2)
    sink.commit()
    sink = ShardSink(str(tmp_path), shard_size=2, resume=True)
    fill(sink, 2, 3)
    sink.commit()
    assert [json.loads(x)["n"] for x in lines_of(tmp_path / "part-00001.jsonl.gz")] == [2]


def test_resume_removes_stale_temporary_files(tmp_path: Path) -> None:
    sink = ShardSink(str(tmp_path), shard_size=2)
    fill(sink, 0, 1)
    sink.commit()
    stale = tmp_path / ".part-00000.jsonl.gz.tmp-99999"
    stale.write_bytes(b"half")
    ShardSink(str(tmp_path), shard_size=2, resume=True).commit()
    assert not stale.exists()


def test_discarded_shard_run_keeps_earlier_commits(tmp_path: Path) -> None:
    sink = ShardSink(str(tmp_path), shard_size=2)
    fill(sink, 0, 3)  # one full shard committed, one record pending
    sink.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.jsonl", "part-00000.jsonl.gz", "rejects.jsonl"]
    assert len(list(read_jsonl(str(tmp_path / "manifest.jsonl")))) == 2
