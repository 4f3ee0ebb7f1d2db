"""Finding inputs, reading their bytes safely, and decoding them to text.

Everything here is I/O at the edge of the pure cleaner: `discover()` turns the
paths a user typed into `InputRef`s (lazily, so a directory of a million files
costs no memory up front), `read_input()` returns at most `max_bytes` bytes
(also after decompressing a `.gz`, also one compressed twice), `decode()`
picks the encoding, and `to_documents()` is the one place that calls the
cleaner, so that input formats (`--format`) plug in there.

Decoding policy, in order (each step is a named function below):

1. A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (strict; failure
   rejects the input with reason `encoding`).
2. UTF-16 without a byte-order mark (Python's `encode("utf-16-le")`, .NET's
   `Encoding.Unicode`) is told by its NUL bytes: the high byte of every
   Latin letter, digit and space, at every other position (odd ones in
   little-endian, even ones in big-endian) and hardly ever at the others.
   It must decode strictly to text with spaces or line breaks and without
   control characters.
   Binary data is then rejected (`binary`): NUL bytes (but those that end
   the file, padding), the magic number of a common binary format, or many
   control characters.
3. Strict UTF-8, the encoding of nearly every real dump. A UTF-8 page with
   a few stray bytes of another encoding (a "café" pasted in Latin-1) stays
   UTF-8: at most `MAX_STRAY_BYTES` bytes (or `MAX_STRAY_SHARE` of a long
   page), against ten times as many valid UTF-8 letters, become U+FFFD and
   the record carries the warning `invalid_utf8_replaced`. (Read as a legacy
   encoding instead, the rest of the page would turn into mojibake.)
4. Otherwise charset_normalizer chooses among `LEGACY_ENCODINGS`; when
   Windows-1252 decodes the text as well as its best guess, Windows-1252 wins
   (Latin-1 files are decoded as cp1252 too: both agree on every byte except
   0x80-0x9F, where Latin-1 has only invisible control characters), unless
   the text is full of the letters where Turkish Windows-1254 differs from it
   (cp1252 reads them as Icelandic); ISO-8859-2 replaces cp1250 when it
   reads better. A decoding with symbols inside its words or scripts mixed
   in them gives way to the first candidate without, or is rejected. Bytes
   that look like no language in any of them are rejected (`encoding`)
   rather than passed on as mojibake.
5. Mojibake already in the text (UTF-8 decoded as Latin-1/cp1252 upstream) is
   repaired with `ftfy.fix_encoding` only when `ftfy.badness.is_bad` flags it;
   the record then carries the warning `mojibake_repaired`. `fix_encoding`
   (not `fix_text`) so that quotes, dashes and line breaks are left as they
   are.
6. CR CR LF, a CRLF file written again in text mode, is one line break.
7. Control characters past the sniffed start or ending the file (NUL
   padding, a stray byte, terminal colour codes) are removed; the record carries the warning
   `control_characters_removed`. (Escaped ones in a JSON record's text,
   "\\u0000", are removed from that text, with the same warning.)

JSON Lines are often appended to by several scrapers or runs, each line
written in its own encoding. When such a file is not UTF-8 as a whole but
has UTF-8 lines with non-ASCII letters, those lines stay UTF-8 and only the
others go through steps 3-4 (together, for a sure guess); `line_encodings`
says which lines were decoded how, and each record carries its own line's
encoding. (Decoded as one legacy text, the UTF-8 records came out as
mojibake: "für" as "fĂĽr".)
"""

# Input paths are kept exactly as the user typed them (they are the `source` of
# records and manifest lines); os.path, unlike pathlib, never normalises them.
# ruff: noqa: PTH112, PTH114, PTH115, PTH118, PTH119, PTH120, PTH123, PTH206

from __future__ import annotations

import codecs
import dataclasses
import fnmatch
import functools
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, BinaryIO, Protocol, cast

import regex

from cleaner.document import Document
from cleaner.errors import DwCleanError, Reason, RecordError, Rejected, UsageError
from cleaner.lazy import compiled_on_first_use
from cleaner.lines import WARN_CONTROLS_REMOVED, without_stray_controls

# Large enough for any real page (DW article dumps are 5-60 kB, full HTML under
# 2 MB), small enough that one stray video file cannot fill memory.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024

# Input forms `--format` accepts; the readers (cleaner.formats) plug into
# `to_documents()`.
FORMATS: tuple[str, ...] = ("auto", "text", "markdown", "html", "jsonl")
SUPPORTED_FORMATS: frozenset[str] = frozenset(FORMATS)
# The form of JSON records (`input_format`), which hold a page per record.
JSON_RECORDS = "jsonl"

# Name of the input read from standard input, as it was given on the command
# line (the record schema says `-`), in records,
# the manifest and the rejects file.
STDIN_SOURCE = "-"

_GLOB_CHARS = frozenset("*?[")

# Byte-order marks, longest first: the UTF-32-LE mark starts with UTF-16-LE's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_GZIP_MAGIC = b"\x1f\x8b"
# Layers of gzip read through: a page compressed by the server and once more
# by whoever stored it. More is not a page.
_MAX_GZIP_LAYERS = 3

# Leading bytes of binary formats that scrapers save by mistake next to text,
# and what the reject calls them (the bytes alone tell a user nothing). Most
# contain NUL bytes early anyway; these catch the ones that may not.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a zip archive (or docx, xlsx, epub); unpack it first"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "bzip2 data; only gzip is read, decompress it first"),
    (b"\xfd7zXZ\x00", "xz data; only gzip is read, decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd data; only gzip is read, decompress it first"),
    (b"RIFF", "a RIFF file (wav, webp, avi)"),
    (b"OggS", "an Ogg audio or video file"),
    (b"ID3", "an MP3 file"),
    (b"\x1aE\xdf\xa3", "a WebM or Matroska video"),
)
_BINARY_MAGIC_BYTES = tuple(magic for magic, _ in _BINARY_MAGIC)
# A tar archive (`pages.tar`, or `pages.tar.gz` once gunzipped) says so at
# this offset; its file headers are full of NUL bytes.
_TAR_MAGIC = b"ustar"
_TAR_MAGIC_OFFSET = 257

# How much of the start of a file the binary sniffing looks at.
_SNIFF_BYTES = 8192
# Control characters other than tab, newline, vertical tab, form feed and
# carriage return are rare in text; above this share of the sniffed bytes the
# input is binary.
_MAX_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = b"\t\n\x0b\x0c\r\x1b"
_CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in _TEXT_CONTROLS)
# Control characters no text means (`lines.STRAY_CONTROLS`), past the sniffed
# start (a NUL there makes the input binary, as git and grep decide). They
# were kept (or, in markdown, silently turned into spaces); now they are
# removed and the record says so (`control_characters_removed`).
_STRAY_CONTROL_BYTES = _CONTROL_BYTES + b"\x1b\x7f"
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))

# Legacy encodings worth trying when the bytes are not UTF-8: the Windows code
# pages and national standards of the languages DW publishes in. Kept short on
# purpose: with every codec charset_normalizer knows, random bytes "decode"
# as EBCDIC or Big5 with a clean score.
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252",  # Western Europe: de, en, es, fr, pt, ... (and Latin-1 files)
    "cp1250",  # Central Europe: pl, ro, hr, bs, sr-Latn, ... (and Latin-2, see below)
    "cp1251",  # Cyrillic: ru, uk, bg, mk, sr
    "koi8_r",  # older Russian pages
    "cp1253",  # Greek
    "cp1254",  # Turkish
    "cp1256",  # Arabic, Persian, Urdu, Pashto, Dari
    "gb18030",  # simplified Chinese
    "big5",  # traditional Chinese
)
# Windows-1254 (Turkish) differs from Windows-1252 in six bytes only. Where
# Turkish has ğ Ğ ı İ ş Ş, cp1252 has Icelandic letters (ð Ð ý Ý þ Þ) that no
# DW language writes, so charset_normalizer scores the two alike and the cp1252
# preference would turn "hızlı" into "hýzlý". When these bytes make up this
# share of a text's non-ASCII bytes, cp1252 is not preferred and the best other
# decoding wins. (In Turkish text ı, ş and ğ are about two thirds of the
# non-ASCII letters; a name like "Nový" among German umlauts stays far below.)
_CP1254_ONLY_BYTES = b"\xd0\xdd\xde\xf0\xfd\xfe"
_MIN_CP1254_ONLY_SHARE = 0.4
# charset_normalizer's "mess" score above which a decoding is not text.
_MAX_CHAOS = 0.2
# Scores this close count as a tie between two encodings.
_TIE = 0.01
# If at least this share of the bytes is non-ASCII and charset_normalizer sees
# no language in the decoded text, the bytes are noise rather than text.
_NOISE_NON_ASCII_SHARE = 0.3
# Below this size there is too little text to recognise a language in.
_NOISE_MIN_BYTES = 200


