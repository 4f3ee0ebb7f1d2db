"""Batch runs: order, bounded work, time limits, dedup, interruption and resume."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cleaner.batch
import cleaner.core
import cleaner.formats.records
from cleaner.batch import (
    CHUNK,
    IN_FLIGHT_PER_WORKER,
    SMALL_RUN,
    Options,
    Outcome,
    Summary,
    WorkerPool,
    outcomes,
    process_input,
    run,
)
from cleaner.document import Document
from cleaner.errors import DwCleanError, Reason, RecordError
from cleaner.inputs import InputRef, discover
from cleaner.outputs import FileSink, ShardSink, read_jsonl
from cleaner.timelimit import DocumentTimeout, time_limit, untimed

ROOT = Path(__file__).resolve().parent.parent
DUMPS = ROOT / "fixtures" / "dumps"
BAD = ROOT / "fixtures" / "bad"
EXAMPLE = ROOT / "fixtures" / "examples" / "001_26d23cd7d08ed03d.txt"

# Cleaning functions for worker processes, where monkeypatching cannot reach:
# they misbehave on pages that contain a marker word and clean the rest.
HOOKS = '''
import os
import signal
import time

from cleaner.core import clean as real_clean


def slow(text, **options):
    if "SLOWPAGE" in text:
        time.sleep(30)  # interrupted by the SIGALRM time limit
    return real_clean(text, **options)


def stuck(text, **options):
    if "SLOWPAGE" in text:
        # Like a long call into C: the time-limit signal cannot get through.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(30)
    return real_clean(text, **options)


def crash(text, **options):
    if "SLOWPAGE" in text:
        os._exit(3)
    return real_clean(text, **options)


def killed_once(text, **options):
    # As the out-of-memory killer does, once (the flag file says it did):
    # cleaned again, the page gives its record.
    for line in text.splitlines():
        if line.startswith("KILLONCE "):
            flag = line.split(" ", 1)[1]
            if not os.path.exists(flag):
                open(flag, "w").close()
                os.kill(os.getpid(), signal.SIGKILL)
    return real_clean(text, **options)


def killed_or_slow(text, **options):
    if "KILLPAGE" in text:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
    return slow(text, **options)
'''


# JSON records that take their time, in worker processes too: importing the
# module (as Options.cleaner makes a worker do) slows every record by its
# own "sleep" field.
RECORD_HOOKS = '''
import time

import cleaner.formats.records as records
from cleaner.core import clean

real_record_document = records.record_document


def record_document(record, **options):
    time.sleep(float(record.get("sleep", 0)))
    return real_record_document(record, **options)


records.record_document = record_document
'''


@pytest.fixture(scope="module")
def hooks_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("hooks")
    (directory / "dwclean_test_hooks.py").write_text(HOOKS)
    (directory / "dwclean_record_hooks.py").write_text(RECORD_HOOKS)
    return str(directory)


def dump_refs() -> list[InputRef]:
    return list(discover([str(DUMPS), str(BAD)]))


def summary_of(items: list[Outcome]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [
        (o.source, o.reason.value if o.reason else None, tuple(r.line for r in o.records))
        for o in items
    ]


def test_process_input_gives_a_record_or_a_reason() -> None:
    ok = process_input(InputRef(str(EXAMPLE), str(EXAMPLE)), Options())
    assert ok.reason is None
    (record,) = ok.documents()
    assert record["source"] == str(EXAMPLE)
    assert record["encoding"] == "utf-8"
    assert record["title"]
    assert ok.records[0].removed == record["removed"]
    empty = process_input(InputRef("e", str(BAD / "empty.txt")), Options())
    assert (empty.reason, empty.records) == (Reason.EMPTY, ())


def test_a_cleaner_crash_is_an_error_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, **options: object) -> Document:
        raise ValueError("boom")

    monkeypatch.setattr(cleaner.core, "clean", broken)
    outcome = process_input(InputRef(str(EXAMPLE), str(EXAMPLE)), Options())
    assert outcome.reason is Reason.ERROR
    assert outcome.detail == "ValueError: boom"


def test_a_record_that_cannot_be_written_is_its_own_reject(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The other records of the JSON Lines file are written, and the run goes on.
    real = cleaner.batch.encode_record

    def broken(record: dict[str, Any]) -> bytes:
        if "Zweiter" in record["text"]:
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")
        return real(record)

    monkeypatch.setattr(cleaner.batch, "encode_record", broken)
    path = tmp_path / "three.jsonl"
    path.write_text("".join(json.dumps({"text": f"{n} Absatz mit ein paar Worten."}) + "\n"
                            for n in ("Erster", "Zweiter", "Dritter")), encoding="utf-8")
    outcome = process_input(InputRef(str(path), str(path)), Options())
    assert outcome.reason is None
    assert [r.source for r in outcome.records] == [f"{path}#1", f"{path}#3"]
    [(source, reason, detail)] = outcome.record_rejects
    assert (source, reason) == (f"{path}#2", Reason.ERROR)
    assert detail.startswith("cannot write the record: UnicodeEncodeError")


@pytest.mark.parametrize("jobs", [2, 3])
def test_order_and_content_are_the_same_for_any_jobs(jobs: int) -> None:
    refs = dump_refs()
    options = Options(max_bytes=8192)
    one = summary_of(list(outcomes(refs, options, jobs=1)))
    many = summary_of(list(outcomes(refs, options, jobs=jobs)))
    assert [s for s, _, _ in one] == [r.source for r in refs]
    assert many == one
    assert {reason for _, reason, _ in one} >= {"empty", "binary", "encoding", "too_large"}


def test_work_in_flight_is_bounded() -> None:
    taken = 0

    def refs() -> Iterator[InputRef]:
        nonlocal taken
        for i in range(150):
            taken += 1
            yield InputRef(f"in-{i}", str(EXAMPLE))

    jobs = 2
    window = jobs * IN_FLIGHT_PER_WORKER
    produced = 0
    most_ahead = 0
    for _ in outcomes(refs(), Options(), jobs=jobs):
        produced += 1
        most_ahead = max(most_ahead, taken - produced)
    assert produced == 150
    assert most_ahead <= window


def test_workers_are_started_only_as_there_is_work_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # QA: -j 64 for 10 inputs started 64 processes (0.43 s against 0.18 s
    # with -j 1): the inputs are found lazily, their number is not known.
    started: list[int] = []
    real_start = WorkerPool._start_worker

    def counted_start(pool: WorkerPool) -> Any:
        started.append(1)
        return real_start(pool)

    monkeypatch.setattr(WorkerPool, "_start_worker", counted_start)
    refs = [InputRef(f"in-{i}", str(EXAMPLE)) for i in range(10)]
    got = list(outcomes(refs, Options(), jobs=64))
    assert [o.source for o in got] == [r.source for r in refs]
    assert [o.reason for o in got] == [None] * 10
    # One chunk of CHUNK inputs per worker: 10 inputs make two.
    assert len(started) == -(-len(refs) // CHUNK)
    # A long run still gets every worker it may have.
    started.clear()
    many = [InputRef(f"in-{i}", str(EXAMPLE)) for i in range(3 * 3 * CHUNK)]
    assert len(list(outcomes(many, Options(), jobs=3))) == len(many)
    assert len(started) == 3


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipes grow on Linux only")
def test_a_workers_records_of_a_chunk_fit_in_its_result_pipe() -> None:
    # In the default 64 kB, a worker stopped in the middle of sending a
    # chunk's records until the parent read them: about 4% of a --jobs 2
    # run's CPU went on the switches.
    import fcntl  # noqa: PLC0415 - Unix only

    page = ROOT / "fixtures" / "examples" / "en-old-2020-colonial.txt"  # a long one
    refs = [InputRef(f"in-{i}", str(page)) for i in range(CHUNK)]
    records = [outcome.records[0].line for outcome in outcomes(refs, Options(), jobs=1)]
    assert sum(len(line) for line in records) > 64 * 1024  # Linux's default room
    pool = WorkerPool(1, Options())
    worker = pool._start_worker()
    try:
        room = fcntl.fcntl(worker.results.fileno(), fcntl.F_GETPIPE_SZ)
    finally:
        pool._stop_worker(worker, kill=True)
    # Room for the chunk's records at twice their size, as pickled in one message.
    assert room >= 2 * sum(len(line) for line in records)


def make_pages(directory: Path, count: int, *, slow_at: int | None = None) -> list[InputRef]:
    directory.mkdir(exist_ok=True)
    text = EXAMPLE.read_text()
    refs = []
    for i in range(count):
        page = directory / f"page-{i:03d}.txt"
        # Vary the text so that --dedup sees no duplicates.
        body = text.replace("Lavrov", f"Lavrov{i}")
        if i == slow_at:
            body += "\nSLOWPAGE\n"
        page.write_text(body)
        refs.append(InputRef(str(page), str(page)))
    return refs


def test_timeout_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = cleaner.core.clean

    def slow(text: str, **options: Any) -> Document:
        if "SLOWPAGE" in text:
            time.sleep(30)
        return real(text, **options)

    monkeypatch.setattr(cleaner.core, "clean", slow)
    refs = make_pages(tmp_path, 3, slow_at=1)
    started = time.monotonic()
    got = list(outcomes(refs, Options(timeout=0.3), jobs=1))
    assert time.monotonic() - started < 10
    assert [o.reason for o in got] == [None, Reason.TIMEOUT, None]
    assert got[1].detail is not None and "0.3" in got[1].detail


def slow_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records take as long as their "sleep" field says (in this process)."""
    real = cleaner.formats.records.record_document

    def slow(record: dict[str, Any], **options: Any) -> Document | RecordError:
        time.sleep(float(record.get("sleep", 0)))
        return real(record, **options)

    monkeypatch.setattr(cleaner.formats.records, "record_document", slow)


