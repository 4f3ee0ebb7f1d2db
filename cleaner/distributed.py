"""Running a batch on a Dask cluster, reading and writing through fsspec.

`run_dask()` is `dw-clean [PATH]... --output-dir OUT --dask ADDRESS`. It does
the same work as a local `--output-dir` run, split differently:

- the client (this process) lists the inputs, submits them in batches to the
  cluster, keeps a bounded number of batches in flight, and consumes the
  outcomes *in input order*: dedup, manifest, rejects and shard assignment
  are then exactly those of a local run, and so are the output bytes;
- each task (`clean_batch`, on a worker) reads its inputs itself, local paths
  with `cleaner.inputs.read_input` and URLs (`s3://`, `gs://`, `file://`...)
  through fsspec, and then runs `cleaner.batch.process_input`, the very
  function a local run calls: same decoding, cleaning and serialisation.

Paths without a protocol are read by the workers from their own file system
(a shared disk on a real cluster); a local `--output-dir` is written with
`ShardSink`, as a local run (atomic, `--resume` works). Other output URLs go
through `FsspecShardSink`, which writes the same files and can be resumed too.

Time limits: Dask runs tasks in worker threads, where SIGALRM cannot reach,
so `thread_time_limit` raises the timeout in the worker thread itself
(`PyThreadState_SetAsyncExc`). Like `--jobs 1`, this cannot interrupt a long
call into C, and there is no hard kill.

dask, distributed and fsspec are imported only when used: `import cleaner`
(and this module) work without the `dask` extra.
"""

from __future__ import annotations

import ctypes
import gzip
import logging
import os
import posixpath
import re
import shutil
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import IO, Any, BinaryIO, TypeVar

# Dedup and _consume are batch.run's own steps, reused so that a Dask run
# cannot drift from a local one (see `consume`).
from cleaner import batch
from cleaner.batch import (
    Options,
    Outcome,
    StopRequested,
    Summary,
    process_input,
    timeout_detail,
)
from cleaner.errors import DwCleanError, Reason, Rejected, UsageError
from cleaner.inputs import (
    DEFAULT_MAX_BYTES,
    NO_OUTPUTS,
    STDIN_SOURCE,
    InputRef,
    OwnOutputs,
    discover,
    expand_path,
    file_lists,
    has_glob,
    listed_paths,
    matches,
)
from cleaner.outputs import (
    DEFAULT_SHARD_SIZE,
    GZIP_LEVEL,
    MANIFEST_NAME,
    REJECTS_NAME,
    RUN_NAME,
    SHARD_PATTERN,
    ManifestEntry,
    ResumeState,
    RunOptions,
    ShardSink,
    Sink,
    SourceCounts,
    StaleLines,
    check_resumed_options,
    parse_jsonl,
    resume_state,
    run_file_line,
    shard_index,
    write_error,
)
from cleaner.timelimit import DocumentTimeout, time_limit
from cleaner.version import __version__

T = TypeVar("T")

INSTALL_HINT = "pip install 'dw-clean[dask]'"
# Inputs per task: DW pages clean in a few milliseconds, and each task costs
# Dask about a millisecond of bookkeeping and a round trip. On 1,000 bench
# pages, 8/32/128 per task took 5.3/4.7/4.3 s on one worker; 64 pages are
# well under a megabyte of results, and little to redo after a worker dies.
DEFAULT_BATCH_SIZE = 64
# Batches in flight per worker thread: enough that a worker never waits for
# the client, few enough that results held on the cluster stay small.
BATCHES_PER_THREAD = 4
# How long to wait for an existing scheduler before giving up, in seconds.
CONNECT_TIMEOUT = 30.0
# How often the client wakes up while waiting for a batch (signals).
_POLL_SECONDS = 0.1
# After SIGINT/SIGTERM, how long to wait for the batches already running.
STOP_GRACE = 1.0
# Protocols that name this machine's file system; anything else is fsspec's.
_LOCAL_PROTOCOLS = frozenset({"file", "local"})
_LOCAL_CLUSTER = "local:"
# A URL's protocol: a scheme (RFC 3986 letters), possibly chained with "::".
_URL = re.compile(r"(?P<protocol>[A-Za-z][\w+.-]*(?:::[A-Za-z][\w+.-]*)*)://")


# --- optional dependencies --------------------------------------------------