@dataclass(frozen=True, slots=True)
class InputRef:
    """One input: a path to read, or bytes already read (standard input).

    Small and picklable: refs are sent to worker processes, which read the
    file themselves so that the parent never holds more than a few inputs.
    """

    source: str
    path: str | None = None
    data: bytes | None = None
    # Why the input cannot be read, found while listing inputs (a directory
    # that cannot be listed, a symbolic link loop): it is rejected as
    # `unreadable` with this detail, so that it is counted and reported like
    # any other input that cannot be read.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # JSON Lines decoded a line at a time: (line number, encoding) of the lines
    # not decoded with `encoding`.
    line_encodings: tuple[tuple[int, str], ...] = ()


# --- discovery -------------------------------------------------------------


def _places_written(path: str) -> tuple[tuple[str, str], ...]:
    """(real directory, name) of an output file given as `path`: the name
    itself, and, for a symbolic link, the file it leads to, which is the one
    replaced (`outputs.write_target`). Without the second, `-o link.jsonl`
    to an input replaced that input with the run's records, exit 0."""
    named = (os.path.realpath(os.path.dirname(path) or "."), os.path.basename(path))
    real = os.path.realpath(path)
    return (named, (os.path.dirname(real), os.path.basename(real)))


@dataclass(frozen=True, slots=True)
class OwnOutputs:
    """The run's own output paths, which a directory walk never reads back.

    Without this, a rerun with `--glob '*'` cleaned the shards, `-o` file or
    rejects file that an earlier run wrote inside the input tree (and even a
    first run could read the temporary file being written). Paths are
    compared as real paths, so `./out` and a link to it are the same place.
    """

    # Real paths of output directories: nothing under them is an input.
    directories: frozenset[str] = frozenset()
    # (real directory, name) of output files; their temporary names too.
    files: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        output: str | None = None,
        output_dir: str | None = None,
        rejects: str | None = None,
    ) -> OwnOutputs:
        """The outputs of a run with these options (URLs are not walked: left out)."""

        def local(path: str | None) -> bool:
            return path is not None and "://" not in path

        directories = frozenset(
            os.path.realpath(path) for path in (output_dir,) if path is not None and local(path)
        )
        files = frozenset(
            place
            for path in (output, rejects)
            if path is not None and local(path)
            for place in _places_written(path)
        )
        return cls(directories, files)

    def has_directory(self, real: str) -> bool:
        """Whether a walk skips this directory: an output directory met inside
        the input tree. (A walk that starts in one, `--output-dir .` over
        `pages/`, is not skipped: it read nothing, and said only "no input".)"""
        return real in self.directories

    def has_file(self, real_directory: str, name: str) -> bool:
        # AtomicFile's temporary name for `name`: `.name.tmp-PID`.
        if name.startswith(".") and ".tmp-" in name:
            name = name[1 : name.rindex(".tmp-")]
        if (real_directory, name) in self.files:
            return True
        if real_directory not in self.directories:
            return False
        from cleaner.outputs import is_run_file  # noqa: PLC0415 - outputs imports this module

        return is_run_file(name)

    def names_file(self, path: str) -> bool:
        """Whether `path` is one of the files the run writes (or a link to one)."""
        real = os.path.realpath(path)
        return self.has_file(
            os.path.realpath(os.path.dirname(path) or "."), os.path.basename(path)
        ) or self.has_file(os.path.dirname(real), os.path.basename(real))

    def __bool__(self) -> bool:
        return bool(self.directories or self.files)


NO_OUTPUTS = OwnOutputs()



def has_glob(pattern: str) -> bool:
    return any(char in _GLOB_CHARS for char in pattern)


def matches(name: str, pattern: str) -> bool:
    """Whether a file name matches `--glob`; `x.txt.gz` matches `*.txt` too."""
    if fnmatch.fnmatchcase(name, pattern):
        return True
    return name.endswith(".gz") and fnmatch.fnmatchcase(name[:-3], pattern)


def walk_directory(
    directory: str, pattern: str, own_outputs: OwnOutputs = NO_OUTPUTS
) -> Iterator[InputRef]:
    """The inputs under `directory` whose name matches `pattern`, in sorted
    order: a directory's files, then each of its subdirectories in turn.

    Symbolic links are followed, to files and to directories alike (a link to
    a missing file is rejected later as `unreadable`). What the walk cannot go
    into is an input of its own, rejected as `unreadable` rather than skipped
    without a word: a directory that cannot be listed, and a link to a
    directory the walk is already inside (a loop, which would never end).
    The run's own outputs (`own_outputs`) are left out.
    """
    for ref in _walk(directory, _NamesLike(pattern), own_outputs):
        if ref is not None:
            yield ref


def expand_glob(
    path: str, pattern: str, own_outputs: OwnOutputs = NO_OUTPUTS
) -> Iterator[InputRef]:
    """What a shell-style glob matches: a file as it is, a directory searched
    for `pattern` (`--glob`), in the order of a directory walk.

    The glob is matched by the directory walk itself (`_GlobRest`), not by
    Python's `glob`, which skips a directory it cannot list without a word
    and follows a symbolic link loop forty levels deep: here `**` goes where
    a walk goes, reports what it cannot go into as `unreadable` and leaves
    out the run's own outputs. As in the shell, `*`, `?` and `**` do not
    match names that start with a dot. A glob that matches nothing is one
    input, rejected as `unreadable`, so that it shows in the accounting.
    """
    top, rest, directories_only = _split_glob(path)
    selection: _Selection = _GlobRest.start(rest, directories_only, _NamesLike(pattern))
    found = False
    if os.path.isdir(top or os.curdir):
        for ref in _walk(top, selection, own_outputs):
            found = True
            if ref is not None:
                yield ref
    if not found:
        yield file_ref(path)


def _split_glob(path: str) -> tuple[str, tuple[str, ...], bool]:
    """The directory a glob starts from (its components up to the first one
    with a wildcard, as typed), the components left, and whether it matches
    directories only (a trailing slash)."""
    parts = path.split(os.sep)
    first = next(index for index, part in enumerate(parts) if has_glob(part))
    top = os.sep.join(parts[:first])
    if not top and path.startswith(os.sep):
        top = os.sep
    rest = parts[first:]
    return top, tuple(part for part in rest if part), rest[-1] == ""


class _Selection(Protocol):
    """What a walk takes from one directory, and looks for below it."""

    def takes(self, name: str) -> bool:
        """Whether the file `name` in this directory is an input."""

    def below(self, name: str) -> _Selection | None:
        """What to look for in the subdirectory `name`; None: nothing there."""


@dataclass(frozen=True, slots=True)
class _NamesLike:
    """A directory given as an input: every file whose name matches `--glob`."""

    pattern: str

    def takes(self, name: str) -> bool:
        return matches(name, self.pattern)

    def below(self, name: str) -> _Selection:
        return self


@dataclass(frozen=True, slots=True)
class _GlobRest:
    """The part of a glob below the directory walked, and how far along it the
    walk has come: the set of `parts` positions reached (several, as `**`
    matches any number of directories)."""

    parts: tuple[str, ...]
    reached: frozenset[int]
    directories_only: bool
    # What a directory the glob matches is searched for.
    inside: _NamesLike

    @classmethod
    def start(cls, parts: tuple[str, ...], directories_only: bool,
              inside: _NamesLike) -> _Selection:
        rest = cls(parts, cls._past_double_stars(parts, {0}), directories_only, inside)
        # `dir/**` matches dir itself, which is then searched like a directory.
        return inside if len(parts) in rest.reached else rest

    @staticmethod
    def _past_double_stars(parts: tuple[str, ...], reached: set[int]) -> frozenset[int]:
        """`reached` plus the positions after any `**`, which may match no directory."""
        todo = list(reached)
        while todo:
            index = todo.pop()
            if index < len(parts) and parts[index] == "**" and index + 1 not in reached:
                reached.add(index + 1)
                todo.append(index + 1)
        return frozenset(reached)

    def _after(self, name: str) -> frozenset[int]:
        hidden = name.startswith(".")
        reached: set[int] = set()
        for index in self.reached:
            if index == len(self.parts):
                continue
            part = self.parts[index]
            if part == "**":
                if not hidden:
                    reached.add(index)
            elif (not hidden or part.startswith(".")) and fnmatch.fnmatchcase(name, part):
                reached.add(index + 1)
        return self._past_double_stars(self.parts, reached)

    def takes(self, name: str) -> bool:
        return not self.directories_only and len(self.parts) in self._after(name)

    def below(self, name: str) -> _Selection | None:
        reached = self._after(name)
        if len(self.parts) in reached:
            return self.inside
        if not reached:
            return None
        return _GlobRest(self.parts, reached, self.directories_only, self.inside)