def records_file(path: Path, sleeps: list[float]) -> InputRef:
    text = "Die Regierung hat am Montag einen neuen Plan vorgestellt. Nummer {}."
    path.write_text("".join(json.dumps({"text": text.format(n), "sleep": sleep}) + "\n"
                            for n, sleep in enumerate(sleeps, start=1)))
    return InputRef(str(path), str(path))


def test_each_json_record_has_its_own_time_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # One limit for the whole file rejected it whole: records that each take
    # a fraction of --timeout, together longer, all stand; a record over it
    # is the only reject, under its own source.
    slow_records(monkeypatch)
    ref = records_file(tmp_path / "pages.jsonl", [0.1] * 6 + [30, 0.1])
    started = time.monotonic()
    [got] = outcomes([ref], Options(timeout=0.3), jobs=1)
    assert time.monotonic() - started < 10
    assert got.reason is None
    assert [record.source for record in got.records] == [
        f"{ref.source}#{n}" for n in (1, 2, 3, 4, 5, 6, 8)]
    assert got.record_rejects == (
        (f"{ref.source}#7", Reason.TIMEOUT, "cleaning took over 0.3 s"),)


def test_a_page_keeps_one_time_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = cleaner.core.clean

    def slow(text: str, **options: Any) -> Document:
        time.sleep(0.4)
        return real(text, **options)

    monkeypatch.setattr(cleaner.core, "clean", slow)
    [ref] = make_pages(tmp_path, 1)
    [got] = outcomes([ref], Options(timeout=0.3), jobs=1)
    assert (got.reason, got.records) == (Reason.TIMEOUT, ())


