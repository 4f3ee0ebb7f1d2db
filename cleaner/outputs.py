"""Writing JSON Lines: to stdout, to one file, or to a directory of shards.

Every file is written under a temporary name in its final directory and
renamed into place when complete (`AtomicFile`), so a reader never sees half a
file, and an interrupted run never leaves a truncated gzip stream.

A shard directory (`--output-dir`) holds:

- `part-00000.jsonl.gz`, `part-00001.jsonl.gz`, ...: `shard_size` records
  each (the last one fewer);
- `manifest.jsonl`: one line per input, in input order:
  `{"source", "status", "shard", "records", "digests"}` where `status` is
  `ok`, `rejected`, `duplicate` (dropped by `--dedup drop`) or `failed`
  (rejected for no fault of its own: the worker process cleaning it died;
  not done, so `--resume` cleans it again and drops this line and its
  reject when it commits the new outcome), and `digests`
  are the hashes of the records' clean text (so `--resume --dedup` knows what
  came before), with `digest_sources`, their records' sources, for an input
  of several records (JSON Lines: `dump.jsonl#2`), and with `path`, the
  absolute path, for a source named by a relative one (so that a `--resume`
  from another working directory knows the file);
- `rejects.jsonl` (unless `--rejects` names another file);
- `run.json`: `{"dw_clean": VERSION, "options": {"--shard-size": 10000, ...}}`,
  the options that decide which inputs are taken and what their records hold
  (`RunOptions`), written when the run starts. `--resume` takes those its
  command line leaves out from it, and refuses other values of those given,
  which would give output unlike that of one uninterrupted run.

The manifest and rejects file are rewritten (copy, append, rename) each time a
shard is completed, and once more at the end or on interruption: what they
list is always exactly what the shards hold, which is what `--resume` relies
on.
"""

# Paths stay plain strings as the user typed them, as in cleaner/inputs.py
# (where they are the `source` of records), so os.path rather than pathlib.
# ruff: noqa: PTH100, PTH103, PTH105, PTH108, PTH110, PTH113, PTH116, PTH117, PTH118, PTH123, PTH208

from __future__ import annotations

import contextlib
import errno
import gzip
import json
import math
import os
import re
import select
import stat
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

import orjson

from cleaner.errors import DwCleanError, UsageError
from cleaner.inputs import FORMATS, is_local_name, source_name, utf8_name
from cleaner.version import __version__

MANIFEST_NAME = "manifest.jsonl"
REJECTS_NAME = "rejects.jsonl"
RUN_NAME = "run.json"
SHARD_PATTERN = "part-{index:05d}.jsonl.gz"
DEFAULT_SHARD_SIZE = 10_000
# Deflate level for .gz outputs: level 6 (gzip's default) compresses DW text
# nearly as well as 9 at about twice the speed.
GZIP_LEVEL = 6


def dumps(record: dict[str, Any]) -> str:
    """One JSON line (without the newline): UTF-8 text, not ASCII escapes, compact.

    orjson writes a DW record about four times faster than `json.dumps`
    (15 against 60 us), which a batch pays once per record. It refuses
    strings with lone surrogates (a file name that is not UTF-8, decoded with
    surrogateescape); those records go through `json`, written the same way.
    """
    try:
        return orjson.dumps(record).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode_line(line: str) -> bytes:
    """A JSON line as written: UTF-8 (lone surrogates kept as they came), newline-ended."""
    return line.encode("utf-8", errors="surrogateescape") + b"\n"