def _walk(
    directory: str, selection: _Selection, own_outputs: OwnOutputs
) -> Iterator[InputRef | None]:
    """The inputs `selection` takes under `directory`, in walk order (see
    `walk_directory`); None where it would take one of the run's own outputs,
    so that a glob that matched only those is not reported as matching nothing."""
    # Directories still to walk, last first: (path as typed, real path, the
    # real paths of the directories it was reached through, itself included,
    # what to take there), or a link that makes a loop, reported where its
    # directory would be walked.
    top = os.path.realpath(directory or os.curdir)
    stack: list[tuple[str, str, tuple[str, ...], _Selection] | InputRef] = [
        (directory, top, (top,), selection)
    ]
    while stack:
        item = stack.pop()
        if isinstance(item, InputRef):
            yield item
            continue
        path, real, chain, taking = item
        try:
            with os.scandir(path or os.curdir) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            yield _problem_ref(path, f"cannot list this directory: {_why(error)}")
            continue
        subdirectories: list[tuple[str, str, tuple[str, ...], _Selection] | InputRef] = []
        for entry in entries:
            entry_path = os.path.join(path, entry.name)
            if not _is_directory(entry):
                if not taking.takes(entry.name):
                    continue
                if own_outputs and own_outputs.has_file(real, entry.name):
                    yield None
                elif (special := _special_file(entry)) is not None:
                    yield _problem_ref(entry_path, f"{special}, not a file: a walk does not "
                                                   "read it (name it as an input to read it)")
                else:
                    yield file_ref(entry_path)
                continue
            below = taking.below(entry.name)
            if below is None:
                continue
            if not entry.is_symlink():
                entry_real = os.path.join(real, entry.name)
            else:
                entry_real = os.path.realpath(entry_path)
                if any(_is_within(walked, entry_real) for walked in chain):
                    subdirectories.append(_problem_ref(
                        entry_path,
                        f"symbolic link loop: {os.readlink(entry_path)} is a directory "
                        "this walk is already inside",
                    ))
                    continue
            if own_outputs and own_outputs.has_directory(entry_real):
                yield None
                continue
            subdirectories.append((entry_path, entry_real, (*chain, entry_real), below))
        stack.extend(reversed(subdirectories))


# What a walk (or a glob) meets that is no file: opening a named pipe waits for
# a writer, so one FIFO named *.txt in a scraped tree stalled the whole run
# (and a first Ctrl-C with it); a device may never end (/dev/zero). Named on
# the command line, they are read: `<(zcat pages.gz)` is a pipe.
_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _special_file(entry: os.DirEntry[str]) -> str | None:
    """What the entry is when it is a pipe, socket or device (a link to one
    too); None for anything else, a link that cannot be followed included
    (reading it says why)."""
    try:
        # (`is_file()` takes the type the directory listing gave, no stat call.)
        if entry.is_file():
            return None
        mode = entry.stat().st_mode
    except OSError:  # a link loop or a link to nothing
        return None
    return _special_kind(mode)


def _special_path(path: str) -> str | None:
    """`_special_file` for a path that no directory listing gave."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):  # reading it says why
        return None
    return _special_kind(mode)


def _special_kind(mode: int) -> str | None:
    return next((kind for is_kind, kind in _SPECIAL_FILES if is_kind(mode)), None)


def _is_directory(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a directory or a link to one (a link that cannot be
    followed is not: reading it then says why)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_within(path: str, directory: str) -> bool:
    """Whether the real path `path` is `directory` or below it."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _why(error: OSError) -> str:
    return error.strerror or str(error)


def _problem_ref(path: str, problem: str) -> InputRef:
    return dataclasses.replace(file_ref(path), problem=problem)


def file_ref(path: str) -> InputRef:
    """The input for a file path. Its `source` is the path as valid UTF-8: a
    file name that is not (bytes \xff\xfe, decoded by Python as lone
    surrogates) is named with backslash escapes, so that records and the
    manifest stay UTF-8 and --resume recognises the name it wrote."""
    return InputRef(source=utf8_name(source_name(path)), path=path)


# What `utf8_name` writes for a byte that is not UTF-8.
_ESCAPE_LIKE = re.compile(r"\\x[0-9a-f]{2}")


def utf8_name(name: str) -> str:
    """A path as valid UTF-8: the bytes of a name that is not UTF-8 (which
    Python decodes as lone surrogates) as backslash escapes.

    A name part that is escaped, or valid UTF-8 but spelt like an escape
    ("b\\xff.txt" typed with a backslash), has its own backslashes doubled:
    else the two files would have one source, and --resume would take one
    for the other. Part by part, so that a name's escaped absolute path is
    its escaped directory joined with its escaped name.
    """
    return "/".join(_utf8_part(part) for part in name.split("/"))


def _utf8_part(part: str) -> str:
    try:
        part.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        if _ESCAPE_LIKE.search(part) is None:
            return part
    return (part.replace("\\", "\\\\").encode("utf-8", "surrogateescape")
            .decode("utf-8", "backslashreplace"))


def is_local_name(source: str) -> bool:
    """Whether an input's name is a local path: not standard input, not a URL."""
    return source != STDIN_SOURCE and "://" not in source


def source_name(path: str) -> str:
    """A local path as a record's `source` names it: without "./", "/./",
    doubled or trailing slashes. `pages/` and `./pages` name their files
    alike, so that --resume knows a file whichever way the directory was
    typed. ".." is kept: through a symbolic link, "a/../b" need not be "b".
    Standard input and URLs are named as given."""
    if not is_local_name(path):
        return path
    name = str(PurePath(path))
    # A file named "-", typed "./-", is not standard input.
    return f"./{name}" if name == STDIN_SOURCE else name


def read_stdin(stdin: BinaryIO, max_bytes: int) -> InputRef:
    # One byte over the limit is enough to know the input is too large.
    return InputRef(source=STDIN_SOURCE, data=stdin.read(max_bytes + 1))


def expand_path(
    path: str,
    *,
    pattern: str,
    stdin: BinaryIO | None,
    max_bytes: int,
    own_outputs: OwnOutputs = NO_OUTPUTS,
    literal: bool = False,
) -> Iterator[InputRef]:
    """The inputs one command-line path stands for.

    Directories, and what a glob matches, leave out the run's own outputs; a
    file named as such is read, whatever it is, but one the run writes (-o,
    --rejects, the shards, manifest and run.json of --output-dir) is refused:
    the run would replace it, and the input were lost.

    `literal`: a name, never a glob, as the entries of a `--files-from -0`
    list are, every byte literal (`find -print0` wrote them): "./[a].txt",
    gone by the time of the run, was expanded as a glob, and "./a.txt" read
    in its place, exit 0.
    """
    if path == "-":
        if stdin is None:
            raise UsageError("'-' (standard input) can be given only once.")
        yield read_stdin(stdin, max_bytes)
    elif os.path.isdir(path):
        yield from walk_directory(path, pattern, own_outputs)
    elif not literal and has_glob(path) and not os.path.lexists(path):
        yield from expand_glob(path, pattern, own_outputs)
    else:
        if own_outputs and own_outputs.names_file(path):
            raise UsageError(
                f"{path} is both an input and this run's output (-o, --rejects or a "
                "file --output-dir writes), which would replace it: write the output "
                "elsewhere."
            )
        yield file_ref(path)