def test_a_cleaner_failure_on_one_json_record_rejects_that_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = cleaner.formats.records.record_document

    def failing(record: dict[str, Any], **options: Any) -> Document | RecordError:
        if record.get("sleep"):
            raise ValueError("a bug")
        return real(record, **options)

    monkeypatch.setattr(cleaner.formats.records, "record_document", failing)
    ref = records_file(tmp_path / "pages.jsonl", [0, 1, 0])
    [got] = outcomes([ref], Options(), jobs=1)
    assert got.reason is None and len(got.records) == 2
    assert got.record_rejects == ((f"{ref.source}#2", Reason.ERROR, "ValueError: a bug"),)


def test_the_watchdog_times_each_json_record(tmp_path: Path, hooks_path: str) -> None:
    # The parent kills a worker whose input runs past --timeout plus a grace:
    # it must count from the record in hand, or a file of quick records is
    # killed once they add up (here 3 s, the grace ends at 2.3 s).
    refs = make_pages(tmp_path, SMALL_RUN)
    refs.insert(1, records_file(tmp_path / "pages.jsonl", [0.1] * 30))
    options = Options(timeout=0.3, cleaner="dwclean_record_hooks:clean",
                      sys_path=(hooks_path, *sys.path))
    got = list(outcomes(refs, options, jobs=2))
    assert [o.reason for o in got] == [None] * len(refs)
    assert len(got[1].records) == 30


