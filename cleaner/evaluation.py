"""Score a cleaner's `text` against hand-checked gold paragraphs.

Pure functions, no I/O: `scripts/evaluate.py` and `tests/test_gold.py` read the
fixtures and hand the strings in.

The unit of comparison is the line. Every renderer (resiliparse, inscriptis,
html2text, trafilatura) writes one article paragraph per line, but they differ
in punctuation details and markup, so lines are compared in a normalised form
(`normalise_line`). Scores are character-weighted, so a long paragraph counts
for more than a stray "Share" line:

- precision = characters of correct output lines / characters of all output lines
- recall = characters of matched gold lines / characters of gold lines present in the dump

A gold paragraph that the renderer lost (or glued to another one) is not in the
dump at all; the cleaner cannot be blamed for it, so it is left out of recall and
reported as `missing_from_dump` instead (a high count there hints at a wrong gold
file rather than a bad renderer).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaner.unwrap import is_cut_at_inline_elements, split_link_list, unwrap

# Quote look-alikes that renderers and editors swap freely: typographic quotes
# in the HTML, ASCII in a scraper's output, a prime (′) in old DW <title> tags.
_SINGLE_QUOTES = "′’‘`‚‹›"
_DOUBLE_QUOTES = "“”„«»″"
_QUOTE_TABLE = str.maketrans(
    _SINGLE_QUOTES + _DOUBLE_QUOTES, "'" * len(_SINGLE_QUOTES) + '"' * len(_DOUBLE_QUOTES)
)

# Invisible characters that some renderers keep and others drop: soft hyphen,
# zero-width space / non-joiner / joiner, byte order mark.
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")

# Markdown as html2text writes it. Order matters: images before links, links
# before escapes, escapes last so that an escaped "\_" survives emphasis removal.
_MD_IMAGE_RE = re.compile(
    r"""!\[([^\]]*)\]            # ![alt]
        \((?:[^()]|\([^()]*\))*\)  # (src "title"), one level of nested parentheses
    """,
    re.VERBOSE,
)
_MD_LINK_RE = re.compile(
    r"""\[([^\]]*)\]             # [text]
        \((?:[^()]|\([^()]*\))*\)  # (url "title"), urls may hold parentheses
    """,
    re.VERBOSE,
)
_MD_LINE_PREFIX_RE = re.compile(
    r"""^\s*(?:
        \#{1,6}\s*      # heading
      | >\s*            # block quote
      | [*\-•+]\s+      # bullet (needs a space: "-5 degrees" and "---" are text)
    )""",
    re.VERBOSE,
)
_MD_STRONG_RE = re.compile(r"\*\*|__")
# Single "_" / "*" emphasis only at word edges, so "be_strong" stays intact.
_MD_EMPHASIS_RE = re.compile(r"(?<![\w\\])[_*](?=\S)|(?<=[^\s\\])[_*](?!\w)")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_WHITESPACE_RE = re.compile(r"\s+")
# A hard wrapper (w3m) breaks before a hyphen as readily as after a space, so
# a wrapped line can start with one: "Patriot" / "-Flugabwehrsysteme", "known"
# / "- around". Joined with a space, the compound is split; read line by line,
# "- around" is a list bullet and loses its dash. Compared with the spaces
# around hyphens dropped, both read as the paragraph did.
_HYPHEN_SPACING_RE = re.compile(r" ?- ?")


def normalise_line(line: str) -> str:
    """Comparison key of one line: same words, same order, markup and typography ignored."""
    text = unicodedata.normalize("NFKC", line)
    text = _INVISIBLE_RE.sub("", text)
    text = _MD_IMAGE_RE.sub(r"\1", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    # Prefixes can stack ("> * item", "* ## heading"): strip until none is left.
    while (stripped := _MD_LINE_PREFIX_RE.sub("", text, count=1)) != text:
        text = stripped
    text = _MD_STRONG_RE.sub("", text)
    text = _MD_EMPHASIS_RE.sub("", text)
    text = _MD_ESCAPE_RE.sub(r"\1", text)
    text = _WHITESPACE_RE.sub(" ", text).strip()
    return text.casefold().translate(_QUOTE_TABLE)


def normalise_title(title: str) -> str:
    """Titles compare exactly, up to Unicode form, quote style and whitespace (case counts)."""
    text = unicodedata.normalize("NFKC", title).translate(_QUOTE_TABLE)
    return _WHITESPACE_RE.sub(" ", text).strip()


def normalised_lines(text: str) -> list[str]:
    """Non-empty normalised lines of a text, in order."""
    return [key for key in (normalise_line(line) for line in text.splitlines()) if key]


def _unhyphenated(text: str) -> str:
    """A text's comparison key without the spaces around its hyphens."""
    return _HYPHEN_SPACING_RE.sub("-", normalise_line(text))