def paths_from_file(
    files_from: str, stdin: BinaryIO | None, *, null: bool = False
) -> Iterator[str]:
    """The paths a `--files-from` list names, lazily.

    One per line (blank lines and `#` comments skipped, CRLF line ends
    taken), or with `null` one per NUL-terminated entry, every byte literal
    (`find -print0`: a name may hold a newline). A gzipped list is read
    transparently, like a gzipped input.
    """
    if files_from == "-":
        if stdin is None:
            raise UsageError("Standard input is used twice; give '-' only once.")
        yield from _list_entries(stdin, "standard input", null=null)
        return
    try:
        handle = open(files_from, "rb")  # noqa: SIM115 - closed below, read lazily
    except OSError as error:
        raise UsageError(
            f"Cannot read --files-from {files_from}: {error.strerror}. "
            "Check the path, or use '-' to read the list from standard input."
        ) from error
    with handle:
        yield from _list_entries(handle, files_from, null=null)


def _list_entries(stream: BinaryIO, name: str, *, null: bool) -> Iterator[str]:
    """The paths in a `--files-from` list (see `paths_from_file`)."""
    # A pipe cannot be rewound: peek at its first bytes through the buffer.
    buffered: io.BufferedReader = (
        stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(cast("Any", stream))
    )
    if buffered.peek(len(_GZIP_MAGIC)).startswith(_GZIP_MAGIC):
        buffered = io.BufferedReader(cast("Any", gzip.GzipFile(fileobj=buffered, mode="rb")))
    try:
        if null:
            yield from _nul_terminated(buffered)
            return
        _refuse_utf16_list(buffered.peek(2 * _UTF16_SNIFF_UNITS), name)
        if buffered.peek(len(codecs.BOM_UTF8)).startswith(codecs.BOM_UTF8):
            # Notepad and PowerShell start a UTF-8 list with a BOM: not part
            # of the first path, which was then "no such file".
            buffered.read(len(codecs.BOM_UTF8))
        for number, raw in enumerate(buffered, start=1):
            if b"\0" in raw:
                raise UsageError(
                    f"--files-from {name}: line {number} holds a NUL byte, which no path "
                    "has. A list written by `find -print0` needs --null (-0)."
                )
            line = raw.decode("utf-8", errors="surrogateescape").rstrip("\r\n")
            if line.strip() and not line.startswith("#"):
                yield line
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise DwCleanError(
            f"Cannot read --files-from {name}: corrupt or truncated gzip data ({error})."
        ) from error


# Code units of a UTF-16 list without a byte-order mark that are looked at:
# ASCII path characters, each with a NUL byte on the same side.
_UTF16_SNIFF_UNITS = 4


def _refuse_utf16_list(start: bytes, name: str) -> None:
    """A UTF-16 list (Windows PowerShell's `>` writes one) has a NUL byte in
    every path: said for what it is, rather than as a list that needs --null.
    (Without a byte-order mark too, as .NET's `Encoding.Unicode` writes it:
    "a\0.\0t\0x\0" was a list that needs --null.)"""
    units = start[: 2 * _UTF16_SNIFF_UNITS]
    without_bom = len(units) == 2 * _UTF16_SNIFF_UNITS and any(
        not any(units[nul::2]) and all(units[1 - nul :: 2]) for nul in (0, 1)
    )
    if without_bom or start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UsageError(f"--files-from {name} is UTF-16 text; save the list as UTF-8 "
                         "(PowerShell: Out-File -Encoding utf8).")


def _nul_terminated(stream: io.BufferedReader) -> Iterator[str]:
    pending = b""
    # read1: what a pipe has now, so that `find -print0 |` is cleaned as it is found.
    while chunk := stream.read1(_SNIFF_BYTES):
        *entries, pending = (pending + chunk).split(b"\0")
        for entry in entries:
            if entry:
                yield entry.decode("utf-8", errors="surrogateescape")
    if pending:
        yield pending.decode("utf-8", errors="surrogateescape")


def file_lists(files_from: str | Sequence[str] | None) -> tuple[str, ...]:
    """The `--files-from` lists given: none, one, or several (the option repeated)."""
    if files_from is None:
        return ()
    return (files_from,) if isinstance(files_from, str) else tuple(files_from)


def listed_paths(
    files_from: str | Sequence[str] | None, stdin: BinaryIO | None, *, null: bool = False
) -> Iterator[str]:
    """The paths of every `--files-from` list, list after list, lazily.

    A list names files: its line `-` is the file of that name in the current
    directory (as `./-` names it), not standard input, which a list cannot
    hand on (`--files-from -` reads the list itself from it). `stdin` is
    read by the first list named `-` only.
    """
    for listing in file_lists(files_from):
        for path in paths_from_file(listing, stdin, null=null):
            yield f"./{STDIN_SOURCE}" if path == STDIN_SOURCE else path
        if listing == STDIN_SOURCE:
            stdin = None  # read to its end: a second `-` list is refused


def discover(
    paths: Iterable[str],
    *,
    pattern: str = "*.txt",
    files_from: str | Sequence[str] | None = None,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    own_outputs: OwnOutputs = NO_OUTPUTS,
    null: bool = False,
) -> Iterator[InputRef]:
    """Every input named by `paths` then by the `files_from` lists, lazily, in order.

    `stdin` is the stream `-` reads (at most once, either as an input or as
    a `--files-from` list). Directories and globs never yield the run's
    `own_outputs`.
    """
    stdin_left = stdin
    if STDIN_SOURCE in file_lists(files_from):
        stdin_left = None
    for path in paths:
        for ref in expand_path(path, pattern=pattern, stdin=stdin_left, max_bytes=max_bytes,
                               own_outputs=own_outputs):
            if ref.data is not None:
                stdin_left = None
            yield ref
    for path in listed_paths(files_from, stdin, null=null):
        # A list is made by a tool (`find -name '*.txt'`), as a walk is,
        # and a FIFO in it would stall the run as one in a walk did.
        if (special := _special_path(path)) is not None:
            yield _problem_ref(path, f"{special}, not a file: a --files-from list's "
                                     "entries are read as files (name it as an input "
                                     "to read it)")
            continue
        yield from expand_path(path, pattern=pattern, stdin=None, max_bytes=max_bytes,
                               own_outputs=own_outputs, literal=null)


# --- reading -------------------------------------------------------------


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            size = status.st_size
            if size > max_bytes:
                raise Rejected(
                    Reason.TOO_LARGE, f"{size} bytes, over --max-bytes {max_bytes}"
                )
            if not stat.S_ISREG(status.st_mode):  # a pipe or device: no size to go by
                return handle.read(max_bytes + 1)
            # Ask for the file's size, plus a byte to see it grow: read(n)
            # allocates n bytes first, and n = --max-bytes (32 MB) tripled the
            # cost of reading a 14 kB page.
            data = handle.read(size + 1)
            if len(data) <= size:
                return data
            return data + handle.read(max_bytes + 1 - len(data))
    except FileNotFoundError as error:
        if os.path.islink(path):
            raise Rejected(
                Reason.UNREADABLE, f"broken symbolic link to {os.readlink(path)}"
            ) from error
        detail = "no such file" if not has_glob(path) else "no file matches this pattern"
        raise Rejected(Reason.UNREADABLE, detail) from error
    except IsADirectoryError as error:
        raise Rejected(Reason.UNREADABLE, "is a directory") from error
    except OSError as error:
        raise Rejected(Reason.UNREADABLE, _why(error)) from error


class GzipReadInPart(Rejected):
    """Gzip data of which only a part could be read; `salvaged` is that part,
    further gzip layers unwrapped. A JSON Lines input keeps its complete lines
    (`complete_json_lines`); any other input is rejected, as a page read in
    part would be cleaned as if whole."""

    def __init__(self, salvaged: bytes, detail: str) -> None:
        super().__init__(Reason.UNREADABLE, detail)
        self.salvaged = salvaged


class TruncatedGzip(GzipReadInPart):
    """Gzip data that ends before its end marker: a download or copy cut short."""

    def __init__(self, salvaged: bytes, detail: str) -> None:
        super().__init__(salvaged, f"corrupt or truncated gzip data: {detail}")


