"""Benchmark dw-clean against the I/O floor and trafilatura (issue 3).

Builds a corpus of N realistic dumps by recombining the fixture pages: each
generated page keeps one fixture dump's chrome (menus, footers, image
credits...) line for line, and its article paragraphs are replaced by new
paragraphs of sentences drawn from all fixture pages of the same language,
each paragraph unique in the corpus. (Chrome repeats from page to page in a
real crawl, article text does not; dw-clean remembers what it made of lines it
has seen, so a corpus of recycled paragraphs would flatter it. The script
prints how often lines repeat, in the corpus and in the real fixture pages.)
Then, for each N, it times in subprocesses, in the same run:

  (a) the I/O floor: a plain Python script that reads the same files and
      writes the same number of JSON lines, without cleaning;
  (b) dw-clean --jobs 1;
  (c) dw-clean --jobs 2;
  (d) trafilatura.extract on the same pages (lines wrapped as <p>), measured
      on a sample and extrapolated to N (marked "~" in the table).

(a) to (c) run three times (--repeat), taking turns, and the table shows each
one's median wall time. It prints wall time, documents/s, MB/s (input bytes)
and peak RSS (the sum over the process and its children, sampled with psutil
every 10 ms, the list of children every 0.2 s; without psutil, the largest
single process from getrusage), then the ratios against the targets, and the
time dw-clean takes on a single page (its start-up, which a shell loop pays per
file). No assertion: numbers depend on the machine.

Run from the repository root:

    /work/venv/bin/python scripts/bench.py                 # N = 1,000 and 20,000
    /work/venv/bin/python scripts/bench.py --sizes 200     # quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIRS = (ROOT / "fixtures" / "dumps", ROOT / "fixtures" / "examples")
DW_CLEAN = str(Path(sys.executable).with_name("dw-clean"))

# (a): read every file, decode, write one JSON line each; what any tool must pay.
IO_FLOOR = r"""
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
with open(out, "w", encoding="utf-8") as sink:
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
            sink.write(json.dumps({"source": path, "text": text}, ensure_ascii=False) + "\n")
"""

# (d): trafilatura on the first `sample` files, lines wrapped as <p>.
TRAFILATURA = r"""
import html, json, os, sys, time
import trafilatura
root, out, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
paths = []
for directory, dirs, files in os.walk(root):
    dirs.sort()
    paths += [os.path.join(directory, name) for name in sorted(files)]
with open(out, "w", encoding="utf-8") as sink:
    for path in paths[:sample]:
        text = open(path, encoding="utf-8").read()
        body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
        page = f"<html><body><article>{body}</article></body></html>"
        result = trafilatura.extract(page) or ""
        sink.write(json.dumps({"source": path, "text": result}, ensure_ascii=False) + "\n")
