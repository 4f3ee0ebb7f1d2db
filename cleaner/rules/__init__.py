"""Load the per-language rule tables (`rules/<code>.toml`) into fast lookups.

The tables are data: one file per language, one list of phrases per chrome
category. This module turns all of them into a single `RuleSet` of
dictionaries keyed by the normalised phrase, so classifying a line costs a few
dictionary look-ups rather than hundreds of regex alternatives. Every entry
remembers which table and list it came from, so `explain` can name the rule.
"""

from __future__ import annotations

import json
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from cleaner.memo import LineMemo

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# Sections of a table and how a phrase in them is matched against a line.
LINE = "line"  # the whole normalised line equals the phrase
PREFIX = "prefix"  # the line starts with the phrase; the rest is the value
CONTAINS = "contains"  # the phrase is a quarter or more of the line, anywhere in it
END_LINE = "end_line"  # whole line; opens a related/footer section to page end
END_PREFIX = "end_prefix"  # prefix; opens a related/footer section to page end
SECTIONS = (LINE, PREFIX, CONTAINS, END_LINE, END_PREFIX)

# Top-level keys a table may have besides its sections.
TABLE_KEYS = (
    "code", "name", "stopwords", "date_words", "relative_date_words", "name_joiners",
    "abbreviations", "section_names", "capitalised_pronouns", "unfinished_words",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """Where a phrase came from: `en:prefix:image_credit`."""

    language: str
    section: str
    category: str
    phrase: str

    @property
    def id(self) -> str:
        return f"{self.language}:{self.section}:{self.category}"


@dataclass(slots=True)
class RuleSet:
    languages: tuple[str, ...]
    # Normalised (casefolded) phrase -> rule, for whole-line matches.
    lines: dict[str, Rule] = field(default_factory=dict)
    # Normalised prefix -> rule; prefixes are looked up by a line's first words.
    prefixes: dict[str, Rule] = field(default_factory=dict)
    max_prefix_words: int = 1
    # First words of all prefixes: most lines are ruled out by one set look-up.
    prefix_first_words: frozenset[str] = frozenset()
    # All prefixes without their trailing "." and ":": a line whose key, so
    # stripped, is none of them is no label standing alone on its line.
    prefix_stems: frozenset[str] = frozenset()
    contains: list[tuple[str, Rule]] = field(default_factory=list)
    # Credit prefixes ("image:", "bild:") for captions with the credit glued on.
    credit_prefixes: tuple[str, ...] = ()
    # Stopword -> languages it votes for.
    stopwords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_words: frozenset[str] = frozenset()
    # Words of scrape-relative dates ("vor 3 Stunden", "2 hours ago").
    relative_date_words: frozenset[str] = frozenset()
    # Month name (casefolded) -> month number, from CLDR via months.json.
    months: dict[str, int] = field(default_factory=dict)
    # Words that join names in a byline ("and", "und", "и"), casefolded.
    name_joiners: frozenset[str] = frozenset()
    # Splits a byline into names: the joiners and punctuation between names.
    name_separator: regex.Pattern[str] = field(default_factory=lambda: _name_separator(()))
    weekdays: frozenset[str] = frozenset()
    # Abbreviations whose full stop ends no sentence ("prof", "gen"), casefolded,
    # without the stop; initials and dotted ones ("U.S.") need no entry.
    abbreviations: frozenset[str] = frozenset()
    # Words no sentence, heading or caption ends on ("und", "the", "des"),
    # casefolded: a line that ends on one was cut inside its sentence.
    unfinished_words: frozenset[str] = frozenset()
    # DW's section names ("政治"), longest first: where a renderer glues the
    # kicker's section to the topic beside it in a script without capitals
    # ("政治俄罗斯"), only a known name tells where the section ends.
    section_names: tuple[str, ...] = ()
    # Words written with a capital inside a sentence that name no one (the
    # polite "you": Indonesian "Anda"), so a capital does not make them names.
    capitalised_pronouns: frozenset[str] = frozenset()
    # What the tables made of recurring lines, filled by classify.label_by_tables:
    # a line's outcome depends on the line and these rules alone (cleaner/memo.py).
    # (Fill the tables before cleaning with them.)
    table_memo: LineMemo[Any] = field(default_factory=LineMemo, repr=False, compare=False)
    # What cleaner.dates made of recurring short lines (teaser dates, "vor 3
    # Stunden"), the same way: (ISO date or None,) and (is a relative date,).
    date_memo: LineMemo[Any] = field(default_factory=LineMemo, repr=False, compare=False)
    relative_date_memo: LineMemo[Any] = field(
        default_factory=LineMemo, repr=False, compare=False
    )


def match_key(text: str) -> str:
    """The form a whitespace-normalised line is compared to phrases in.

    Casefolded (Greek final sigma too); NFC, since some scripts' letters come
    in two encodings; one apostrophe, since DW mixes ' and ’; one colon,
    since Chinese text writes "：" (fold_colons); French spacing before a
    colon ignored ("Auteur :" is "Auteur:"); and without zero-width
    (non-)joiners.
    """
    key = text.casefold()
    if not key.isascii():
        key = fold_colons(unicodedata.normalize("NFC", key).replace("’", "'"))
        # A phrase matches with or without the joiners a text may spell it with.
        if "\u200c" in key or "\u200d" in key:
            key = key.replace("\u200c", "").replace("\u200d", "")
    # (A one-character search first: 0.06 us a paragraph, against 0.35 for
    # the two-character one, and four lines in five have no colon.)
    if ":" in key and " :" in key:
        key = key.replace(" :", ":")
    return key


def fold_colons(text: str) -> str:
    """`text` with Chinese text's fullwidth colon ("图像来源：") as the tables'
    ":". One character for one, so a position in the result is one in `text`."""
    return text.replace("：", ":") if "：" in text else text


# Punctuation between names in a byline, in every language: "A, B", "A | B",
# and Chinese "A、B", "A，B".
NAME_PUNCTUATION = ",;|&/、，"


def _name_separator(joiners: Iterable[str]) -> regex.Pattern[str]:
    words = "|".join(regex.escape(word) for word in sorted(joiners, key=len, reverse=True))
    alternatives = f"[{regex.escape(NAME_PUNCTUATION)}]" + (f"|\\b(?:{words})\\b" if words else "")
    return regex.compile(rf"\s*(?:{alternatives})\s*", flags=regex.IGNORECASE)


def normalise_phrase(phrase: str) -> str:
    """A table phrase in the form lines are matched in."""
    return match_key(" ".join(phrase.split()))


def _data_files() -> dict[str, str]:
    """The rule folder's data files: name -> text.

    Read with plain file calls from the folder beside this module: importing
    importlib.resources costs about 4 ms, which `dw-clean page.txt` in a shell
    loop would pay per file. A zipped install has no such folder on disk; it
    goes through importlib.resources.
    """
    folder: Traversable = Path(__file__).resolve().parent
    if not folder.is_dir():
        from importlib import resources  # noqa: PLC0415 - see above

        folder = resources.files("cleaner.rules")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith((".toml", ".json"))
    }