@dataclass(frozen=True, slots=True)
class GoldSplit:
    """Gold paragraphs of one page, split by whether a given dump contains them."""

    present: list[str]
    missing: list[str]


# lynx's number in front of a link's text, "[12]Inhalt" (see `split_link_list`).
_LYNX_LINK_NUMBER_RE = re.compile(r"\[\d+\](?=\S)")


def split_gold(gold_body: Sequence[str], dump_text: str) -> GoldSplit:
    """Gold lines a dump can be scored on: those the renderer kept as a line of their own."""
    linked = split_link_list(dump_text)
    if linked is not None:
        # lynx's link numbers and its list of URLs are the renderer's: a
        # paragraph is in the dump when its words are, around the numbers.
        dump_text = _LYNX_LINK_NUMBER_RE.sub("", linked[0])
    available = Counter(normalised_lines(dump_text))
    # A hard-wrapped dump (w3m, lynx) has no paragraph on a line of its own: a
    # paragraph is there when its words run on across the line breaks.
    wrapped = unwrap(dump_text) is not None
    running = f" {' '.join(normalised_lines(dump_text))} " if wrapped else ""
    running_unhyphenated = f" {_unhyphenated(' '.join(dump_text.split()))} " if wrapped else ""
    # A dump cut at inline elements (BeautifulSoup's) has a paragraph with a
    # link in it over several lines, a comma or a hyphen starting a line of its
    # own: the paragraph is there when its characters run on across the line
    # breaks, spaces aside.
    cut = not wrapped and is_cut_at_inline_elements(dump_text)
    unspaced = _WHITESPACE_RE.sub("", "".join(normalised_lines(dump_text))) if cut else ""
    present: list[str] = []
    missing: list[str] = []
    for paragraph in gold_body:
        key = normalise_line(paragraph)
        if key and available[key] > 0:
            available[key] -= 1
            present.append(paragraph)
        elif key and (
            f" {key} " in running
            or f" {_unhyphenated(paragraph)} " in running_unhyphenated
            or (cut and _WHITESPACE_RE.sub("", key) in unspaced)
        ):
            present.append(paragraph)
        else:
            missing.append(paragraph)
    return GoldSplit(present=present, missing=missing)


@dataclass(slots=True)
class LineScore:
    """Character counts behind precision and recall, summable across dumps."""

    correct_chars: int = 0
    output_chars: int = 0
    matched_gold_chars: int = 0
    gold_chars: int = 0
    # Gold paragraphs absent from the dump itself (not counted in recall).
    missing_from_dump: list[str] = field(default_factory=list)
    # Present gold lines the output did not reproduce.
    missed: list[str] = field(default_factory=list)
    # Output lines that match no (remaining) gold line.
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        # No output at all is vacuously precise; recall then carries the penalty.
        return self.correct_chars / self.output_chars if self.output_chars else 1.0

    @property
    def recall(self) -> float:
        return self.matched_gold_chars / self.gold_chars if self.gold_chars else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: LineScore) -> LineScore:
        return LineScore(
            correct_chars=self.correct_chars + other.correct_chars,
            output_chars=self.output_chars + other.output_chars,
            matched_gold_chars=self.matched_gold_chars + other.matched_gold_chars,
            gold_chars=self.gold_chars + other.gold_chars,
            missing_from_dump=self.missing_from_dump + other.missing_from_dump,
            missed=self.missed + other.missed,
            wrong=self.wrong + other.wrong,
        )


def score_lines(output_text: str, gold_body: Sequence[str], dump_text: str) -> LineScore:
    """Character-weighted line precision/recall of `output_text` against the gold body.

    Matching is by multiset: a gold line repeated twice must be output twice to
    count twice, and an output line repeated beyond the gold count is wrong.
    """
    split = split_gold(gold_body, dump_text)
    remaining: Counter[str] = Counter(normalise_line(line) for line in split.present)
    score = LineScore(
        gold_chars=sum(remaining[key] * len(key) for key in remaining),
        missing_from_dump=list(split.missing),
    )
    for line in output_text.splitlines():
        key = normalise_line(line)
        if not key:
            continue
        score.output_chars += len(key)
        if remaining[key] > 0:
            remaining[key] -= 1
            score.correct_chars += len(key)
            score.matched_gold_chars += len(key)
        else:
            score.wrong.append(line.strip())
    for paragraph in split.present:
        key = normalise_line(paragraph)
        if remaining[key] > 0:
            remaining[key] -= 1
            score.missed.append(paragraph)
    return score


def micro_average(scores: Iterable[LineScore]) -> LineScore:
    """Sum the character counts of all dumps: long pages weigh more, as they should."""
    total = LineScore()
    for score in scores:
        total = total + score
    return total


def title_in_dump(title: str, dump_text: str) -> bool:
    """Whether a reader of the dump could find the headline at all (else it is not scored)."""
    key = normalise_line(title)
    return bool(key) and key in "\n".join(normalised_lines(dump_text))