def _require(module: str) -> Any:
    """Import an optional dependency, or tell the user how to install it."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as error:
        raise UsageError(
            f"--dask needs the {module} package ({error}); install it with: {INSTALL_HINT}"
        ) from error


def _fsspec() -> Any:
    return _require("fsspec")


def _distributed() -> Any:
    return _require("distributed")


# --- paths and URLs -----------------------------------------------------------


def protocol(path: str) -> str | None:
    """`s3` for `s3://bucket/key`, `simplecache::s3` for fsspec's chained URLs;
    None for a plain path. Without importing fsspec."""
    match = _URL.match(path)
    return match["protocol"] if match else None


def is_url(path: str | None) -> bool:
    """Whether fsspec, not the plain-file code of a local run, reads `path`."""
    return path is not None and protocol(path) is not None


def is_local_output(output_dir: str) -> bool:
    return protocol(output_dir) in (None, *_LOCAL_PROTOCOLS)


def local_path(path: str) -> str:
    """`/x/y` for `file:///x/y`; plain paths are returned as typed."""
    if protocol(path) is None:
        return path
    _, stripped = _fsspec().core.url_to_fs(path)
    return str(stripped)


# --- listing inputs -----------------------------------------------------------


def _location(fs: Any, path: str) -> str:
    """A place on `fs` as one string to compare with another: its URL, through
    the real path on this machine's file system (a link and what it points
    to are one place, as in a local walk)."""
    path = path.rstrip("/") or "/"
    if _is_local_fs(fs):
        path = os.path.realpath(path)
    return str(fs.unstrip_protocol(path))


def _is_local_fs(fs: Any) -> bool:
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return not _LOCAL_PROTOCOLS.isdisjoint(protocols)


def url_own_outputs(output_dir: str | None, rejects: str | None) -> OwnOutputs:
    """The run's own outputs as a walk through fsspec meets them: places
    written as `_location`s, whether the run was given URLs or plain paths."""
    fsspec = _fsspec()
    directories = []
    files = []
    if output_dir is not None:
        fs, path = fsspec.core.url_to_fs(output_dir)
        directories.append(_location(fs, str(path)))
    if rejects is not None and rejects != STDIN_SOURCE:
        fs, path = fsspec.core.url_to_fs(rejects)
        files.append((_location(fs, posixpath.dirname(path)), posixpath.basename(path)))
    return OwnOutputs(frozenset(directories), frozenset(files))


@dataclass(slots=True)
class _WalkFilter:
    """Which files of a walk from `top` are the run's own outputs (or lie in
    an output directory met below `top`), by `OwnOutputs`' rules as a local
    walk applies them. A directory's place and answer are found once: a
    local one's real path costs system calls."""

    fs: Any
    top: str
    own_outputs: OwnOutputs
    locations: dict[str, str] = field(default_factory=dict)
    inside: dict[str, bool] = field(default_factory=dict)

    def location(self, directory: str) -> str:
        found = self.locations.get(directory)
        if found is None:
            found = self.locations[directory] = _location(self.fs, directory)
        return found

    def skips(self, path: str) -> bool:
        directory = posixpath.dirname(path)
        if self.own_outputs.has_file(self.location(directory), posixpath.basename(path)):
            return True
        below: list[str] = []
        inner = self.top if self.top.endswith("/") else self.top + "/"
        while directory.startswith(inner) and directory not in self.inside:
            below.append(directory)
            directory = posixpath.dirname(directory)
        inside = self.inside.get(directory, False)
        for walked in reversed(below):  # from the top down: an output's subdirectories too
            inside = inside or self.own_outputs.has_directory(self.location(walked))
            self.inside[walked] = inside
        return inside


def _files_under(fs: Any, path: str, pattern: str,
                 own_outputs: OwnOutputs = NO_OUTPUTS) -> Iterator[InputRef]:
    own = _WalkFilter(fs, path.rstrip("/") or "/", own_outputs) if own_outputs else None
    # In the order of a local walk (`cleaner.inputs.walk_directory`), so that
    # shards hold the same records in the same order wherever the pages lie.
    for found in sorted(fs.find(path), key=_walk_order):
        if not matches(posixpath.basename(found), pattern):
            continue
        if own is not None and own.skips(found):
            continue
        url = fs.unstrip_protocol(found)
        yield InputRef(source=url, path=url)


def _walk_order(path: str) -> tuple[tuple[bool, str], ...]:
    """A sort key that puts a directory's files before its subdirectories,
    each in name order, as a local walk goes (a plain sort of full paths put
    "sub/a.txt" before "z.txt")."""
    *directories, name = path.split("/")
    return (*((True, part) for part in directories), (False, name))


def _hidden_below(match: str, glob: str) -> bool:
    """Whether a glob's match has a name starting with a dot below the glob's
    fixed part that no part of the glob spells with a dot: as in the shell
    (and a local glob, `cleaner.inputs.expand_glob`), `*` and `**` do not
    match such names, where fsspec's glob does."""
    parts = glob.split("/")
    fixed = next(index for index, part in enumerate(parts) if has_glob(part))
    dotted = any(part.startswith(".") for part in parts[fixed:])
    return not dotted and any(part.startswith(".") for part in match.split("/")[fixed:])