def _table_files(files: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(
        (name.removesuffix(".toml"), text) for name, text in files.items() if name.endswith(".toml")
    )


def _load_months(files: dict[str, str]) -> dict[str, Any]:
    if "months.json" not in files:
        return {"months": {}, "weekdays": []}
    data: dict[str, Any] = json.loads(files["months.json"])
    return data


def _add(index: dict[str, Rule], key: str, rule: Rule) -> None:
    # The first table (in file-name order) wins a phrase; tests check that no
    # phrase is claimed by two categories, so the order never changes a result.
    index.setdefault(key, rule)


def build_ruleset(tables: list[tuple[str, dict[str, Any]]], months: dict[str, Any]) -> RuleSet:
    ruleset = RuleSet(languages=tuple(code for code, _ in tables))
    stopwords: dict[str, list[str]] = {}
    date_words: set[str] = set()
    relative_words: set[str] = set()
    joiners: set[str] = set()
    abbreviations: set[str] = set()
    unfinished: set[str] = set()
    credit_prefixes: set[str] = set()
    section_names: set[str] = set()
    pronouns: set[str] = set()
    for code, table in tables:
        for section in SECTIONS:
            for category, phrases in table.get(section, {}).items():
                for phrase in phrases:
                    key = normalise_phrase(phrase)
                    rule = Rule(code, section, category, phrase)
                    if section in (LINE, END_LINE):
                        _add(ruleset.lines, key, rule)
                    elif section in (PREFIX, END_PREFIX):
                        _add(ruleset.prefixes, key, rule)
                        ruleset.max_prefix_words = max(ruleset.max_prefix_words, len(key.split()))
                        if category == "image_credit":
                            credit_prefixes.add(key)
                    else:
                        ruleset.contains.append((key, rule))
        for word in table.get("stopwords", []):
            stopwords.setdefault(word.casefold(), []).append(code)
        date_words.update(word.casefold() for word in table.get("date_words", []))
        relative_words.update(word.casefold() for word in table.get("relative_date_words", []))
        joiners.update(word.casefold() for word in table.get("name_joiners", []))
        abbreviations.update(word.casefold() for word in table.get("abbreviations", []))
        unfinished.update(word.casefold() for word in table.get("unfinished_words", []))
        section_names.update(table.get("section_names", []))
        pronouns.update(table.get("capitalised_pronouns", []))
    ruleset.prefix_first_words = frozenset(key.split(" ", 1)[0] for key in ruleset.prefixes)
    ruleset.prefix_stems = frozenset(key.rstrip(".:") for key in ruleset.prefixes)
    ruleset.stopwords = {word: tuple(codes) for word, codes in stopwords.items()}
    ruleset.date_words = frozenset(date_words)
    ruleset.relative_date_words = frozenset(relative_words)
    ruleset.name_joiners = frozenset(joiners)
    ruleset.abbreviations = frozenset(abbreviations)
    ruleset.unfinished_words = frozenset(unfinished)
    ruleset.capitalised_pronouns = frozenset(pronouns)
    ruleset.section_names = tuple(sorted(section_names, key=lambda name: (-len(name), name)))
    ruleset.name_separator = _name_separator(joiners)
    # Longest first, so "photograph:" is tried before "photo:".
    ruleset.credit_prefixes = tuple(sorted(credit_prefixes, key=len, reverse=True))
    ruleset.months = {name.casefold(): int(number) for name, number in months["months"].items()}
    ruleset.weekdays = frozenset(name.casefold() for name in months.get("weekdays", []))
    return ruleset


@cache
def default_ruleset() -> RuleSet:
    """All bundled tables, built once per process."""
    files = _data_files()
    tables = [(code, tomllib.loads(text)) for code, text in _table_files(files)]
    return build_ruleset(tables, _load_months(files))