class TrailingGarbage(GzipReadInPart):
    """Gzip data whose members all decompress, followed by bytes that are not gzip.

    `gzip -d` keeps what decompresses and warns "trailing garbage ignored".
    The bytes may be junk a downloader appended, or the start of one more
    member whose header was cut or overwritten (`cat more.gz >> pages.jsonl.gz`
    stopped after a byte), with lines of its own: so they are taken as data
    cut short. (Python's gzip called them "Not a gzipped file (b'..')", which
    sent users to look for the wrong fault.)
    """

    def __init__(self, salvaged: bytes, trailing: int) -> None:
        super().__init__(
            salvaged,
            f"{trailing} bytes after the end of its gzip data are not gzip (trailing "
            "garbage, or a further gzip member whose start was cut or overwritten): "
            "the page may go on in them, so it is not cleaned; `gzip -dc` gives what "
            "decompresses",
        )
        self.trailing = trailing


def gunzip(data: bytes, max_bytes: int, layers_left: int = _MAX_GZIP_LAYERS) -> bytes:
    """Decompress a gzip stream, stopping one byte past `max_bytes`.

    The limit is on the *decompressed* size: a small "zip bomb" is rejected
    after reading `max_bytes + 1` bytes of it, never inflated in full.
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
            out = stream.read(max_bytes + 1)
    except EOFError as error:
        raise TruncatedGzip(_gunzip_prefix(data, max_bytes), str(error)) from error
    except (OSError, zlib.error) as error:
        inflated, whole, trailing = _inflate_members(data, max_bytes)
        if whole and trailing:
            raise TrailingGarbage(
                _unwrap_gzip(inflated, max_bytes, layers_left - 1), trailing
            ) from error
        raise Rejected(Reason.UNREADABLE, f"corrupt or truncated gzip data: {error}") from error
    _check_decompressed_size(out, max_bytes)
    return out


def _check_decompressed_size(out: bytes, max_bytes: int) -> None:
    if len(out) > max_bytes:
        raise Rejected(
            Reason.TOO_LARGE, f"over --max-bytes {max_bytes} after decompressing"
        )


def _inflate_members(data: bytes, max_bytes: int) -> tuple[bytes, bool, int]:
    """One gzip layer, member by member: all that it decompresses, whether
    every member decompressed to its end (not cut short, not corrupt), and how
    many bytes follow the last one that are not gzip (NUL padding aside).

    (GzipFile drops the output of the read that meets the end of the data:
    zlib's own object gives back every byte it could inflate.)
    """
    out = b""
    rest = data
    while rest.startswith(_GZIP_MAGIC):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error:
            return out, False, 0
        _check_decompressed_size(out, max_bytes)
        if not inflater.eof:
            return out, False, 0
        # Members may be padded with NUL bytes, as GzipFile allows.
        rest = inflater.unused_data.lstrip(b"\x00")
    return out, True, len(rest)


def _gunzip_prefix(data: bytes, max_bytes: int) -> bytes:
    """All that a truncated gzip stream decompresses to, member by member,
    and layer by layer when that is gzip again."""
    for _ in range(_MAX_GZIP_LAYERS):
        if not data.startswith(_GZIP_MAGIC):
            break
        data = _inflate_members(data, max_bytes)[0]
    return data


def complete_json_lines(
    cut: GzipReadInPart, *, name: str, fmt: str = "auto"
) -> tuple[bytes, RecordError] | None:
    """The complete lines of a JSON Lines input whose gzip data ends early
    (or has trailing garbage), and the reject for the line it cuts off; None
    for any other input.

    A crawl's `pages.jsonl.gz` cut short by a full disk or a broken transfer
    was rejected whole: its ten thousand good records with the one cut off.
    """
    data = cut.salvaged
    if isinstance(cut, TrailingGarbage):
        kept = data  # its last line ended with its gzip member
    else:
        kept = data[: max(data.rfind(b"\n"), data.rfind(b"\r")) + 1]
    if not kept.strip() or not _is_json_lines(kept, name, fmt):
        return None
    number = len(_LINE_BREAK_BYTES.findall(kept)) + 1
    if isinstance(cut, TrailingGarbage):
        if not kept.endswith((b"\n", b"\r")):
            number += 1
        detail = (
            f"{cut.trailing} bytes after the end of the gzip data are not gzip (trailing "
            f"garbage, or a further gzip member whose start was cut or overwritten): "
            f"line {number} and whatever followed it, if they held any, are lost; the "
            f"{number - 1} lines before were read"
        )
    else:
        detail = (
            f"the gzip data ends early, in line {number} (a download or copy cut short): "
            f"that line and whatever followed it are lost; the {number - 1} lines before "
            "it were read"
        )
    return kept, RecordError(f"{name}#{number}", Reason.UNREADABLE.value, detail)


def read_input_salvaging_lines(
    ref: InputRef, *, max_bytes: int = DEFAULT_MAX_BYTES, fmt: str = "auto"
) -> tuple[bytes, RecordError | None]:
    """`read_input`, but JSON Lines whose gzip data ends early (or has
    trailing garbage) keep their complete lines (`complete_json_lines`):
    those, and the reject for the line cut off (None when nothing was).
    Raises `Rejected` as `read_input` does."""
    try:
        return read_input(ref, max_bytes=max_bytes), None
    except GzipReadInPart as cut:
        salvage = complete_json_lines(cut, name=ref.source, fmt=fmt)
        if salvage is None:
            raise
        return salvage


def read_input(ref: InputRef, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The input's bytes, gunzipped (layer by layer) if they are gzip; raises `Rejected`."""
    if ref.problem is not None:
        raise Rejected(Reason.UNREADABLE, ref.problem)
    if ref.data is not None:
        data = ref.data
    elif ref.path is not None:
        data = _read_file(ref.path, max_bytes)
    else:
        raise Rejected(Reason.UNREADABLE, "neither a path nor data")
    if len(data) > max_bytes:
        raise Rejected(Reason.TOO_LARGE, f"over --max-bytes {max_bytes}")
    return _unwrap_gzip(data, max_bytes, _MAX_GZIP_LAYERS)


def _unwrap_gzip(data: bytes, max_bytes: int, layers: int) -> bytes:
    """`data` gunzipped, layer by layer, at most `layers` of them.

    A page fetched with `Content-Encoding: gzip` and saved as `.gz` is
    compressed twice; the inner layer was rejected as "binary: contains NUL
    bytes", which named no cause.
    """
    for layers_left in range(layers, 0, -1):
        if not data.startswith(_GZIP_MAGIC):
            return data
        data = gunzip(data, max_bytes, layers_left)
    if data.startswith(_GZIP_MAGIC):
        raise Rejected(
            Reason.UNREADABLE, f"gzip data nested more than {_MAX_GZIP_LAYERS} times"
        )
    return data


# --- decoding ------------------------------------------------------------


def codec_name(encoding: str) -> str:
    """Python's canonical name: `utf-8`, `utf-16`, `cp1252`, `iso8859-1`..."""
    return codecs.lookup(encoding).name


def _decode_with_bom(data: bytes) -> Decoded | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as error:
                raise Rejected(
                    Reason.ENCODING, f"has a {encoding} byte-order mark but is not {encoding}"
                ) from error
    return None


def check_not_binary(data: bytes) -> None:
    # NUL bytes that end the file are padding, as a crash leaves it (the file's
    # size was set before its blocks were written): sniffed, they made a small
    # page "binary" where a larger one had them past the sniffed start, removed.
    if data.endswith(b"\x00"):
        data = data.rstrip(b"\x00")
        if not data:
            raise Rejected(Reason.BINARY, "only NUL bytes")
    sample = data[:_SNIFF_BYTES]
    for magic, kind in _BINARY_MAGIC:
        if sample.startswith(magic):
            raise Rejected(Reason.BINARY, f"not text: {kind}")
    if sample[_TAR_MAGIC_OFFSET:].startswith(_TAR_MAGIC):
        raise Rejected(Reason.BINARY, "not text: a tar archive; unpack it first")
    if b"\x00" in sample:
        raise Rejected(Reason.BINARY, "contains NUL bytes")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise Rejected(Reason.BINARY, f"{controls} control characters in the first bytes")


# UTF-16 without a BOM: at least this share of the sniffed code units have a
# NUL high byte (a Cyrillic, Greek, Arabic or Chinese page still has its
# spaces, digits, line breaks and ASCII punctuation there), and at most this
# share a NUL low byte (binary data has NULs at both; in text only the
# characters U+xx00 have one, as Chinese "一" U+4E00, about 1 % of a Chinese
# page).
_MIN_UTF16_NUL_HIGH_BYTES = 0.05
_MAX_UTF16_NUL_LOW_BYTES = 0.03


def _decode_utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text without a byte-order mark; None for anything else."""
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if b"\x00" not in sample or len(data) % 2 or sample.startswith(_BINARY_MAGIC_BYTES):
        return None
    units = len(sample) // 2
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    for encoding, high, low in (("utf-16-le", odd_nuls, even_nuls),
                                ("utf-16-be", even_nuls, odd_nuls)):
        if high >= _MIN_UTF16_NUL_HIGH_BYTES * units and low <= _MAX_UTF16_NUL_LOW_BYTES * units:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            head = text[:units]
            # Text has spaces or line breaks; NUL bytes of another kind
            # that happen to fall at every other position leave none.
            if text.translate(_TEXT_CONTROL_CHARS) != text or not (" " in head or "\n" in head):
                return None
            return Decoded(text, encoding)
    return None


# What `str.translate` deletes: control characters that text does not hold.
_TEXT_CONTROL_CHARS = dict.fromkeys(_CONTROL_BYTES)


MAX_STRAY_BYTES = 8
# ... or, on a longer page, this share of its bytes. A fixed few was too few:
# a 10 kB German page with a dozen broken sequences (a scraper that cut
# multi-byte characters at its chunk boundaries) was decoded whole as cp1251,
# every umlaut garbled ("wГ¤hrend"), without a warning. The letters-per-stray
# ratio below is what keeps legacy text out, which has next to no valid UTF-8.
MAX_STRAY_SHARE = 0.005
# Valid non-ASCII UTF-8 letters a page needs per stray byte to be read as UTF-8.
_UTF8_LETTERS_PER_STRAY_BYTE = 10


def _decode_mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few stray bytes, decoded with those replaced; None otherwise.

    Legacy-encoded text has next to no valid multi-byte UTF-8 sequences: its
    accented letters are lone high bytes. So many valid ones and a handful of
    invalid bytes mean a UTF-8 page.
    """
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count("\ufffd".encode())
    if stray > max(MAX_STRAY_BYTES, MAX_STRAY_SHARE * len(data)):
        return None
    letters = sum(1 for char in text if char > "\x7f") - text.count("\ufffd")
    if letters < _UTF8_LETTERS_PER_STRAY_BYTE * stray:
        return None
    return Decoded(text, "utf-8", ("invalid_utf8_replaced",))


def _decode_legacy(data: bytes) -> Decoded:
    decoded = _as_latin2_if_it_reads_better(data, _best_legacy(data))
    if decoded is None:
        raise Rejected(Reason.ENCODING, "not UTF-8, and no supported encoding fits")
    misread = _misread(decoded.text)
    if not misread:
        return _in_the_latin_code_page_one_language_writes(data, decoded)
    alternative = _first_read_right(data)
    if alternative is not None:
        return alternative
    examples = ", ".join(repr(spot) for spot in dict.fromkeys(misread[:40]))
    raise Rejected(
        Reason.ENCODING,
        f"not UTF-8, and read as {decoded.encoding} its words hold symbols or mix "
        f"scripts ({examples[:120]}): an encoding dw-clean does not support",
    )


# The accented letters each Latin-script language DW publishes in writes, and
# no other: every alphabet more is one more a wrong reading may fit (Czech's
# ä, á, č, ŕ, ě, ň and ř made a French "Sánchez très critiqué à Madrid" in
# cp1252 cp1250, "trčs ... ŕ Madrid"; Icelandic's þ and é, a French name
# beside Romanian "Ionuţ" cp1252). A short text defeats
# charset_normalizer's statistics: Turkish "Erdoğan seçimi kazandı." in cp1254
# came out as cp1250 "Erdođan ... kazandý", Croatian "će" in cp1250 as cp1252
# "æe". A wrong Latin code page mixes letters of several alphabets; the right
# one gives letters of a single language.
_ALPHABETS: dict[str, frozenset[str]] = {
    language: frozenset(letters + "ªºµ")  # ordinals and the micro sign: any language
    for language, letters in {
        "de": "äöüß",
        "fr": "àâæçéèêëîïôœùûüÿ",
        "es": "áéíóúñü",
        "pt": "áàâãçéêíóôõú",
        "pl": "ąćęłńóśźż",
        "ro": "ăâîșțşţ",
        "hr-bs-sr": "čćđšž",
        "sq": "çë",
        "tr": "çğıöşüâî",
    }.items()
}
# The single-byte Latin code pages, in the order a replacement is tried.
_LATIN_CODE_PAGES = ("cp1252", "cp1250", "cp1254", "iso8859-2")
# A character no word holds, next to a letter: a symbol, digit sign or
# control ("Tysi¹ce", "przyjecha³ do £odzi": Polish cp1250 read as cp1252),
# where quotation marks, apostrophes, hyphens, dashes, the soft hyphen and
# Spanish "¿" are fine.
_NOT_OF_A_WORD = (
    r"[^\p{L}\p{M}\s\x00-\x7f\u2010-\u2015\u2018-\u201f\u02bc\u00ad\u00b7"
    r"\u00ab\u00bb\u00bf\u00a1\u2026]"
)
_NON_LETTER_INSIDE_A_WORD = compiled_on_first_use(
    rf"\p{{L}}{_NOT_OF_A_WORD}|{_NOT_OF_A_WORD}\p{{L}}", regex.VERSION1
)


def _one_languages_letters(text: str) -> bool:
    """Whether the accented letters of `text`'s words in lower case, a
    language's own words, are those of one alphabet. (A name's are not: a
    German text naming "Nový", or Polish naming "Müller", is read as it
    was, whatever its letters.)"""
    letters = {
        char
        for word in text.split()
        if not word.isascii() and _starts_in_lower_case(word)
        for char in word.lower()
        if char > "\x7f" and char.isalpha()
    }
    return any(letters <= alphabet for alphabet in _ALPHABETS.values())


def _starts_in_lower_case(word: str) -> bool:
    first = next((char for char in word if char.isalpha()), "")
    return first.islower()


def _in_the_latin_code_page_one_language_writes(data: bytes, decoded: Decoded) -> Decoded:
    """`decoded`, or another Latin code page's reading when the letters of
    `decoded`'s words belong to no one language and that reading's do.

    Both must hold: a French text naming "Schäuble" fits no one alphabet in
    any code page, and keeps the one it was given.
    """
    if decoded.encoding not in _LATIN_CODE_PAGES or _one_languages_letters(decoded.text):
        return decoded
    for encoding in _LATIN_CODE_PAGES:
        if encoding == decoded.encoding:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _one_languages_letters(text) and not _NON_LETTER_INSIDE_A_WORD().search(text):
            return Decoded(text, encoding)
    return decoded


def _misread(text: str) -> list[str]:
    """The misread spots of a decoding that has too many of them, else none."""
    spots = _misread_spots(text)
    non_ascii = sum(1 for char in text if char > "\x7f")
    if len(spots) >= _MIN_MISREAD_SPOTS and len(spots) >= _MAX_MISREAD_SHARE * non_ascii:
        return spots
    return []


def _first_read_right(data: bytes) -> Decoded | None:
    """The first of charset_normalizer's candidates, in its order (Windows-1252
    first among those a candidate stands for), whose words are not misread:
    an English page with a few umlauts in cp1252 was best "GB18030"
    ("Fr黨burgunder"), with cp1252 among the runners-up."""
    from charset_normalizer import from_bytes  # noqa: PLC0415 - rarely needed, slow import

    for match in from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS), threshold=_MAX_CHAOS):
        names = [codec_name(name) for name in match.could_be_from_charset]
        for name in sorted(names, key=lambda name: name not in _WESTERN):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if not _misread(text):
                return Decoded(text, name)
    return None