def expand_url(url: str, *, pattern: str,
               own_outputs: OwnOutputs = NO_OUTPUTS) -> Iterator[InputRef]:
    """The inputs a URL stands for: a file, a directory/prefix, or a glob.

    Mirrors `cleaner.inputs.expand_path`: a glob that matches nothing, or a
    missing file, is still yielded, so it is rejected as `unreadable` and
    shows in the accounting. The run's own outputs (`url_own_outputs`) are
    left out of what a walk or a glob finds, and a usage error when named.
    """
    fs, path = _fsspec().core.url_to_fs(url)
    is_glob = has_glob(path) and not fs.exists(path)
    if _is_local_fs(fs) and (is_glob or fs.isdir(path)):
        yield from _expanded_locally(fs, str(path), pattern, own_outputs)
        return
    if is_glob:
        matched = [match for match in fs.glob(path) if not _hidden_below(match, path)]
        directories = {match for match in matched if fs.isdir(match)}
        # `**` matches a directory and everything below it: what is below a
        # matched directory is met in its walk (twice in the records, else).
        matched = [match for match in matched if not _below_any(match, directories)]
        # A directory the glob matches is walked after the files beside it.
        found = sorted(matched, key=lambda match: _walk_order(
            f"{match}/" if match in directories else match
        ))
        for match in found:
            if match in directories:
                # An output directory the glob matches is met inside the tree.
                if not own_outputs.has_directory(_location(fs, match)):
                    yield from _files_under(fs, match, pattern, own_outputs)
            elif not own_outputs.has_file(_location(fs, posixpath.dirname(match)),
                                          posixpath.basename(match)):
                match_url = fs.unstrip_protocol(match)
                yield InputRef(source=match_url, path=match_url)
        if not found:
            yield InputRef(source=url, path=url)
    elif fs.isdir(path):
        yield from _files_under(fs, path, pattern, own_outputs)
    else:
        if own_outputs and own_outputs.has_file(_location(fs, posixpath.dirname(path)),
                                                posixpath.basename(path)):
            # As `cleaner.inputs.expand_path` refuses a plain path the run writes.
            raise UsageError(
                f"{url} is both an input and this run's output (--rejects or a file "
                "--output-dir writes), which would replace it: write the output elsewhere."
            )
        yield InputRef(source=url, path=url)


def _below_any(path: str, directories: set[str]) -> bool:
    parent = posixpath.dirname(path)
    while parent not in directories:
        above = posixpath.dirname(parent)
        if above == parent:
            return False
        parent = above
    return True


def _expanded_locally(
    fs: Any, path: str, pattern: str, own_outputs: OwnOutputs
) -> Iterator[InputRef]:
    """A file:// URL expanded by the local walk itself, named by URL: it
    follows links to directories, reports link loops, pipes and devices, and
    matches globs as a plain path's walk does (fsspec's local walk left out
    the files behind a linked directory, unsaid)."""
    local_outputs = OwnOutputs(
        frozenset(_local_path(place) for place in own_outputs.directories),
        frozenset((_local_path(place), name) for place, name in own_outputs.files),
    )
    for ref in expand_path(path, pattern=pattern, stdin=None, max_bytes=DEFAULT_MAX_BYTES,
                           own_outputs=local_outputs):
        url = str(fs.unstrip_protocol(ref.path or path))
        yield replace(ref, source=url, path=url)


def _local_path(place: str) -> str:
    """A `_location` on this machine as the local walk compares places (its
    real path); another file system's as it is, which no local path equals."""
    return place.removeprefix("file://")


def check_protocols(places: Iterable[str | None]) -> None:
    """A usage error for a URL whose file system cannot be loaded (`s3://`
    without s3fs, a protocol fsspec does not know), before any output: it
    was a traceback, from the first input listed, after run.json was made."""
    fsspec = _fsspec()
    for place in places:
        if not place or "://" not in place:
            continue
        for part in place.split("::"):
            try:
                fsspec.get_filesystem_class(part.split("://", 1)[0])
            except (ImportError, ValueError) as error:
                raise UsageError(
                    f"{place}: {error} (on this machine and on every worker)"
                ) from None


def complete_lines(url: str) -> list[bytes]:
    """The complete lines of a file on any file system fsspec reaches (none
    for a missing file; a torn last line is not data)."""
    fs, path = _fsspec().core.url_to_fs(url)
    lines: list[bytes] = []
    try:
        with fs.open(path, "rb") as handle:
            lines.extend(raw for raw in handle if raw.endswith(b"\n"))
    except FileNotFoundError:
        pass
    return lines


def rejects_at(url: str) -> Counter[str]:
    """`outputs.count_rejects` for a rejects file that may be remote."""
    return Counter(str(line.get("reason")) for line in parse_jsonl(complete_lines(url)))


def rejected_in_manifest(output_dir: str) -> int:
    """How many inputs the manifest of an output directory (a URL or a plain
    path) shows rejected: what a resumed run must still count."""
    manifest = complete_lines(f"{output_dir.rstrip('/')}/{MANIFEST_NAME}")
    return resume_state(parse_jsonl(manifest)).rejected


