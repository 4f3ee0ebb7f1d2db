"""Batch runs: clean many inputs, in order, in parallel, within time limits.

The pieces, so that each can be swapped (a Dask executor later, say):

- `process_input(ref, options) -> Outcome` does all the work for one input
  (read, decode, clean, serialise) and never raises for a bad input. It is a
  top-level function of picklable arguments, usable from any executor.
- `outcomes(refs, options, jobs=...)` yields one `Outcome` per input, in input
  order, whatever the number of worker processes. `jobs=1` runs in this
  process; more uses `WorkerPool`, which keeps a bounded number of inputs in
  flight (memory does not grow with the number of inputs) and kills a worker
  stuck on one document.
- `run(...)` consumes the ordered outcomes: dedup, sink, rejects, progress,
  summary, and a clean stop on SIGINT/SIGTERM.

Time limits, two layers: inside whichever process cleans, SIGALRM interrupts a
document (a page, or one JSON record: each has the whole `timeout`) after
`timeout` seconds (`time_limit`, main thread only); in a worker pool the
parent also kills a worker whose current document has run past `timeout` plus
a grace period, which catches code that signals cannot interrupt (a long call
into C). `--jobs 1` has only the first layer.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib
import itertools
import json
import mmap
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from cleaner import interrupts
from cleaner.document import Document
from cleaner.errors import DwCleanError, Reason, RecordError, Rejected
from cleaner.inputs import (
    DEFAULT_MAX_BYTES,
    JSON_RECORDS,
    InputRef,
    decode,
    input_format,
    pending_records,
    read_input_salvaging_lines,
    to_documents,
)
from cleaner.outputs import (
    ManifestEntry,
    RejectsFile,
    Sink,
    SourceCounts,
    as_typed,
    encode_record,
)
from cleaner.timelimit import DocumentTimeout, time_limit

if TYPE_CHECKING:
    # Imported when workers start (`_context`): a run in one process, such as
    # `dw-clean page.txt` in a shell loop, does not pay the 6 ms import.
    import multiprocessing.connection
    import multiprocessing.context
    import multiprocessing.process

DEFAULT_TIMEOUT = 60.0
# Inputs go to a worker, and their outcomes come back, CHUNK at a time: one
# message each way per chunk rather than per input. (The parent shares two
# cores with the workers; waking and unpickling per input cost it a tenth of
# what cleaning costs.)
CHUNK = 8
# Inputs a worker holds: the chunk it is cleaning and the ones queued behind
# it, enough to hide the round trip, few enough that little is redone after a
# kill.
IN_FLIGHT_PER_WORKER = 3 * CHUNK
# The parent kills a worker this long after its soft time limit has passed.
HARD_TIMEOUT_GRACE = 2.0
# Runs with fewer inputs than this are cleaned in this process whatever --jobs.
SMALL_RUN = 8
# After SIGINT/SIGTERM, how long to wait for the inputs already in workers.
STOP_GRACE = 1.0
# How often the parent wakes up when no result arrives (signals, watchdog).
_POLL_SECONDS = 0.1
# The descriptor of standard output, whatever Python's sys.stdout is now.
_STDOUT_FD = 1
# A worker that dies before it is ready this many times means a broken setup.
_MAX_START_FAILURES = 3


@dataclass(frozen=True, slots=True)
class Options:
    """Per-input settings; picklable, sent once to each worker."""

    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float | None = DEFAULT_TIMEOUT
    fmt: str = "auto"
    text_field: str | None = None
    # sys.path of the parent, so workers import what the parent can (tests
    # that patch in a module from a temporary directory rely on it).
    sys_path: tuple[str, ...] = ()
    # The cleaning function as "module:function", imported where it runs;
    # None for `cleaner.clean`. Lets tests (and experiments) run another one
    # in worker processes, where monkeypatching does not reach.
    cleaner: str | None = None
    # Keep picture-gallery slide texts in `text` (the policy keeps them out).
    keep_gallery: bool = False
    # Digest each record's clean text: --dedup compares them, and a manifest
    # keeps them for a resumed run. A plain run to a file or stdout skips the
    # hashing (about 15 us a record).
    digests: bool = True


@dataclass(frozen=True, slots=True)
class Record:
    """One output record, serialised in the worker that cleaned it."""

    # The JSON line, encoded and newline-ended (`encode_line`): encoding is
    # work a worker can do in parallel instead of the parent.
    line: bytes
    # Hash of the clean text, for --dedup; None for an empty text (never a duplicate).
    digest: str | None
    removed: dict[str, int]
    # The record's own source: the input's, or "dump.jsonl#2" for a JSON Lines line.
    source: str

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        # As a plain tuple: a slots dataclass pickles through a state dict
        # built field by field, a cost the parent of a --jobs run paid per record.
        return (Record, (self.line, self.digest, self.removed, self.source))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input: its records, or why it was rejected."""

    source: str
    records: tuple[Record, ...] = ()
    reason: Reason | None = None
    detail: str | None = None
    # Records of this input that were rejected on their own: (source, reason,
    # detail) for JSON Lines lines that are not JSON or have no text.
    record_rejects: tuple[tuple[str, Reason, str], ...] = ()
    # Rejected for no fault of the input's: the worker process cleaning it
    # died (the out-of-memory killer, a crash in C code). Another attempt
    # would most likely succeed, so `--resume` cleans it again.
    retry: bool = False

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, ...]]:
        return (Outcome, (self.source, self.records, self.reason, self.detail,
                          self.record_rejects, self.retry))

    @property
    def rejected(self) -> bool:
        return self.reason is not None

    def documents(self) -> list[dict[str, Any]]:
        """The records as dicts (parsed back from their JSON lines)."""
        return [json.loads(record.line.decode("utf-8", errors="surrogateescape"))
                for record in self.records]