def test_the_records_of_a_json_lines_file_take_about_their_own_size(tmp_path: Path) -> None:
    # An input's records are held until it is written; the lines orjson
    # gave kept its 16 kB buffer each: 100k short records took 1 GB.
    ref = records_file(tmp_path / "pages.jsonl", [0] * 200)
    process_input(ref, Options())  # (rule tables, caches: loaded before counting)
    tracemalloc.start()
    try:
        got = process_input(ref, Options())
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    line_bytes = sum(len(record.line) for record in got.records)
    assert len(got.records) == 200
    assert held < 2 * line_bytes + 200 * 1000


def test_the_time_limit_stands_still_while_a_reader_is_imported() -> None:
    # A reader is imported by the first page of its form, inside the limit: an
    # alarm in an import could be swallowed by the import machinery.
    with time_limit(0.2):
        with untimed():
            time.sleep(0.4)  # would have run out the limit twice over
        with pytest.raises(DocumentTimeout):
            time.sleep(5)  # what was left of the limit runs on


def test_an_alarm_handled_inside_an_untimed_block_times_out_when_it_ends() -> None:
    # The alarm fired just before the pause; its handler runs in the import.
    finished = False
    with time_limit(30), pytest.raises(DocumentTimeout), untimed():
        signal.raise_signal(signal.SIGALRM)
        finished = True
    assert finished
    with time_limit(30), untimed():
        pass  # the deferred timeout was spent: none is left over


def test_an_untimed_block_outside_a_time_limit_starts_no_timer() -> None:
    with untimed():
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_untimed_block_keeps_a_periodic_timers_interval() -> None:
    # A library user's own periodic timer: paused, then running as before.
    previous = signal.signal(signal.SIGALRM, lambda *_: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30, 5)
        with untimed():
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        remaining, interval = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 30 and interval == 5
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    ("hook", "reason"),
    [("slow", Reason.TIMEOUT), ("stuck", Reason.TIMEOUT), ("crash", Reason.ERROR)],
)
# Workers are sent CHUNK inputs at a time and answer per chunk: the bad page
# inside a first chunk, after inputs cleaned but not yet answered for, and
# in a later chunk.
@pytest.mark.parametrize("bad", [3, CHUNK + 2])
def test_worker_time_limit_and_crash(
    tmp_path: Path, hooks_path: str, hook: str, reason: Reason, bad: int
) -> None:
    refs = make_pages(tmp_path, 12 + CHUNK, slow_at=bad)
    options = Options(timeout=0.5, cleaner=f"dwclean_test_hooks:{hook}",
                      sys_path=(hooks_path, *sys.path))
    started = time.monotonic()
    got = list(outcomes(refs, options, jobs=2))
    assert time.monotonic() - started < 20
    assert [o.source for o in got] == [r.source for r in refs]
    assert [o.reason for o in got] == [reason if i == bad else None for i in range(len(refs))]
    if hook == "stuck":
        assert got[bad].detail is not None and "worker stopped" in got[bad].detail


def write_pair(tmp_path: Path) -> list[InputRef]:
    refs = make_pages(tmp_path, 3)
    # The third page is a copy of the first: same clean text.
    shutil.copy(refs[0].path or "", refs[2].path or "")
    return refs