def discover_any(
    paths: Iterable[str],
    *,
    pattern: str = "*.txt",
    files_from: str | Sequence[str] | None = None,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    own_outputs: OwnOutputs = NO_OUTPUTS,
    null: bool = False,
    output_dir: str | None = None,
    rejects: str | None = None,
) -> Iterator[InputRef]:
    """Like `cleaner.inputs.discover`, with URLs among the paths.

    Plain paths go through `discover` itself, so their refs (and so the
    `source` of records) are exactly those of a local run. URLs are walked
    through fsspec, which leaves out the run's `output_dir` and `rejects`
    (URLs or plain paths) as `own_outputs` does for plain paths.
    """
    paths_stdin = None if STDIN_SOURCE in file_lists(files_from) else stdin
    url_outputs: OwnOutputs | None = None

    def expand(url: str) -> Iterator[InputRef]:
        nonlocal url_outputs
        if url_outputs is None:  # (fsspec only once a URL is met)
            url_outputs = url_own_outputs(output_dir, rejects)
        return expand_url(url, pattern=pattern, own_outputs=url_outputs)

    for path in paths:
        if is_url(path):
            yield from expand(path)
        else:
            yield from discover([path], pattern=pattern, stdin=paths_stdin, max_bytes=max_bytes,
                                own_outputs=own_outputs)
    for path in listed_paths(files_from, stdin, null=null):
        if is_url(path):
            yield from expand(path)
        else:
            yield from expand_path(path, pattern=pattern, stdin=None, max_bytes=max_bytes,
                                   own_outputs=own_outputs, literal=null)


# --- the work on a worker -----------------------------------------------------


def read_url(url: str, max_bytes: int) -> bytes:
    """An input's raw bytes through fsspec, with the rejects of a local read."""
    try:
        fs, path = _fsspec().core.url_to_fs(url)
        info = fs.info(path)
        if info.get("type") == "directory":
            raise Rejected(Reason.UNREADABLE, "is a directory")
        size = info.get("size")
        if isinstance(size, int) and size > max_bytes:
            raise Rejected(Reason.TOO_LARGE, f"{size} bytes, over --max-bytes {max_bytes}")
        with fs.open(path, "rb") as handle:
            data: bytes = handle.read(max_bytes + 1)
            return data
    except Rejected:
        raise
    except FileNotFoundError as error:
        detail = "no such file" if not has_glob(url) else "no file matches this pattern"
        raise Rejected(Reason.UNREADABLE, detail) from error
    except Exception as error:  # network, permissions, credentials: one input's fate
        raise Rejected(Reason.UNREADABLE, f"{type(error).__name__}: {error}") from error


def _set_async_exc(thread_id: int, exception: type[BaseException] | None) -> None:
    # NULL (None) clears an exception set earlier and not yet raised.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


@contextmanager
def thread_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `DocumentTimeout` in the block after `seconds`, in any thread.

    In the main thread this is `cleaner.timelimit.time_limit` (SIGALRM). Elsewhere
    (Dask worker threads) a timer thread raises the exception asynchronously in
    this thread. The lock and the final clearing make sure that it can only be
    raised while the block runs or in this function's `finally`, both inside
    the caller's `try`, never later in Dask's own code.
    """
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread():
        with time_limit(seconds):
            yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    armed = True

    def expire() -> None:
        with lock:
            if armed:
                _set_async_exc(target, DocumentTimeout)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            armed = False
        timer.cancel()
        _set_async_exc(target, None)


def call_with_time_limit(seconds: float | None, function: Callable[[], T]) -> T:
    """`function()`, raising `DocumentTimeout` in it after `seconds` (`thread_time_limit`)."""
    with thread_time_limit(seconds):
        return function()


def clean_one(ref: InputRef, options: Options) -> Outcome:
    """What `process_input` gives in a local run, from a worker thread.

    The time limit is process_input's, a document at a time (each record of
    JSON records its own, as in a local run); a URL's reading has one too.
    """
    try:
        if is_url(ref.path):
            assert ref.path is not None
            path = ref.path
            data = call_with_time_limit(options.timeout, lambda: read_url(path, options.max_bytes))
            ref = InputRef(source=ref.source, data=data)
        return process_input(ref, options, limit=thread_time_limit)
    except Rejected as rejected:
        return Outcome(ref.source, reason=rejected.reason, detail=rejected.detail)
    except DocumentTimeout:
        # Same detail as process_input's, for a timeout outside the cleaning.
        return Outcome(ref.source, reason=Reason.TIMEOUT, detail=timeout_detail(options.timeout))


def for_workers(ref: InputRef) -> InputRef:
    """`ref` as a worker must see it: a relative plain path made absolute
    here, since a worker's working directory is not the client's (the
    `source`, which the records and manifest show, stays as given)."""
    # (os.path, not Path.resolve(): a link is read as the link a local run reads.)
    if ref.path is None or is_url(ref.path) or os.path.isabs(ref.path):  # noqa: PTH117
        return ref
    return replace(ref, path=os.path.abspath(ref.path))  # noqa: PTH100


def clean_batch(refs: list[InputRef], options: Options) -> list[Outcome]:
    """One Dask task: the outcomes of a few inputs, in their order."""
    return [clean_one(ref, options) for ref in refs]


def worker_version() -> str:
    """Run on every worker: records carry `cleaner_version`, so it must match."""
    return __version__


# --- the cluster --------------------------------------------------------------


def _local_workers(address: str) -> int:
    count = address[len(_LOCAL_CLUSTER):]
    if not count.isdigit() or int(count) < 1:
        raise UsageError(
            f"--dask {address}: give local:N with N worker processes (local:4), "
            "or a scheduler address (tcp://host:8786)."
        )
    return int(count)


# Schemes whose addresses are host:port: a typo there ("tcp://host", "sheduler")
# can be told from the address alone, before the output directory is made.
_HOST_PORT_SCHEMES = frozenset({"tcp", "tls", "ws", "wss"})


def _check_scheduler_address(address: str) -> None:
    comm = _distributed().comm
    try:
        scheme, _ = comm.parse_address(address, strict=False)
        if scheme in _HOST_PORT_SCHEMES:
            comm.get_address_host_port(address)
        else:
            comm.registry.get_backend(scheme)
    except ValueError as error:
        raise UsageError(
            f"--dask {address}: {error}. Give a scheduler address (tcp://host:8786), "
            "or local:N for a cluster on this machine."
        ) from None


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A `distributed.Client` for `tcp://host:port` or a new `local:N` cluster.

    `local:N` listens on 127.0.0.1 only, without dashboard: it is a private
    pool of N single-threaded processes, not a service for the network. The
    scheduler still serves a few HTTP routes (health, metrics), by default on
    port 8787, with a warning when another cluster holds it; any free port
    on loopback will do.
    """
    if address.startswith(_LOCAL_CLUSTER):
        workers = _local_workers(address)
        distributed = _distributed()
        # (Its workers' warnings, such as "Async instruction ... ended with
        # CancelledError" after a Ctrl-C, reached standard error even with
        # -q, which shows errors only.)
        with distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster, distributed.Client(cluster) as client:
            yield client
        return
    distributed = _distributed()
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, ValueError) as error:
        raise DwCleanError(
            f"Cannot reach the Dask scheduler at {address}: {error}. Check the "
            "address (tcp://host:8786), or use --dask local:N for a cluster on this machine."
        ) from error
    with client:
        yield client