def text_digest(text: str) -> str | None:
    if not text.strip():
        return None
    return hashlib.blake2b(text.encode("utf-8", errors="surrogatepass"), digest_size=16).hexdigest()


@functools.cache
def load_cleaner(spec: str) -> Callable[..., Document]:
    """The function named by "module:function"."""
    module_name, _, function_name = spec.partition(":")
    function: Callable[..., Document] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


def timeout_detail(timeout: float | None) -> str:
    """A timeout reject's detail; the limit as typed (--timeout 5 is 5 s, not 5.0 s)."""
    return f"cleaning took over {as_typed(timeout)} s"


# How a document's cleaning is given its time limit: `time_limit` (SIGALRM)
# in a run's processes, a timer thread in a Dask worker's threads.
TimeLimit = Callable[[float | None], contextlib.AbstractContextManager[None]]


def process_input(
    ref: InputRef,
    options: Options,
    stop: StopRequested | None = None,
    *,
    limit: TimeLimit = time_limit,
    on_record: Callable[[], None] | None = None,
) -> Outcome:
    """Read, decode and clean one input. Never raises for a bad input.

    With `stop`, a signal interrupts the reading (`WaitInterrupted`): a named
    pipe, `<(zcat pages.gz)`, waits for its writer, and a first Ctrl-C did
    nothing until it ended. Cleaning, once begun, is finished.

    `--timeout` is `limit`ed per document: a page's, or each JSON record's
    (`on_record` is called as each record starts, for the pool's watchdog).
    """
    clean = load_cleaner(options.cleaner) if options.cleaner else None
    cut_off: tuple[RecordError, ...] = ()
    try:
        with stop.interruptible() if stop is not None else contextlib.nullcontext():
            data, lost = read_input_salvaging_lines(
                ref, max_bytes=options.max_bytes, fmt=options.fmt
            )
        if lost is not None:
            cut_off = (lost,)
        decoded = decode(data, name=ref.source, fmt=options.fmt)
        del data
        with limit(options.timeout):
            fmt = input_format(decoded.text, source=ref.source, fmt=options.fmt)
            if fmt != JSON_RECORDS:  # a page: its one document
                documents = to_documents(
                    decoded.text,
                    source=ref.source,
                    encoding=decoded.encoding,
                    warnings=decoded.warnings,
                    line_encodings=dict(decoded.line_encodings),
                    fmt=fmt,
                    text_field=options.text_field,
                    keep_gallery=options.keep_gallery,
                    clean=clean,
                )
        if fmt == JSON_RECORDS:
            return _records_outcome(ref.source, pending_records(
                decoded.text,
                source=ref.source,
                encoding=decoded.encoding,
                warnings=decoded.warnings,
                line_encodings=dict(decoded.line_encodings),
                text_field=options.text_field,
                keep_gallery=options.keep_gallery,
            ), cut_off, options, limit=limit, on_record=on_record)
    except Rejected as rejected:
        return Outcome(ref.source, reason=rejected.reason, detail=rejected.detail)
    except DocumentTimeout:
        return Outcome(ref.source, reason=Reason.TIMEOUT, detail=timeout_detail(options.timeout))
    except DwCleanError:
        raise
    except Exception as error:  # a cleaner bug must not stop a batch of thousands
        return Outcome(
            ref.source, reason=Reason.ERROR, detail=f"{type(error).__name__}: {error}"
        )
    records: list[Record] = []
    record_rejects: list[tuple[str, Reason, str]] = []
    for doc in (*documents, *cut_off):
        _keep(doc, ref.source, options, records, record_rejects)
    return Outcome(ref.source, records=tuple(records), record_rejects=tuple(record_rejects))