def date_in_dump(date_forms: Sequence[str], dump_text: str) -> bool:
    """Whether the dump states the publication date in one of its known spellings."""
    haystack = "\n".join(normalised_lines(dump_text))
    return any(normalise_line(form) in haystack for form in date_forms if form.strip())


def title_matches(predicted: str | None, gold: str) -> bool:
    return predicted is not None and normalise_title(predicted) == normalise_title(gold)


def date_matches(predicted: str | None, gold: str) -> bool:
    return predicted is not None and predicted.strip() == gold


def language_matches(predicted: str | None, gold: str) -> bool:
    return predicted is not None and predicted.strip().casefold() == gold.casefold()


def surviving_chrome(output_text: str, chrome: Iterable[str]) -> list[str]:
    """Chrome lines of a gold file that still stand as a line of their own in the output."""
    output_keys = set(normalised_lines(output_text))
    return [line for line in chrome if normalise_line(line) in output_keys]


@dataclass(frozen=True, slots=True)
class Gold:
    """One hand-checked gold file (fixtures/gold/<page>.json); see fixtures/gold/README.md."""

    page: str
    language: str
    title: str
    date: str
    layout: str
    body: tuple[str, ...]
    chrome: tuple[str, ...]
    # Spellings of the publication date as they appear in the page's dumps; empty
    # when no dump states it (then no date is expected from any dump).
    date_forms: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gold:
        return cls(
            page=str(data["page"]),
            language=str(data["language"]),
            title=str(data["title"]),
            date=str(data["date"]),
            layout=str(data["layout"]),
            body=tuple(str(line) for line in data["body"]),
            chrome=tuple(str(line) for line in data["chrome"]),
            date_forms=tuple(str(form) for form in data.get("date_forms", ())),
            metadata=dict(data.get("metadata", {})),
            notes=str(data.get("notes", "")),
        )


@dataclass(frozen=True, slots=True)
class Prediction:
    """What a system made of one dump; None where it has no answer."""

    text: str
    title: str | None = None
    date: str | None = None
    language: str | None = None


@dataclass(slots=True)
class DumpResult:
    dump: str
    page: str
    lines: LineScore
    # None: not scored, because the dump does not hold the title / date at all.
    title_ok: bool | None
    date_ok: bool | None
    language_ok: bool


def evaluate_dump(
    prediction: Prediction, gold: Gold, dump_text: str, *, dump: str = ""
) -> DumpResult:
    has_title = title_in_dump(gold.title, dump_text)
    has_date = date_in_dump(gold.date_forms, dump_text)
    return DumpResult(
        dump=dump or gold.page,
        page=gold.page,
        lines=score_lines(prediction.text, gold.body, dump_text),
        title_ok=title_matches(prediction.title, gold.title) if has_title else None,
        date_ok=date_matches(prediction.date, gold.date) if has_date else None,
        language_ok=language_matches(prediction.language, gold.language),
    )


@dataclass(frozen=True, slots=True)
class Accuracy:
    correct: int
    scored: int

    @property
    def value(self) -> float:
        return self.correct / self.scored if self.scored else 0.0


def accuracy(outcomes: Iterable[bool | None]) -> Accuracy:
    """Share of True among the scored outcomes (None = not applicable to that dump)."""
    scored = [outcome for outcome in outcomes if outcome is not None]
    return Accuracy(correct=sum(scored), scored=len(scored))


@dataclass(frozen=True, slots=True)
class Summary:
    lines: LineScore
    title: Accuracy
    date: Accuracy
    language: Accuracy
    dumps: int


def summarise(results: Sequence[DumpResult]) -> Summary:
    return Summary(
        lines=micro_average(result.lines for result in results),
        title=accuracy(result.title_ok for result in results),
        date=accuracy(result.date_ok for result in results),
        language=accuracy(result.language_ok for result in results),
        dumps=len(results),
    )


# --- report tables (shared by scripts/evaluate.py and scripts/evaluate_html.py) ---


def percent(value: float) -> str:
    return f"{100 * value:.1f}"


def accuracy_cell(correct: int, scored: int) -> str:
    return f"{percent(correct / scored)} ({correct}/{scored})" if scored else "n/a"


def flag(outcome: bool | None) -> str:
    return "-" if outcome is None else ("ok" if outcome else "WRONG")


def summary_row(name: str, summary: Summary) -> list[str]:
    """A system's row: P, R, F1 of the lines, then title, date, language accuracy."""
    lines = summary.lines
    return [
        name,
        percent(lines.precision),
        percent(lines.recall),
        percent(lines.f1),
        accuracy_cell(summary.title.correct, summary.title.scored),
        accuracy_cell(summary.date.correct, summary.date.scored),
        accuracy_cell(summary.language.correct, summary.language.scored),
    ]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rendered = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in [header, *rows]
    ]
    rendered.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(rendered)
