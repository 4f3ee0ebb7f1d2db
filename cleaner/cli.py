"""The `dw-clean` command: parse options, wire inputs to outputs, report.

Two Typer apps: `clean_app` (the default: `dw-clean [OPTIONS] [PATH]...`) and
`explain_app` (`dw-clean explain FILE`). `main()` picks one by the first
argument, because a Typer/click group cannot take a variadic PATH... as its
default command and also have subcommands.

Exit codes: 0 every input gave a record; 1 some inputs were rejected (unless
--allow-rejects) or a fatal error (message on stderr); 2 usage error; 128+N
when stopped by signal N (130 for Ctrl-C, 143 for SIGTERM; 141, SIGPIPE's,
without a word when the reader of standard output went away, as in `| head`).
A closed standard error loses the messages, not the run: same output, same
exit code, also for a usage error that click prints (see `_err`, `main`
and `cleaner.launch`).

Imports of anything heavy (worker pools, charset detection, the cleaner) wait
until they are needed: start-up time counts when cleaning a handful of files.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, NoReturn, TextIO

import typer

from cleaner import interrupts
from cleaner.cpus import available_cpus
from cleaner.errors import DwCleanError, RecordError, UsageError
from cleaner.version import __version__, build_description

if TYPE_CHECKING:
    from cleaner.batch import Outcome, SecondSignal, Summary
    from cleaner.outputs import RunFiles

EXIT_OK = 0
EXIT_REJECTS = 1
EXIT_USAGE = 2

_CONTEXT = {"help_option_names": ["-h", "--help"]}

clean_app = typer.Typer(
    name="dw-clean",
    add_completion=False,
    context_settings=_CONTEXT,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _UsageAsWritten(typer.core.TyperCommand):
    """A command whose usage line names each argument by its metavar as written.

    Typer wraps a required argument's metavar in braces in the usage line
    (`dw-clean explain [OPTIONS] {FILE}`), which reads like a set of choices
    to pick from; the README and every Unix manual write it plain: FILE.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument) and param.metavar is not None:
                pieces.append(param.metavar)
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


explain_app = typer.Typer(
    name="dw-clean explain",
    add_completion=False,
    context_settings=_CONTEXT,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dw-clean {__version__} ({build_description()})")
        raise typer.Exit


def _timeout_seconds(value: float) -> float:
    """Refuse a --timeout that no watchdog can time: `inf` and values past the
    timer's range made every input an `error` reject, and `nan` passed as
    "no limit" but was written to run.json as null, which --resume refused."""
    if not value <= threading.TIMEOUT_MAX:  # (nan is not)
        raise typer.BadParameter(
            f"{value} is not a number of seconds the watchdog can time; give at most "
            f"{threading.TIMEOUT_MAX:.0f}, or 0 for no limit.")
    return value


# Control characters but the tab, as a file name can hold them: shown as
# they are, a line break split a message line in two (a log grep for it
# missed the rest) and a terminal escape went to the terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _err(message: str) -> None:
    message = _CONTROLS.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), message)
    try:
        typer.echo(f"dw-clean: {message}", err=True)
    except OSError:
        # Standard error's reader went away (`2>&1 >out | head -c0`): the
        # message has nowhere to go. The run goes on, its output and exit
        # status as they would be (--rejects FILE keeps a record of the
        # rejects).
        _silence_stderr()


def _silence_stderr() -> None:
    """Send later messages to /dev/null, and the flush at exit, which would fail again."""
    _to_devnull(sys.stderr)


def _to_devnull(stream: TextIO) -> None:
    """Point the stream's file descriptor at /dev/null: what is written to it
    later (or left in its buffer) is lost, and no write or flush fails again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stream.fileno())
    os.close(devnull)


def _fail(error: DwCleanError) -> typer.Exit:
    prefix = "usage error: " if isinstance(error, UsageError) else "error: "
    _err(prefix + str(error))
    return typer.Exit(code=error.exit_code)


_HELP = """Clean raw scraped DW pages into JSON Lines, one record per page.

Each PATH is a file, a directory (searched recursively for --glob), a
shell-style glob, or - for standard input; .gz inputs are read transparently.
Give any number of PATHs, or none when --files-from lists the inputs. Records
go to standard output unless -o or --output-dir is given.

Other command: `dw-clean explain FILE` prints every line of FILE with its
decision, category and rule.