def _records_outcome(
    source: str,
    pending: Iterable[tuple[str, Callable[[], Document | RecordError]] | RecordError],
    cut_off: tuple[RecordError, ...],
    options: Options,
    *,
    limit: TimeLimit,
    on_record: Callable[[], None] | None,
) -> Outcome:
    """The outcome of an input of JSON records, each cleaned in its own time limit.

    A record that runs over it, or that the cleaner fails on, is rejected
    alone: one limit for the whole file rejected 5,000 short records that
    together took over `--timeout`. Each is encoded as soon as cleaned, so
    that a file's Documents are not all kept alive beside their lines.
    """
    records: list[Record] = []
    record_rejects: list[tuple[str, Reason, str]] = []
    for item in pending:
        if on_record is not None:
            on_record()
        if isinstance(item, RecordError):
            _keep(item, source, options, records, record_rejects)
            continue
        where, clean_record = item
        try:
            with limit(options.timeout):
                document = clean_record()
        except DocumentTimeout:
            document = RecordError(where, Reason.TIMEOUT.value, timeout_detail(options.timeout))
        except Rejected as rejected:
            document = RecordError(where, rejected.reason.value, rejected.detail)
        except DwCleanError:
            raise
        except Exception as error:  # a cleaner bug on one record: the others stand
            document = RecordError(where, Reason.ERROR.value, f"{type(error).__name__}: {error}")
        _keep(document, source, options, records, record_rejects, compact=True)
    for lost in cut_off:
        _keep(lost, source, options, records, record_rejects)
    return Outcome(source, records=tuple(records), record_rejects=tuple(record_rejects))


def _keep(
    doc: Document | RecordError,
    source: str,
    options: Options,
    records: list[Record],
    record_rejects: list[tuple[str, Reason, str]],
    *,
    compact: bool = False,
) -> None:
    """Add `doc` to an input's records, encoded, or to its rejects.

    `compact` copies the line into a bytes object of its own size: orjson
    leaves the buffer it wrote into (16 kB for a short record) as the line,
    and a JSON Lines file's lines, kept until its outcome is written, took
    that much each (1 GB for 100k records). A page's one line goes at once.
    """
    if not isinstance(doc, Document):
        record_rejects.append((doc.source, Reason(doc.reason), doc.detail))
        return
    try:
        line = encode_record(doc.to_dict())
        if compact:
            line = bytes(memoryview(line))
    except Exception as error:  # a record JSON cannot write is a bug
        # Its own reject, not the input's: the other records of a JSON
        # Lines file are written, and the run goes on.
        record_rejects.append((doc.source or source, Reason.ERROR,
                               f"cannot write the record: {type(error).__name__}: {error}"))
        return
    records.append(Record(
        line,
        text_digest(doc.text) if options.digests else None,
        dict(doc.removed),
        doc.source or source,
    ))


# --- ordered execution ------------------------------------------------------


class SecondSignal(KeyboardInterrupt):
    """A second SIGINT/SIGTERM: stop at once. Carries the signal, for the exit
    code, and names the first one too when it was the other kind."""

    def __init__(self, signum: int, first: str | None = None) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.first = first


class WaitInterrupted(BaseException):
    """SIGINT/SIGTERM while the run waited: for the next input to be found,
    or for one in hand to be read (see `StopRequested.interruptible`).

    A BaseException, like KeyboardInterrupt, so that no handler on the way
    takes it for an input's error.
    """


class StopRequested:
    """Set by SIGINT/SIGTERM; the run finishes the input in hand and stops.

    A second signal raises `SecondSignal` at once (abandoning uncommitted
    output, keeping everything committed before). In an `interruptible()`
    block the first signal raises `WaitInterrupted` instead: finding the next
    input may wait for ever (standard input at a terminal, a `--files-from`
    pipe that stays open), and so may reading one in this process (a named
    pipe, `<(zcat pages.gz)`, waits for its writer: a first Ctrl-C did
    nothing until the pipe ended, and a second one threw away the run's output).
    """

    def __init__(self) -> None:
        self.signal_name: str | None = None
        self._interruptible = False

    def __bool__(self) -> bool:
        return self.signal_name is not None

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.signal_name is not None:
            raise SecondSignal(signum, first=self.signal_name)
        self.signal_name = signal.Signals(signum).name
        if self._interruptible:
            raise WaitInterrupted

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """A block that may wait for ever: a signal interrupts it at once (the
        block's work is then lost, as the run stops)."""
        # Handlers run in the main thread: only there can they interrupt the block.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        self._interruptible = True
        try:
            yield
        finally:
            self._interruptible = False

    @contextmanager
    def installed(self) -> Iterator[StopRequested]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handler) for sig in signals}
        # A Ctrl-C before now whose KeyboardInterrupt was lost (see
        # cleaner.interrupts) is the run's first signal: it stops before its
        # first input. Taken only once this handler is in place, so that
        # none falls between the two.
        if interrupts.take_over() and self.signal_name is None:
            self.signal_name = signal.SIGINT.name
        try:
            yield self
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)


def outcomes_in_process(
    refs: Iterable[InputRef], options: Options, stop: StopRequested | None = None
) -> Generator[Outcome, None, None]:
    for ref in refs:
        if stop:
            return
        try:
            outcome = process_input(ref, options, stop)
        except WaitInterrupted:
            return  # `stop` is set: the run ends as after any first signal
        yield outcome


