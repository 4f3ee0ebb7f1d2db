"""Score dw-clean's HTML path against trafilatura alone on the nine HTML pages.

Every page in fixtures/html/ that has a gold file is cleaned by each system and
scored with `cleaner.evaluation`, the scoring `scripts/evaluate.py` uses:
character-weighted line precision / recall / F1 of the text against the gold
body (micro-averaged), and title / date / language accuracy. A whole HTML page
holds every gold paragraph, its title and its date, so all of them are scored
on every page (no "missing from the dump" exemptions).

Systems:

- dw-clean: `cleaner.formats.html.clean_html` (trafilatura's main text, the DW
  rule tables, the page's own metadata);
- trafilatura: `trafilatura.bare_extraction` with its metadata, defaults
  otherwise (comments off, as in the fixtures);
- trafilatura precision: the same with `favor_precision=True`.

Timing: total wall time of each system's extraction over the nine pages, best
of `--repeat` runs after one warm-up run, and the ratio dw-clean / trafilatura
(`trafilatura.extract`, text only, the extraction dw-clean builds on). The issue
asks for a ratio of at most 1.5.

    /work/venv/bin/python scripts/evaluate_html.py              # summary + timing
    /work/venv/bin/python scripts/evaluate_html.py --per-page   # + one row per page and system
    /work/venv/bin/python scripts/evaluate_html.py --verbose    # + dw-clean's missed / wrong lines
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from cleaner.evaluation import (
    DumpResult,
    Gold,
    Prediction,
    date_matches,
    flag,
    language_matches,
    markdown_table,
    percent,
    score_lines,
    summarise,
    summary_row,
    title_matches,
)
from cleaner.formats.html import clean_html

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "fixtures" / "gold"
HTML_DIR = ROOT / "fixtures" / "html"
MAX_RATIO = 1.5


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    html: str
    gold: Gold


System = Callable[[Page], Prediction]


def load_pages(html_dir: Path, gold_dir: Path) -> list[Page]:
    pages = []
    for path in sorted(html_dir.glob("*.html")):
        gold_path = gold_dir / f"{path.stem}.json"
        if gold_path.exists():
            gold = Gold.from_dict(json.loads(gold_path.read_text(encoding="utf-8")))
            pages.append(Page(path.stem, path.read_text(encoding="utf-8"), gold))
    return pages


def run_dw_clean(page: Page) -> Prediction:
    doc = clean_html(page.html, source=page.name)
    return Prediction(text=doc.text, title=doc.title, date=doc.date, language=doc.language)


def _trafilatura(page: Page, **options: Any) -> Prediction:
    result = trafilatura.bare_extraction(
        page.html, include_comments=False, with_metadata=True, **options
    )
    if result is None:
        return Prediction(text="")
    return Prediction(
        text=result.text or "", title=result.title, date=result.date, language=result.language
    )


def run_trafilatura(page: Page) -> Prediction:
    return _trafilatura(page)


def run_trafilatura_precision(page: Page) -> Prediction:
    return _trafilatura(page, favor_precision=True)


SYSTEMS: dict[str, System] = {
    "dw-clean": run_dw_clean,
    "trafilatura": run_trafilatura,
    "trafilatura favor_precision": run_trafilatura_precision,
}


def evaluate_page(prediction: Prediction, page: Page) -> DumpResult:
    """`evaluation.evaluate_dump` for a whole page: every gold line, the title and date count."""
    gold = page.gold
    return DumpResult(
        dump=page.name,
        page=page.name,
        lines=score_lines(prediction.text, gold.body, "\n".join(gold.body)),
        title_ok=title_matches(prediction.title, gold.title),
        date_ok=date_matches(prediction.date, gold.date),
        language_ok=language_matches(prediction.language, gold.language),
    )










def page_row(name: str, result: DumpResult) -> list[str]:
    lines = result.lines
    return [
        result.page,
        name,
        percent(lines.precision),
        percent(lines.recall),
        percent(lines.f1),
        flag(result.title_ok),
        flag(result.date_ok),
        flag(result.language_ok),
    ]




def details(result: DumpResult) -> str:
    out = [f"### {result.page}"]
    for label, lines in (
        ("missed gold", result.lines.missed),
        ("wrong output", result.lines.wrong),
    ):
        out.extend(f"- {label}: {line[:160]}" for line in lines)
    return "\n".join(out)


def best_time(work: Callable[[], object], repeat: int) -> float:
    """Best wall time of `repeat` runs, after one warm-up run (imports, rule tables)."""
    work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def timing(pages: Sequence[Page], repeat: int) -> tuple[float, float]:
    def dw_clean() -> None:
        for page in pages:
            clean_html(page.html, source=page.name)

    def trafilatura_alone() -> None:
        for page in pages:
            trafilatura.extract(page.html, include_comments=False)

    return best_time(dw_clean, repeat), best_time(trafilatura_alone, repeat)


SUMMARY_HEADER = ["system", "precision", "recall", "F1", "title acc", "date acc", "language acc"]
PAGE_HEADER = ["page", "system", "precision", "recall", "F1", "title", "date", "lang"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-page", action="store_true", help="one row per page and system")
    parser.add_argument("--verbose", action="store_true", help="dw-clean's missed / wrong lines")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs (best is reported)")
    parser.add_argument("--no-timing", action="store_true", help="skip the timing runs")
    parser.add_argument("--html-dir", type=Path, default=HTML_DIR)
    parser.add_argument("--gold-dir", type=Path, default=GOLD_DIR)
    args = parser.parse_args(argv)

    pages = load_pages(args.html_dir, args.gold_dir)
    results = {
        name: [evaluate_page(system(page), page) for page in pages]
        for name, system in SYSTEMS.items()
    }
    print(f"{len(pages)} HTML pages with gold files; scores in %, micro-averaged.\n")
    print(
        markdown_table(SUMMARY_HEADER, [summary_row(n, summarise(r)) for n, r in results.items()])
    )
    if args.per_page:
        rows = [page_row(name, result) for name, rows in results.items() for result in rows]
        rows.sort(key=lambda row: row[0])
        print("\n" + markdown_table(PAGE_HEADER, rows))
    if args.verbose:
        print("\n" + "\n\n".join(details(result) for result in results["dw-clean"]))
    if not args.no_timing:
        ours, theirs = timing(pages, args.repeat)
        ratio = ours / theirs if theirs else float("inf")
        verdict = "ok" if ratio <= MAX_RATIO else f"OVER the {MAX_RATIO}x budget"
        print(
            f"\nTime for {len(pages)} pages (best of {args.repeat}): dw-clean HTML path "
            f"{ours * 1000:.0f} ms, trafilatura.extract alone {theirs * 1000:.0f} ms; "
            f"ratio {ratio:.2f} ({verdict})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
