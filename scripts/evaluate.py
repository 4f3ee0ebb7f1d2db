"""Score dw-clean and baseline extractors on the gold fixtures.

Every dump in fixtures/dumps/ (<page>.<tool>.txt or .md) is cleaned by each system and
scored against fixtures/gold/<page>.json with `cleaner.evaluation`:
character-weighted line precision / recall / F1 of the text (micro-averaged over
all dumps), and title / date / language accuracy.

    /work/venv/bin/python scripts/evaluate.py               # one row per system
    /work/venv/bin/python scripts/evaluate.py --per-dump    # + dw-clean per dump
    /work/venv/bin/python scripts/evaluate.py --per-dump --verbose   # + missed / wrong lines
    /work/venv/bin/python scripts/evaluate.py --json        # machine-readable

Baselines see the dump the way dw-clean does, as plain lines: trafilatura and
jusText get each line as a <p> of a minimal HTML page (they are HTML extractors,
and this is the fairest way to hand them a text dump); passthrough returns the
dump unchanged. Title / date accuracy counts only dumps that state the title /
date at all; a system with no answer is wrong there.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import justext
import trafilatura

from cleaner.evaluation import (
    DumpResult,
    Gold,
    Prediction,
    Summary,
    evaluate_dump,
    flag,
    markdown_table,
    percent,
    summarise,
    summary_row,
)
from cleaner.formats import clean_any, detect_format
from cleaner.formats.markdown import markdown_to_dump

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "fixtures" / "gold"
DUMPS_DIR = ROOT / "fixtures" / "dumps"

# jusText wants its stoplist by English language name; gold files carry ISO 639-1 codes.
JUSTEXT_LANGUAGES = {"en": "English", "de": "German", "fr": "French"}


@dataclass(frozen=True, slots=True)
class Dump:
    path: Path
    page: str
    tool: str
    text: str
    # What gold lines are looked for in: the text itself, or for a markdown
    # dump the plain text it stands for (links and emphasis undone, paragraphs
    # joined), so a renderer's markup is not counted as a lost paragraph.
    reference: str


# A system maps (dump, gold) to a prediction. The gold is passed only so that
# jusText can be given the page's language, which it cannot detect itself.
System = Callable[[Dump, Gold], Prediction]


def load_golds(gold_dir: Path) -> dict[str, Gold]:
    golds = {}
    for path in sorted(gold_dir.glob("*.json")):
        gold = Gold.from_dict(json.loads(path.read_text(encoding="utf-8")))
        golds[gold.page] = gold
    return golds


def load_dumps(dumps_dir: Path, pages: Sequence[str]) -> list[Dump]:
    """Dumps of the pages that have a gold file: "<page>.<tool>.txt" or ".md"."""
    dumps = []
    for path in sorted([*dumps_dir.glob("*.txt"), *dumps_dir.glob("*.md")]):
        page, _, tool = path.stem.partition(".")
        if page in pages:
            text = path.read_text(encoding="utf-8")
            reference = text
            if detect_format(text, name=path.name) == "markdown":
                reference = markdown_to_dump(text).text
            dumps.append(Dump(path, page, tool, text, reference))
    return dumps


def _lines_as_html(text: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip()
    )
    return f'<html><head><meta charset="utf-8"></head><body>\n{paragraphs}</body></html>'


def run_dw_clean(dump: Dump, gold: Gold) -> Prediction:
    # The format is detected as a user's run would detect it (html2text and
    # markdownify dumps are markdown).
    # (The source's name only helps detect the format: a --dumps-dir outside
    # the repository is named as it is.)
    source = dump.path.relative_to(ROOT) if dump.path.is_relative_to(ROOT) else dump.path
    doc = clean_any(dump.text, source=str(source))
    return Prediction(text=doc.text, title=doc.title, date=doc.date, language=doc.language)


def run_trafilatura(dump: Dump, gold: Gold) -> Prediction:
    page = _lines_as_html(dump.text)
    text = trafilatura.extract(page, output_format="txt", include_comments=False) or ""
    metadata = trafilatura.extract_metadata(page)
    if metadata is None:
        return Prediction(text=text)
    return Prediction(
        text=text, title=metadata.title, date=metadata.date, language=metadata.language
    )


def run_justext(dump: Dump, gold: Gold) -> Prediction:
    stoplist = justext.get_stoplist(JUSTEXT_LANGUAGES[gold.language])
    paragraphs = justext.justext(_lines_as_html(dump.text).encode("utf-8"), stoplist)
    return Prediction(text="\n".join(p.text for p in paragraphs if not p.is_boilerplate))


def run_passthrough(dump: Dump, gold: Gold) -> Prediction:
    return Prediction(text=dump.text)


SYSTEMS: dict[str, System] = {
    "dw-clean": run_dw_clean,
    "trafilatura": run_trafilatura,
    "jusText": run_justext,
    "passthrough": run_passthrough,
}


def evaluate(system: System, dumps: Sequence[Dump], golds: dict[str, Gold]) -> list[DumpResult]:
    results = []
    for dump in dumps:
        gold = golds[dump.page]
        prediction = system(dump, gold)
        results.append(evaluate_dump(prediction, gold, dump.reference, dump=dump.path.name))
    return results










def dump_row(result: DumpResult) -> list[str]:
    lines = result.lines
    return [
        result.dump,
        percent(lines.precision),
        percent(lines.recall),
        percent(lines.f1),
        flag(result.title_ok),
        flag(result.date_ok),
        flag(result.language_ok),
        str(len(lines.missing_from_dump)),
    ]




def details(result: DumpResult) -> str:
    """Which gold lines dw-clean missed and which output lines were wrong, for --verbose."""
    out = [f"### {result.dump}"]
    for label, lines in (
        ("missed gold", result.lines.missed),
        ("wrong output", result.lines.wrong),
        ("gold missing from dump", result.lines.missing_from_dump),
    ):
        out.extend(f"- {label}: {line[:160]}" for line in lines)
    return "\n".join(out)


def summary_json(summary: Summary) -> dict[str, Any]:
    lines = summary.lines
    return {
        "dumps": summary.dumps,
        "precision": lines.precision,
        "recall": lines.recall,
        "f1": lines.f1,
        "title_accuracy": summary.title.value,
        "title_scored": summary.title.scored,
        "date_accuracy": summary.date.value,
        "date_scored": summary.date.scored,
        "language_accuracy": summary.language.value,
        "language_scored": summary.language.scored,
        "gold_missing_from_dumps": len(lines.missing_from_dump),
    }


def result_json(result: DumpResult, *, verbose: bool) -> dict[str, Any]:
    lines = result.lines
    data: dict[str, Any] = {
        "dump": result.dump,
        "precision": lines.precision,
        "recall": lines.recall,
        "f1": lines.f1,
        "title_ok": result.title_ok,
        "date_ok": result.date_ok,
        "language_ok": result.language_ok,
        "gold_missing_from_dump": len(lines.missing_from_dump),
    }
    if verbose:
        data |= {"missed": lines.missed, "wrong": lines.wrong, "missing": lines.missing_from_dump}
    return data


SUMMARY_HEADER = ["system", "precision", "recall", "F1", "title acc", "date acc", "language acc"]
DUMP_HEADER = ["dump", "precision", "recall", "F1", "title", "date", "lang", "gold missing"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-dump", action="store_true", help="per-dump rows for dw-clean")
    parser.add_argument(
        "--verbose", action="store_true", help="with --per-dump: missed/wrong lines"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--gold-dir", type=Path, default=GOLD_DIR)
    parser.add_argument("--dumps-dir", type=Path, default=DUMPS_DIR)
    args = parser.parse_args(argv)

    golds = load_golds(args.gold_dir)
    dumps = load_dumps(args.dumps_dir, list(golds))
    results = {name: evaluate(SYSTEMS[name], dumps, golds) for name in args.systems}
    summaries = {name: summarise(rows) for name, rows in results.items()}
    per_dump = args.per_dump and "dw-clean" in results

    if args.json:
        data: dict[str, Any] = {"systems": {n: summary_json(s) for n, s in summaries.items()}}
        if per_dump:
            data["dw-clean"] = [result_json(r, verbose=args.verbose) for r in results["dw-clean"]]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0

    print(f"{len(dumps)} dumps of {len(golds)} gold pages; scores in %, micro-averaged.\n")
    print(markdown_table(SUMMARY_HEADER, [summary_row(n, s) for n, s in summaries.items()]))
    missing = len(next(iter(summaries.values())).lines.missing_from_dump) if summaries else 0
    gold_total = sum(len(golds[dump.page].body) for dump in dumps)
    print(f"\nGold paragraphs missing from their dump (renderer lost them): {missing}/{gold_total}")
    if per_dump:
        print("\n## dw-clean per dump\n")
        print(markdown_table(DUMP_HEADER, [dump_row(r) for r in results["dw-clean"]]))
        if args.verbose:
            print()
            print("\n\n".join(details(r) for r in results["dw-clean"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
