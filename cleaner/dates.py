"""Recognise a line that is a publication date, in any DW language.

DW writes dates in a handful of shapes: `08.09.2015`, `September 8, 2015`,
`30. Januar 2024`, `3 марта 2022 г.`, `8 de septiembre de 2015`, `2020年3月5日`,
sometimes twice glued together (`30.01.202430. Januar 2024`) or after a label
(`Date 19.01.2020`). Rather than one pattern per language, a line is split into
tokens and accepted as a date when every token is accounted for: a day, a month
(a number or a CLDR month name of any language), a year, and otherwise only
weekday names, times, and the tables' `date_words`. A sentence that merely
contains a date is therefore never taken for a date line.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import regex

from cleaner.rules import RuleSet

# A date line is short; anything longer is prose that mentions a date.
MAX_DATE_LINE_CHARS = 80

# Any decimal digit of any script (Arabic-Indic, Persian, Devanagari, ...).
_NON_ASCII_DIGIT = regex.compile(r"[^\x00-\x7f]", flags=regex.V1)
_UNICODE_DIGIT = regex.compile(r"\p{Nd}")
_ASCII_DIGIT = re.compile(r"[0-9]")

_NUMERIC = regex.compile(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})")
_ISO = regex.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ][\d:.+Z-]*)?")
# Chinese and Japanese: 2020年3月5日.
_CJK = regex.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
# Times of day and UTC offsets that may follow a date: "12:30", "(UTC+2)".
_TIME = regex.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:utc|gmt|cet|cest)?\s*[+-]\d{1,2})?")
# Words, numbers (with an optional ordinal dot) and nothing else.
_TOKEN = regex.compile(r"\d+\.?|[\p{L}\p{M}]+\.?")
_SEPARATORS = regex.compile(r"[\s,/|()\-–—·:]+")

MIN_YEAR, MAX_YEAR = 1900, 2100


def _ascii_digits(text: str) -> str:
    if not _NON_ASCII_DIGIT.search(text):
        return text
    return _UNICODE_DIGIT.sub(_ascii_digit, text)


def _ascii_digit(match: regex.Match[str]) -> str:
    # The regex module may know newer digits than this Python's unicodedata.
    value = unicodedata.digit(match.group(), None)
    return match.group() if value is None else str(value)


def _iso(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _from_match(match: regex.Match[str]) -> str | None:
    return _iso(int(match["y"]), int(match["m"]), int(match["d"]))


def _from_tokens(text: str, rules: RuleSet) -> str | None:
    day = month = year = None
    leftovers = _SEPARATORS.sub(" ", _TOKEN.sub(" ", text)).strip()
    if leftovers:
        return None
    for token in _TOKEN.findall(text):
        bare = token.rstrip(".")
        if bare.isdigit():
            number = int(bare)
            if len(bare) == 4 and year is None:
                year = number
            elif len(bare) <= 2 and day is None and 1 <= number <= 31:
                day = number
            else:
                return None
        elif token in rules.months or bare in rules.months:
            if month is not None:
                return None
            month = rules.months.get(token) or rules.months[bare]
        elif bare in rules.weekdays or token in rules.weekdays or bare in rules.date_words:
            continue
        else:
            return None
    if day is None or month is None or year is None:
        return None
    return _iso(year, month, day)


def _cjk_date(text: str) -> str | None:
    match = _CJK.fullmatch(text)
    return _from_match(match) if match else None


def _only_filler(text: str, rules: RuleSet) -> bool:
    """True when the words left on a date line are weekdays and date words."""
    if _SEPARATORS.sub("", _TOKEN.sub("", text)):
        return False
    for token in _TOKEN.findall(text):
        bare = token.rstrip(".")
        if not (bare in rules.weekdays or token in rules.weekdays or bare in rules.date_words):
            return False
    return True


def undouble(text: str) -> str:
    """ "vor 3 Stundenvor 3 Stunden" -> "vor 3 Stunden": renderers that print an
    element and its accessible twin glue the two copies together."""
    half, odd = divmod(len(text), 2)
    if not odd and half and text[:half] == text[half:]:
        return text[:half]
    return text


def is_relative_date_line(line: str, rules: RuleSet) -> bool:
    """A scrape-relative date such as "vor 3 Stunden" or "2 hours ago"."""
    known = rules.relative_date_memo.values.get(line)
    if known is None:
        known = rules.relative_date_memo.recall(line)
    if known is None:
        known = (_is_relative_date_line(line, rules),)
        rules.relative_date_memo.remember(line, known)
    return bool(known[0])


def _is_relative_date_line(line: str, rules: RuleSet) -> bool:
    text = undouble(line).casefold()
    if len(text) > MAX_DATE_LINE_CHARS or _SEPARATORS.sub("", _TOKEN.sub("", text)):
        return False
    has_word = False
    for token in _TOKEN.findall(text):
        bare = token.rstrip(".")
        if bare.isdigit():
            continue
        if bare not in rules.relative_date_words:
            return False
        has_word = True
    return has_word


def is_time_line(line: str, rules: RuleSet) -> bool:
    """A time of day with the words a date line may carry and no date:
    "at 12:30 UTC", "12:30" (a live blog's last update on the day itself)."""
    text = _ascii_digits(line).casefold()
    if len(text) > MAX_DATE_LINE_CHARS or not _TIME.search(text):
        return False
    return _only_filler(_TIME.sub(" ", text), rules)


def parse_date_line(line: str, rules: RuleSet) -> str | None:
    """The ISO date of a line that is nothing but a date, else None."""
    if len(line) > MAX_DATE_LINE_CHARS:
        return None
    # Remembered per rule set for recurring lines (cleaner/memo.py); in a
    # 1-tuple, since None is an answer.
    known = rules.date_memo.values.get(line)
    if known is None:
        known = rules.date_memo.recall(line)
    if known is None:
        known = (_parse_date_line(line, rules),)
        rules.date_memo.remember(line, known)
    found: str | None = known[0]
    return found


def _parse_date_line(line: str, rules: RuleSet) -> str | None:
    text = _ascii_digits(undouble(line)).casefold()
    if not _ASCII_DIGIT.search(text):
        return None
    text = _TIME.sub(" ", text).strip(" .,")
    for pattern in (_NUMERIC, _ISO, _CJK):
        match = pattern.search(text)
        if match is None:
            continue
        found = _from_match(match)
        rest = (text[: match.start()] + " " + text[match.end() :]).strip()
        # The rest may be weekdays and labels, or the same date in long form,
        # as when two date elements are glued: "30.01.202430. januar 2024",
        # "30.01.20242024年1月30日".
        if found and (
            _only_filler(rest, rules)
            or _from_tokens(rest, rules) == found
            or _cjk_date(rest) == found
        ):
            return found
        return None
    return _from_tokens(text, rules)
