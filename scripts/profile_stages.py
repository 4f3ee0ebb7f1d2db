"""Where cleaning time goes, stage by stage, for each input form (issue 3).

Cleans every page of a directory (the benchmark corpus by default) once
without a profiler, for the wall time per page, and once under cProfile, for
each stage's share of that time (cumulative time of the stage's function over
the profiled total; the profiler slows small functions more than large ones,
so read the shares as a guide, not to the percent). The stages:

    split         page -> Line tuples (whitespace, case folding, shapes)
    tables        rule tables and universal shapes, line by line
    structure     the structural passes (title, images, media, zones, body)
    verify        the fixed-point passes over the kept text
    harvest       labels -> record (metadata, language, id)
    markdown      markdown -> text dump (markdown pages only)

Run from the repository root, after `scripts/bench.py` built its corpus:

    python scripts/profile_stages.py [DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

from cleaner.formats import clean_any, resolve_format
from cleaner.version import build_description, compiled_modules

ROOT = Path(__file__).resolve().parent.parent

# Stage -> (file suffix, function name) whose cumulative time is the stage's.
STAGES = {
    "split": ("cleaner/lines.py", "split_lines"),
    "tables": ("cleaner/classify.py", "label_by_tables"),
    "structure+tables": ("cleaner/classify.py", "classify"),
    "harvest": ("cleaner/core.py", "document_from_page"),
    "markdown": ("cleaner/formats/markdown.py", "markdown_to_dump"),
}


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    raw = stats.stats  # type: ignore[attr-defined]  # (file, line, name) -> (cc, nc, tt, ct, callers)
    return float(
        sum(v[3] for (file, _, func), v in raw.items() if file.endswith(suffix) and func == name)
    )


def first_pass_share(pages: list[tuple[str, str]]) -> float:
    """Share of classify() time spent in fixed-point passes (tables=False)."""
    import cleaner.classify as classify_module  # noqa: PLC0415
    import cleaner.core as core_module  # noqa: PLC0415
    import cleaner.formats.common as common_module  # noqa: PLC0415

    spent = {True: 0.0, False: 0.0}
    original = classify_module.classify

    def timed(page: classify_module.Page, *, tables: bool = True) -> classify_module.Page:
        started = time.perf_counter()
        try:
            return original(page, tables=tables)
        finally:
            spent[tables] += time.perf_counter() - started

    callers = (vars(core_module), vars(common_module))  # modules that call classify()
    for names in callers:
        names["classify"] = timed
    try:
        for source, text in pages:
            clean_any(text, source=source)
    finally:
        for names in callers:
            names["classify"] = original
    total = spent[True] + spent[False]
    return spent[False] / total if total else 0.0


def per_line_floor(texts: list[str]) -> tuple[float, float]:
    """ms a page, and lines a page, of the least a line-by-line cleaner in
    Python does: split the page, strip each line and look it up in a dict
    (casefolding and splitting the lines not seen before). The README's
    lower bound for --jobs 1."""
    seen: dict[str, tuple[str, int]] = {}
    lines = 0
    started = time.perf_counter()
    for text in texts:
        for raw in text.splitlines():
            stripped = raw.strip()
            if seen.get(stripped) is None:
                seen[stripped] = (stripped.casefold(), len(stripped.split()))
            lines += 1
    return (time.perf_counter() - started) / len(texts) * 1000, lines / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "bench-out" / "corpus-1000"))
    args = parser.parse_args()
    files = sorted(Path(args.directory).rglob("*.txt"))
    if not files:
        raise SystemExit(f"{args.directory}: no *.txt pages (run scripts/bench.py first)")
    by_form: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in files:
        text = path.read_text(encoding="utf-8")
        by_form[resolve_format(text, "auto", name=str(path))].append((str(path), text))

    print(f"{'form':<9} {'pages':>6} {'ms/page':>8}  stage shares of cleaning time")
    if compiled_modules():
        # cProfile sees no function inside a compiled module: no shares to show.
        print(f"({build_description()}: stage shares need the pure-Python install)")
    for form, pages in sorted(by_form.items()):
        for source, text in pages[:20]:  # warm-up: tables, caches, imports
            clean_any(text, source=source)
        started = time.perf_counter()
        for source, text in pages:
            clean_any(text, source=source)
        per_page = (time.perf_counter() - started) / len(pages) * 1000

        if compiled_modules():
            print(f"{form:<9} {len(pages):>6} {per_page:>8.2f}")
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for source, text in pages:
            clean_any(text, source=source)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = stats.total_tt  # type: ignore[attr-defined]
        shares = {stage: cumulative(stats, *where) / total for stage, where in STAGES.items()}
        verify = first_pass_share(pages) * shares["structure+tables"]
        structure = shares["structure+tables"] - shares["tables"] - verify
        parts = {
            "split": shares["split"],
            "tables": shares["tables"],
            "structure": structure,
            "verify": verify,
            "harvest": shares["harvest"],
            "markdown": shares["markdown"],
        }
        parts["other"] = max(0.0, 1 - sum(parts.values()))
        shown = "  ".join(f"{name} {share:.0%}" for name, share in parts.items() if share >= 0.005)
        print(f"{form:<9} {len(pages):>6} {per_page:>8.2f}  {shown}")
    texts = [text for pages in by_form.values() for _, text in pages]
    floor_ms, lines = per_line_floor(texts)
    print(f"per-line floor (split, strip, dict look-up; no cleaning): {floor_ms:.2f} ms/page, "
          f"{lines:.0f} lines/page")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