def _worker_main(
    tasks: multiprocessing.connection.Connection,
    results: multiprocessing.connection.Connection,
    options: Options,
    progress: Any,
    parent_ends: tuple[int, ...] = (),
) -> None:
    """Body of a worker process: clean the chunks of refs it is sent, reply per chunk.

    `progress` (shared memory: the sequence number of the input in hand, -1
    between inputs, and when it was started) tells the parent's watchdog
    which input a stuck worker is stuck on. `parent_ends` are the pipe ends
    of the parent (this worker's and its siblings') that a forked worker
    inherited: closed at once, so that when the parent dies without a word
    (SIGKILL, the out-of-memory killer) the worker's next send fails and its
    next read ends, and it exits instead of waiting for ever on a full pipe
    that only it still holds open, keeping the run's standard output open
    (a reader such as `| gzip` would never see its end) and its memory.
    """
    for descriptor in parent_ends:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    if parent_ends:
        # Records reach standard output through the parent only; a forked
        # worker's copy of it would keep the reader waiting after the parent died.
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != _STDOUT_FD:  # (it is, when this process started without one)
            os.dup2(devnull, _STDOUT_FD)
            os.close(devnull)
    # Ctrl-C reaches the whole process group, and so does a SIGTERM from
    # `timeout` or `kill -- -PGID`: only the parent decides to stop, and it
    # stops its workers itself (a worker killed mid-input would turn that
    # input into an error reject that --resume never redoes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if options.sys_path:
        sys.path[:] = list(options.sys_path)
    parent = os.getppid()

    def restart() -> None:
        # Each JSON record has its own --timeout: the watchdog's clock starts
        # again with it, or a file of many quick records was killed whole.
        progress[1] = time.monotonic()

    try:
        results.send(("ready", os.getpid()))
    except OSError:  # the parent died while this worker started
        return
    while True:
        if not tasks.poll(1.0):
            if os.getppid() != parent:  # orphaned: the parent is gone
                return
            continue
        try:
            chunk: list[tuple[int, InputRef]] | None = tasks.recv()
        except EOFError:
            return
        if chunk is None:
            return
        cleaned = []
        for seq, ref in chunk:
            progress[1] = time.monotonic()
            progress[0] = seq  # written last: a reader seeing seq sees its start
            cleaned.append((seq, process_input(ref, options, on_record=restart)))
        progress[0] = -1
        try:
            results.send(("done", cleaned))
        except OSError:  # the parent is gone: nobody reads the results
            return


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    tasks: multiprocessing.connection.Connection
    results: multiprocessing.connection.Connection
    # Shared with the worker: [sequence number in hand or -1, its start time].
    progress: Any
    # Sent and not answered yet, in the order sent.
    assigned: deque[tuple[int, InputRef]] = field(default_factory=deque)
    ready: bool = False

    def send(self, items: list[tuple[int, InputRef]]) -> None:
        """Hand the worker `items`, CHUNK to a message."""
        self.assigned.extend(items)
        for start in range(0, len(items), CHUNK):
            try:
                self.tasks.send(items[start : start + CHUNK])
            except OSError:
                # It died (a crash) since its last answer: the parent sees that
                # when it reads its results, and hands what it was given,
                # these items too, to its replacement.
                return

    def in_hand(self) -> tuple[int, float] | None:
        """The input the worker is cleaning and since when, if it says so."""
        seq = int(self.progress[0])
        if seq < 0 or not any(item_seq == seq for item_seq, _ in self.assigned):
            return None
        return seq, float(self.progress[1])


def _context() -> (
    multiprocessing.context.ForkContext
    | multiprocessing.context.ForkServerContext
    | multiprocessing.context.SpawnContext
):
    """How to start workers: fork when it is safe, else forkserver or spawn.

    fork starts a worker in a millisecond with everything already imported;
    it is safe only while this process has a single thread (the pool uses
    pipes, not queues, so it starts no threads itself; a tqdm bar is told not
    to). With threads around, forkserver forks from a clean server process.
    """
    import multiprocessing  # noqa: PLC0415 - see the TYPE_CHECKING imports

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cleaner.batch"])
        return context
    return multiprocessing.get_context("spawn")


# Room in a worker's result pipe for a chunk's records (about 14 kB each)
# at once. In Linux's default 64 kB a chunk's message did not fit: the
# worker stopped in the middle of writing it until the parent read, and the
# switches to and fro cost about 4% of a --jobs 2 run's CPU. 256 kB for each
# of 64 workers stays well within the 64 MB of pipe buffers a user may have
# before Linux gives new pipes less.
_RESULT_PIPE_BYTES = 256 * 1024