"""


# --- corpus ---------------------------------------------------------------------


@dataclass
class Page:
    language: str
    lines: list[str]
    article: set[int]  # indexes of lines that are article paragraphs


def load_pages() -> tuple[list[Page], dict[str, list[str]]]:
    """Fixture dumps, with the lines the cleaner keeps as paragraphs marked,
    and the kept paragraphs of each language (the sentences to recombine).

    Pages are cleaned the way the CLI cleans them, format detected: html2text
    dumps are markdown, and a markdown line is an article paragraph when its
    text without the inline markup is one.
    """
    # Only the corpus builder needs the cleaner.
    from cleaner.formats import MARKDOWN, clean_any, resolve_format  # noqa: PLC0415
    from cleaner.formats.markdown import inline_text  # noqa: PLC0415

    pages = []
    paragraphs_by_language: dict[str, list[str]] = defaultdict(list)
    for directory in FIXTURE_DIRS:
        for path in sorted(directory.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            document = clean_any(text, source=str(path))
            paragraphs = [p.strip() for p in document.text.split("\n") if len(p.strip()) > 40]
            markdown = resolve_format(text, name=str(path)) == MARKDOWN
            lines = text.splitlines()
            kept = set(paragraphs)
            article = {
                i for i, line in enumerate(lines)
                if (inline_text(line.strip()) if markdown else line.strip()) in kept
            }
            found = {inline_text(lines[i].strip()) if markdown else lines[i].strip()
                     for i in article}
            if len(found) < MIN_PARAGRAPHS_ON_LINES * len(kept):
                # A hard-wrapped render (w3m, links, lynx, html2text at 78
                # columns) or one cut at every link: its article could not
                # be replaced, and the page would keep the fixture's own
                # article, wrapped, beside new paragraphs of one line each,
                # a page no tool writes (and one that costs twice as much).
                continue
            if article:
                language = document.language or "und"
                pages.append(Page(language, lines, article))
                paragraphs_by_language[language] += paragraphs
    return pages, paragraphs_by_language


# The share of a dump's article paragraphs that must be lines of their own for
# the dump to be recombined: 0-16% in the hard-wrapped renders, 22% and more
# in the others (a page's source breaks some paragraphs over lines, which
# resiliparse and BeautifulSoup keep).
MIN_PARAGRAPHS_ON_LINES = 0.2
# Sentence ends, for cutting fixture paragraphs into sentences to recombine.
SENTENCE_BREAK = re.compile(r"(?<=[.!?…。؟])\s+")
CORPUS_VERSION = "4"  # bump when the generated pages change


def unique_paragraph(sentences: list[str], length: int, seen: set[str],
                     rng: random.Random) -> str:
    """`length` sentences drawn at random, one more whenever the result was
    already used: every article paragraph of the corpus is new."""
    while True:
        for _ in range(10):
            paragraph = " ".join(rng.choice(sentences) for _ in range(length))
            if paragraph not in seen:
                seen.add(paragraph)
                return paragraph
        length += 1


def build_corpus(directory: Path, count: int, seed: int = 1) -> int:
    """Write `count` recombined dumps into `directory`; returns their total bytes."""
    marker = directory / ".complete"
    if marker.exists() and marker.read_text().startswith(f"v{CORPUS_VERSION} "):
        return int(marker.read_text().split()[1])
    if directory.exists():
        shutil.rmtree(directory)
    pages, paragraphs = load_pages()
    sentences: dict[str, list[str]] = defaultdict(list)
    lengths: dict[str, list[int]] = defaultdict(list)
    for language, kept in paragraphs.items():
        for paragraph in kept:
            parts = SENTENCE_BREAK.split(paragraph)
            sentences[language] += parts
            lengths[language].append(len(parts))
    rng = random.Random(seed)
    seen: set[str] = set()
    total = 0
    for index in range(count):
        base = pages[index % len(pages)]
        language = base.language
        lines = [
            unique_paragraph(sentences[language], rng.choice(lengths[language]), seen, rng)
            if i in base.article else line
            for i, line in enumerate(base.lines)
        ]
        # Spread files over subdirectories, as a crawl would.
        path = directory / f"{index // 1000:03d}" / f"page-{index:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(lines) + "\n").encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    marker.write_text(f"v{CORPUS_VERSION} {total}")
    return total


def repeated_line_share(paths: list[Path]) -> float:
    """Share of non-blank lines already seen on an earlier page of `paths`:
    what a line memo can hope to reuse, reading the pages in that order."""
    seen: set[str] = set()
    lines = repeats = 0
    for path in paths:
        page = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines += 1
                repeats += line in seen
                page.add(line)
        seen |= page
    return repeats / max(lines, 1)


# --- measuring ------------------------------------------------------------------


@dataclass
class Measure:
    label: str
    seconds: float
    docs: int
    peak_rss: int  # bytes
    note: str = ""


def run_measured(command: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS of a command (and its children)."""
    try:
        import psutil  # noqa: PLC0415 - optional
    except ImportError:
        psutil = None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    if psutil is not None:
        watched = psutil.Process(process.pid)
        tree = [watched]
        samples = 0
        while process.poll() is None:
            try:
                # Listing children walks /proc (about 0.6 ms): done every
                # 0.2 s only, so the watcher takes no CPU the workers need.
                if samples % 20 == 0:
                    tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            samples += 1
            time.sleep(0.01)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    if psutil is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak


def warm_page_cache(corpus: Path) -> None:
    for path in corpus.rglob("*"):
        if path.is_file():
            path.read_bytes()


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def measure_size(
    corpus: Path, count: int, work: Path, sample: int, *, repeat: int = 3, dask: bool = True
) -> list[Measure]:
    out = work / "out.jsonl"
    commands = {
        "(a) I/O floor": [sys.executable, "-c", IO_FLOOR, str(corpus), str(out)],
        **{f"({'bc'[jobs - 1]}) dw-clean --jobs {jobs}":
           [DW_CLEAN, str(corpus), "-o", str(out), "--jobs", str(jobs), "-q"]
           for jobs in (1, 2)},
    }
    # Every run reads the files from the page cache: whichever ran first would
    # otherwise pay for the disk (the floor took 2.2 to 4.5 s on the same
    # 20,000 files, depending on what the machine had evicted).
    warm_page_cache(corpus)
    # (a) to (c) run `repeat` times, taking turns, and each reports its median:
    # on a shared machine one run of the floor varied by 15%, and a slow
    # moment then falls on one run of one command instead of on a ratio.
    walls: dict[str, list[float]] = defaultdict(list)
    peaks: dict[str, int] = defaultdict(int)
    docs: dict[str, int] = {}
    for _ in range(repeat):
        for label, command in commands.items():
            seconds, peak = run_measured(command)
            walls[label].append(seconds)
            peaks[label] = max(peaks[label], peak)
            docs[label] = count_lines(out)
    # The spread goes with the median: on a machine whose neighbours take a
    # third of its CPU, the same ratio came out 1.94 and 1.61 an hour apart.
    results = [Measure(label, statistics.median(walls[label]), docs[label], peaks[label],
                       spread_note(walls[label]))
               for label in commands]

    sample = min(sample, count)
    seconds, peak = run_measured(
        [sys.executable, "-c", TRAFILATURA, str(corpus), str(out), str(sample)])
    done = count_lines(out)
    # Start-up (imports) is paid once; estimate it from an empty run and scale the rest.
    startup, _ = run_measured([sys.executable, "-c", TRAFILATURA, str(corpus), str(out), "0"])
    per_doc = max(seconds - startup, 0.0) / max(done, 1)
    note = "" if sample == count else f"~ sampled {sample}, extrapolated"
    results.append(Measure("(d) trafilatura", startup + per_doc * count, count, peak, note))

    for workers in (1, 2):
        # Issue 6: the same inputs on a local Dask cluster (cluster start included).
        if not dask:
            break
        command = [DW_CLEAN, str(corpus), "--output-dir", str(work / f"dask-{workers}"),
                   "--dask", f"local:{workers}", "-q"]
        seconds, peak = run_measured(command)
        results.append(Measure(f"(e) dw-clean --dask local:{workers}", seconds, count, peak,
                               "--output-dir shards; RSS summed over the cluster"))
    return results


def spread_note(walls: list[float]) -> str:
    """ "median of 3 (1.90-2.11)": how many runs the median is of, and their range."""
    if len(walls) < 2:
        return ""
    return f"median of {len(walls)} ({min(walls):.2f}-{max(walls):.2f})"


def startup_times(page: Path, work: Path, runs: int = 7) -> tuple[float, float]:
    """Median wall time of `dw-clean` on one page, and of a bare interpreter.

    What a shell loop running `dw-clean -` once per file pays per file.
    """
    clean = [DW_CLEAN, str(page), "-o", str(work / "one.jsonl"), "-q"]
    bare = [sys.executable, "-c", "pass"]
    times: dict[int, list[float]] = defaultdict(list)
    for _ in range(runs):
        for index, command in enumerate((clean, bare)):
            # Not run_measured: its memory watcher wakes every 10 ms, too coarse here.
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times[index].append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def table(rows: list[tuple[int, int, Measure]]) -> str:
    header = (f"{'N':>7}  {'run':<22} {'wall s':>8} {'docs/s':>9} {'MB/s':>7} "
              f"{'peak RSS MB':>11}  note")
    lines = [header, "-" * len(header)]
    for count, size, m in rows:
        lines.append(
            f"{count:>7}  {m.label:<22} {m.seconds:>8.2f} {m.docs / m.seconds:>9.0f} "
            f"{size / m.seconds / 1e6:>7.1f} {m.peak_rss / 1e6:>11.1f}  {m.note}"
        )
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def ratios(by_size: dict[int, dict[str, Measure]]) -> list[str]:
    out = []
    for count, m in sorted(by_size.items()):
        a, b, c, d = (m[k] for k in ("a", "b", "c", "d"))
        floor = b.seconds / a.seconds
        speedup = b.seconds / c.seconds
        versus = (b.docs / b.seconds) / (d.docs / d.seconds)
        out += [
            f"N={count}: (b) time / (a) time = {floor:.2f}  (target <= 3: {verdict(floor <= 3)})",
            f"N={count}: (b) time / (c) time = {speedup:.2f}  "
            f"(target >= 1.7: {verdict(speedup >= 1.7)})",
            f"N={count}: (b) docs/s / (d) docs/s = {versus:.0f}  "
            f"(target >= 50: {verdict(versus >= 50)})",
        ]
    sizes = sorted(by_size)
    if len(sizes) > 1:
        small, large = by_size[sizes[0]], by_size[sizes[-1]]
        for key in ("b", "c"):
            growth = large[key].peak_rss / small[key].peak_rss
            out.append(
                f"peak RSS ({key}) N={sizes[-1]} / N={sizes[0]} = {growth:.2f}  "
                f"(target <= 1.2: {verdict(growth <= 1.2)})"
            )
    return out