# A wrong code page puts symbols inside words and scripts side by side: a
# German page in DOS cp437 read as cp1251 gives "W„hrend" and "Putin-Ћra",
# one in MacRoman read as cp1252 "WŠhrend", Polish Latin-2 read as cp1250
# "Tysi±ce". charset_normalizer scored those clean. Each spot is a few
# characters of context; legitimate text has almost none (apostrophes,
# primes, dashes and ellipses inside words, and a degree sign, bullet or
# Spanish "¿" before one, are not counted).
_MISREAD_SPOT = compiled_on_first_use(
    r"""
    [\p{Latin}\p{Cyrillic}\p{Greek}]
    [[\p{S}\p{P}]--[\x00-\x7f\p{Pd}\u2018\u2019\u02bc\u2032\u00b7\u00ad\u2026]]
    [\p{Latin}\p{Cyrillic}\p{Greek}]      # a symbol between two letters: "W„hrend"
                                        # (Chinese puts its punctuation between them)
    | (?<![\p{L}\p{N}])[[\p{S}\p{Po}]--[\x00-\x7f\u00b0\u00bf\u00a1\u2026\u2022\u00b7]]\p{Ll}
                                        # a symbol that opens a word: "©ef" (Croatian
                                        # Latin-2 "Šef" read as cp1250)
    | \p{Latin}[\p{Cyrillic}\p{Greek}\p{Arabic}\p{Hebrew}]
    | [\p{Cyrillic}\p{Greek}\p{Arabic}\p{Hebrew}]\p{Latin}
                                        # two scripts in one word: "Putin-Ћra"
    | \p{Latin}\p{Han}\p{Latin}           # a Chinese character inside a Latin word:
                                        # "Fr黨burgunder" (cp1252 read as GB18030;
                                        # Chinese writes "DW表示" with no space)
    | \p{Ll}[\p{Lu}--[\x00-\x7f]]\p{Ll} | \p{Lu}[\p{Lu}--[\x00-\x7f]]\p{Ll}
                                        # a capital inside a word: "WŠhrend"
    """,
    regex.VERSION1 | regex.VERBOSE,
)
# A decoding with this many misread spots, and as many as this share of its
# non-ASCII characters, is rejected.
_MIN_MISREAD_SPOTS = 3
_MAX_MISREAD_SHARE = 0.1