def _widen_pipe(connection: multiprocessing.connection.Connection) -> None:
    """Give the pipe under `connection` `_RESULT_PIPE_BYTES` where the system
    lets a pipe grow (Linux); elsewhere, or refused, it keeps its size."""
    try:
        import fcntl  # noqa: PLC0415 - Unix only; a --jobs run's, not every run's

        grow = getattr(fcntl, "F_SETPIPE_SZ", None)
        if grow is not None:
            fcntl.fcntl(connection.fileno(), grow, _RESULT_PIPE_BYTES)
    except (ImportError, OSError):
        pass


def _shared_progress(context: multiprocessing.context.BaseContext) -> Any:
    """Two doubles the worker writes and the parent reads: [seq in hand or -1, its start].

    A forked worker shares an anonymous mapping with its parent; the other
    start methods need `RawArray`, which imports ctypes and makes a temporary
    file for its memory: 2-7 ms of each --jobs run's start that fork does not need.
    """
    if context.get_start_method() == "fork":
        progress = memoryview(mmap.mmap(-1, 16)).cast("d")
        progress[0] = -1.0
        return progress
    return context.RawArray("d", [-1.0, 0.0])


class WorkerPool:
    """Worker processes that clean inputs in order, with a watchdog.

    Each worker has its own task pipe and result pipe, so killing one (stuck
    past its time limit, or crashed) loses only its own in-flight inputs,
    which are re-sent to its replacement (those it had cleaned but not yet
    reported are cleaned again: the same output). Task messages are small
    (paths): with at most IN_FLIGHT_PER_WORKER of them in a pipe, sending
    never blocks. Inputs that carry their bytes (standard input) are cleaned
    in this process instead.
    """

    def __init__(self, jobs: int, options: Options) -> None:
        self.jobs = jobs
        self.options = options
        self.context = _context()
        self.workers: list[_Worker] = []
        self.start_failures = 0
        # Inputs whose worker died while cleaning them, once.
        self.died_on: set[int] = set()
        self.hard_limit: float | None = None
        if options.timeout:
            self.hard_limit = options.timeout + max(HARD_TIMEOUT_GRACE, options.timeout / 2)

    def _start_worker(self) -> _Worker:
        task_out, task_in = self.context.Pipe(duplex=False)
        result_out, result_in = self.context.Pipe(duplex=False)
        _widen_pipe(result_out)
        # A forked child would flush a copy of our unwritten output when it exits.
        for stream in (sys.stdout, sys.stderr):
            if stream is None:  # closed when this process started (`>&-`)
                continue
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        progress = _shared_progress(self.context)
        # A forked worker inherits every descriptor of this process; the
        # other start methods pass only the worker's own ends.
        parent_ends: tuple[int, ...] = ()
        if self.context.get_start_method() == "fork":
            parent_ends = (task_in.fileno(), result_out.fileno(), *(
                end.fileno() for worker in self.workers
                for end in (worker.tasks, worker.results) if not end.closed
            ))
        process = self.context.Process(
            target=_worker_main,
            args=(task_out, result_in, self.options, progress, parent_ends),
            daemon=True, name="dw-clean-worker",
        )
        process.start()
        task_out.close()
        result_in.close()
        return _Worker(process, task_in, result_out, progress)

    def _stop_worker(self, worker: _Worker, *, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.tasks.send(None)
            except (OSError, ValueError):
                worker.process.kill()
        worker.process.join(timeout=None if kill else 2.0)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.results.close()
        worker.tasks.close()

    def _replace(self, worker: _Worker) -> _Worker:
        """A fresh worker given the inputs the old one had not finished."""
        self._stop_worker(worker, kill=True)
        fresh = self._start_worker()
        self.workers[self.workers.index(worker)] = fresh
        fresh.send(list(worker.assigned))
        return fresh

    def map(
        self, refs: Iterable[InputRef], stop: StopRequested | None = None
    ) -> Generator[Outcome, None, None]:
        """One outcome per ref, in the order of `refs`.

        Workers are started as there is work for them (see `_next_worker`),
        not all `jobs` at once: inputs are found lazily, so how many there
        are is not known, and `-j 64` for ten inputs started 64 processes.
        """
        self.workers = []
        try:
            yield from self._map(iter(refs), stop)
        finally:
            for worker in self.workers:
                self._stop_worker(worker, kill=bool(stop) or bool(worker.assigned))
            self.workers = []

    def _map(self, refs: Iterator[InputRef], stop: StopRequested | None) -> Iterator[Outcome]:
        window = self.jobs * IN_FLIGHT_PER_WORKER
        done: dict[int, Outcome] = {}
        next_in = next_out = 0
        exhausted = False
        stop_at = 0.0
        while True:
            # Hand out chunks, keeping at most `window` inputs in flight or waiting.
            while not exhausted and not stop:
                worker = self._next_worker()
                assigned = len(worker.assigned) if worker is not None else 0
                room = min(CHUNK, IN_FLIGHT_PER_WORKER - assigned,
                           window - (next_in - next_out))
                if room < CHUNK:
                    break
                chunk: list[tuple[int, InputRef]] = []
                while len(chunk) < room:
                    ref = next(refs, None)
                    if ref is None:
                        exhausted = True
                        break
                    if ref.data is not None:
                        done[next_in] = process_input(ref, self.options)
                    else:
                        chunk.append((next_in, ref))
                    next_in += 1
                if chunk:
                    if worker is None:  # started only now that it has work
                        worker = self._start_worker()  # (closes its elder siblings' ends)
                        self.workers.append(worker)
                    worker.send(chunk)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if next_out == next_in and (exhausted or stop):
                return
            if stop:
                # Save the work in flight if it comes in soon; don't wait for long.
                stop_at = stop_at or time.monotonic() + STOP_GRACE
                if time.monotonic() > stop_at:
                    return
            self._collect(done)

    def _next_worker(self) -> _Worker | None:
        """Who gets the next chunk: an idle worker; else None, for a new one,
        while fewer than `jobs` run; else the least busy."""
        least_busy = min(self.workers, key=lambda w: len(w.assigned), default=None)
        if least_busy is not None and not least_busy.assigned:
            return least_busy
        if len(self.workers) < self.jobs:
            return None
        return least_busy

    def _collect(self, done: dict[int, Outcome]) -> None:
        """Wait briefly for results; enforce the time limit; replace dead workers."""
        if not self.workers:  # nothing to wait for (standard input is cleaned here)
            return
        by_connection = {worker.results: worker for worker in self.workers}
        from multiprocessing.connection import wait  # noqa: PLC0415 - imported by _context

        ready = wait(list(by_connection), timeout=_POLL_SECONDS)
        for connection in ready:
            worker = by_connection[connection]  # type: ignore[index]
            try:
                while worker.results.poll():
                    self._handle(worker, worker.results.recv(), done)
            except (EOFError, OSError):
                self._worker_died(worker, done)
        if self.hard_limit is None:
            return
        now = time.monotonic()
        for worker in list(self.workers):
            in_hand = worker.in_hand() if worker.ready else None
            if in_hand is not None and now - in_hand[1] > self.hard_limit:
                ref = self._take(worker, in_hand[0])
                done[in_hand[0]] = Outcome(
                    ref.source,
                    reason=Reason.TIMEOUT,
                    detail=f"{timeout_detail(self.options.timeout)}; worker stopped",
                )
                self._replace(worker)

    @staticmethod
    def _take(worker: _Worker, seq: int) -> InputRef:
        """Remove input `seq` from what `worker` was given; the rest is redone."""
        for item in worker.assigned:
            if item[0] == seq:
                worker.assigned.remove(item)
                return item[1]
        raise AssertionError(f"input {seq} is not with this worker")

    def _handle(self, worker: _Worker, message: tuple[str, Any], done: dict[int, Outcome]) -> None:
        tag, payload = message
        if tag == "ready":
            worker.ready = True
            self.start_failures = 0
            return
        for seq, outcome in payload:
            head, _ = worker.assigned.popleft()
            assert head == seq, "a worker answers in the order it was given"
            done[seq] = outcome

    def _worker_died(self, worker: _Worker, done: dict[int, Outcome]) -> None:
        # Its pipe closes as it dies, a moment before it can be reaped:
        # wait for that moment, so that the reject says how it died.
        worker.process.join(timeout=1.0)
        code = worker.process.exitcode
        if not worker.ready:
            self.start_failures += 1
            if self.start_failures >= _MAX_START_FAILURES:
                raise DwCleanError(
                    f"Worker processes fail to start (exit code {code}); "
                    "try --jobs 1 to see the error."
                )
        elif worker.assigned:
            # The input it was cleaning when it died; the first unanswered one
            # if it died between inputs.
            in_hand = worker.in_hand()
            seq = in_hand[0] if in_hand is not None else worker.assigned[0][0]
            if seq in self.died_on:
                ref = self._take(worker, seq)
                done[seq] = Outcome(
                    ref.source, reason=Reason.ERROR,
                    detail=f"worker process died (exit code {code})", retry=True,
                )
            else:
                # Tried once more, by the fresh worker: the out-of-memory
                # killer picks a process for the memory of all, and a reject
                # here changed the run's output (with --dedup, a later copy
                # of the page became the first), even once --resume had
                # cleaned it again. A second death is the input's own.
                self.died_on.add(seq)
        self._replace(worker)


def outcomes(
    refs: Iterable[InputRef],
    options: Options,
    *,
    jobs: int = 1,
    stop: StopRequested | None = None,
) -> Generator[Outcome, None, None]:
    """One `Outcome` per input, in input order, for any `jobs`.

    Close the iterator (`contextlib.closing`) to stop the workers early.
    """
    if jobs <= 1:
        return outcomes_in_process(refs, options, stop)
    iterator = iter(refs)
    head = list(itertools.islice(iterator, SMALL_RUN))
    if len(head) < SMALL_RUN:
        # Not worth starting processes for (they add about 0.1 s); the SIGALRM
        # time limit still applies.
        return outcomes_in_process(head, options, stop)
    return WorkerPool(jobs, options).map(itertools.chain(head, iterator), stop)


@functools.cache  # once a process: what a later call would freeze is the run's own
def settle_heap() -> None:
    """Load the cleaner, then hide everything loaded so far from the garbage collector.

    For a process that runs one batch and exits (the command line), before the
    run. Modules, rule tables and compiled patterns live as long as the process;
    `gc.freeze()` moves them out of the collector's generations, so neither the
    full collections during the run nor the one at exit walk them again, and
    forked workers share their memory pages instead of copying the ones the
    collector would write to (the advice of the `gc` docs for fork without exec).
    Saves about 15 ms of a one-page run; not for long-lived processes that load
    and drop work, such as Dask workers. (The readers of HTML, markdown and JSON
    Lines are left to the first page of their form, in whichever process
    cleans it: a run over text dumps never loads them.)
    """
    import cleaner.formats  # noqa: F401, PLC0415 - the modules every run uses
    from cleaner.rules import default_ruleset  # noqa: PLC0415

    default_ruleset()
    gc.freeze()


# --- the run ------------------------------------------------------------------


@dataclass(slots=True)
class Summary:
    inputs: int = 0
    # Pages read: one per input, or per record of a JSON Lines input (a
    # rejected input counts one). What records, rejects and dropped
    # duplicates add up to, when inputs do not: one input may hold many pages.
    read: int = 0
    records: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    # Of those, dropped (--dedup drop): no record, so counted with the rejects.
    dropped: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # already done in an earlier run (--resume)
    seconds: float = 0.0
    interrupted: str | None = None
    last_source: str | None = None

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())

    def add(self, other: Summary) -> None:
        """Count what `other` counted of pages read, records, rejects, duplicates
        and lines removed."""
        self.read += other.read
        self.records += other.records
        self.rejects.update(other.rejects)
        self.duplicates += other.duplicates
        self.dropped += other.dropped
        self.removed.update(other.removed)

    def reject_reasons(self) -> str:
        """The rejects by reason: "binary 1, empty 2"."""
        return ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejects.items()))

    def inputs_read(self) -> str:
        """"3 inputs"; "1 inputs (7 records read)" when JSON records made the
        pages read more than the inputs: the records and rejects add up to those."""
        if self.read == self.inputs:
            return f"{self.inputs} inputs"
        return f"{self.inputs} inputs ({self.read} records read)"

    def line(self) -> str:
        rate = self.inputs / self.seconds if self.seconds > 0 else 0.0
        rejects = f"{self.rejected} rejects"
        if self.rejects:
            rejects += f" ({self.reject_reasons()})"
        removed = ", ".join(f"{k} {v}" for k, v in sorted(self.removed.items())) or "none"
        parts = [
            self.inputs_read(),
            f"{self.records} records",
            rejects,
            f"{self.duplicates} duplicates"
            + (f" ({self.dropped} dropped)" if self.dropped else ""),
        ]
        if self.skipped:
            parts.append(f"{self.skipped} skipped as done")
        return (
            "dw-clean: " + ", ".join(parts) + f"; lines removed: {removed}; "
            f"{self.seconds:.2f} s, {rate:.1f} docs/s"
        )