def encode_record(record: dict[str, Any]) -> bytes:
    """`dumps(record)` as written to a file: `encode_line` of it, made in one step."""
    try:
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        return encode_line(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


def write_all(stream: IO[bytes], data: bytes) -> None:
    """Write all of `data` to `stream`, or raise.

    An unbuffered standard output (PYTHONUNBUFFERED=1, `python -u`) is the
    raw file, whose write() may take only part of the data (a pipe whose
    reader went away in the middle of it) and says so only in the number it
    returns: the rest was lost without a word, and the run exited 0. Writing
    the rest finds the broken pipe (BrokenPipeError, exit 141).
    """
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if written is None:  # a non-blocking stream that is full: wait for room
            select.select([], [stream], [])
            continue
        view = view[written:]


def write_error(error: OSError, target: str) -> DwCleanError:
    """A `DwCleanError` that says what to do about a failed write."""
    if error.errno == errno.ENOSPC:
        advice = "the disk is full: free some space or write to another disk"
    elif error.errno == errno.EDQUOT:
        advice = "the disk quota is exceeded: free some space or write elsewhere"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        advice = "no permission to write there: choose another output location"
    else:
        advice = "check the output location"
    return DwCleanError(f"Cannot write {target}: {error.strerror or error}; {advice}.")


def write_target(path: str) -> tuple[str, bool]:
    """Where writing `path` goes, and whether that file is replaced whole, by
    renaming a complete temporary file over it (else it is appended to).

    A symbolic link's file is replaced, not the link (`-o latest.jsonl`
    pointing into a dated directory stays a link). A device, a named pipe or
    a socket, and any path under /dev or /proc (/dev/stderr leads to whatever
    standard error is: a terminal, a pipe, or the log file `2>` named), is
    written to as it is: as root, `--rejects /dev/null` had turned /dev/null
    into a regular file holding the rejects.
    """
    real = os.path.realpath(path)
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return path, False
    try:
        mode = os.stat(real).st_mode
    except OSError:  # not there yet (or not reachable: the write says why)
        return real, True
    return real, stat.S_ISREG(mode) or stat.S_ISDIR(mode)


# The names of this process's own open descriptors.
_OWN_DESCRIPTOR = re.compile(r"/dev/(?:fd/(\d+)|(stdin|stdout|stderr))|/proc/self/fd/(\d+)")
_STANDARD_DESCRIPTORS = {"stdin": 0, "stdout": 1, "stderr": 2}


def _own_descriptor(path: str) -> int | None:
    """The descriptor `path` names (/dev/stderr, /dev/fd/3, /proc/self/fd/1),
    if it names one. Written through a copy of it, a file shares its offset
    with the process's other writes: opened anew, as `2>log` had it, the
    rejects were written at the end of the log and then overwritten by the
    run's summary, written at standard error's own offset."""
    found = _OWN_DESCRIPTOR.fullmatch(path)
    if found is None:
        return None
    if found[2] is not None:
        return _STANDARD_DESCRIPTORS[found[2]]
    return int(found[1] or found[3])


class AtomicFile:
    """A file written under a temporary name and renamed when committed.

    `.gz` targets are gzip-compressed with mtime 0, so the same records give
    the same bytes on every run. Writing text goes through `write_line`.
    A target that is no regular file (`write_target`) is written straight.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.target, self.replaces = write_target(path)
        directory, name = os.path.split(self.target)
        self.temp_path = os.path.join(directory, f".{name}.tmp-{os.getpid()}")
        if os.path.isdir(path):  # noqa: PTH112
            # Refused now, as open() would: the rename at the end failed, and
            # `-o DIR` cleaned every input of the run for nothing.
            raise write_error(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)), path)
        try:
            if self.replaces:
                self._raw: IO[bytes] = open(self.temp_path, "wb")  # noqa: SIM115 - closed in commit/discard
            elif (descriptor := _own_descriptor(path)) is not None:
                self._raw = os.fdopen(os.dup(descriptor), "wb")
            else:
                self._raw = open(self.target, "ab")  # noqa: SIM115 - closed in commit/discard
        except OSError as error:
            raise write_error(error, path) from error
        self._stream: IO[bytes] = self._raw
        if path.endswith(".gz"):
            # filename="" keeps the temporary name out of the gzip header.
            self._stream = gzip.GzipFile(  # type: ignore[assignment]
                filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0
            )
        self.closed = False  # renamed into place, or discarded
        self.finished = False  # written out under the temporary name

    def write(self, data: bytes) -> None:
        try:
            self._stream.write(data)
        except OSError as error:
            raise write_error(error, self.path) from error

    def write_line(self, line: str) -> None:
        self.write(encode_line(line))

    def finish(self) -> None:
        """Write the file out and sync it, under its temporary name: a full
        disk shows here, so that a caller can finish every file of a run
        before it renames any of them."""
        if self.finished:
            return
        try:
            if self._stream is not self._raw:
                self._stream.close()
            self._raw.flush()
            if self.replaces:  # (a pipe or a terminal cannot be synced)
                os.fsync(self._raw.fileno())
            self._raw.close()
        except OSError as error:
            self.discard()
            raise write_error(error, self.path) from error
        self.finished = True

    def commit(self) -> None:
        """Finish the file and rename it into place."""
        if self.closed:
            return
        self.finish()
        self.closed = True
        if not self.replaces:
            return
        try:
            os.replace(self.temp_path, self.target)
        except OSError as error:
            self.discard()
            raise write_error(error, self.path) from error

    def discard(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        if not self.closed:
            self.closed = True
            for stream in (self._stream, self._raw):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
        if self.replaces:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp_path)


class Sink(Protocol):
    """Where the records of a run go. Calls arrive in input order."""

    # Whether an interrupted run commits what it wrote: shards (which
    # --resume continues) and a stream (already read) do; one -o file is all
    # or nothing, and an interrupted run leaves it as it was.
    keeps_partial_output: bool

    def record(self, line: bytes) -> None:
        """One JSON line of the current input, as `encode_line` gives it."""

    def done(self, entry: ManifestEntry) -> None:
        """The current input is finished (its records, if any, were given)."""

    def reject_record(self, entry: ManifestEntry) -> None:
        """One record of the current input was rejected (a bad JSON Lines line)."""

    def prepare(self) -> None:
        """Write out everything given so far, not yet visible where it is
        committed: the last step that may fail for lack of space, taken
        before the run's rejects are committed (see `cleaner.batch.run`)."""

    def commit(self) -> None:
        """Make everything written so far visible (end of run or interruption)."""

    def discard(self) -> None:
        """Give up after a fatal error: leave earlier commits as they were."""


@dataclass(slots=True)
class ManifestEntry:
    source: str
    status: str  # "ok", "rejected", "duplicate" or "failed" (see the module doc)
    records: int = 0
    digests: list[str] = field(default_factory=list)
    shard: str | None = None
    reason: str | None = None
    detail: str | None = None
    # The source of each digest's record, when an input has records of its own
    # ("dump.jsonl#2"): what --dedup names as `duplicate_of` after --resume.
    digest_sources: list[str] | None = None

    @property
    def rejected(self) -> bool:
        """Whether the input goes to the rejects file."""
        return self.status in {"rejected", "failed"}

    def manifest_line(self) -> str:
        line: dict[str, object] = {
            "source": self.source,
            "status": self.status,
            "shard": self.shard,
            "records": self.records,
            "digests": self.digests,
        }
        if self.digest_sources is not None:
            line["digest_sources"] = self.digest_sources
        if is_local_name(self.source) and not os.path.isabs(self.source):
            line["path"] = absolute_name(self.source)
        return dumps(line)

    def reject_line(self) -> str:
        return dumps({"source": self.source, "reason": self.reason, "detail": self.detail})


class StdoutSink:
    """Records to standard output, UTF-8 whatever the locale says."""

    keeps_partial_output = True

    def __init__(self, stream: IO[bytes] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout.buffer

    def record(self, line: bytes) -> None:
        try:
            write_all(self.stream, line)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise write_error(error, "standard output") from error

    def done(self, entry: ManifestEntry) -> None:
        pass

    def reject_record(self, entry: ManifestEntry) -> None:
        pass

    def prepare(self) -> None:
        self.commit()  # a stream has nothing to hold back

    def commit(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise write_error(error, "standard output") from error

    def discard(self) -> None:
        self.commit()


class FileSink:
    """Records to one `.jsonl` or `.jsonl.gz` file, renamed into place at the end."""

    keeps_partial_output = False

    def __init__(self, path: str) -> None:
        remove_dead_runs_temp_files(path)
        self.file = AtomicFile(path)

    def record(self, line: bytes) -> None:
        self.file.write(line)

    def done(self, entry: ManifestEntry) -> None:
        pass

    def reject_record(self, entry: ManifestEntry) -> None:
        pass

    def prepare(self) -> None:
        self.file.finish()

    def commit(self) -> None:
        self.file.commit()

    def discard(self) -> None:
        self.file.discard()


class RejectsFile:
    """The rejects as JSON lines, appended to what an earlier run left.

    With `keep_existing` (a resumed run) the lines already in the file are
    copied first; each `commit()` renames a complete new version into place.
    """

    def __init__(self, path: str, *, keep_existing: bool = False) -> None:
        self.path = path
        self.keep_existing = keep_existing
        self.pending: list[str] = []
        # Rejects of an earlier run to leave out when the file is next
        # rewritten: those of "failed" inputs this run cleaned again.
        self.stale = StaleLines(key="reason", value="error")

    def add(self, entry: ManifestEntry) -> None:
        self.pending.append(entry.reject_line())

    def commit(self) -> None:
        # A fresh run's first commit always writes: the file then says what
        # this run rejected, even when that is nothing. So does a resumed run
        # that finds no file yet (--resume into a new directory, or a new
        # --rejects FILE): the file is there whatever was rejected.
        unchanged = not self.pending and not self.stale
        if unchanged and self.keep_existing and os.path.exists(self.path):
            return
        append_lines(self.path, self.pending, keep_existing=self.keep_existing,
                     drop=self.stale)
        self.pending = []
        self.keep_existing = True


class RejectsStream(RejectsFile):
    """`--rejects -`: the rejects to standard output, as they are committed.

    Only when the records go elsewhere (-o or --output-dir; the CLI checks),
    so that `dw-clean dir/ -o out.jsonl --rejects - | jq .source` reads them.
    A stream cannot be rewritten, so each commit writes only what is new.
    """

    def __init__(self, stream: IO[bytes] | None = None) -> None:
        super().__init__(STANDARD_STREAM)
        self.stream = stream if stream is not None else sys.stdout.buffer

    def commit(self) -> None:
        try:
            for line in self.pending:
                write_all(self.stream, encode_line(line))
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise write_error(error, "standard output") from error
        self.pending = []


# What `-o` and `--rejects` take for standard output.
STANDARD_STREAM = "-"


def open_rejects(path: str, *, keep_existing: bool = False) -> RejectsFile:
    """Where the rejects go: the file `path`, or standard output for `-`."""
    if path == STANDARD_STREAM:
        return RejectsStream()
    return RejectsFile(path, keep_existing=keep_existing)


def check_writable(path: str) -> None:
    """Refuse a file that could not be written (as `DwCleanError`): checked
    before the run, which writes it only at its end."""
    target, replaces = write_target(path)
    if replaces:
        AtomicFile(path).discard()  # (makes and deletes its temporary file)
    elif not os.access(target, os.W_OK):
        raise write_error(PermissionError(errno.EACCES, os.strerror(errno.EACCES)), path)


@dataclass(slots=True)
class StaleLines:
    """JSON lines of an earlier run that a resumed run replaces.

    Those of a source whose `key` is `value` (a manifest line of status
    `failed`, its `error` reject), as many for each source as were
    `replace`d: a path listed twice may have failed once and been done once.
    Each line dropped is forgotten, so a later rewrite keeps the others.
    """

    key: str
    value: str
    sources: Counter[str] = field(default_factory=Counter)

    def __bool__(self) -> bool:
        return any(count > 0 for count in self.sources.values())

    def replace(self, source: str) -> None:
        self.sources[source] += 1

    def __call__(self, raw: bytes) -> bool:
        """Whether to drop the line `raw` (and forget it)."""
        if not self:
            return False
        try:
            line = json.loads(raw)
        except ValueError:
            return False
        if not isinstance(line, dict) or line.get(self.key) != self.value:
            return False
        source = line.get("source")
        if not isinstance(source, str):
            return False
        # (An earlier version wrote a path as typed, "./pages/x.txt".)
        source = source_name(source)
        if self.sources[source] <= 0:
            return False
        self.sources[source] -= 1
        return True


def append_lines(
    path: str, lines: list[str], *, keep_existing: bool, drop: StaleLines | None = None
) -> None:
    """Rewrite `path` atomically as its old lines (if kept, less those `drop`s)
    plus `lines`; a device or pipe (`write_target`) is given `lines` only."""
    target = AtomicFile(path)
    try:
        if keep_existing and target.replaces and os.path.exists(path):
            with open(path, "rb") as old:
                # Copy only complete lines: a torn last line is not data.
                for raw in old:
                    if raw.endswith(b"\n") and not (drop is not None and drop(raw)):
                        target.write(raw)
        for line in lines:
            target.write_line(line)
    except BaseException:
        target.discard()
        raise
    target.commit()


def read_jsonl(path: str) -> Iterator[dict[str, Any]]:
    """The complete, valid JSON lines of a (possibly gzipped) file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        yield from parse_jsonl(handle)


def parse_jsonl(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """The JSON objects of `lines`, up to the first torn or invalid one."""
    for raw in lines:
        if not raw.endswith(b"\n"):
            return
        try:
            value = json.loads(raw)
        except ValueError:
            return
        if isinstance(value, dict):
            yield value


class SourceCounts:
    """How many times each source is listed (done, or failed, by an earlier
    run), looked up by the name as this run writes it, unless the manifest
    recorded that name as another absolute path.

    A name not listed is looked up by its absolute path among the listed
    ones (a relative one's as the manifest recorded it, else taken from the
    current directory): the first run may have been given `pages/` and this
    one `/data/pages`, or been started in another directory, and an input
    cleaned again would be in the output twice. Absolute, not real, paths:
    through a link, another name of the same file is another input, as a
    walk through the link makes it.
    """

    def __init__(self, counts: Counter[str], paths: Mapping[str, str] | None = None) -> None:
        self.counts = counts  # (the caller's: taking a source counts it off there)
        self.paths = paths or {}
        self._by_path: dict[str, list[str]] | None = None

    def take(self, source: str) -> str | None:
        """The listed source that `source` is (itself, or one with its
        absolute path), counted off once; None when none is left."""
        if self.counts[source] > 0 and not self._elsewhere(source):
            found: str | None = source
        else:
            found = next(
                (name for name in self._same_path(source) if self.counts[name] > 0), None
            )
        if found is not None:
            self.counts[found] -= 1
        return found

    def _elsewhere(self, source: str) -> bool:
        """Whether the manifest recorded `source`, a relative name, as the
        path of another file: the same name from another working directory
        (`cd b2 && dw-clean pages --resume` after a run in b1) was skipped
        as done, and b2's file was in no output, exit 0."""
        recorded = self.paths.get(source)
        return (
            recorded is not None
            and is_local_name(source)
            and recorded != absolute_name(source)
        )

    def _same_path(self, source: str) -> list[str]:
        if not is_local_name(source):
            return []
        if self._by_path is None:
            # Once, at the first source not found by its name.
            self._by_path = {}
            for name in self.counts:
                if is_local_name(name):
                    path = self.paths.get(name) or absolute_name(name)
                    self._by_path.setdefault(path, []).append(name)
        return self._by_path.get(absolute_name(source), [])


def absolute_name(source: str) -> str:
    """The absolute path of a local source name, as a source is named (valid
    UTF-8: a working directory that is not is escaped as `file_ref` escapes
    a file name). `source` is escaped already: only the directory it is
    taken from is escaped here (escaping it again would double its escapes)."""
    if os.path.isabs(source):
        return os.path.normpath(source)
    return os.path.normpath(os.path.join(utf8_name(os.getcwd()), source))  # noqa: PTH109 - a str, as the names are


@dataclass(slots=True)
class ResumeState:
    """What an earlier run in the same `--output-dir` already finished."""

    # How many times each source is done: a path listed twice is done twice.
    done: Counter[str] = field(default_factory=Counter)
    # How many times each source failed (its worker died): to be cleaned again.
    failed: Counter[str] = field(default_factory=Counter)
    # How many inputs were rejected (they stay so: done).
    rejected: int = 0
    # The absolute path the manifest recorded for a source named by a relative one.
    paths: dict[str, str] = field(default_factory=dict)
    # (clean-text digest, source) of every record written, in order.
    digests: list[tuple[str, str]] = field(default_factory=list)
    shard_index: int = 0
    shard_records: int = 0

    def finished(self) -> SourceCounts:
        """The sources done, to be looked up as `--resume` skips them."""
        return SourceCounts(self.done, self.paths)


def read_resume_state(output_dir: str) -> ResumeState:
    manifest = os.path.join(output_dir, MANIFEST_NAME)
    if not os.path.exists(manifest):
        return ResumeState()
    return resume_state(read_jsonl(manifest))


def resume_state(manifest: Iterable[dict[str, Any]]) -> ResumeState:
    """What the manifest lines of an earlier run say it finished."""
    state = ResumeState()
    last_shard: str | None = None
    for entry in manifest:
        # (An earlier version wrote a path as typed, "./pages/x.txt".)
        source = source_name(str(entry.get("source")))
        if isinstance(path := entry.get("path"), str):
            state.paths.setdefault(source, path)
        if entry.get("status") == "failed":
            state.failed[source] += 1
            continue
        state.done[source] += 1
        state.rejected += entry.get("status") == "rejected"
        digests = entry.get("digests") or []
        sources = entry.get("digest_sources")
        if not isinstance(sources, list) or len(sources) != len(digests):
            sources = [source] * len(digests)
        for digest, digest_source in zip(digests, sources, strict=True):
            state.digests.append((str(digest), str(digest_source)))
        shard = entry.get("shard")
        if isinstance(shard, str):
            if shard != last_shard:
                last_shard = shard
                state.shard_index = shard_index(shard)
                state.shard_records = 0
            state.shard_records += int(entry.get("records") or 0)
    return state


def count_rejects(path: str) -> Counter[str]:
    """The rejects of a rejects file, by reason (none for a missing file)."""
    if not os.path.exists(path):
        return Counter()
    return Counter(str(line.get("reason")) for line in read_jsonl(path))


def is_run_file(name: str) -> bool:
    """Whether `name` is one that an --output-dir run writes in the directory."""
    return name in (MANIFEST_NAME, REJECTS_NAME, RUN_NAME) or (
        name.startswith("part-") and name.endswith(".jsonl.gz")
    )


def shard_index(name: str) -> int:
    try:
        return int(name.removeprefix("part-").split(".", 1)[0])
    except ValueError as error:
        raise DwCleanError(
            f"Unexpected shard name {name!r} in the manifest; "
            "was the output directory written by another program?"
        ) from error


# The options of a run that `--resume` must repeat, by their command-line
# names, with their effective values (`--max-bytes` 33554432 when not given):
# those deciding which inputs are taken (--glob, --max-bytes, --timeout) and
# what their records hold (--format, --text-field, --keep-gallery, --dedup,
# --shard-size). Not --jobs, --quiet, --rejects, --allow-rejects or --dask,
# which change neither; nor the PATHs: a resumed run may be given more.
RunOptions = Mapping[str, object]


def run_file_line(options: RunOptions) -> str:
    return dumps({"dw_clean": __version__, "options": dict(options)})


class RunFiles(Protocol):
    """The files of an --output-dir run, read where they are: `run.json` and the
    manifest are read the same way from a local directory or an fsspec URL."""

    def path(self, name: str) -> str:
        """The file `name` as messages show it."""

    def exists(self, name: str) -> bool: ...

    def read(self, name: str) -> bytes:
        """The whole file; FileNotFoundError when there is none."""


@dataclass(frozen=True, slots=True)
class LocalRunFiles:
    """`RunFiles` in a directory of this machine."""

    output_dir: str

    def path(self, name: str) -> str:
        return os.path.join(self.output_dir, name)

    def exists(self, name: str) -> bool:
        return os.path.exists(self.path(name))

    def read(self, name: str) -> bytes:
        with open(self.path(name), "rb") as handle:
            return handle.read()


def write_run_file(output_dir: str, options: RunOptions) -> None:
    target = AtomicFile(os.path.join(output_dir, RUN_NAME))
    try:
        target.write_line(run_file_line(options))
    except BaseException:
        target.discard()
        raise
    target.commit()


def check_resumed_options(
    output_dir: str, options: RunOptions, files: RunFiles | None = None
) -> str | None:
    """Refuse to resume the run in `output_dir` with other options than its own.

    Raises `UsageError` naming the first option that differs; returns a
    warning when the directory has a manifest but no `run.json` (written by
    a dw-clean that did not record its options: they cannot be checked), or
    when another version of dw-clean started the run, or when there is no run
    at all (a mistyped directory would otherwise start a new run in silence).
    Nothing to check in a directory without a manifest: nothing was done there.
    """
    files = files or LocalRunFiles(output_dir)
    if not files.exists(MANIFEST_NAME):
        if files.exists(RUN_NAME):  # a run stopped before its first commit
            return None
        return (f"--resume, but {output_dir} holds no run ({MANIFEST_NAME} and {RUN_NAME} "
                "are missing): starting a new one there. If another directory holds "
                "the run to continue, stop this one and resume that.")
    stored = read_run_file(output_dir, files)
    if stored is None:
        return (f"{output_dir} has no {RUN_NAME} (written by an older dw-clean), so "
                "this run cannot check that its options are the first run's; give "
                "the same ones, or the output will mix two kinds of records.")
    first = stored["options"]
    for name, value in options.items():
        # An option a later dw-clean added is not in an earlier run's file.
        if name in first and first[name] != value:
            raise UsageError(
                f"--resume with {name} {as_typed(value)}, but the run in {output_dir} "
                f"was started with {name} {as_typed(first[name])}: resume with the "
                "same options, or start again in another directory."
            )
    started_by = stored.get("dw_clean")
    if started_by != __version__:
        # Not refused: an upgrade in the middle of a long run may be meant
        # (a fix the rest of the corpus should get), but the records will
        # then say two versions in `cleaner_version`.
        return (f"the run in {output_dir} was started by dw-clean {started_by}, and this "
                f"is {__version__}: the records it adds will say so in cleaner_version.")
    return None


def first_run_options(output_dir: str, files: RunFiles | None = None) -> dict[str, object]:
    """The options the run in `output_dir` was started with; {} when unknown.

    Unknown for a directory written before `run.json` existed, and for one
    whose run stopped before its first commit with an unreadable `run.json`:
    nothing was done there, so the run starts again and writes it anew.
    """
    files = files or LocalRunFiles(output_dir)
    try:
        stored = read_run_file(output_dir, files)
    except DwCleanError:
        if files.exists(MANIFEST_NAME):
            raise
        return {}
    return {} if stored is None else dict(stored["options"])


# The JSON types of the options `run.json` records (a float --timeout that
# is whole may be written as an integer by hand): a resumed run takes the
# ones its command line leaves out, so a value of another type is refused
# rather than passed on to the cleaning.
RUN_OPTION_TYPES: Mapping[str, tuple[type, ...]] = {
    "--glob": (str,),
    "--max-bytes": (int,),
    "--timeout": (float, int),
    "--format": (str,),
    "--text-field": (str,),
    "--keep-gallery": (bool,),
    "--dedup": (str, type(None)),
    "--shard-size": (int,),
}
# The least values the command line takes for them (its `min=`): a 0
# --max-bytes would not be refused but read as "not given", the default.
RUN_OPTION_MINIMUMS: Mapping[str, int] = {"--max-bytes": 1, "--timeout": 0, "--shard-size": 1}
# The greatest: a --timeout beyond the watchdog's timers (see cleaner.cli).
RUN_OPTION_MAXIMUMS: Mapping[str, float] = {"--timeout": threading.TIMEOUT_MAX}
# The values the command line takes for the options that name a mode (the
# command line refuses others as usage errors, see cleaner.cli): an edited one
# is refused as the file's fault, as an edited type or minimum is.
RUN_OPTION_CHOICES: Mapping[str, tuple[object, ...]] = {
    "--format": FORMATS,
    "--dedup": (None, "flag", "drop"),
}


def read_run_file(output_dir: str, files: RunFiles | None = None) -> dict[str, Any] | None:
    """`run.json` in `output_dir`, its `options` checked; None when there is none."""
    files = files or LocalRunFiles(output_dir)
    path = files.path(RUN_NAME)
    try:
        stored = json.loads(files.read(RUN_NAME))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DwCleanError(
            f"Cannot resume: {path} is unreadable ({error}). Delete the output "
            "directory and run again without --resume."
        ) from error
    if not isinstance(stored, dict) or not isinstance(stored.get("options"), dict):
        raise DwCleanError(f"Cannot resume: {path} does not list the run's options; "
                           "was the output directory written by another program?")
    for name, value in stored["options"].items():
        # type(), not isinstance(): true is not a --shard-size.
        wrong_type = name in RUN_OPTION_TYPES and type(value) not in RUN_OPTION_TYPES[name]
        bounded = not wrong_type and (name in RUN_OPTION_MINIMUMS or name in RUN_OPTION_MAXIMUMS)
        out_of_range = bounded and not (  # (a NaN, which json reads, is in no range)
            RUN_OPTION_MINIMUMS.get(name, -math.inf) <= value
            <= RUN_OPTION_MAXIMUMS.get(name, math.inf)
        )
        no_choice = name in RUN_OPTION_CHOICES and value not in RUN_OPTION_CHOICES[name]
        if wrong_type or out_of_range or no_choice:
            raise DwCleanError(f"Cannot resume: {path} gives {name} {json.dumps(value)}, "
                               "which no dw-clean run writes; was it edited?")
    return stored


def as_typed(value: object) -> str:
    """An option's value as the user typed it, for messages."""
    if value is None or value is False:
        return "not given"
    if value is True:
        return "given"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # --timeout 5, as typed, is kept as 5.0
    return str(value)


class ShardSink:
    """Records to `part-NNNNN.jsonl.gz` shards plus a manifest (see module doc)."""

    keeps_partial_output = True  # --resume goes on from it

    def __init__(
        self,
        output_dir: str,
        *,
        shard_size: int = DEFAULT_SHARD_SIZE,
        resume: bool = False,
        rejects_path: str | None = None,
        run_options: RunOptions | None = None,
    ) -> None:
        if shard_size < 1:
            raise UsageError("--shard-size must be at least 1.")
        self.output_dir = output_dir
        self.shard_size = shard_size
        self.manifest_path = os.path.join(output_dir, MANIFEST_NAME)
        try:
            os.makedirs(output_dir, exist_ok=True)
        except OSError as error:
            raise write_error(error, output_dir) from error
        self._lock = lock_directory(output_dir)
        try:
            # (Before run.json is written: shards are deleted only from a run's
            # directory, not from one whose name a --resume mistyped.)
            holds_run = any(os.path.exists(os.path.join(output_dir, name))
                            for name in (MANIFEST_NAME, RUN_NAME))
            if not resume and os.path.exists(self.manifest_path):
                raise UsageError(
                    f"{output_dir} already holds a dw-clean run ({MANIFEST_NAME}). "
                    "Add --resume to continue it, or choose an empty directory."
                )
            if resume and run_options is not None:
                check_resumed_options(output_dir, run_options)  # before anything is written
            if run_options is not None and not os.path.exists(self.manifest_path):
                # A new run (or one that stopped before its first commit): its options.
                write_run_file(output_dir, run_options)
            self.state = ResumeState()
            if resume:
                remove_stale_temp_files(output_dir)
                self.state = read_resume_state(output_dir)
            if holds_run:
                # (Without --resume, a run that stopped before its first manifest
                # line: none of its shards is listed.)
                self._remove_unlisted_shards()
            self.failed = SourceCounts(self.state.failed, self.state.paths)
            self.rejects = open_rejects(
                rejects_path or os.path.join(output_dir, REJECTS_NAME), keep_existing=resume
            )
            self.pending: list[ManifestEntry] = []
            # Manifest lines of "failed" inputs cleaned again, to drop at the next rewrite.
            self.stale = StaleLines(key="status", value="failed")
            self.index = self.state.shard_index
            self.count = 0
            self.shard: AtomicFile | None = None
            self.manifest_started = resume and os.path.exists(self.manifest_path)
            if resume and self.state.shard_records and self.state.shard_records < shard_size:
                self._reopen_last_shard(self.state.shard_records)
            elif resume and self.state.shard_records:
                self.index += 1
        except BaseException:
            self._unlock()  # (a run that does not start holds no lock)
            raise

    @property
    def shard_name(self) -> str:
        return SHARD_PATTERN.format(index=self.index)

    def _remove_unlisted_shards(self) -> None:
        """Delete the shards after the last one the manifest lists: a run
        killed between renaming a shard and listing it left one, and a
        resumed run given fewer inputs did not write it again, so the
        directory held records no manifest line accounts for."""
        listed = self.state.shard_index + (1 if self.state.shard_records else 0)
        for name in os.listdir(self.output_dir):
            shard = re.fullmatch(r"part-(\d+)\.jsonl\.gz", name)
            if shard is not None and int(shard[1]) >= listed:
                path = os.path.join(self.output_dir, name)
                try:
                    os.unlink(path)
                except OSError as error:
                    raise write_error(error, path) from error

    def _reopen_last_shard(self, records: int) -> None:
        """Continue the partial shard of an interrupted run from its first records."""
        path = os.path.join(self.output_dir, self.shard_name)
        self.shard = AtomicFile(path)
        try:
            for record in read_jsonl(path):
                if self.count == records:
                    break
                self.shard.write_line(dumps(record))
                self.count += 1
        except (OSError, EOFError) as error:
            self.shard.discard()
            raise DwCleanError(
                f"Cannot resume: {path} is unreadable ({error}). "
                "Delete the output directory and run again without --resume."
            ) from error
        if self.count != records:
            self.shard.discard()
            raise DwCleanError(
                f"Cannot resume: {path} holds {self.count} records, the manifest "
                f"says {records}. Delete the output directory and run again."
            )

    def record(self, line: bytes) -> None:
        if self.shard is None:
            self.shard = AtomicFile(os.path.join(self.output_dir, self.shard_name))
        self.shard.write(line)
        self.count += 1

    def reject_record(self, entry: ManifestEntry) -> None:
        self.rejects.add(entry)

    def done(self, entry: ManifestEntry) -> None:
        if entry.records:
            entry.shard = self.shard_name
        self.pending.append(entry)
        failed = self.failed.take(entry.source)
        if failed is not None:
            # Its new outcome replaces the earlier run's failure, in the
            # same rewrite of the manifest and rejects that lists it.
            self.stale.replace(failed)
            self.rejects.stale.replace(failed)
        if entry.rejected:
            self.rejects.add(entry)
        if self.count >= self.shard_size:
            self._commit_shard()
            self.index += 1
            self.count = 0

    def _commit_shard(self) -> None:
        if self.shard is not None:
            self.shard.commit()
            self.shard = None
        self._commit_manifest()

    def _commit_manifest(self) -> None:
        if self.pending or not self.manifest_started:
            append_lines(
                self.manifest_path,
                [entry.manifest_line() for entry in self.pending],
                keep_existing=self.manifest_started,
                drop=self.stale,
            )
            self.manifest_started = True
            self.pending = []
        # Also when the manifest has nothing new: a resumed run that skips
        # every input still leaves the --rejects FILE it was given.
        self.rejects.commit()

    def prepare(self) -> None:
        pass  # each commit writes the shard, manifest and rejects in turn

    def commit(self) -> None:
        self._commit_shard()
        self._unlock()

    def discard(self) -> None:
        if self.shard is not None:
            self.shard.discard()
            self.shard = None
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            unlock_directory(self._lock)
            self._lock = None


def lock_directory(directory: str) -> int | None:
    """An exclusive lock on the --output-dir for this run (a descriptor that
    holds it; closing it, or the process ending, releases it), or None where
    the file system has no such locks.

    Two runs into one directory (two CI jobs given the same one) each
    replaced the other's manifest and shards and both exited 0: the second
    one now stops before it writes anything. The directory itself is locked,
    so no lock file is left behind by a run that is killed.
    """
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:
        return None
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise UsageError(
            f"{directory} is being written by another dw-clean run: wait for it to end "
            "(then --resume it, if it was stopped), or choose another directory."
        ) from None
    except OSError:  # a file system without flock (some network ones): no lock
        os.close(descriptor)
        return None
    _held_locks.add(descriptor)
    return descriptor


def unlock_directory(descriptor: int) -> None:
    """Release a lock `lock_directory` took (closing the descriptor does)."""
    _held_locks.discard(descriptor)
    os.close(descriptor)


# The descriptors of this process's directory locks. An flock belongs to the
# open file, which a forked worker shares: a killed run's workers, which go on
# until they find their pipe closed (tens of milliseconds), kept the lock, and
# a `--resume` retried at once was refused as "being written by another run".
# So a forked child closes its copies (the parent's still hold the lock).
_held_locks: set[int] = set()


def _drop_inherited_locks() -> None:
    for descriptor in _held_locks:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _held_locks.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


def remove_dead_runs_temp_files(path: str) -> None:
    """Delete the temporary files of `path` (`AtomicFile`'s `.NAME.tmp-PID`)
    that a killed run left: those of a process that is gone. A run killed
    with SIGKILL (or by the out-of-memory killer) cannot remove its own, and
    an `-o` file's is as large as the output got; another run writing the
    same file now keeps its own."""
    directory, name = os.path.split(write_target(path)[0])
    prefix = f".{name}.tmp-"
    try:
        names = [entry for entry in os.listdir(directory) if entry.startswith(prefix)]
    except OSError:
        return
    for entry in names:
        pid = entry[len(prefix):]
        # (isascii: isdigit also takes "²", which int() does not.)
        if not (pid.isascii() and pid.isdigit()) or _process_exists(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(directory, entry))


def _process_exists(pid: int) -> bool:
    """Whether `pid` may be a running process (a number past the system's
    range is kept as if it were: not a name this program writes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process (EPERM); no pid at all
        return True
    return True


def remove_stale_temp_files(directory: str) -> None:
    """Delete temporary files a killed run left in `directory` (ours only)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and ".tmp-" in name:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                os.unlink(path)


__all__ = [
    "DEFAULT_SHARD_SIZE",
    "MANIFEST_NAME",
    "REJECTS_NAME",
    "RUN_NAME",
    "AtomicFile",
    "FileSink",
    "LocalRunFiles",
    "ManifestEntry",
    "RejectsFile",
    "RejectsStream",
    "RunFiles",
    "RunOptions",
    "ShardSink",
    "Sink",
    "SourceCounts",
    "StdoutSink",
    "append_lines",
    "check_resumed_options",
    "count_rejects",
    "dumps",
    "first_run_options",
    "open_rejects",
    "parse_jsonl",
    "read_jsonl",
    "read_resume_state",
    "remove_stale_temp_files",
    "resume_state",
    "write_all",
    "write_run_file",
]