def _misread_spots(text: str) -> list[str]:
    return [match.group() for match in _MISREAD_SPOT().finditer(text, overlapped=True)]


# Bytes ISO-8859-2 (Latin-2, the Central European code page of Unix) and
# cp1250 decode as different characters: "ą" is 0xB1 in one and 0xB9 in the
# other, "š" 0xB9 and 0x9A. charset_normalizer tries cp1250 first and skips
# Latin-2 as "too similar" when cp1250 failed, or scores the two alike.
_LATIN2_NOT_CP1250_BYTES = bytes([0xA1, 0xA5, 0xA6, 0xA9, 0xAB, 0xAC, 0xAE, 0xB1, 0xB5,
                                  0xB6, 0xB9, 0xBB, 0xBC, 0xBE])
# Bytes Latin-2 leaves to control characters, which its text does not hold.
_C1_BYTES = bytes(range(0x80, 0xA0))


def _as_latin2_if_it_reads_better(data: bytes, chosen: Decoded | None) -> Decoded | None:
    """Latin-2 (Polish, Croatian, ... as written on Unix) instead of `chosen`
    when the bytes hold no C1 control, and it reads better than `chosen`."""
    if chosen is not None and chosen.encoding not in {"cp1250", *_WESTERN}:
        return chosen
    if len(data.translate(None, _C1_BYTES)) != len(data):
        return chosen
    if len(data.translate(None, _LATIN2_NOT_CP1250_BYTES)) == len(data):
        return chosen
    latin2 = Decoded(data.decode("iso8859_2"), "iso8859-2")
    if chosen is None:
        non_ascii = len(data) - len(data.translate(None, _NON_ASCII_BYTES))
        return latin2 if non_ascii < _NOISE_NON_ASCII_SHARE * len(data) else None
    latin2_spots, chosen_spots = len(_misread_spots(latin2.text)), len(_misread_spots(chosen.text))
    # Over cp1250 it wins a tie: "š" and "ž" (Latin-2's 0xB9, 0xBE) are cp1250's
    # "ą" and "ľ", letters as well, and a cp1250 page of a language that has
    # them nearly always has a byte Latin-2 lacks ("š" 0x9A, Polish "ś" 0x9C,
    # „ 0x84). Over Windows-1252 it must do better: French "«" and "»" are
    # Latin-2's "Ť" and "ť".
    wins_a_tie = chosen.encoding == "cp1250"
    if latin2_spots < chosen_spots or (latin2_spots == chosen_spots and wins_a_tie):
        return latin2
    return chosen


def _best_legacy(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes  # noqa: PLC0415 - rarely needed, slow import

    matches_found = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS), threshold=_MAX_CHAOS)
    best = matches_found.best()
    if best is None:
        return None
    non_ascii = (len(data) - len(data.translate(None, _NON_ASCII_BYTES))) / len(data)
    if (
        len(data) >= _NOISE_MIN_BYTES
        and best.coherence == 0.0
        and non_ascii >= _NOISE_NON_ASCII_SHARE
    ):
        raise Rejected(
            Reason.ENCODING,
            f"not UTF-8, and no language recognised in any supported encoding "
            f"({non_ascii:.0%} non-ASCII bytes)",
        )
    if _has_letters_no_dw_language_writes_in_cp1252(data):
        others = [m for m in matches_found if codec_name(m.encoding) not in _WESTERN]
        if others:
            chosen = max(others, key=lambda match: (match.coherence, -match.chaos))
            return Decoded(str(chosen), codec_name(chosen.encoding))
    # Prefer Windows-1252 whenever it scores as well as the best guess: for
    # Western text, cp1250 and cp1257 often tie with it, and pick "č" for "è".
    candidates = [
        codec_name(name)
        for match in matches_found
        if match.chaos <= best.chaos + _TIE and match.coherence >= best.coherence - _TIE
        for name in match.could_be_from_charset
    ]
    for preferred in _WESTERN:
        if preferred in candidates:
            try:
                return Decoded(data.decode(preferred), preferred)
            except UnicodeDecodeError:
                continue
    return Decoded(str(best), codec_name(best.encoding))


# Windows-1252 and Latin-1, in the order the tie-break prefers them.
_WESTERN = ("cp1252", "iso8859-1")


def _has_letters_no_dw_language_writes_in_cp1252(data: bytes) -> bool:
    non_ascii = len(data) - len(data.translate(None, _NON_ASCII_BYTES))
    cp1254_only = len(data) - len(data.translate(None, _CP1254_ONLY_BYTES))
    return non_ascii > 0 and cp1254_only / non_ascii >= _MIN_CP1254_ONLY_SHARE


def repair_mojibake(decoded: Decoded) -> Decoded:
    import ftfy  # noqa: PLC0415 - import cost paid only by files that need it
    from ftfy.badness import is_bad  # noqa: PLC0415

    if not is_bad(decoded.text):
        return decoded
    fixed = ftfy.fix_encoding(decoded.text)
    if fixed == decoded.text:
        return decoded
    return Decoded(fixed, decoded.encoding, (*decoded.warnings, "mojibake_repaired"))


# Characters that only mojibake produces in bulk: a cheap test that lets clean
# UTF-8 skip ftfy altogether. "Ã" and "Â" start every UTF-8 Latin-1 sequence
# read as cp1252, "â€" every punctuation mark, "Ð"/"Ñ" Cyrillic, "Ø"/"Ù"
# Arabic; ftfy.badness decides when one is present.
_MOJIBAKE_HINTS: tuple[str, ...] = ("Ã", "Â", "â€", "Ð", "Ñ", "Ø", "Ù", "ï¿½")


def _might_be_mojibake(text: str) -> bool:
    # Each hint's first character is tested first: a memchr over the text,
    # where a search for a two-character hint reads it several times slower.
    return any(hint[0] in text and hint in text for hint in _MOJIBAKE_HINTS)


def decode(data: bytes, *, name: str | None = None, fmt: str = "auto") -> Decoded:
    """Decode input bytes following the policy in the module docstring.

    `name` and `fmt` (the input's file name and `--format`) tell JSON Lines,
    whose lines may each have their own encoding.
    """
    if not isinstance(data, bytes | bytearray):
        # (A str failed inside, in bytes.startswith, naming no cause.)
        raise TypeError(f"decode() takes the input's bytes, not {type(data).__name__}: "
                        "a str is text already, for clean_any() or to_documents()")
    decoded = _decode_with_bom(data) or _decode_utf16_without_bom(data)
    if decoded is None:
        check_not_binary(data)
        try:
            decoded = Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            decoded = (
                _decode_mostly_utf8(data)
                or (_decode_by_line(data) if _is_json_lines(data, name, fmt) else None)
                or _decode_legacy(data)
            )
    if _might_be_mojibake(decoded.text):
        decoded = repair_mojibake(decoded)
    if "\r\r" in decoded.text:
        decoded = dataclasses.replace(
            decoded, text=_DOUBLED_CARRIAGE_RETURNS.sub("\n", decoded.text)
        )
    # (A byte count first, several times faster than the pattern over the text;
    # UTF-16 and UTF-32 text has NUL bytes everywhere and takes the pattern.)
    if len(data.translate(None, _STRAY_CONTROL_BYTES)) != len(data):
        decoded = _without_stray_controls(decoded)
    if not decoded.text.strip():
        raise Rejected(Reason.EMPTY, "empty or only whitespace")
    return decoded