@dataclass(slots=True)
class Dedup:
    """Exact duplicates of clean text seen earlier in the run."""

    mode: str  # "flag" or "drop"
    first: dict[str, str] = field(default_factory=dict)

    def check(self, record: Record) -> str | None:
        """The earlier source with the same text, or None (and remember this one)."""
        if record.digest is None:
            return None
        earlier = self.first.get(record.digest)
        if earlier is None:
            self.first[record.digest] = record.source
        return earlier


def flag_duplicate(line: bytes, earlier: str) -> bytes:
    record = json.loads(line.decode("utf-8", errors="surrogateescape"))
    record["duplicate_of"] = earlier
    return encode_record(record)


# Outcomes of the inputs, in input order, from some engine; checks the stop flag.
OutcomeSource = Callable[[Iterable[InputRef], "StopRequested"], Generator[Outcome, None, None]]


def run(
    refs: Iterable[InputRef],
    options: Options,
    sink: Sink,
    *,
    jobs: int = 1,
    rejects: RejectsFile | None = None,
    dedup: str | None = None,
    done: Counter[str] | SourceCounts | None = None,
    earlier_digests: Iterable[tuple[str, str]] = (),
    on_reject: Callable[[Outcome], None] | None = None,
    progress: Any = None,
    outcome_source: OutcomeSource | None = None,
    summary: Summary | None = None,
) -> Summary:
    """Clean every input into `sink`; returns the summary. Stops cleanly on a signal.

    `done` counts the sources finished by an earlier run (skipped, as many
    times as they were done: a path listed twice is cleaned twice; a
    `SourceCounts` also knows the paths the manifest recorded); `earlier_digests`
    their record digests, so --dedup sees them. `outcome_source` replaces the
    local workers (a Dask cluster gives its outcomes, in input order, through
    it), so every engine shares this one loop. Raises `DwCleanError` for fatal
    problems (a full disk); whatever was committed before stays valid. The
    `summary` given is filled in as the run goes, so that a caller can still
    say how far a run that raised got.
    """
    summary = summary if summary is not None else Summary()
    deduper = Dedup(dedup) if dedup else None
    if deduper is not None:
        for digest, source in earlier_digests:
            deduper.first.setdefault(digest, source)

    stop = StopRequested()
    finished = SourceCounts(done) if isinstance(done, Counter) else done

    def todo() -> Iterator[InputRef]:
        listed = iter(refs)
        while not stop:
            try:
                with stop.interruptible():
                    ref = next(listed, None)
            except WaitInterrupted:
                return  # `stop` is set: the run ends as after any first signal
            if ref is None:
                return
            if finished is not None and finished.take(ref.source) is not None:
                summary.skipped += 1
                continue
            yield ref

    started = time.perf_counter()
    try:
        stream_of = outcome_source or (
            lambda todo_refs, stop_flag: outcomes(todo_refs, options, jobs=jobs, stop=stop_flag)
        )
        with stop.installed(), closing(stream_of(todo(), stop)) as stream:
            for outcome in stream:
                _consume(
                    outcome, sink, rejects=rejects, deduper=deduper, summary=summary,
                    on_reject=on_reject,
                )
                # Counted once in the sink: a run stopped by a fatal error in
                # the middle of an input does not count it as done.
                summary.inputs += 1
                summary.last_source = outcome.source
                if progress is not None:
                    progress.update(1)
                if stop:
                    break
            summary.interrupted = stop.signal_name
            if summary.interrupted is not None and not sink.keeps_partial_output:
                # An -o file, and its run's rejects, are left as they were.
                sink.discard()
            else:
                _commit(sink, rejects)
    except BaseException:
        sink.discard()
        raise
    finally:
        summary.seconds = time.perf_counter() - started
    return summary