def check_workers(client: Any, notice: Callable[[str], None] | None = None) -> None:
    """Fail early if a worker cannot import dw-clean, or runs another version;
    `notice` that there is no worker yet (the run then waits for one)."""
    try:
        versions: dict[str, str] = client.run(worker_version)
    except Exception as error:
        raise DwCleanError(
            f"The Dask workers cannot run dw-clean ({type(error).__name__}: {error}); "
            f"install dw-clean {__version__} with its [dask] extra on every worker."
        ) from error
    if not versions and notice is not None:
        # Not an error: a cluster may start its workers when work arrives.
        # But a run that waits without a word looks hung.
        notice("the Dask scheduler has no workers yet: the run waits for one to "
               "join (Ctrl-C stops it).")
    wrong = sorted(f"{worker} has {version}" for worker, version in versions.items()
                   if version != __version__)
    if wrong:
        raise DwCleanError(
            f"Dask workers run another dw-clean version than this client ({__version__}): "
            + "; ".join(wrong) + ". Install the same version everywhere."
        )


def _batches(refs: Iterable[InputRef], size: int) -> Iterator[list[InputRef]]:
    batch: list[InputRef] = []
    for ref in refs:
        batch.append(ref)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _window(client: Any) -> int:
    threads = sum(client.nthreads().values()) or 1
    return max(2, threads * BATCHES_PER_THREAD)


def _done(future: Any, wait: Callable[..., Any]) -> bool:
    try:
        wait(future, timeout=_POLL_SECONDS)
    except TimeoutError:
        return False
    return True


@dataclass(slots=True)
class _Task:
    """A submitted batch; `then` are inputs to retry one by one after it."""

    future: Any
    refs: list[InputRef]
    then: list[InputRef] = field(default_factory=list)


def _failure(ref: InputRef, error: Exception) -> Outcome:
    name = type(error).__name__
    if name == "KilledWorker":
        # As a local worker's death: not known to be the input's fault, so
        # --resume tries it again.
        return Outcome(ref.source, reason=Reason.ERROR, retry=True,
                       detail="worker process died while cleaning it (Dask KilledWorker)")
    return Outcome(ref.source, reason=Reason.ERROR, detail=f"{name}: {error}")


def ordered_outcomes(
    client: Any,
    refs: Iterable[InputRef],
    options: Options,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    stop: StopRequested | None = None,
) -> Generator[Outcome, None, None]:
    """One outcome per ref, in the order of `refs`, cleaned on the cluster.

    At most `_window()` batches are submitted and not yet consumed, so memory
    stays flat whatever the number of inputs.

    A batch whose task fails (its worker died: `KilledWorker`) is retried one
    input at a time, each task submitted when the previous one is done: so
    the input that kills workers runs alone and is the only one rejected
    (reason `error`), instead of taking batch-mates with it.
    """
    wait = _distributed().wait
    batches = _batches(refs, batch_size)
    window = _window(client)
    in_flight: deque[_Task] = deque()
    exhausted = False
    stop_at = 0.0

    def submit(batch: list[InputRef], then: list[InputRef] | None = None) -> _Task:
        future = client.submit(clean_batch, [for_workers(ref) for ref in batch], options,
                               pure=False)
        return _Task(future, batch, then or [])

    try:
        while True:
            while not exhausted and not stop and len(in_flight) < window:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                else:
                    in_flight.append(submit(batch))
            if not in_flight:
                return
            if stop:
                stop_at = stop_at or time.monotonic() + STOP_GRACE
                if time.monotonic() > stop_at:
                    return
            task = in_flight[0]
            if not _done(task.future, wait):
                continue
            in_flight.popleft()
            try:
                results: list[Outcome] = task.future.result()
            except (DwCleanError, CancelledError):
                raise
            except Exception as error:
                if len(task.refs) > 1:
                    in_flight.appendleft(submit(task.refs[:1], task.refs[1:] + task.then))
                    continue
                results = [_failure(task.refs[0], error)]
            if task.then:
                in_flight.appendleft(submit(task.then[:1], task.then[1:]))
            yield from results
    except CancelledError as error:
        raise DwCleanError(
            "The Dask scheduler cancelled the work (connection lost or cluster shut "
            "down). Rerun; with a local --output-dir, add --resume to continue."
        ) from error
    finally:
        if in_flight:
            client.cancel([task.future for task in in_flight])