Exit codes: 0 all inputs gave records, 1 some were rejected (see --rejects) or
an error, 2 usage error, 130/143 interrupted, 141 standard output closed.
"""


@clean_app.command(help=_HELP, no_args_is_help=False)
def clean_command(  # noqa: PLR0917 - Typer maps each parameter to an option
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        # Several paths, or none when --files-from lists them: "[PATH]...",
        # as the README writes it (a plain "PATH" showed as "[PATH]").
        typer.Argument(metavar="[PATH]...", help="Files, directories, globs, or - for stdin.",
                       show_default=False),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="FILE",
                     help="Write records to FILE (.jsonl or .jsonl.gz), atomically; - for "
                          "standard output (the default)."),
    ] = None,
    output_dir: Annotated[
        str | None,
        typer.Option("--output-dir", metavar="DIR",
                     help="Write gzipped shards part-NNNNN.jsonl.gz, manifest.jsonl and "
                          "rejects.jsonl to DIR."),
    ] = None,
    shard_size: Annotated[
        int,
        typer.Option("--shard-size", min=1, metavar="N",
                     help="Records per shard (an input's records stay in one shard, so "
                          "a JSON Lines input may make its shard larger)."),
    ] = 10_000,
    files_from: Annotated[
        list[str] | None,
        typer.Option("--files-from", metavar="FILE",
                     help="Also read input paths from FILE, one per line (- for stdin); "
                          "repeat it for more lists, read in order."),
    ] = None,
    null: Annotated[
        bool,
        typer.Option("-0", "--null",
                     help="The --files-from list is NUL-separated (find -print0), "
                          "not one path per line."),
    ] = False,
    glob: Annotated[
        str,
        typer.Option("--glob", metavar="PATTERN",
                     help="File names to take from directories (PATTERN.gz too)."),
    ] = "*.txt",
    jobs: Annotated[
        int | None,
        typer.Option("-j", "--jobs", min=1, metavar="N",
                     help="Worker processes [default: the CPUs this process may use, "
                          "within a container's CPU limit]; 1 cleans in this process.",
                     show_default=False),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="No progress bar, summary or reject lines.")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option("--resume",
                     help="With --output-dir: skip inputs the manifest lists as done; "
                          "options that change records, if not given, are the run's own "
                          "(from its run.json)."),
    ] = False,
    dedup: Annotated[
        str | None,
        typer.Option("--dedup", metavar="[flag|drop]",
                     help="Mark (flag, the default when no value follows) or drop records "
                          "whose clean text repeats an earlier one in the run.",
                     show_default=False),
    ] = None,
    rejects: Annotated[
        str | None,
        typer.Option("--rejects", metavar="FILE",
                     help="Write one JSON line per rejected input (source, reason, detail); "
                          "- for standard output, when the records go to -o or --output-dir."),
    ] = None,
    allow_rejects: Annotated[
        bool, typer.Option("--allow-rejects", help="Exit 0 even if some inputs were rejected.")
    ] = False,
    max_bytes: Annotated[
        int | None,
        typer.Option("--max-bytes", min=1, metavar="N",
                     help="Reject inputs over N bytes (after decompressing) "
                          "[default: 32 MiB].", show_default=False),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0, metavar="SECONDS", callback=_timeout_seconds,
                     help="Reject a document whose cleaning takes longer (0: no limit); "
                          "each JSON record is a document of its own."),
    ] = 60.0,
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="[auto|text|markdown|html|jsonl]",
                     help="Input form; auto detects it from the name and content."),
    ] = "auto",
    text_field: Annotated[
        str | None,
        typer.Option("--text-field", metavar="NAME",
                     help="For JSON records (JSON Lines, a JSON array or object): the "
                          "field holding the page text [default: text]; a dotted "
                          "path (data.content) names a field inside an object."),
    ] = None,
    keep_gallery: Annotated[
        bool,
        typer.Option("--keep-gallery",
                     help="Keep picture-gallery slide texts in `text` (by default they go "
                          "to the `gallery` field, as the cleaning policy says)."),
    ] = False,
    dask: Annotated[
        str | None,
        typer.Option("--dask", metavar="ADDRESS",
                     help="Clean on a Dask cluster: tcp://HOST:8786 (a running scheduler) or "
                          "local:N (N worker processes here). Needs --output-dir; PATHs and "
                          "DIR may then be fsspec URLs (s3://...). "
                          "Install with: pip install 'dw-clean[dask]'."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    del version
    if output == "-":  # as for inputs, "-" is the standard stream
        output = None
    run_settings: dict[str, Any] = {
        "glob": glob, "max_bytes": max_bytes, "timeout": timeout, "fmt": fmt,
        "text_field": text_field, "keep_gallery": keep_gallery, "dedup": dedup,
        "shard_size": shard_size,
    }
    try:
        # Usage errors first (exit 2), before run.json or anything else in
        # the output directory is read: a clash of options is the command
        # line's fault, whatever state the directory is in.
        if text_field is not None:
            _check_text_field(text_field)
        if dask is not None and jobs is not None:
            # Said rather than ignored: a user who asked for N processes
            # would otherwise get as many as the cluster has, silently.
            raise UsageError(f"--jobs {jobs} sets the processes of a local run; with --dask "
                             "the cluster's workers clean (local:N starts N of them).")
        output_dir, rejects = _checked_options(
            paths=paths or [], output=output, output_dir=output_dir, files_from=files_from or [],
            null=null, resume=resume, dedup=dedup, rejects=rejects, fmt=fmt, dask=dask)
        taken: dict[str, object] = {}
        if resume and output_dir is not None:
            left_out = [option for option, parameter in RUN_OPTION_PARAMETERS.items()
                        if _left_out(ctx, parameter)]
            taken = _taken_from_run(output_dir, left_out=left_out,
                                    command_line=_run_options(**run_settings))
            run_settings.update({RUN_OPTION_PARAMETERS[option]: value
                                 for option, value in taken.items()})
        code = _clean(
            paths=paths or [], output=output, output_dir=output_dir, files_from=files_from or [],
            null=null, jobs=jobs or available_cpus(), quiet=quiet, resume=resume,
            rejects=rejects, allow_rejects=allow_rejects, dask=dask,
            taken_from_run=tuple(taken), **run_settings,
        )
    except DwCleanError as error:
        raise _fail(error) from None
    except KeyboardInterrupt:
        # Ctrl-C while loading, before the run could catch it (Typer would
        # exit 130 without a word), or after it, while it was reported. The
        # run itself reports its interrupts.
        _stop_on_unreported_sigint(explaining=False)
    raise typer.Exit(code=code)


# The parameters of `clean_command` that `run.json` records, by option name
# (see cleaner.outputs.RunOptions): those a resumed run takes from it.
RUN_OPTION_PARAMETERS = {
    "--glob": "glob", "--max-bytes": "max_bytes", "--timeout": "timeout", "--format": "fmt",
    "--text-field": "text_field", "--keep-gallery": "keep_gallery", "--dedup": "dedup",
    "--shard-size": "shard_size",
}


def _left_out(ctx: typer.Context, parameter: str) -> bool:
    """Whether the command line leaves the option out (it has its default value)."""
    source = ctx.get_parameter_source(parameter)
    # By name: typer 0.28 has its own copy of click, whose ParameterSource is
    # not click's, and earlier versions (which pyproject allows) use click's.
    return source is None or source.name in {"DEFAULT", "DEFAULT_MAP"}


def _run_options(
    *, glob: str, max_bytes: int | None, timeout: float, fmt: str, text_field: str | None,
    keep_gallery: bool, dedup: str | None, shard_size: int,
) -> dict[str, object]:
    """What a resumed run must repeat, with their effective values (see
    cleaner.outputs.RunOptions): `--max-bytes` 33554432 when not given."""
    from cleaner.inputs import DEFAULT_MAX_BYTES  # noqa: PLC0415 - keep start-up light

    return {
        "--glob": glob, "--max-bytes": max_bytes or DEFAULT_MAX_BYTES,
        "--timeout": float(timeout), "--format": fmt, "--text-field": text_field or "text",
        "--keep-gallery": keep_gallery, "--dedup": dedup, "--shard-size": shard_size,
    }


def _taken_from_run(
    output_dir: str, *, left_out: list[str], command_line: dict[str, object],
) -> dict[str, object]:
    """The options left out of a --resume command line whose value in the run
    being resumed differs from their default: the run goes on as it began,
    as the user expects, rather than being refused for options not given.
    (Options given must still be the run's: `check_resumed_options`.)"""
    # (A URL is here only with --dask: `_checked_options` refused it otherwise.)
    from cleaner.outputs import first_run_options  # noqa: PLC0415 - keep start-up light

    first = first_run_options(output_dir, _run_files(output_dir))
    return {option: first[option] for option in left_out
            if option in first and first[option] != command_line[option]}


def _run_files(output_dir: str) -> RunFiles:
    """Where run.json and the manifest of `output_dir` are read: here, or through
    fsspec for a --dask run's URL (`file://` ones are plain paths by now)."""
    from cleaner import outputs  # noqa: PLC0415 - keep start-up light

    if "://" in output_dir:
        from cleaner import distributed  # noqa: PLC0415 - needs the optional [dask] extra

        return distributed.FsspecRunFiles(output_dir)
    return outputs.LocalRunFiles(output_dir)


def _interrupted(when: str) -> typer.Exit:
    interrupts.answered()
    _err(f"stopped by SIGINT {when}; nothing was written.")
    return typer.Exit(code=128 + signal.SIGINT)


def _checked_options(
    *, paths: list[str], output: str | None, output_dir: str | None, files_from: list[str],
    null: bool, resume: bool, dedup: str | None, rejects: str | None, fmt: str, dask: str | None,
) -> tuple[str | None, str | None]:
    """Refuse options that cannot work together; the output directory and
    rejects file to use (a --dask run's `file://` URLs as plain paths)."""
    if dask is None:
        _refuse_urls(output=output, output_dir=output_dir, rejects=rejects, paths=paths)
    else:
        output_dir = _plain_if_local(output_dir) if output_dir is not None else None
        rejects = _plain_if_local(rejects) if rejects not in (None, "-") else rejects
        if rejects is not None and "://" in rejects and "://" not in (output_dir or ""):
            # A local run directory's sink writes its rejects with open(): a
            # remote URL would fail at the end of the run, after all the cleaning.
            raise UsageError(f"--rejects {rejects}: a URL for the rejects needs a remote "
                             "--output-dir; with a local one, name a local file.")
    _check_options(paths=paths, output=output, output_dir=output_dir, files_from=files_from,
                   null=null, resume=resume, dedup=dedup, rejects=rejects, fmt=fmt, dask=dask)
    if "-" in paths or "-" in files_from:
        _stdin()  # refused now if closed, rather than after run.json is read
    if rejects == "-" and sys.stdout is None:  # `>&-`: Python has no stream for it
        raise UsageError("Standard output is closed, and --rejects - writes the rejects "
                         "there: name a file for them, or leave standard output open.")
    return output_dir, rejects


def _check_options(
    *, paths: list[str], output: str | None, output_dir: str | None, files_from: list[str],
    null: bool, resume: bool, dedup: str | None, rejects: str | None, fmt: str, dask: str | None,
) -> None:
    from cleaner.inputs import check_format  # noqa: PLC0415 - keep start-up light

    if null and not files_from:
        raise UsageError("--null (-0) says how the --files-from list is separated: "
                         "give --files-from FILE too.")
    if not paths and not files_from:
        raise UsageError("No input given. Pass files, directories or globs, "
                         "- for standard input, or --files-from FILE.")
    if output is not None and output_dir is not None:
        raise UsageError("Give -o FILE or --output-dir DIR, not both.")
    if resume and output_dir is None:
        raise UsageError("--resume needs --output-dir (a run into one file or stdout "
                         "cannot be continued; rerun it instead).")
    if dedup is not None and dedup not in DEDUP_MODES:
        raise UsageError(f"--dedup takes flag or drop, not {dedup!r}.")
    if paths.count("-") + files_from.count("-") > 1:
        raise UsageError("Standard input (-) can be used only once.")
    if output is not None and not output.endswith((".jsonl", ".jsonl.gz")):
        raise UsageError(f"-o {output}: the file name must end in .jsonl or .jsonl.gz.")
    if rejects == "-":
        if output is None and output_dir is None:
            raise UsageError("--rejects - writes the rejects to standard output, where the "
                             "records go: give -o FILE or --output-dir DIR, or name a file "
                             "for the rejects.")
        if dask is not None:
            raise UsageError("--rejects - needs a local run: with --dask, name a file.")
        check_format(fmt)
        return
    if rejects is not None and "://" not in rejects and os.path.isdir(rejects):  # noqa: PTH112
        # Found out only when the rejects were written, after all the cleaning.
        raise UsageError(f"--rejects {rejects} is a directory; name a file for the rejects "
                         f"(such as {os.path.join(rejects, 'rejects.jsonl')}).")  # noqa: PTH118
    # (Real paths too: with a link to the -o file as --rejects, the rejects
    # replaced the records, and the message said the file was left as it was.)
    same = rejects is not None and output is not None and (
        os.path.abspath(rejects) == os.path.abspath(output)  # noqa: PTH100
        or os.path.realpath(rejects) == os.path.realpath(output)
    )
    if same:
        raise UsageError("--rejects and -o must be different files.")
    # Checked now, not when the rejects are written at the end of the run.
    folder = os.path.dirname(rejects or "") or "."  # noqa: PTH120
    in_output_dir = rejects is not None and output_dir is not None and (
        os.path.realpath(folder) == os.path.realpath(output_dir)
    )
    if in_output_dir and _is_shard_or_manifest(os.path.basename(rejects or "")):  # noqa: PTH119
        # The rejects, written last, replaced the manifest (and --resume then
        # cleaned everything again into the shards) or a shard.
        raise UsageError(f"--rejects {rejects} is a file --output-dir writes itself; name "
                         "another one (by default the rejects go to rejects.jsonl there).")
    if (rejects is not None and "://" not in rejects and not in_output_dir
            and not os.path.isdir(folder)):  # noqa: PTH112
        raise UsageError(f"--rejects {rejects}: the folder {folder} does not exist.")
    if rejects is not None and "://" not in rejects and not in_output_dir:
        # An unwritable one was found after every input had been cleaned,
        # and the run's whole output was thrown away.
        from cleaner.outputs import check_writable  # noqa: PLC0415 - see _is_shard_or_manifest

        check_writable(rejects)
    check_format(fmt)


def _is_shard_or_manifest(name: str) -> bool:
    """Whether `name` is a file an --output-dir run writes, but its rejects file
    (which `--rejects` may name). (Imported only on this rare path: the
    options are checked before the heavier modules load.)"""
    from cleaner import outputs  # noqa: PLC0415

    return outputs.is_run_file(name) and name != outputs.REJECTS_NAME


def _clean(
    *, paths: list[str], output: str | None, output_dir: str | None, shard_size: int,
    files_from: list[str], glob: str, jobs: int, quiet: bool, resume: bool,
    dedup: str | None, rejects: str | None, allow_rejects: bool, max_bytes: int | None,
    timeout: float, fmt: str, text_field: str | None, dask: str | None = None,
    keep_gallery: bool = False, null: bool = False, taken_from_run: tuple[str, ...] = (),
) -> int:
    """The run, its options checked by `_checked_options` (and output_dir and
    rejects as it returns them)."""
    from cleaner import batch, inputs, outputs  # noqa: PLC0415 - keep start-up light

    limit = max_bytes or inputs.DEFAULT_MAX_BYTES
    stdin = _stdin() if ("-" in paths or "-" in files_from) else None
    if output is None and output_dir is None and sys.stdout is None:
        raise UsageError("Standard output is closed, and records go there: give -o FILE "
                         "or --output-dir DIR, or leave standard output open.")
    # Never read back what this run writes (a rerun over its own input tree).
    own_outputs = inputs.OwnOutputs.of(output=output, output_dir=output_dir,
                                       rejects=None if rejects == "-" else rejects)
    refs = inputs.discover(paths, pattern=glob, files_from=files_from, stdin=stdin,
                           max_bytes=limit, own_outputs=own_outputs, null=null)
    options = batch.Options(max_bytes=limit, timeout=timeout or None, fmt=fmt,
                            text_field=text_field, sys_path=tuple(sys.path),
                            keep_gallery=keep_gallery,
                            digests=dedup is not None or output_dir is not None)

    run_options = _run_options(glob=glob, max_bytes=limit, timeout=timeout, fmt=fmt,
                               text_field=text_field, keep_gallery=keep_gallery, dedup=dedup,
                               shard_size=shard_size)
    if resume and output_dir is not None:
        # Refused before anything is written, the cluster started or an input read.
        warning = outputs.check_resumed_options(output_dir, run_options,
                                                _run_files(output_dir))
        if warning is not None:
            _err(f"warning: {warning}")
        if taken_from_run:
            # Said even with -q: the command line does not show what the run does.
            _err(f"resuming with the options the run in {output_dir} was started with "
                 f"({outputs.RUN_NAME}): " + " ".join(
                     _as_typed_option(option, run_options[option])
                     for option in taken_from_run))

    if dask is not None:
        # Issue 6: the same run on a Dask cluster, which lists the inputs and
        # opens the output directory itself (both may be fsspec URLs).
        if output_dir is None:
            raise UsageError("--dask needs --output-dir DIR: the cluster's records are "
                             "written there as shards, with the manifest and rejects.")
        from cleaner import distributed  # noqa: PLC0415 - needs the optional [dask] extra

        address, directory = dask, output_dir  # not None, also inside the closure

        def run_on_dask(on_reject: Any, progress: Any, summary: Summary) -> Summary:
            return distributed.run_dask(
                paths, directory, address, options, pattern=glob, files_from=files_from,
                null=null,
                stdin=stdin, shard_size=shard_size, resume=resume, rejects_path=rejects,
                dedup=dedup, on_reject=on_reject, progress=progress, run_options=run_options,
                summary=summary, notice=lambda message: _err(f"warning: {message}"),
            )

        distributed.check_protocols([*paths, output_dir, rejects, *files_from])
        # (The manifest as the run starts: what it shows rejected still counts.)
        listed = distributed.rejected_in_manifest(output_dir) if resume else 0
        return _run_and_report(run_on_dask, quiet=quiet, output=None, output_dir=output_dir,
                               earlier_rejects=_earlier_rejects(output_dir, rejects, resume,
                                                                listed),
                               no_inputs=_no_inputs_warning(paths, files_from, glob),
                               allow_rejects=allow_rejects)

    sink: outputs.Sink
    rejects_file: outputs.RejectsFile | None = None
    done: outputs.SourceCounts | None = None
    earlier: list[tuple[str, str]] = []
    listed_rejected = 0
    if output_dir is not None:
        shards = outputs.ShardSink(output_dir, shard_size=shard_size, resume=resume,
                                   rejects_path=rejects, run_options=run_options)
        done, earlier = shards.state.finished(), shards.state.digests
        listed_rejected = shards.state.rejected
        sink = shards
    elif output is not None:
        sink = outputs.FileSink(output)
        if rejects is not None:
            rejects_file = outputs.open_rejects(rejects)
    else:
        sink = outputs.StdoutSink()
        if rejects is not None:
            rejects_file = outputs.open_rejects(rejects)

    def run_locally(on_reject: Any, progress: Any, summary: Summary) -> Summary:
        batch.settle_heap()
        return batch.run(
            refs, options, sink, jobs=jobs, rejects=rejects_file, dedup=dedup, done=done,
            earlier_digests=earlier, on_reject=on_reject, progress=progress, summary=summary,
        )

    return _run_and_report(run_locally, quiet=quiet, output=output, output_dir=output_dir,
                           no_inputs=_no_inputs_warning(paths, files_from, glob),
                           allow_rejects=allow_rejects, discard=sink.discard,
                           earlier_rejects=_earlier_rejects(output_dir, rejects, resume,
                                                            listed_rejected))


# The reason shown for rejected inputs the manifest lists but the rejects
# file does not (an earlier run wrote them to its own --rejects FILE).
UNLISTED_REASON = "reasons in the earlier runs' --rejects file"


def _earlier_rejects(
    output_dir: str | None, rejects: str | None, resume: bool, listed_rejected: int = 0
) -> Callable[[Summary], Counter[str]] | None:
    """For a resumed run: the rejects of earlier runs that still stand, once
    this run is done (see `_run_and_report`), by reason as its rejects file
    gives them; at least the `listed_rejected` inputs the manifest showed
    rejected when the run started. (None for `--rejects -`, which keeps
    nothing.) A remote rejects file is read through fsspec (`--dask` runs)."""
    if not resume or output_dir is None or rejects == "-":
        return None
    from cleaner import outputs  # noqa: PLC0415 - loaded by now

    directory = _plain_if_local(output_dir)
    path = rejects or (f"{directory.rstrip('/')}/{outputs.REJECTS_NAME}" if "://" in directory
                       else str(PurePath(directory, outputs.REJECTS_NAME)))
    if "://" in path:
        from cleaner.distributed import rejects_at  # noqa: PLC0415 - a --dask run's

        count_rejects: Callable[[str], Counter[str]] = rejects_at
    else:
        count_rejects = outputs.count_rejects

    def earlier(summary: Summary) -> Counter[str]:
        found = count_rejects(path) - summary.rejects
        if found.total() < listed_rejected:
            found[UNLISTED_REASON] += listed_rejected - found.total()
        return found

    return earlier


def _as_typed_option(option: str, value: object) -> str:
    from cleaner.outputs import as_typed  # noqa: PLC0415 - loaded by now

    return option if value is True else f"{option} {as_typed(value)}"


def _refuse_urls(
    *, output: str | None, output_dir: str | None, rejects: str | None, paths: list[str]
) -> None:
    """A URL is read and written through fsspec on --dask runs only: a local
    run would make a folder called "file:" (or "s3:") in the current one, and
    reject an input URL as a file it cannot find."""
    for option, value in (("-o", output), ("--output-dir", output_dir), ("--rejects", rejects)):
        if value is not None and "://" in value:
            raise UsageError(f"{option} {value}: URLs are for --dask runs; give a local "
                             "path, or add --dask.")
    urls = [path for path in paths if "://" in path]
    if not urls:
        return
    from cleaner.distributed import protocol  # noqa: PLC0415 - a pattern; no fsspec

    for path in urls:
        # (A local file of that name, "file:/x" below "file:", is read as ever.)
        if protocol(path) is not None and not os.path.lexists(path):
            raise UsageError(f"{path}: URLs are for --dask runs; give a local path, "
                             "or add --dask.")


def _plain_if_local(output_dir: str) -> str:
    """`/x` for a --dask output directory `file:///x`; other URLs and paths as given.

    Checks made only for a plain path (the --resume warnings, --rejects not
    replacing a run file, the advice after a fatal error) then apply to
    `file:///x` too, as it is the same directory, written by the same ShardSink.
    """
    from cleaner import distributed  # noqa: PLC0415 - URLs need the optional [dask] extra

    if distributed.is_local_output(output_dir):
        return distributed.local_path(output_dir)
    return output_dir


def _stdin() -> BinaryIO:
    """Standard input, for `-` and `--files-from -`; a usage error when it is closed."""
    if sys.stdin is None:  # `<&-`: Python has no stream for it
        raise UsageError("Standard input is closed, so '-' has nothing to read.")
    return sys.stdin.buffer


def _second_signal(interrupt: SecondSignal) -> str:
    """ "a second SIGTERM", or "a SIGTERM after a SIGINT" when the first differed."""
    name = interrupt.args[0]
    if interrupt.first in (None, name):
        return f"a second {name}"
    return f"a {name} after a {interrupt.first}"


def _no_inputs_warning(paths: list[str], files_from: list[str], glob: str) -> str:
    """The warning of a run that found no input, naming where it looked."""
    places = [repr(path) for path in paths] + [
        "the list on standard input" if name == "-" else f"the list {name!r}"
        for name in files_from
    ]
    shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
    where = f" in {shown}" if shown else ""
    return (f"warning: no input files found{where} (directories are searched for "
            f"--glob {glob!r}).")


def _run_and_report(
    run: Callable[[Any, Any, Summary], Summary], *, quiet: bool, output: str | None,
    output_dir: str | None, no_inputs: str, allow_rejects: bool,
    discard: Callable[[], None] | None = None,
    earlier_rejects: Callable[[Summary], Counter[str]] | None = None,
) -> int:
    """Run with progress and reject lines; print the summary; the exit code.

    `earlier_rejects` gives, after a resumed run, the rejects of the earlier
    runs into the same directory that still stand: the exit code is that of
    the whole run, as if it had not been interrupted.
    """
    from cleaner.batch import Summary  # noqa: PLC0415 - loaded by now

    progress = _progress_bar(quiet)

    def report_reject(outcome: Outcome) -> None:
        if quiet:
            return
        reason = outcome.reason.value if outcome.reason else "?"
        if progress is None:
            _err(f"rejected {outcome.source}: {reason} ({outcome.detail})")
            return
        # The bar is cleared for the line and drawn again below it: written
        # as it was, the line went on after the bar's text.
        with type(progress).external_write_mode(file=sys.stderr):
            _err(f"rejected {outcome.source}: {reason} ({outcome.detail})")

    summary = Summary()
    try:
        run(report_reject, progress, summary)
    except UsageError:
        raise  # options that cannot work (the Dask run checks some): nothing ran
    except DwCleanError as error:
        # A fatal error (a full disk): say how far the run got, and how to go on.
        if progress is not None:
            progress.close()
        _fail(error)
        if not quiet:
            _err(summary.line()[len("dw-clean: "):])
        _report_failure(summary, output=output, output_dir=output_dir)
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        # A second signal, or a Ctrl-C before the run could catch it (while
        # it loads): the run's temporary files go, its committed ones stay.
        if discard is not None:
            discard()
        return _report_stop_at_once(interrupt)
    finally:
        if progress is not None:
            progress.close()
    if summary.inputs == 0 and not summary.skipped and not summary.interrupted:
        _err(no_inputs)  # before the summary, which it explains
    if not quiet:
        _err(summary.line()[len("dw-clean: "):])
    if summary.interrupted:
        _report_interruption(summary, output_dir, output)
        return 128 + signal.Signals[summary.interrupted].value
    earlier = earlier_rejects(summary) if earlier_rejects is not None else Counter()
    # Said even with -q when it decides the exit code, as below.
    if earlier and (not quiet or not allow_rejects):
        _report_earlier_rejects(earlier, output_dir, allow_rejects=allow_rejects)
    if (summary.rejected or earlier) and not allow_rejects:
        if quiet and summary.rejected:
            # -q drops the reject lines and the summary, not the reason for a
            # failing exit: a CI log would show exit 1 and nothing else.
            of = (f"{summary.inputs} inputs" if summary.read == summary.inputs
                  else f"{summary.read} records read from {summary.inputs} inputs")
            _err(f"{summary.rejected} of {of} rejected "
                 f"({summary.reject_reasons()}); exit {EXIT_REJECTS} (without -q, each "
                 "is named on stderr; --allow-rejects exits 0).")
        return EXIT_REJECTS
    return EXIT_OK


def _report_stop_at_once(interrupt: KeyboardInterrupt) -> int:
    """Say why the run stopped without finishing its input; its exit code."""
    from cleaner.batch import SecondSignal  # noqa: PLC0415 - loaded by now

    interrupts.answered()
    if isinstance(interrupt, SecondSignal):
        _err(f"stopped at once by {_second_signal(interrupt)}; output since the last "
             "checkpoint was discarded.")
        return 128 + interrupt.signum
    _err("stopped by SIGINT; output since the last checkpoint was discarded.")
    return 128 + signal.SIGINT


def _report_earlier_rejects(
    earlier: Counter[str], output_dir: str | None, *, allow_rejects: bool
) -> None:
    reasons = ", ".join(
        f"{reason} {count}" for reason, count in sorted(earlier.items())
        if reason != UNLISTED_REASON
    )
    where = [f"{reasons}: listed in its rejects file"] if reasons else []
    if earlier[UNLISTED_REASON]:
        where.append(f"{earlier[UNLISTED_REASON]} listed only as rejected in its manifest: "
                     "their reasons are in the --rejects file of the run that rejected them")
    decides = "" if allow_rejects else f"; exit {EXIT_REJECTS} (--allow-rejects exits 0)"
    _err(f"{earlier.total()} rejects from the earlier runs into {output_dir} "
         f"({'; '.join(where)}){decides}.")


def _progress_bar(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm  # type: ignore[import-untyped]  # noqa: PLC0415 - only on a terminal

    # No monitor thread: worker processes are forked only while there is one thread.
    tqdm.monitor_interval = 0
    columns, lines = _terminal_size()
    if columns > 0 and lines > 0:  # follow the terminal when it is resized
        return tqdm(file=sys.stderr, unit="doc", dynamic_ncols=True, leave=False)
    # A terminal that reports no size (a new pseudo-terminal is 0 x 0, as under
    # `script` and some CI runners): tqdm draws nothing there (at 0 rows, not
    # even with a width given), so it is given a size.
    return tqdm(file=sys.stderr, unit="doc", leave=False,
                ncols=columns or FALLBACK_SIZE.columns, nrows=lines or FALLBACK_SIZE.lines)


# The progress bar's terminal size when the terminal does not tell its own.
FALLBACK_SIZE = os.terminal_size((80, 24))


def _terminal_size() -> tuple[int, int]:
    """Columns and lines of standard error's terminal; 0 for what it does not report."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        return 0, 0
    return size.columns, size.lines


def _report_failure(summary: Summary, *, output: str | None, output_dir: str | None) -> None:
    where = f" after {summary.last_source}" if summary.last_source else ""
    done = f"{summary.inputs} inputs done this run{where}"
    if output_dir is not None and "://" not in output_dir and not os.path.isdir(output_dir):  # noqa: PTH112
        # (A --dask run that never reached its scheduler made none.)
        advice = f"{output_dir} was not made; deal with the error, then rerun."
    elif output_dir is not None and "://" not in output_dir:
        from cleaner import outputs  # noqa: PLC0415 - loaded by now

        # What the directory holds now: the shards committed before the error.
        listed = sum(outputs.read_resume_state(output_dir).done.values())
        advice = (f"{output_dir} holds the {listed} inputs its manifest lists; deal with "
                  "the error, then rerun the same command with --resume to continue.")
    elif output_dir is not None:
        # Not counted: reading the remote manifest back may fail as the run did.
        advice = (f"{output_dir} holds the inputs its manifest lists (up to its last "
                  "checkpoint); deal with the error, then rerun the same command with "
                  "--resume to continue.")
    elif output is not None:
        advice = (f"{output} was left as it was (it is written only when complete); deal "
                  "with the error, then rerun.")
    else:
        advice = "deal with the error, then rerun the whole run."
    _err(f"stopped by the error above ({done}); {advice}")


def _report_interruption(summary: Summary, output_dir: str | None, output: str | None) -> None:
    where = f" after {summary.last_source}" if summary.last_source else ""
    if output_dir is not None:
        advice = "rerun the same command with --resume to continue."
    elif output is not None:
        advice = f"{output} was left as it was; rerun to redo the whole run."
    else:
        advice = "the output holds complete records for them; rerun to redo the whole run."
    _err(f"interrupted by {summary.interrupted}: stopped{where} "
         f"({summary.inputs} inputs done this run); {advice}")


# The forms explain shows line by line: one page each (JSON records hold one per record).
EXPLAIN_FORMATS = ("auto", "text", "markdown", "html")


@explain_app.command(help="Print every line of FILE with its decision, category and rule.",
                     cls=_UsageAsWritten)
def explain_command(
    file: Annotated[str, typer.Argument(
        metavar="FILE",
        help="A page dump (or - for stdin), or FILE#N for record N of JSON records, "
             "as a record's source names it.")],
    max_bytes: Annotated[
        int | None,
        typer.Option("--max-bytes", min=1, metavar="N",
                     help="Refuse inputs over N bytes (after decompressing) "
                          "[default: 32 MiB].", show_default=False),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", metavar=f"[{'|'.join(EXPLAIN_FORMATS)}]",
                     help="Input form; markdown and HTML are shown as the text dump the "
                          "cleaner made of them."),
    ] = "auto",
    text_field: Annotated[
        str,
        typer.Option("--text-field", metavar="NAME",
                     help="For FILE#N: the field holding the page text, as for cleaning."),
    ] = "text",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    del version
    try:
        _explain(file, max_bytes=max_bytes, fmt=fmt, text_field=text_field)
    except KeyboardInterrupt:
        raise _interrupted("before the explanation was printed") from None


def _check_text_field(text_field: str) -> None:
    # An empty name was read as the default before, so a mistyped variable
    # ($FIELD unset) cleaned the wrong field without a word.
    if not text_field.strip():
        raise UsageError("--text-field names the field holding the page text; "
                         "it cannot be empty (the default is text).")


# A record of JSON records as a run names it in `source`: "pages.jsonl#3".
_RECORD_SOURCE = re.compile(r"(.+)#([0-9]+)")
# How records are numbered, for the errors that name one.
_RECORD_NUMBERS = ("records are numbered as a run names them in `source`: by line for "
                   "JSON Lines, from 1 in an array, and a file of one object by the line "
                   "it starts on")


def _record_address(file: str) -> tuple[str, str] | None:
    """FILE#N as (FILE, N) when it names a record: no file of that whole name
    (a file named so is read as it is), and FILE is there."""
    found = _RECORD_SOURCE.fullmatch(file)
    if found is None or os.path.lexists(file) or not os.path.lexists(found[1]):
        return None
    return found[1], found[2]


def _explain(file: str, *, max_bytes: int | None, fmt: str, text_field: str = "text") -> None:
    from cleaner import inputs  # noqa: PLC0415 - keep start-up light
    from cleaner.errors import Rejected  # noqa: PLC0415

    if fmt not in (*EXPLAIN_FORMATS, "jsonl"):  # (jsonl: refused below, with the reason)
        raise _fail(UsageError(f"Unknown --format {fmt!r}; explain takes one of "
                               f"{', '.join(EXPLAIN_FORMATS)}."))
    try:
        _check_text_field(text_field)
    except UsageError as error:
        raise _fail(error) from None
    address = _record_address(file) if file != "-" else None
    if address is not None:
        path, number = address
        if number != str(int(number)) or int(number) == 0:
            raise _fail(UsageError(f"{file}: {_RECORD_NUMBERS}, from 1 and without "
                                   "leading zeros."))
        _explain_record(path, int(number), max_bytes=max_bytes, fmt=fmt,
                        text_field=text_field)
        return

    try:
        from cleaner.explain import render_explanation  # noqa: PLC0415
    except ImportError:
        raise _fail(DwCleanError("explain is not available in this version.")) from None
    limit = max_bytes or inputs.DEFAULT_MAX_BYTES
    if file == "-":
        try:
            ref = inputs.read_stdin(_stdin(), limit)
        except UsageError as error:
            raise _fail(error) from None
    else:
        ref = inputs.InputRef(source=file, path=file)
    try:
        decoded = inputs.decode(inputs.read_input(ref, max_bytes=limit))
    except Rejected as rejected:
        _err(f"cannot explain {file}: {rejected.reason.value} ({rejected.detail})")
        raise typer.Exit(code=EXIT_REJECTS) from None
    try:
        explanation = render_explanation(decoded.text, source=ref.source, fmt=fmt)
    except DwCleanError as error:  # JSON Lines: one page per line, not one page
        raise _fail(error) from None
    if sys.stdout is None:  # `>&-`: echo would drop the explanation without a word
        raise _fail(UsageError("Standard output is closed; the explanation goes there."))
    _print_all(explanation)


def _explain_record(
    path: str, number: int, *, max_bytes: int | None, fmt: str, text_field: str
) -> None:
    """`explain FILE#N`: record N of JSON records, read as a run reads it."""
    from cleaner import inputs  # noqa: PLC0415 - keep start-up light
    from cleaner.errors import Rejected  # noqa: PLC0415
    from cleaner.explain import render_page  # noqa: PLC0415
    from cleaner.formats.records import (  # noqa: PLC0415
        analyse_record_page,
        find_record,
        no_text_detail,
    )

    where = f"{path}#{number}"

    def cannot(why: str) -> typer.Exit:
        _err(f"cannot explain {where}: {why}")
        return typer.Exit(code=EXIT_REJECTS)

    if fmt not in ("auto", "jsonl"):
        raise _fail(UsageError(f"{where} names a JSON record; --format {fmt} is for a page "
                               "file (a record's text is read as a run reads it)."))
    try:
        # As a run reads it: JSON Lines cut short keep their complete lines.
        data, cut_off = inputs.read_input_salvaging_lines(
            inputs.InputRef(source=path, path=path),
            max_bytes=max_bytes or inputs.DEFAULT_MAX_BYTES, fmt=fmt)
        decoded = inputs.decode(data, name=path, fmt=fmt)
    except Rejected as rejected:
        raise cannot(f"{rejected.reason.value} ({rejected.detail})") from None
    if cut_off is not None and cut_off.source == where:
        raise cannot(f"{cut_off.reason} ({cut_off.detail})")
    record = find_record(decoded.text, path, number)
    if isinstance(record, RecordError) and record.source == path:
        from cleaner.formats.detect import JSONL, detect_format  # noqa: PLC0415

        looks_like = detect_format(decoded.text)
        if looks_like != JSONL:  # a page: explained as one
            raise cannot(f"{path} holds no JSON records but a {looks_like} page: "
                         f"`dw-clean explain {path}` explains it")
    if isinstance(record, RecordError):
        raise cannot(f"{record.reason} ({record.detail})")
    if record is None:
        raise cannot(f"{path} has no record #{number} ({_RECORD_NUMBERS})")
    analysed = analyse_record_page(record, text_field=text_field)
    if analysed is None:
        raise cannot(f"no_text ({no_text_detail(record, text_field)})")
    page, text = analysed
    if sys.stdout is None:
        raise _fail(UsageError("Standard output is closed; the explanation goes there."))
    _print_all(render_page(page, text, source=where))


def _print_all(text: str) -> None:
    """`text` to standard output, all of it, or a clean error (exit 1).

    Not typer.echo: its one write() to an unbuffered stream (PYTHONUNBUFFERED)
    takes part of the text when the reader goes away and says nothing, and
    a full disk ended in a traceback. A reader gone is BrokenPipeError, which
    `main` ends with 141, as for the records.
    """
    from cleaner.outputs import write_all, write_error  # noqa: PLC0415 - loaded by now

    stdout = sys.stdout
    data = text.encode(stdout.encoding, stdout.errors or "strict")
    try:
        stdout.flush()  # (empty: nothing else is printed through it)
        write_all(stdout.buffer, data)
        stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _fail(write_error(error, "standard output")) from None


DEDUP_MODES = ("flag", "drop")


def normalize_args(args: list[str]) -> list[str]:
    """Give a bare `--dedup` its default value, `--dedup=flag`.

    Typer has no options with an optional value, so `--dedup` followed by
    anything but `flag` or `drop` (a path, another option, nothing) is
    rewritten before parsing. Arguments after `--` are left alone.
    """
    result: list[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            return result + args[index:]
        if arg == "--dedup" and (index + 1 >= len(args) or args[index + 1] not in DEDUP_MODES):
            result.append("--dedup=flag")
        else:
            result.append(arg)
    return result


def main(argv: list[str] | None = None) -> None:
    """Run `dw-clean` with `argv` (default: the command line's arguments).

    The console script starts through `cleaner.launch`, which catches a
    Ctrl-C while this module loads."""
    args = normalize_args(sys.argv[1:] if argv is None else argv)
    explaining = args[:1] == ["explain"]
    try:
        if explaining:
            explain_app(args=args[1:], prog_name="dw-clean explain")
        else:
            clean_app(args=args, prog_name="dw-clean")
    except KeyboardInterrupt:
        # Ctrl-C while Typer makes the command out of the function's
        # signature, before click or the command can catch it: it ended in
        # a traceback.
        _stop_on_unreported_sigint(explaining=explaining)
    except BrokenPipeError as error:
        # Click prints its own errors (a usage error, "Aborted!") to standard
        # error, and only those, while it handles them: the pipe that broke
        # then is standard error's. Nobody reads it, and the status is the
        # error's (2 for a usage error), not standard output's 141.
        status = getattr(error.__context__, "exit_code", None)
        if isinstance(status, int):
            _silence_stderr()
            sys.exit(status)
        _stop_on_closed_stdout()
    except SystemExit as exit_:
        # Click catches a closed standard output itself and exits with 1,
        # which a pipeline reads as a failure: here it ends like the rest.
        if isinstance(exit_.__context__, BrokenPipeError):
            _stop_on_closed_stdout()
        if interrupts.take_unanswered_sigint():
            # A Ctrl-C that Typer turned into a silent exit 130 (it came while
            # click parsed the command line), or whose KeyboardInterrupt was
            # lost (see cleaner.interrupts) where no run could take it up.
            _stop_on_unreported_sigint(explaining=explaining)
        _settle_stdout()
        raise


def _stop_on_unreported_sigint(*, explaining: bool) -> NoReturn:
    """Exit 130, saying so, for a Ctrl-C that no part of the command reported."""
    interrupts.answered()
    if interrupts.run_began():
        _err("stopped by SIGINT after the run had ended; its output stays as the run left it.")
    elif explaining:
        _interrupted("before the explanation was printed")
    else:
        _interrupted("before the run began")
    _settle_stdout()
    sys.exit(128 + signal.SIGINT)


def _settle_stdout() -> None:
    """Flush standard output before the exit, and drop what cannot be written.

    Everything written is flushed as it is written, and a failure reported
    (a full disk: exit 1). Output still buffered after such a failure would
    fail again when Python flushes it at exit, which then prints "Exception
    ignored" and exits 120 instead of the status the run reported.
    """
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError:
        _drop_stdout()


def _drop_stdout() -> None:
    """Send standard output to /dev/null: what is left in its buffer is lost."""
    _to_devnull(sys.stdout)


def _stop_on_closed_stdout() -> None:
    """The reader (`| head`) went away: stop quietly, as other Unix tools do,
    with 141, the status of a process that SIGPIPE ended."""
    # Output still buffered would fail again when Python flushes it at exit.
    _drop_stdout()
    sys.exit(128 + signal.SIGPIPE)