def _commit(sink: Sink, rejects: RejectsFile | None) -> None:
    """Commit the records and the rejects, the records last: a run whose
    rejects cannot be written (a full disk, standard output gone) fails, and
    its `-o` file must then be left as it was, as the CLI says. The records
    are written out first all the same, so that a full disk stops the run
    before the rejects file is replaced."""
    sink.prepare()
    if rejects is not None:
        rejects.commit()
    sink.commit()


def _consume(
    outcome: Outcome,
    sink: Sink,
    *,
    rejects: RejectsFile | None,
    deduper: Dedup | None,
    summary: Summary,
    on_reject: Callable[[Outcome], None] | None,
) -> None:
    # Added to the run's summary once the sink has taken all of the input: a
    # fatal error in the middle of it (a full disk) leaves it uncounted, like
    # its records.
    counted = Summary()
    _consume_into(outcome, sink, rejects=rejects, deduper=deduper, counted=counted,
                  on_reject=on_reject)
    summary.add(counted)


def _consume_into(
    outcome: Outcome,
    sink: Sink,
    *,
    rejects: RejectsFile | None,
    deduper: Dedup | None,
    counted: Summary,
    on_reject: Callable[[Outcome], None] | None,
) -> None:
    if outcome.reason is not None:
        counted.read += 1
        counted.rejects[outcome.reason.value] += 1
        entry = ManifestEntry(
            outcome.source, "failed" if outcome.retry else "rejected",
            reason=outcome.reason.value, detail=outcome.detail,
        )
        if rejects is not None:
            rejects.add(entry)
        sink.done(entry)
        if on_reject is not None:
            on_reject(outcome)
        return
    counted.read += len(outcome.records) + len(outcome.record_rejects)
    for source, reason, detail in outcome.record_rejects:
        counted.rejects[reason.value] += 1
        entry = ManifestEntry(source, "rejected", reason=reason.value, detail=detail)
        if rejects is not None:
            rejects.add(entry)
        sink.reject_record(entry)
        if on_reject is not None:
            on_reject(Outcome(source, reason=reason, detail=detail))
    written = 0
    digests: list[str] = []
    digest_sources: list[str] = []
    for record in outcome.records:
        line = record.line
        earlier = deduper.check(record) if deduper else None
        if earlier is not None:
            counted.duplicates += 1
            if deduper is not None and deduper.mode == "drop":
                counted.dropped += 1
                continue
            line = flag_duplicate(line, earlier)
        sink.record(line)
        written += 1
        if record.digest is not None:
            digests.append(record.digest)
            digest_sources.append(record.source)
        counted.removed.update(record.removed)
    counted.records += written
    status = "ok" if written or not outcome.records else "duplicate"
    own_sources = any(source != outcome.source for source in digest_sources)
    sink.done(ManifestEntry(outcome.source, status, records=written, digests=digests,
                            digest_sources=digest_sources if own_sources else None))