@pytest.mark.parametrize("jobs", [1, 2])
def test_dedup_flag_and_drop(tmp_path: Path, jobs: int) -> None:
    refs = write_pair(tmp_path)
    out = tmp_path / "flag.jsonl"
    summary = run(refs, Options(), FileSink(str(out)), jobs=jobs, dedup="flag")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["duplicate_of"] for r in records] == [None, None, refs[0].source]
    assert (summary.records, summary.duplicates) == (3, 1)

    out = tmp_path / "drop.jsonl"
    summary = run(refs, Options(), FileSink(str(out)), jobs=jobs, dedup="drop")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["source"] for r in records] == [refs[0].source, refs[1].source]
    assert (summary.inputs, summary.records, summary.duplicates) == (3, 2, 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_dedup_flags_records_of_non_utf8_file_names(tmp_path: Path, jobs: int) -> None:
    # Records travel encoded; a flagged one is decoded and encoded again, and
    # its own source (a lone surrogate in the JSON) must come back as it was.
    names = [b"seite-\xe4.txt", b"seite-\xf6.txt", *(f"p{i}.txt".encode() for i in range(8))]
    refs = []
    for name in names:
        page = tmp_path / os.fsdecode(name)
        page.write_bytes(EXAMPLE.read_bytes())
        source = str(page)
        refs.append(InputRef(source, source))
    out = tmp_path / "flag.jsonl"
    summary = run(refs, Options(), FileSink(str(out)), jobs=jobs, dedup="flag")
    lines = out.read_bytes().splitlines()
    assert summary.duplicates == len(names) - 1
    assert os.fsencode(tmp_path) + b"/seite-\xf6.txt" in lines[1]
    flagged = json.loads(lines[1].decode("utf-8", errors="surrogateescape"))
    assert flagged["duplicate_of"] == refs[0].source
    assert flagged["source"] == refs[1].source


def test_summary_counts_and_line(tmp_path: Path) -> None:
    refs = [*make_pages(tmp_path, 2), InputRef("e", str(BAD / "empty.txt"))]
    summary = run(refs, Options(), FileSink(str(tmp_path / "o.jsonl")))
    assert (summary.inputs, summary.records, summary.rejected) == (3, 2, 1)
    assert summary.rejects == {"empty": 1}
    assert summary.removed  # the example pages have chrome
    line = summary.line()
    assert line.startswith("dw-clean: 3 inputs, 2 records, 1 rejects (empty 1), 0 duplicates")
    assert "lines removed:" in line and "docs/s" in line


def interrupting(refs: list[InputRef], after: int) -> Iterator[InputRef]:
    """Yield refs, sending this process SIGINT (as Ctrl-C would) after `after` of them."""
    for i, ref in enumerate(refs):
        if i == after:
            os.kill(os.getpid(), signal.SIGINT)
        yield ref


def shard_dir_contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_then_resume_equals_an_uninterrupted_run(tmp_path: Path, jobs: int) -> None:
    refs = [*make_pages(tmp_path / "pages", 25), InputRef("e", str(BAD / "empty.txt"))]
    options = Options()
    whole = tmp_path / "whole"
    run(refs, options, ShardSink(str(whole), shard_size=4), jobs=jobs, dedup="flag")

    parts = tmp_path / "parts"
    first = run(interrupting(refs, 10), options, ShardSink(str(parts), shard_size=4),
                jobs=jobs, dedup="flag")
    assert first.interrupted == "SIGINT"
    assert 0 < first.inputs < len(refs)
    # What is there is complete: valid gzip, whole JSON lines, listed in the manifest.
    manifest = list(read_jsonl(str(parts / "manifest.jsonl")))
    assert [m["source"] for m in manifest] == [r.source for r in refs[: first.inputs]]
    for shard in parts.glob("part-*.jsonl.gz"):
        for line in gzip.decompress(shard.read_bytes()).decode().splitlines():
            json.loads(line)

    sink = ShardSink(str(parts), shard_size=4, resume=True)
    second = run(refs, options, sink, jobs=jobs, dedup="flag", done=sink.state.done,
                 earlier_digests=sink.state.digests)
    assert second.skipped == first.inputs
    assert second.inputs == len(refs) - first.inputs
    assert shard_dir_contents(parts) == shard_dir_contents(whole)


def test_an_input_whose_worker_died_once_is_cleaned_again_in_the_run(
    tmp_path: Path, hooks_path: str
) -> None:
    # QA: a worker killed once (the out-of-memory killer picks a process for
    # the memory of all) made its input a reject, and with --dedup a later
    # copy of the same page became the first one: even after --resume, which
    # cleaned the input again and flagged it as the duplicate, the output was
    # not that of the run without a death. A fresh worker tries it once more.
    refs = make_pages(tmp_path / "pages", 3 * CHUNK)
    flag = tmp_path / "killed"
    page = Path(refs[0].path or "").read_text().replace("Lavrov0", "Lawrow")
    copy = f"{page}\nKILLONCE {flag}\n"
    for ref in (refs[CHUNK + 1], refs[2 * CHUNK + 1]):
        Path(ref.path or "").write_text(copy)
    options = Options(cleaner="dwclean_test_hooks:killed_once", sys_path=(hooks_path, *sys.path))
    flag.touch()
    whole = tmp_path / "whole"
    run(refs, options, ShardSink(str(whole), shard_size=4), jobs=2, dedup="flag")
    flag.unlink()
    died = tmp_path / "died"
    summary = run(refs, options, ShardSink(str(died), shard_size=4), jobs=2, dedup="flag")
    assert flag.exists()  # a worker did die
    assert (summary.records, summary.duplicates, dict(summary.rejects)) == (len(refs), 1, {})
    assert shard_dir_contents(died) == shard_dir_contents(whole)


def test_resume_cleans_again_only_an_input_whose_worker_died(
    tmp_path: Path, hooks_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(hooks_path)  # the resumed run cleans one input, here
    refs = [*make_pages(tmp_path / "pages", 20, slow_at=5), InputRef("e", str(BAD / "empty.txt"))]
    killed = refs[CHUNK + 2]
    Path(killed.path or "").write_text(Path(killed.path or "").read_text() + "\nKILLPAGE\n")

    def options(hook: str) -> Options:
        return Options(timeout=0.5, cleaner=f"dwclean_test_hooks:{hook}",
                       sys_path=(hooks_path, *sys.path))

    # What the run gives when no worker dies: the slow page and the empty one rejected.
    whole = tmp_path / "whole"
    run(refs, options("slow"), ShardSink(str(whole), shard_size=4), jobs=2, dedup="flag")

    parts = tmp_path / "parts"
    first = run(refs, options("killed_or_slow"), ShardSink(str(parts), shard_size=4), jobs=2,
                dedup="flag")
    assert first.rejects == {"error": 1, "timeout": 1, "empty": 1}
    statuses = {m["source"]: m["status"] for m in read_jsonl(str(parts / "manifest.jsonl"))}
    assert statuses[killed.source] == "failed"
    assert statuses[refs[5].source] == statuses["e"] == "rejected"
    died = [r for r in read_jsonl(str(parts / "rejects.jsonl")) if r["source"] == killed.source]
    assert died == [{"source": killed.source, "reason": "error",
                     "detail": "worker process died (exit code -9)"}]

    # The next attempt does not die; the timeout and the empty page are not tried again.
    sink = ShardSink(str(parts), shard_size=4, resume=True)
    second = run(refs, options("slow"), sink, jobs=2, dedup="flag", done=sink.state.done,
                 earlier_digests=sink.state.digests)
    assert (second.inputs, second.skipped, second.records) == (1, len(refs) - 1, 1)
    assert not second.rejects

    # The same records, manifest lines (but for shard names) and rejects as the
    # run without a death; the input cleaned again comes last.
    def lines(directory: Path, name: str) -> list[str]:
        return [json.dumps({**line, "shard": None}) for line in read_jsonl(str(directory / name))]

    def records(directory: Path) -> list[str]:
        return [line for shard in sorted(directory.glob("part-*.jsonl.gz"))
                for line in gzip.decompress(shard.read_bytes()).decode().splitlines()]

    assert sorted(records(parts)) == sorted(records(whole))
    assert json.loads(records(parts)[-1])["source"] == killed.source
    assert sorted(lines(parts, "manifest.jsonl")) == sorted(lines(whole, "manifest.jsonl"))
    assert lines(parts, "rejects.jsonl") == lines(whole, "rejects.jsonl")


def test_small_runs_and_stdin_data_are_cleaned_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    real = cleaner.core.clean

    def spy(text: str, **options: Any) -> Document:
        seen.append(os.getpid())
        return real(text, **options)

    monkeypatch.setattr(cleaner.core, "clean", spy)
    few = [InputRef(str(EXAMPLE), str(EXAMPLE))] * 3
    assert [o.reason for o in outcomes(few, Options(), jobs=2)] == [None] * 3
    assert seen == [os.getpid()] * 3
    seen.clear()
    many = [InputRef("-", data=EXAMPLE.read_bytes()), *few * 4]
    got = list(outcomes(many, Options(), jobs=2))
    assert [o.source for o in got] == [r.source for r in many]
    assert seen == [os.getpid()]  # only the stdin input; the files went to workers


def test_a_fatal_error_mid_input_leaves_that_input_out_of_the_summary(tmp_path: Path) -> None:
    # A JSON Lines input with a bad line (a reject of its own) and a record
    # that the disk has no room for: nothing of that input was written.
    dump = tmp_path / "dump.jsonl"
    real_line = (ROOT / "fixtures" / "records" / "de-rss-2026.jsonl").read_text().splitlines()[0]
    dump.write_text("{not json\n" + real_line + "\n")
    refs = [*make_pages(tmp_path / "pages", 1), InputRef(str(dump), str(dump))]

    class FullDisk(FileSink):
        def record(self, line: bytes) -> None:
            if json.loads(line)["source"].startswith(str(dump)):
                raise DwCleanError("Cannot write out.jsonl: the disk is full.")
            super().record(line)

    summary = Summary()
    with pytest.raises(DwCleanError, match="disk is full"):
        run(refs, Options(), FullDisk(str(tmp_path / "out.jsonl")), summary=summary)
    alone = run(refs[:1], Options(), FileSink(str(tmp_path / "first.jsonl")))
    assert (summary.inputs, summary.records, summary.rejects) == (1, 1, {})
    assert summary.removed == alone.removed


def test_summary_line_without_anything() -> None:
    assert Summary().line().startswith("dw-clean: 0 inputs, 0 records, 0 rejects")


def test_worker_processes_find_modules_on_the_parents_path(hooks_path: str) -> None:
    options = Options(cleaner="dwclean_test_hooks:slow", sys_path=(hooks_path, *sys.path))
    got = list(outcomes([InputRef(str(EXAMPLE), str(EXAMPLE))] * 12, options, jobs=2))
    assert [o.reason for o in got] == [None] * 12


# Modules a one-page run should import only when it needs them.
_HEAVY_MODULES = (
    "multiprocessing",
    "email.utils",
    "importlib.resources",
    "cleaner.formats.html",
    "cleaner.formats.markdown",
    "cleaner.formats.records",
)


def _modules_after_run(args: list[str]) -> set[str]:
    """Which of the start-up-heavy modules a CLI run imported, in a fresh interpreter."""
    import subprocess  # noqa: PLC0415

    code = (
        "import sys, cleaner.cli\n"
        f"try:\n    cleaner.cli.main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(' '.join(m for m in {_HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return set(result.stdout.split())


def test_a_run_in_one_process_does_not_import_what_only_workers_need(tmp_path: Path) -> None:
    # Start-up: `dw-clean page.txt` once per file in a shell loop pays every import.
    one = _modules_after_run(["-q", str(EXAMPLE), "-o", str(tmp_path / "one.jsonl")])
    assert one == set()
    pages = [str(path) for path in sorted(DUMPS.glob("*.txt"))[:10]]
    many = _modules_after_run(["-q", "--jobs", "2", *pages, "-o", str(tmp_path / "many.jsonl")])
    assert "multiprocessing" in many


def test_a_form_reader_is_imported_by_the_first_page_of_its_form(tmp_path: Path) -> None:
    markdown = DUMPS / "de-new-2024-01-30.markdownify.md"
    assert _modules_after_run(["-q", str(markdown), "-o", str(tmp_path / "md.jsonl")]) == {
        "cleaner.formats.markdown"
    }
    page = ROOT / "fixtures" / "html" / "de-new-2024-01-30.html"
    assert "cleaner.formats.html" in _modules_after_run(
        ["-q", str(page), "-o", str(tmp_path / "html.jsonl")]
    )
    records = ROOT / "fixtures" / "records" / "de-rss-2026.jsonl"
    assert "cleaner.formats.records" in _modules_after_run(
        ["-q", str(records), "-o", str(tmp_path / "records.jsonl")]
    )