# --- writing the output through fsspec ----------------------------------------


@dataclass(frozen=True, slots=True)
class FsspecRunFiles:
    """`cleaner.outputs.RunFiles` at an fsspec URL (run.json, the manifest)."""

    output_dir: str

    def path(self, name: str) -> str:
        return f"{self.output_dir.rstrip('/')}/{name}"

    def exists(self, name: str) -> bool:
        fs, path = _fsspec().core.url_to_fs(self.path(name))
        return bool(fs.exists(path))

    def read(self, name: str) -> bytes:
        fs, path = _fsspec().core.url_to_fs(self.path(name))
        data: bytes = fs.cat_file(path)
        return data


# A remote manifest is uploaded whole at each checkpoint (object stores cannot
# append), so checkpointing every shard of a long run would upload a growing
# file again and again: a 10-million-input manifest is over a gigabyte. A
# completed shard is checkpointed only when the time since the last upload is
# at least this many times what that upload took, so uploads take at most
# about a tenth of the run, and a resumed run redoes at most that much.
CHECKPOINT_PAUSE_RATIO = 9.0


class FsspecShardSink:
    """`ShardSink`'s files (same bytes) on any fsspec file system.

    Object stores have no rename, but they make an object visible only once
    it is completely written, which gives the same guarantee as
    `AtomicFile`. The manifest and rejects are kept in local spool files
    (memory stays flat for millions of inputs) and uploaded whole at
    checkpoints, after a shard is completed (see `CHECKPOINT_PAUSE_RATIO`),
    and on `commit()`: what the remote manifest lists is then always in the
    shards it names. Shards after the last one listed are not part of the
    run: `--resume` deletes them and writes them again.
    """

    keeps_partial_output = True  # --resume goes on from it

    def __init__(
        self,
        output_dir: str,
        *,
        shard_size: int = DEFAULT_SHARD_SIZE,
        resume: bool = False,
        rejects_url: str | None = None,
        run_options: RunOptions | None = None,
    ) -> None:
        if shard_size < 1:
            raise UsageError("--shard-size must be at least 1.")
        self.fs, root = _fsspec().core.url_to_fs(output_dir)
        self.root = str(root).rstrip("/")
        self.output_dir = output_dir
        self.shard_size = shard_size
        files = FsspecRunFiles(output_dir)
        try:
            self.fs.makedirs(self.root, exist_ok=True)
            taken = self.fs.exists(self._path(MANIFEST_NAME))
        except OSError as error:
            raise write_error(error, output_dir) from error
        if taken and not resume:
            raise UsageError(
                f"{output_dir} already holds a dw-clean run ({MANIFEST_NAME}). "
                "Add --resume to continue it, or choose an empty location."
            )
        if taken and run_options is not None:
            check_resumed_options(output_dir, run_options, files)  # before any write
        if run_options is not None and not taken:  # as ShardSink does, when the run starts
            target = self._path(RUN_NAME)
            try:
                with self.fs.open(target, "wb") as handle:
                    handle.write(run_file_line(run_options).encode("utf-8") + b"\n")
            except OSError as error:
                raise write_error(error, target) from error
        self.rejects_url = rejects_url
        self.manifest_spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in commit
        self.rejects_spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        # Lines of "failed" inputs of the earlier run that were cleaned again.
        self.stale_manifest = StaleLines(key="status", value="failed")
        self.stale_rejects = StaleLines(key="reason", value="error")
        self.index = 0
        self.count = 0
        self._raw: IO[bytes] | None = None
        self._gzip: gzip.GzipFile | None = None
        self._next_checkpoint = 0.0
        self.state = ResumeState()
        if resume:
            self._resume()
        self.failed = SourceCounts(self.state.failed, self.state.paths)

    def _path(self, name: str) -> str:
        return f"{self.root}/{name}"

    @property
    def shard_name(self) -> str:
        return SHARD_PATTERN.format(index=self.index)

    # --- resuming -------------------------------------------------------------

    def _copy_complete_lines(self, fs: Any, path: str, spool: IO[bytes]) -> None:
        """The earlier run's lines into `spool`; a torn last line is not data."""
        try:
            with fs.open(path, "rb") as handle:
                for raw in handle:
                    if not raw.endswith(b"\n"):
                        break
                    spool.write(raw)
        except FileNotFoundError:
            return

    def _resume(self) -> None:
        """Take up the run the manifest shows, as `ShardSink(resume=True)` does."""
        manifest = self._path(MANIFEST_NAME)
        self._copy_complete_lines(self.fs, manifest, self.manifest_spool)
        self.manifest_spool.seek(0)
        self.state = resume_state(parse_jsonl(self.manifest_spool))
        self.manifest_spool.seek(0, 2)
        if self.rejects_url is None:
            self._copy_complete_lines(self.fs, self._path(REJECTS_NAME), self.rejects_spool)
        else:
            fs, path = _fsspec().core.url_to_fs(self.rejects_url)
            self._copy_complete_lines(fs, path, self.rejects_spool)
        self.index = self.state.shard_index
        listed = self.state.shard_index + (1 if self.state.shard_records else 0)
        self._remove_shards_from(listed)
        if self.state.shard_records >= self.shard_size:
            self.index += 1
        elif self.state.shard_records:
            self._reopen_last_shard(self.state.shard_records)

    def _remove_shards_from(self, first: int) -> None:
        """Delete shards a killed run wrote after its last checkpoint: no
        manifest lists them, and this run writes them again."""
        for path in self.fs.glob(self._path("part-*.jsonl.gz")):
            if shard_index(posixpath.basename(path)) >= first:
                self.fs.rm(path)

    def _reopen_last_shard(self, records: int) -> None:
        """Start the shard again from its first `records` lines (those listed)."""
        path = self._path(self.shard_name)
        with tempfile.TemporaryFile() as copy:
            copied = 0
            try:
                with self.fs.open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) as lines:
                    for line in lines:
                        if copied == records or not line.endswith(b"\n"):
                            break
                        copy.write(line)
                        copied += 1
            except (OSError, EOFError) as error:
                raise DwCleanError(
                    f"Cannot resume: {self.output_dir}/{self.shard_name} is unreadable "
                    f"({error}). Delete the output location and run again without --resume."
                ) from error
            if copied != records:
                raise DwCleanError(
                    f"Cannot resume: {self.output_dir}/{self.shard_name} holds {copied} "
                    f"records, the manifest says {records}. Delete the output location "
                    "and run again without --resume."
                )
            copy.seek(0)
            for line in copy:
                self.record(line)

    # --- writing --------------------------------------------------------------

    def record(self, line: bytes) -> None:
        target = self._path(self.shard_name)
        try:
            if self._gzip is None:
                self._raw = self.fs.open(target, "wb")
                # As AtomicFile: no name and mtime 0 in the header, same level.
                self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw,
                                           compresslevel=GZIP_LEVEL, mtime=0)
            self._gzip.write(line)
        except OSError as error:
            raise write_error(error, target) from error
        self.count += 1

    def done(self, entry: ManifestEntry) -> None:
        if entry.records:
            entry.shard = self.shard_name
        self.manifest_spool.write(entry.manifest_line().encode("utf-8") + b"\n")
        failed = self.failed.take(entry.source)
        if failed is not None:
            # Its new outcome replaces the earlier run's failure.
            self.stale_manifest.replace(failed)
            self.stale_rejects.replace(failed)
        if entry.rejected:
            self.rejects_spool.write(entry.reject_line().encode("utf-8") + b"\n")
        if self.count >= self.shard_size:
            self._close_shard()
            self.index += 1
            self.count = 0
            if time.monotonic() >= self._next_checkpoint:
                started = time.monotonic()
                self._upload_lists()
                finished = time.monotonic()
                self._next_checkpoint = finished + CHECKPOINT_PAUSE_RATIO * (finished - started)

    def reject_record(self, entry: ManifestEntry) -> None:
        """One record of the current input was rejected (a bad JSON Lines line)."""
        self.rejects_spool.write(entry.reject_line().encode("utf-8") + b"\n")

    def _close_shard(self) -> None:
        if self._gzip is None or self._raw is None:
            return
        try:
            self._gzip.close()
            self._raw.close()  # the upload completes here
        except OSError as error:
            raise write_error(error, self._path(self.shard_name)) from error
        finally:
            self._gzip = self._raw = None

    def _upload(self, spool: IO[bytes], target: str, opener: Callable[[], IO[bytes]]) -> None:
        spool.seek(0)
        try:
            with opener() as handle:
                shutil.copyfileobj(spool, handle)
        except OSError as error:
            raise write_error(error, target) from error
        spool.seek(0, 2)

    @staticmethod
    def _without(spool: IO[bytes], stale: StaleLines) -> IO[bytes]:
        """`spool` less the lines `stale` drops (it forgets them as it does)."""
        if not stale:
            return spool
        kept: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - replaces `spool`
        spool.seek(0)
        for raw in spool:
            if not stale(raw):
                kept.write(raw)
        spool.close()
        return kept

    def _upload_lists(self) -> None:
        """The manifest and rejects as they are now (a checkpoint)."""
        self.manifest_spool = self._without(self.manifest_spool, self.stale_manifest)
        self.rejects_spool = self._without(self.rejects_spool, self.stale_rejects)
        manifest = self._path(MANIFEST_NAME)
        self._upload(self.manifest_spool, manifest, lambda: self.fs.open(manifest, "wb"))
        if self.rejects_url is None:
            rejects = self._path(REJECTS_NAME)
            self._upload(self.rejects_spool, rejects, lambda: self.fs.open(rejects, "wb"))
        else:
            url = self.rejects_url
            self._upload(self.rejects_spool, url, lambda: _fsspec().open(url, "wb").open())

    def prepare(self) -> None:
        pass  # the commit writes the shard, manifest and rejects in turn

    def commit(self) -> None:
        """The shard in hand, then the manifest and rejects listing it.

        Called once, at the end of the run or on interruption, so it also
        releases the spool files.
        """
        if self.manifest_spool.closed:
            return
        self._close_shard()
        self._upload_lists()
        self._close_spools()

    def discard(self) -> None:
        """Abandon the shard being written; the last checkpoint stays."""
        if self._raw is not None:
            discard = getattr(self._raw, "discard", None)  # buffered remote files
            if callable(discard):
                discard()
            else:
                self._raw.close()
                self.fs.rm(self._path(self.shard_name))
            self._gzip = self._raw = None
        self._close_spools()

    def _close_spools(self) -> None:
        self.manifest_spool.close()
        self.rejects_spool.close()