def _without_stray_controls(decoded: Decoded) -> Decoded:
    text, removed = without_stray_controls(decoded.text)
    if not removed:
        return decoded
    return Decoded(
        text, decoded.encoding, (*decoded.warnings, WARN_CONTROLS_REMOVED), decoded.line_encodings
    )


# CR CR LF ends the lines of a CRLF file written out again through a text-mode
# stream on Windows, which turns each LF into CR LF. Read as it stands, each
# such line is followed by a blank one (the first CR ends it, the CR LF ends an
# empty line): a hard-wrapped dump fell apart into one-line paragraphs and
# JSON Lines numbered their records 1, 3, 5... It is one line break.
_DOUBLED_CARRIAGE_RETURNS = re.compile("\r\r+\n")


# The line breaks of JSON Lines (as cleaner.formats.records splits them); in
# every encoding tried here they are the ASCII bytes.
_LINE_BREAK_BYTES = re.compile(rb"(\r\n|\r|\n)")


def _is_json_lines(data: bytes, name: str | None, fmt: str) -> bool:
    """JSON records one to a line: the first non-blank line is a JSON object."""
    from cleaner.formats.detect import JSONL, format_from_name  # noqa: PLC0415 - see to_documents

    if fmt not in ("auto", JSONL) or format_from_name(name) not in (None, JSONL):
        return False
    first = _LINE_BREAK_BYTES.split(data.lstrip(), maxsplit=1)[0]
    if not first.startswith(b"{"):
        return False
    try:
        # Latin-1 maps every byte: enough to see the JSON structure, all ASCII.
        return isinstance(json.loads(first.decode("latin-1")), dict)
    except json.JSONDecodeError:
        return False
    except (ValueError, RecursionError):
        # An object Python cannot load (nested too deeply, an integer too
        # long): the records reader rejects that line alone and reads the rest.
        return True


def _decode_by_line(data: bytes) -> Decoded | None:
    """JSON Lines with UTF-8 lines among lines of another encoding (see the
    module docstring); None when no line is UTF-8 with non-ASCII letters."""
    parts = _LINE_BREAK_BYTES.split(data)
    lines, breaks = parts[0::2], [part.decode("ascii") for part in parts[1::2]]
    utf8_lines: dict[int, str] = {}
    for index, line in enumerate(lines):
        if not line.isascii():
            try:
                utf8_lines[index] = line.decode("utf-8")
            except UnicodeDecodeError:
                continue
    other_lines = [index for index in range(len(lines)) if index not in utf8_lines]
    if not utf8_lines or not other_lines:
        return None
    others = b"\n".join(lines[index] for index in other_lines)
    rest = _decode_mostly_utf8(others) or _decode_legacy(others)
    rest_lines = rest.text.split("\n")
    if len(rest_lines) != len(other_lines):
        return None
    texts = {**utf8_lines, **dict(zip(other_lines, rest_lines, strict=True))}
    pieces = [texts[0]]
    for index, line_break in enumerate(breaks, start=1):
        pieces += [line_break, texts[index]]
    return Decoded(
        "".join(pieces),
        rest.encoding,
        rest.warnings,
        tuple((index + 1, "utf-8") for index in sorted(utf8_lines)),
    )


# --- the one call into the cleaner ----------------------------------------


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"Unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if fmt not in SUPPORTED_FORMATS:
        raise UsageError(
            f"--format {fmt} is not supported yet; convert the input to text, "
            "or use --format text."
        )


def to_documents(
    text: str,
    *,
    source: str | None,
    encoding: str | None = None,
    warnings: Iterable[str] = (),
    line_encodings: Mapping[int, str] | None = None,
    fmt: str = "auto",
    text_field: str | None = None,
    keep_gallery: bool = False,
    url: str | None = None,
    clean: Callable[..., Document] | None = None,
) -> list[Document | RecordError]:
    """Clean one decoded input into its records (one, or one per JSON Lines line).

    The single place where input formats dispatch (`cleaner.formats`; with
    `pending_records`, which gives a run JSON records one at a time). A
    JSON Lines line that cannot be read comes back as a `RecordError` in its
    place. `url` is the page's address when the input came with one (a
    datatrove document's metadata; JSON records carry their own). `clean`
    replaces the cleaner of plain text (tests and experiments use it to run
    another function in worker processes). `line_encodings`
    (`Decoded.line_encodings`) gives the records of those JSON Lines lines
    their own encoding.
    """
    check_format(fmt)
    # Imported here: cleaner.formats pulls in the core, which cleaner.cli
    # should not pay for before it knows there is work to do.
    from cleaner import formats  # noqa: PLC0415

    if clean is not None and formats.resolve_format(text, fmt, name=source) == "text":
        results: list[Document | RecordError] = [clean(text, source=source)]
    else:
        results = list(
            formats.to_documents(
                text,
                fmt=fmt,
                source=source,
                url=url,
                text_field=text_field or "text",
                keep_gallery=keep_gallery,
            )
        )
    for document in results:
        if isinstance(document, Document):
            _add_input_facts(document, source, encoding, warnings, line_encodings)
    return results


def input_format(text: str, *, source: str | None, fmt: str = "auto") -> str:
    """The form `to_documents` reads `text` in ("jsonl" for JSON records):
    given to it as `fmt`, it is not detected again."""
    check_format(fmt)
    from cleaner import formats  # noqa: PLC0415 - see to_documents
    from cleaner.core import page_text  # noqa: PLC0415

    return formats.resolve_format(page_text(text, "input_format"), fmt, name=source)


def pending_records(
    text: str,
    *,
    source: str | None,
    encoding: str | None = None,
    warnings: Iterable[str] = (),
    line_encodings: Mapping[int, str] | None = None,
    text_field: str | None = None,
    keep_gallery: bool = False,
) -> Iterator[tuple[str, Callable[[], Document | RecordError]] | RecordError]:
    """The records of JSON records `text` (see `to_documents`) one at a time,
    each its source and the call that cleans it, or the `RecordError` of one
    that cannot be read: a caller can time each record alone (`--timeout`)."""
    from cleaner.core import page_text  # noqa: PLC0415 - see to_documents
    from cleaner.formats import records  # noqa: PLC0415

    warnings = tuple(warnings)
    for item in records.pending_records(
        page_text(text, "pending_records"), source=source,
        text_field=text_field or "text", keep_gallery=keep_gallery,
    ):
        if isinstance(item, RecordError):
            yield item
            continue
        where, clean_record = item
        yield where, functools.partial(
            _cleaned_with_facts, clean_record, source, encoding, warnings, line_encodings
        )


def _cleaned_with_facts(
    clean_record: Callable[[], Document | RecordError],
    source: str | None,
    encoding: str | None,
    warnings: Iterable[str],
    line_encodings: Mapping[int, str] | None,
) -> Document | RecordError:
    document = clean_record()
    if isinstance(document, Document):
        _add_input_facts(document, source, encoding, warnings, line_encodings)
    return document


def _add_input_facts(
    document: Document,
    source: str | None,
    encoding: str | None,
    warnings: Iterable[str],
    line_encodings: Mapping[int, str] | None,
) -> None:
    """What the reader found out about the input, on one of its documents:
    the encoding (a JSON Lines record's own line's, if it had one), warnings."""
    line = _line_number(document.source, source) if line_encodings else None
    document.encoding = (
        line_encodings.get(line, encoding)
        if line_encodings and line is not None
        else encoding
    )
    extra = [warning for warning in warnings if warning not in document.warnings]
    if extra:
        document.warnings = [*document.warnings, *extra]


def _line_number(record_source: str | None, source: str | None) -> int | None:
    """The line number in a JSON Lines record's source, "<source>#<line>"."""
    prefix = f"{source}#"
    if record_source is None or not record_source.startswith(prefix):
        return None
    number = record_source[len(prefix):]
    return int(number) if number.isdigit() else None
