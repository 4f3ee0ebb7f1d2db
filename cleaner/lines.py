"""Split a page into lines and give each the forms the classifier needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import NamedTuple

import regex

from cleaner.memo import LineMemo
from cleaner.rules import match_key

# A leading list glyph that the policy lets us strip from kept text. (w3m
# marks nested lists with "□" and then "☆".)
_GLYPHS = frozenset("•·▪◦‣●○■□☆▶►*-–—")
_LIST_GLYPH = re.compile(r"^(?:[•·▪◦‣●○■□☆▶►*\-–—]\s+)+")
# Numbering of menu entries and skip links ("1. Skip to content"): stripped for
# matching only, since an article's own numbered list must stay as written.
_NUMBERING = re.compile(r"^\(?\d{1,2}[.)]\s+")
# Characters that renderers leave behind invisibly. (Non-breaking and other
# Unicode spaces need no table: str.split() already splits on them.)
INVISIBLE_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
# Of those, the zero-width non-joiner and joiner are spelling: Persian, Urdu
# and Pashto write "می‌خواهد" with one, the Indic scripts choose a letter's
# form with them, and emoji sequences are joined by them. They stay in a
# line's text (not in its key, nor does a line of them alone make text); the
# others are removed.
JOINERS = "\u200c\u200d"
_INVISIBLE = re.compile(f"[{''.join(c for c in INVISIBLE_CHARS if c not in JOINERS)}]")
# The C0 controls but whitespace, and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Control characters no text means, in a page as read: those above and the
# escape sequences of terminal colours. On a text page they are damage, a file
# that a crash padded with NUL bytes, a scraper's stray byte or "\u0000" in a
# JSON string; the reader removes them and the record says so.
STRAY_CONTROLS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0e-\x1f\x7f]")
WARN_CONTROLS_REMOVED = "control_characters_removed"


def without_stray_controls(text: str) -> tuple[str, bool]:
    """The text without `STRAY_CONTROLS`, and whether it had any."""
    # A look with the plain class (which holds ESC) first: a quarter of the
    # time of `subn` with the alternation, on a text that has none.
    if _CONTROLS.search(text) is None:
        return text, False
    text, removed = STRAY_CONTROLS.subn("", text)
    return text, removed > 0


# Sentence-final punctuation, closing quotes included, in DW's scripts: the
# Devanagari danda "।" (Hindi, Bengali) and its double "॥", the Ethiopic full
# stop "።" and question mark "፧" (Amharic), the Urdu full stop "۔".
SENTENCE_END = tuple(".!?…。！？؟۔।॥።፧\"'”’»“)")
# Punctuation that ends a sentence inside a line, when a word follows it.
_SENTENCE_STOPS = frozenset(".!?…。！？؟۔।॥።፧")
# Quotes and brackets around a sentence's last word ('"Nein."', "(2019).").
_OPENING_MARKS = "\"'“„‘«»‹(["
_CLOSING_MARKS = "\"'”’“»«›)]"
# Latin vowels: a word without one is an abbreviation ("Dr", "Mrs", "Nr",
# "bzw"), unless it is in capitals ("SPD", "BBC" end sentences).
_VOWELS = frozenset("aeiouyAEIOUYäöüéèáàóòíúâêîôû")
MAX_VOWELLESS_ABBREVIATION = 4
# Parts of a dotted abbreviation ("U.S.", "z.B.", "Ph.D.") are this short.
MAX_DOTTED_PART = 3
# Punctuation after which a line is not a heading but a sentence, finished or
# not: a full stop in any of those scripts (a heading has none: without them a
# short Hindi or Urdu sentence between two paragraphs was taken for a
# subheading), a comma, a colon.
CLAUSE_END = tuple(".,;:…。，；：،۔।॥።፣፤")
# Scripts written without spaces between words: Chinese (DW's zh and
# zh-hant) and the kana of Japanese text quoted in it. Whitespace finds no
# words in them: a Chinese paragraph would be one "word". (Not Hangul: Korean
# puts spaces between its words.) (`regex` for the script properties.)
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
# Every character of those scripts is at U+2E80 or above, where text in the
# other scripts DW writes in has next to nothing: this search for a range (2x
# faster than the script properties' search, 0.5 us a line of 400
# characters) spares the exact one on nearly every non-ASCII line, most of
# them German, French, Russian or Arabic. (`regex`, not `re`: the standard
# module takes 3-4 ms at start-up to compile so wide a range, and searches
# at half the speed.)
_MAY_BE_UNSPACED = regex.compile("[\u2e80-\U0003ffff]")
# A run of other characters between them that holds a word: "Telegram", "10",
# not the fullwidth punctuation "，" or "“".
_ALNUM = regex.compile(r"[\p{L}\p{N}]")
# A Chinese word is one to four characters, about 1.7 on average in segmented
# news text (two-character words are the most frequent). The structural
# thresholds (a heading is at most 14 words, a paragraph at least 12...) were
# set for spaced languages; they read a line of Chinese as this many
# characters a word, rounded in favour of the shorter reading.
UNSPACED_CHARS_PER_WORD = 2


class Line(NamedTuple):
    # A NamedTuple, not a frozen dataclass: pages are split into hundreds of
    # lines and a tuple is several times cheaper to build. The line's shapes
    # are fields, computed once: the passes of the classifier ask for them
    # hundreds of thousands of times a second, and a field is read in C.
    # (No line number: a line is its page's lines[i], and a Line that depends
    # on its text alone can be shared by every page that has that line.)
    raw: str  # the input line, without its line break
    text: str  # whitespace-normalised, list glyph stripped: what `text` keeps
    key: str  # casefolded and numbering stripped: what rule tables match
    # The line's length in words, for the structural thresholds: whitespace
    # words, and a word for every UNSPACED_CHARS_PER_WORD Chinese characters.
    words: int
    # The words it adds to the record's `word_count` (see count_words).
    word_count: int
    blank: bool
    # A sentence or more of running text, the stuff paragraphs are made of.
    is_prose: bool
    # Short and not ending like a sentence fragment: titles, headings, labels.
    is_heading_like: bool


_new_line = tuple.__new__


# A whole line in markdown emphasis, as trafilatura's txt output with
# --formatting writes a bold subheading ("**Reaping the harvest**") or an
# italic note ("*Adaption aus dem Russischen: ...*"): the marks are markup,
# and hid the note from the tables' prefixes.
_WHOLE_LINE_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=[^\s*_])(.*[^\s*_])\1")


def _without_emphasis(line: str, count: int) -> tuple[str, int]:
    """`line` without emphasis marks around it whole, and its word count."""
    match = _WHOLE_LINE_EMPHASIS.fullmatch(line)
    if match is None or not any(char.isalpha() for char in match[2]):
        return line, count
    inner = match[2]
    if match[1] in inner:  # two emphasised pieces, "*a* and *b*": not one span
        return line, count
    return inner, inner.count(" ") + 1


def make_line(raw: str, *, invisible: bool = True) -> Line:
    """One line of a page; `invisible=False` says the page has no invisible characters."""
    spaced = raw.strip(" ")
    # Most lines are already normalised but for spaces around them: words
    # between single spaces, no other whitespace (tabs, no-break spaces...)
    # and no invisible characters, all of which `isprintable()` rejects while
    # it accepts " ". Their words are counted, not split out and joined again
    # (3 us a paragraph, a third of making the line).
    if spaced.isprintable() and "  " not in spaced:
        if not spaced:
            return _new_line(Line, (raw, "", "", 0, 0, True, False, False))
        normalised = spaced
        count = spaced.count(" ") + 1
    else:
        visible = _INVISIBLE.sub("", raw) if invisible and not raw.isascii() else raw
        words = visible.split()
        if invisible and ("\u200c" in visible or "\u200d" in visible):
            words = [word for word in words if word.strip(JOINERS)]
        # Control characters are not text (the readers remove them from what
        # they read; `clean()` may be given them, terminal colours and all:
        # their escape sequences go whole, as the readers remove them).
        # `isprintable()` also fails for private-use and unassigned
        # characters, which the pattern leaves.
        normalised = " ".join(words)
        if not normalised.isprintable():
            words = STRAY_CONTROLS.sub("", normalised).split()
            normalised = " ".join(words)
        if not words:
            return _new_line(Line, (raw, "", "", 0, 0, True, False, False))
        count = len(words)
    if normalised[0] in "*_" and normalised[-1] == normalised[0]:
        normalised, count = _without_emphasis(normalised, count)
    first = normalised.partition(" ")[0]
    if first in _GLYPHS or first[0].isdigit() or first[0] == "(":
        text = _LIST_GLYPH.sub("", normalised, count=1)
        key = match_key(" ".join(_NUMBERING.sub("", text, count=1).split()))
        count = len(text.split())
    else:
        text = normalised
        key = match_key(text)
    word_count = count
    # (has_unspaced, inline: this runs for every new line of every page.)
    if (
        not text.isascii()
        and _MAY_BE_UNSPACED.search(text) is not None
        and _UNSPACED.search(text) is not None
    ):
        count, word_count = _lengths(text)
    # tuple.__new__ skips the NamedTuple constructor's extra Python frame.
    return _new_line(
        Line,
        (
            raw,
            text,
            key,
            count,
            word_count,
            False,
            (count >= 12 and text.endswith(SENTENCE_END)) or count >= 30,
            count <= 20 and len(text) <= 200 and not text.endswith(CLAUSE_END),
        ),
    )


def count_words(text: str) -> int:
    """The words of `text` as the record's `word_count` gives them.

    Whitespace-separated words, except in Chinese (and Japanese kana), where
    every character counts as a word: the count Chinese writers and editors
    know (字数), and that of Unicode's default word boundaries (UAX #29), of
    Microsoft Word and of Google Docs. A dictionary segmenter (jieba, as
    datatrove uses for Chinese) would find about 0.6 times as many, at the
    cost of a large dependency and a dictionary load per worker. Latin words
    and numbers between Chinese characters ("在Telegram上") count once each;
    fullwidth punctuation between them does not.
    """
    if text.isascii() or not has_unspaced(text):
        return len(text.split())
    return _lengths(text)[1]


def structural_words(text: str) -> int:
    """The length of `text` in words as `Line.words` gives it."""
    if text.isascii() or not has_unspaced(text):
        return len(text.split())
    return _lengths(text)[0]


def has_unspaced(text: str) -> bool:
    """Whether `text` has a character of a script written without spaces."""
    return _MAY_BE_UNSPACED.search(text) is not None and _UNSPACED.search(text) is not None


def _lengths(text: str) -> tuple[int, int]:
    """`Line.words` and `count_words` of a text with unspaced-script characters."""
    spaced, unspaced = _split_counts(text)
    return spaced + -(-unspaced // UNSPACED_CHARS_PER_WORD), spaced + unspaced


def _split_counts(text: str) -> tuple[int, int]:
    """Words outside the unspaced scripts, and characters of them, in `text`.

    A whitespace word without such characters counts once, whatever it holds
    (as a line without them is counted); in one with them, each run of other
    characters counts once if it has a letter or digit. The count of a text is
    so the sum of its paragraphs' counts.
    """
    spaced = unspaced = 0
    for token in text.split():
        found = len(_UNSPACED.findall(token))
        if not found:
            spaced += 1
            continue
        unspaced += found
        spaced += sum(1 for run in _UNSPACED.split(token) if _ALNUM.search(run))
    return spaced, unspaced


# Recurring lines, made once (see cleaner/memo.py): a Line depends on its raw
# text alone.
_SHAPES: LineMemo[Line] = LineMemo()


def page_lines(page: str) -> list[str]:
    """The page's lines, as `str.splitlines()` gives them but for U+2028.

    LINE SEPARATOR is a line break inside a paragraph (a `<br>` that a CMS
    kept in its text, often in JSON records), and text tools do not end a
    line there (`wc -l`, editors). Split there, a paragraph fell in two and a
    short half could be taken for a caption and removed. It is a space.
    """
    if "\u2028" in page:
        page = page.replace("\u2028", " ")
    return page.splitlines()


def with_lf_line_breaks(text: str) -> str:
    """A page whose lines end in CR alone (old Mac files, some Windows tools)
    with LF instead. Lines are split at either, but the passes that look at
    the page as a whole (a hard-wrapped dump's line lengths, a metadata
    header, the format's first line) find its lines by LF. A page with any LF
    is left as it is: CR LF and CR CR LF are line ends of their own."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def has_invisible_chars(text: str) -> bool:
    """Whether `text` holds zero-width spaces, soft hyphens or direction marks.
    (Substring searches: many times faster than the character-class pattern
    over a whole page.)"""
    return not text.isascii() and any(char in text for char in INVISIBLE_CHARS)


def without_invisible_chars(text: str) -> str:
    return _INVISIBLE.sub("", text)


def split_lines(page: str) -> list[Line]:
    raws = page_lines(page)
    # One look over the page spares one per line on the (usual) page without them.
    invisible = has_invisible_chars(page)
    # Recurring lines come from the memo in one sweep; the new ones are made after.
    lines: list[Line | None] = list(map(_SHAPES.values.get, raws))
    for index, known in enumerate(lines):
        if known is None:
            raw = raws[index]
            made = _SHAPES.recall(raw)
            if made is None:
                made = make_line(raw, invisible=invisible)
                _SHAPES.remember(raw, made)
            lines[index] = made
    return lines  # type: ignore[return-value]  # every None was replaced


def _is_abbreviation(word: str, following: str, abbreviations: frozenset[str]) -> bool:
    """Whether the full stop that ends `word` ends no sentence.

    Not after an initial ("J. K. Rowling", "U."), a dotted abbreviation
    ("U.S.", "z.B."), an ordinal ("am 3. März", "19. Jahrhundert"), a short
    word without a vowel ("Dr.", "Mrs.", "Nr.") or an abbreviation of the
    rule tables ("Prof.", "Gen."), nor where the next word starts in lower
    case ("ca. 100", "etc. and"): a new sentence does not.
    """
    stem = word[:-1]
    if not stem or following[:1].islower():
        return bool(stem)
    parts = stem.split(".")
    if all(part.isalpha() and len(part) <= MAX_DOTTED_PART for part in parts) and (
        len(parts) > 1 or len(stem) == 1
    ):
        return True
    return (
        stem.isdigit()
        or stem.casefold() in abbreviations
        or (
            stem.isascii()
            and stem.isalpha()
            and len(stem) <= MAX_VOWELLESS_ABBREVIATION
            and not stem.isupper()
            and not _VOWELS.intersection(stem)
        )
    )


# A sentence stop and closing marks before a space and a word: only a line
# that has one can have a sentence break (`has_sentence_break`), which a
# look with this pattern tells first where most lines have none.
MAY_BREAK_A_SENTENCE = re.compile(
    f"[{re.escape(''.join(sorted(_SENTENCE_STOPS)))}][{re.escape(_CLOSING_MARKS)}]*\\s+\\S"
)


def has_sentence_break(
    text: str, abbreviations: frozenset[str] = frozenset(), *, capital: bool = False
) -> bool:
    """Does a sentence end inside the line, another word following it?

    A word ends a sentence with its last character, before closing quotes
    ("2.5", "dw.com" end none), and a full stop after an abbreviation ends
    none (`_is_abbreviation`): "U.S. troops leave Iraq" is one sentence.
    With `capital`, only where the next sentence starts with a capital
    ('... suchen. Das wird', 'Alckmin. "Das ist'), not where the page's
    title goes on with the site's name ("Was wissen wir? – DW – 13.06.2023").
    """
    return next(_sentence_ends(text.split(), abbreviations, capital), None) is not None


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[str]:
    """The sentences of `text`, cut where `has_sentence_break` finds a break
    (their words joined by single spaces)."""
    words = text.split()
    sentences: list[str] = []
    start = 0
    for end in _sentence_ends(words, abbreviations, capital=False):
        sentences.append(" ".join(words[start : end + 1]))
        start = end + 1
    if start < len(words):
        sentences.append(" ".join(words[start:]))
    return sentences


def _sentence_ends(
    words: list[str], abbreviations: frozenset[str], capital: bool
) -> Iterator[int]:
    """Indices of the words that end a sentence, another word following them."""
    for index, (word, following) in enumerate(pairwise(words)):
        ended = word.rstrip(_CLOSING_MARKS)
        if ended[-1:] not in _SENTENCE_STOPS:
            continue
        if capital and not following.lstrip(_OPENING_MARKS)[:1].isupper():
            continue
        ended = ended.lstrip(_OPENING_MARKS)
        if ended.endswith(".") and not ended.endswith("..") and _is_abbreviation(
            ended, following.lstrip(_OPENING_MARKS), abbreviations
        ):
            continue
        yield index


def ends_a_sentence(text: str, abbreviations: frozenset[str] = frozenset()) -> bool:
    """Does `text` end as a sentence does, with a full stop (before closing
    quotes or brackets) that ends no initial or abbreviation ("A. Smith",
    "Reuters/F." end none; "the talks had collapsed." does)?"""
    words = text.split()
    if not words:
        return False
    ended = words[-1].rstrip(_CLOSING_MARKS)
    if ended[-1:] not in _SENTENCE_STOPS:
        return False
    ended = ended.lstrip(_OPENING_MARKS).rsplit("/", 1)[-1]
    return not (
        ended.endswith(".")
        and not ended.endswith("..")
        and _is_abbreviation(ended, "", abbreviations)
    )