def open_sink(
    output_dir: str,
    *,
    shard_size: int = DEFAULT_SHARD_SIZE,
    resume: bool = False,
    rejects_path: str | None = None,
    run_options: RunOptions | None = None,
) -> tuple[Sink, SourceCounts, list[tuple[str, str]]]:
    """The sink for `output_dir`, and what an earlier run there already did."""
    if is_local_output(output_dir):
        shards = ShardSink(local_path(output_dir), shard_size=shard_size, resume=resume,
                           rejects_path=rejects_path, run_options=run_options)
        return shards, shards.state.finished(), shards.state.digests
    remote = FsspecShardSink(output_dir, shard_size=shard_size, resume=resume,
                             rejects_url=rejects_path, run_options=run_options)
    return remote, remote.state.finished(), remote.state.digests


# --- the run ------------------------------------------------------------------


def run_dask(
    inputs: list[str],
    output_dir: str,
    address: str,
    options: Options | None = None,
    *,
    pattern: str = "*.txt",
    files_from: str | Sequence[str] | None = None,
    null: bool = False,
    stdin: BinaryIO | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    resume: bool = False,
    rejects_path: str | None = None,
    dedup: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_reject: Callable[[Outcome], None] | None = None,
    progress: Any = None,
    run_options: RunOptions | None = None,
    summary: Summary | None = None,
    notice: Callable[[str], None] | None = None,
) -> Summary:
    """Clean `inputs` on the Dask cluster at `address` into `output_dir`
    (`notice` is told what a user waiting for the run should know).

    The output directory is that of `dw-clean --output-dir` with the same
    options: same shards, manifest and rejects, byte for byte (for local
    paths; URLs are the `source` of their records). Stops cleanly on
    SIGINT/SIGTERM, like a local run; raises `DwCleanError` for fatal problems.
    """
    options = options or Options()
    # Fail on a wrong address or a missing extra before touching the output.
    if address.startswith(_LOCAL_CLUSTER):
        _local_workers(address)
    _distributed()
    if not address.startswith(_LOCAL_CLUSTER):
        _check_scheduler_address(address)
    check_protocols([*inputs, output_dir, rejects_path, *file_lists(files_from)])
    # Connected first: an address that parses but reaches no scheduler (a
    # typo, "sheduler:8786") made the output directory, then failed.
    with dask_client(address) as client:
        check_workers(client, notice)
        sink, done, earlier = open_sink(output_dir, shard_size=shard_size, resume=resume,
                                        rejects_path=rejects_path, run_options=run_options)
        own_outputs = OwnOutputs.of(
            output_dir=local_path(output_dir) if is_local_output(output_dir) else None,
            rejects=rejects_path,
        )
        refs = discover_any(inputs, pattern=pattern, files_from=files_from, stdin=stdin,
                            max_bytes=options.max_bytes, own_outputs=own_outputs, null=null,
                            output_dir=output_dir, rejects=rejects_path)
        # The local run's own loop, fed by the cluster (--jobs does not apply).
        return batch.run(
            refs, options, sink, dedup=dedup, done=done, earlier_digests=earlier,
            on_reject=on_reject, progress=progress, summary=summary,
            outcome_source=lambda todo, stop: ordered_outcomes(
                client, todo, options, batch_size=batch_size, stop=stop
            ),
        )


__all__ = [
    "CHECKPOINT_PAUSE_RATIO",
    "DEFAULT_BATCH_SIZE",
    "FsspecRunFiles",
    "FsspecShardSink",
    "call_with_time_limit",
    "clean_batch",
    "dask_client",
    "discover_any",
    "open_sink",
    "ordered_outcomes",
    "read_url",
    "run_dask",
    "thread_time_limit",
]
