"""Regenerate cleaner/rules/months.json: month and weekday names of DW's languages, from CLDR.

    python scripts/gen_months.py            # rewrite cleaner/rules/months.json
    python scripts/gen_months.py --check    # exit 1 if the committed file is stale

The cleaner reads the JSON at run time; babel (a test extra) is only needed here.

What goes in, and why:

- Month names in all four CLDR variants: `format` (the genitive that stands in a
  date, Russian "3 марта 2022 г.") and `stand-alone` (nominative, "Март 2022"),
  each `wide` and `abbreviated`. Weekday names `wide` and `abbreviated`, in both
  contexts (date lines like "Montag, 30.01.2024").
- Everything casefolded, because the cleaner matches casefolded lines. Note that
  casefolding turns Greek final sigma into "σ" ("μάρτιοσ"): the cleaner must
  casefold its input the same way, not just lower() it.
- Abbreviations both with and without their trailing dot ("мар." and "мар"),
  since scrapes and CLDR disagree about the dot ("Sept." / "Sep").
- One merged `months` map across languages, which is what the cleaner uses. A name
  that means different months in different languages (Croatian "listopad" is
  October, Polish "listopad" is November) is left out of the merged map and listed
  under `ambiguous`; the per-language maps in `by_language` still have it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "cleaner" / "rules" / "months.json"

# DW language code (ISO 639-1, as in dw.com/<code>/) -> the CLDR locales whose
# names are merged under it. Where DW serves one language in two scripts or
# standards, both are taken: Chinese simplified and traditional, Serbian
# Cyrillic and Latin, Persian with Dari (DW's "fa" site serves Afghanistan too),
# Portuguese for Brazil and for Africa/Europe.
DW_LANGUAGES: dict[str, tuple[str, ...]] = {
    "am": ("am",),
    "ar": ("ar",),
    "bg": ("bg",),
    "bn": ("bn",),
    "bs": ("bs",),
    "de": ("de",),
    "el": ("el",),
    "en": ("en",),
    "es": ("es",),
    "fa": ("fa", "fa_AF"),
    "fr": ("fr",),
    "ha": ("ha",),
    "hi": ("hi",),
    "hr": ("hr",),
    "id": ("id",),
    "mk": ("mk",),
    "pl": ("pl",),
    "ps": ("ps",),
    "pt": ("pt_BR", "pt_PT"),
    "ro": ("ro",),
    "ru": ("ru",),
    "sq": ("sq",),
    "sr": ("sr_Cyrl", "sr_Latn"),
    "sw": ("sw",),
    "tr": ("tr",),
    "uk": ("uk",),
    "ur": ("ur",),
    "zh": ("zh_Hans", "zh_Hant"),
}

CONTEXTS = ("format", "stand-alone")
WIDTHS = ("wide", "abbreviated")


def _spellings(name: str, *, abbreviated: bool) -> set[str]:
    """The casefolded spellings of one CLDR name that the cleaner should recognise."""
    folded = " ".join(name.casefold().split())
    if not abbreviated:
        return {folded}
    bare = folded.rstrip(".")
    out = {folded, bare}
    # Only alphabetic scripts abbreviate with a dot; "3月." or "مارس." is no spelling.
    last = bare[-1:]
    if last and last.upper() != last.lower():
        out.add(bare + ".")
    return out


def locale_names(locale_id: str) -> dict[str, Any]:
    """Month and weekday names of one CLDR locale.

    Must run in a fresh interpreter per locale: babel 2.18 caches the resolved
    CLDR alias for `stand-alone` in shared parent data, so a second locale in the
    same process can get the first one's stand-alone names (seen: Chinese months
    in the Serbian, Amharic and Hausa tables).
    """
    from babel import Locale  # noqa: PLC0415  (only this helper, in its own process, needs babel)

    loc = Locale.parse(locale_id)
    months: dict[str, int] = {}
    weekdays: set[str] = set()
    for context in CONTEXTS:
        for width in WIDTHS:
            abbreviated = width == "abbreviated"
            for number, name in loc.months[context][width].items():
                for spelling in _spellings(name, abbreviated=abbreviated):
                    months[spelling] = int(number)
            for name in loc.days[context][width].values():
                weekdays |= _spellings(name, abbreviated=abbreviated)
    return {"months": months, "weekdays": sorted(weekdays)}


def _names_in_subprocess(locale_id: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--locale", locale_id],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def build() -> dict[str, Any]:
    by_language: dict[str, dict[str, Any]] = {}
    for code, locales in sorted(DW_LANGUAGES.items()):
        months: dict[str, int] = {}
        weekdays: set[str] = set()
        for locale_id in locales:
            names = _names_in_subprocess(locale_id)
            for name, number in names["months"].items():
                if months.get(name, number) != number:
                    raise SystemExit(f"{code}: {name!r} is month {months[name]} and {number}")
                months[name] = number
            weekdays |= set(names["weekdays"])
        by_language[code] = {"months": dict(sorted(months.items())), "weekdays": sorted(weekdays)}

    seen: dict[str, set[int]] = {}
    for lang in by_language.values():
        for name, number in lang["months"].items():
            seen.setdefault(name, set()).add(number)
    merged = {name: numbers.pop() for name, numbers in seen.items() if len(numbers) == 1}
    ambiguous = sorted(name for name, numbers in seen.items() if len(numbers) > 1)
    all_weekdays = sorted({day for lang in by_language.values() for day in lang["weekdays"]})
    return {
        "ambiguous": ambiguous,
        "by_language": by_language,
        "months": dict(sorted(merged.items())),
        "weekdays": all_weekdays,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="fail if months.json is stale")
    parser.add_argument("--locale", help=argparse.SUPPRESS)  # internal: one locale, JSON to stdout
    args = parser.parse_args()
    if args.locale:
        sys.stdout.write(json.dumps(locale_names(args.locale), ensure_ascii=False))
        return 0
    text = render(build())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is stale: run python scripts/gen_months.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(json.loads(text)['months'])} month names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