# Run in the Python of the dw-clean under test: where `cleaner`'s code comes from.
BYTECODE_CHECK = r"""
import os, sys
import cleaner.classify as module
cached = getattr(module, "__cached__", None)  # a compiled module has none
from_source = (module.__file__ or "").endswith(".py") and not (cached and os.path.exists(cached))
print("yes" if from_source and sys.flags.dont_write_bytecode else "no")
"""


def compiles_at_every_start() -> bool:
    """Whether each dw-clean run must compile the package from source.

    That is the case for an editable install (`pip install -e`, as CI and the
    test command use) where PYTHONDONTWRITEBYTECODE is set, as it is on this
    workplace's machines: no `.pyc` is ever written, and every start pays
    about 30 ms to compile the modules again. `pip install .`, the README's
    install, writes the bytecode at install time, as users get it.
    """
    answer = subprocess.run([sys.executable, "-c", BYTECODE_CHECK], capture_output=True,
                            text=True, check=True, cwd=tempfile.gettempdir())
    return answer.stdout.strip() == "yes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000",
                        help="comma-separated corpus sizes N (default: 1000,20000)")
    parser.add_argument("--workdir", default=str(ROOT / "bench-out"),
                        help="where corpora are built and kept between runs")
    parser.add_argument("--trafilatura-sample", type=int, default=200,
                        help="pages trafilatura is timed on before extrapolating")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of (a), (b) and (c) each, taking turns; the median is shown")
    parser.add_argument("--no-dask", action="store_true",
                        help="skip the Dask runs (e): issue 3's targets do not need them")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    rows: list[tuple[int, int, Measure]] = []
    by_size: dict[int, dict[str, Measure]] = {}
    repeats: dict[int, float] = {}
    # Which build is measured: the default pure-Python one, or the compiled one.
    build = subprocess.run([DW_CLEAN, "--version"], capture_output=True, text=True,
                           check=True).stdout.strip()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {build} at {DW_CLEAN}")
    if compiles_at_every_start():
        print("warning: dw-clean's modules have no bytecode and PYTHONDONTWRITEBYTECODE is set,"
              " so every run compiles them (about 30 ms); measure a `pip install .` instead",
              file=sys.stderr)
    for count in sizes:
        corpus = workdir / f"corpus-{count}"
        size = build_corpus(corpus, count)
        print(f"corpus N={count}: {size / 1e6:.1f} MB in {corpus}", file=sys.stderr)
        corpus_files = sorted(path for path in corpus.rglob("*.txt"))
        repeats[count] = repeated_line_share(corpus_files)
        with tempfile.TemporaryDirectory(dir=workdir) as work:
            measures = measure_size(corpus, count, Path(work), args.trafilatura_sample,
                                    repeat=max(args.repeat, 1), dask=not args.no_dask)
        by_size[count] = dict(zip("abcdef"[: len(measures)], measures, strict=True))
        rows += [(count, size, m) for m in measures]
    print(table(rows))
    print()
    print("\n".join(ratios(by_size)))
    print()
    with tempfile.TemporaryDirectory(dir=workdir) as work:
        one_page, bare = startup_times(corpus_files[0], Path(work))
    print(f"one page (start-up): dw-clean {one_page * 1e3:.0f} ms, "
          f"of which starting Python {bare * 1e3:.0f} ms (median of 7)")
    fixtures = sorted(path for directory in FIXTURE_DIRS for path in directory.glob("*.txt"))
    print(f"non-blank lines seen on an earlier page: {repeated_line_share(fixtures):.0%} "
          f"in the {len(fixtures)} real fixture pages; "
          + ", ".join(f"{share:.0%} in the corpus of N={n}" for n, share in repeats.items()))
    print(json.dumps({str(n): {k: round(m.seconds, 3) for k, m in v.items()}
                      for n, v in by_size.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
