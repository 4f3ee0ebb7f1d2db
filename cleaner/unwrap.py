"""Join the lines of a hard-wrapped dump back into its paragraphs.

`w3m -dump`, `lynx -dump` and `pandoc -t plain` break every paragraph into
lines of at most 72-80 columns. The classifier tells a paragraph from a menu
entry, a heading or a caption by its length and its ending, so in such a dump
nothing reads as a paragraph: the menus were kept as the article, and each
wrapped line became a paragraph (or a heading) of its own.

A wrapper breaks a line where the next word would not fit on it. That is the
test used here to undo it: a line is joined to the one below when the first
word of the line below would have made it longer than the page's widest line.
A line that ends a paragraph, a menu entry or a heading is short, so the next
line's first word fits after it and the two stay apart.

Widths are in columns, as the wrapper counted them: a Chinese, Japanese or
Korean character takes two. Those scripts are written without spaces, and a
wrapper breaks between any two of their characters, so there a "word" is one
character, and the lines are joined without a space.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

import regex

from cleaner.lines import (
    MAY_BREAK_A_SENTENCE,
    has_invisible_chars,
    has_sentence_break,
    page_lines,
    without_invisible_chars,
)
from cleaner.rules import normalise_phrase

if TYPE_CHECKING:
    from cleaner.rules import RuleSet

# Wrappers' widths: pandoc 72, html2text 78, w3m and lynx 80 (by default).
# A page with a longer line is not wrapped, and that is nearly every page: the
# check for one such line is all a page pays.
MAX_WRAP_WIDTH = 100
# Narrower than this, the widest line is a menu entry, not a wrap width.
MIN_WRAP_WIDTH = 40
# Wrappers do not all fill a line to the last column: w3m at 80 columns writes
# lines of 79 characters, and breaks some where the next word would have made
# 77 or 78. So a line counts as broken where the next word would have come
# within this many columns of the widest line.
FIT_SLACK = 3
# Breaks before a page counts as wrapped. In a page that is not, a long title
# over its date can pass the test by chance once or twice; in a wrapped
# article, every paragraph of three lines or more gives two.
MIN_WRAP_BREAKS = 5
# Paragraphs that end, with their sentence, on the line after their last
# break, before a page counts as wrapped. Lines of about one width that never
# end so pass the fit test without being wrapped: a list of headlines (each
# one's next word would not have fit after it), a line repeated. The wrapped
# dumps of fixtures/ have 3 to 36 such paragraphs.
MIN_FINISHED_PARAGRAPHS = 2
# A line that ends like this has ended a sentence, and with a colon or a
# semicolon a clause before a list too, in Latin and in CJK punctuation.
_SENTENCE_ENDINGS = (".", "!", "?", "…", "。", "！", "？")
_FINISHED_ENDINGS = (*_SENTENCE_ENDINGS, ":", ";", "：", "；")
# Quotes and brackets that close after a sentence's end: `reif."` has ended.
_CLOSING_MARKS = "\"'“”‘’»«)]）」』》"
# East Asian wide and fullwidth characters, which a terminal, and so a
# wrapper, gives two columns each. (The "ambiguous" ones, “ ” ·, w3m gives
# one, as here.) (`regex`: the standard `re` takes 2-3 ms at start-up to
# compile these ranges.)
_WIDE = regex.compile(
    "["
    "\u1100-\u115f"  # Hangul jamo
    "\u2e80-\u303e"  # CJK radicals; ideographic space and punctuation 、。「」
    "\u3041-\u33ff"  # kana, CJK symbols
    "\u3400-\u4dbf"  # Han, extension A
    "\u4e00-\u9fff"  # Han
    "\ua000-\ua4cf"  # Yi
    "\uac00-\ud7a3"  # Hangul syllables
    "\uf900-\ufaff"  # Han compatibility ideographs
    "\ufe30-\ufe4f"  # CJK compatibility forms
    "\uff00-\uff60"  # fullwidth forms ，！？：；（）
    "\uffe0-\uffe6"  # fullwidth signs ￥
    "\U00020000-\U0003fffd"  # Han, extension B on
    "]"
)
# How many words a no-break space holds together, as far as the unwrapper
# looks: mostly two ("politischen&nbsp;Einfluss", "100&nbsp;Prozent").
HELD_TOGETHER_WORDS = 2
# Bullets the wrappers put before a list item (w3m "•", "□", "☆", "○"; lynx
# "*"): a line that starts with one and a space starts an item, however wide
# the line above it ("  • Themenseiten ..." over "  • Schlagwörter ...").
# (Not "-": a dash between spaces stands in running text too, "Kambeba - knapp".)
_LIST_BULLETS = frozenset("•◦▪□☆○*")


def columns(text: str) -> int:
    """The width of a text in a terminal: two columns for a wide character."""
    # (Nothing below U+1100 is wide: `max` tells a Latin, Cyrillic or Arabic
    # line so in a tenth of the time the pattern takes to find nothing.)
    if text.isascii() or max(text) < "\u1100":
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _is_wide(character: str) -> bool:
    # (The comparison first: nothing below U+1100 is wide, and most text is.)
    return character >= "\u1100" and _WIDE.match(character) is not None


def _first_word(text: str) -> str:
    """What a wrapper moves to the next line as a whole: up to a space, or one
    wide character (CJK is broken between any two)."""
    # Split at ASCII spaces only: a wrapper never breaks at a no-break space,
    # so "deutschen\u00a0Agrarminister" moves to the next line as one word.
    word = text.split(" ", 1)[0]
    wide = None if word.isascii() else _WIDE.search(word)
    return word if wide is None else word[: wide.start() or 1]


def _leading_words_columns(line: str, count: int) -> int:
    text = line.lstrip(" \t")
    end = 0
    for _ in range(count):
        while text[end : end + 1] == " ":
            end += 1
        end += len(_first_word(text[end:]))
    return columns(text[:end].rstrip())


def _joined_without_space(line: str, continuation: str) -> bool:
    """Whether the wrapper broke between two characters with no space between:
    after a slash ("picture alliance/" "akg-images"), before a hyphen that
    joins a word to markup ("Multiple-Sklerose" "-Diagnosen"; a dash that starts
    a list item has a space after it), or beside a CJK character."""
    return (
        line.endswith("/")
        or (continuation[:1] == "-" and continuation[1:2].isalpha())
        or _is_wide(line[-1:])
        or _is_wide(continuation[:1])
    )


def _can_wrap(line: str) -> bool:
    # A line without a space inside (a long link) was not wrapped but pushed
    # onto a line of its own; CJK text wraps anywhere.
    return " " in line.strip() or _WIDE.search(line) is not None


def _starts_a_list_item(line: str) -> bool:
    stripped = line.lstrip()
    return stripped[:1] in _LIST_BULLETS and stripped[1:2] == " "


def _gap(line: str, following: str) -> int:
    """The columns between a line and the next line's first word, had they been one line."""
    return 0 if _joined_without_space(line, following.lstrip()) else 1


def _wrap_breaks(lines: list[str], widths: list[int], width: int) -> list[bool]:
    """Per line, whether the wrapper broke it: the next word would not have fit."""
    breaks = [False] * len(lines)
    for i in range(len(lines) - 1):
        # Most lines are far from the width: they are done with before the
        # finer tests (the gap is a column at most).
        if widths[i] + 1 + widths[i + 1] <= width - FIT_SLACK:
            continue
        line, following = lines[i], lines[i + 1]
        word = columns(_first_word(following.lstrip(" \t")))
        if (
            word
            and _can_wrap(line)
            and widths[i] + _gap(line, following) + word > width - FIT_SLACK
            and not _starts_a_list_item(following)
        ):
            breaks[i] = True
    return breaks


def _continues_in_lower_case(line: str, line_width: int, following: str, width: int) -> bool:
    """A wide, unfinished line whose next line starts in lower case.

    Wrappers keep words joined by a no-break space together but write the
    space as a plain one ("deutschen&nbsp;Agrarminister"), so the fit test
    misses such breaks. A sentence does not go on in lower case on the next
    line after a heading, a caption or a menu entry, so that is taken as the
    sign instead, where the script has case at all.
    """
    first = following.lstrip()[:1]
    return (
        first.islower()
        and 2 * line_width >= width
        and not line.endswith(_FINISHED_ENDINGS)
    )


def _broken_at_a_no_break_space(line: str, line_width: int, following: str, width: int) -> bool:
    """An unfinished line after which the next line's first two words would not have fit.

    In `"unmittelbaren politischen Einfluss"&nbsp;haben werde` w3m moved
    `Einfluss" haben` to the next line as one word, but wrote the no-break
    space as a plain one: the fit test sees `Einfluss"` alone, which would have
    fit, and the case of the next line says nothing in German. So the next
    line's first two words are tried as the word that did not fit. Only where
    the line has not ended: the last line of a paragraph, a caption or a list
    item ends with its sentence, and the next line is not a bullet. (In a
    wrapped page, paragraphs and headings are apart by a blank line anyway.)
    (In CJK text, the next two characters.)
    """
    return (
        not _has_ended(line)
        and not _starts_a_list_item(following)
        and line_width
        + _gap(line, following)
        + _leading_words_columns(following, HELD_TOGETHER_WORDS)
        > width - FIT_SLACK
    )


# lynx writes an image's alt text on the line right under the paragraph
# above it, with no blank line between ("...distinctive terroir." /
# "Vineyards in the Ahr Valley"), and the fit test joins the two. A
# paragraph ends with its sentence: a last line that does not, under a line
# that ends one on a word (not "28." or "J."), and a blank line below it, is
# no part of the paragraph when it reads as alt text does: a few words in
# capitals and lower case, no figures, no credit ("/", ":"), no brackets.
_SENTENCE_ENDS_ON_A_WORD = regex.compile(r"\w{3,}[.!?][\"'“”‘’»«)]*$")
_ALT_TEXT = regex.compile(r"\p{Lu}[^\d/:()\[\]+.!?;…]*")


def _alt_text_under_a_paragraph(lines: list[str], i: int) -> bool:
    """Is line i + 1, the last of a run joined to line i, an image's alt text?"""
    following = lines[i + 1].strip()
    after = lines[i + 2] if i + 2 < len(lines) else ""
    return (
        not after.strip()
        and _ALT_TEXT.fullmatch(following) is not None
        and _SENTENCE_ENDS_ON_A_WORD.search(lines[i].rstrip()) is not None
    )


# An alt text lynx wrapped itself, over a few lines, may hold anything a
# caption does ("...auf die ukrainischen" / "Stadt Uman, 28. April 2023"):
# its shape tells nothing. The old layout's caption, the next block, repeats
# most of its words ("Folgen eines russische Raketenangriffs auf die
# ukrainischen Stadt Uman, 28. April 2023"), which no paragraph's last
# sentence and the paragraph after it do.
_MAX_ALT_TEXT_LINES = 3
_MIN_WORDS_THE_CAPTION_REPEATS = 4
_MIN_SHARE_THE_CAPTION_REPEATS = 0.5
_TOKEN = regex.compile(r"\w+")


def _alt_text_the_caption_repeats(lines: list[str], breaks: list[bool], i: int) -> bool:
    """Are the lines joined to line i, from line i + 1 to the next blank line,
    an image's alt text that the block after that blank line repeats?"""
    if _SENTENCE_ENDS_ON_A_WORD.search(lines[i].rstrip()) is None:
        return False
    last = i + 1
    while breaks[last]:
        last += 1
        if last - i > _MAX_ALT_TEXT_LINES or last + 1 >= len(lines):
            return False
    if last + 2 >= len(lines) or lines[last + 1].strip():
        return False
    alt = " ".join(line.strip() for line in lines[i + 1 : last + 1])
    if not alt[:1].isupper() or alt[-1] in ".!?":
        return False
    block_end = last + 2
    while block_end < len(lines) and lines[block_end].strip():
        block_end += 1
    caption = set(_TOKEN.findall(" ".join(lines[last + 2 : block_end]).casefold()))
    alt_words = _TOKEN.findall(alt.casefold())
    repeated = sum(1 for word in alt_words if word in caption)
    return (
        repeated >= _MIN_WORDS_THE_CAPTION_REPEATS
        and repeated >= _MIN_SHARE_THE_CAPTION_REPEATS * len(alt_words)
    )


def _table_line_apart(lines: list[str], start: int, last: int, rules: RuleSet) -> bool:
    """Is `lines[last]`, the last of the run of wrapped lines from `start`, as
    a whole a chrome line of the rule tables ("Anzeige") that goes on with no
    line above it?

    Such a line is a block of its own: lynx writes an ad's label right under
    an image's credit ("...dpa/picture alliance" / "Anzeige"), and where the
    label would just have fitted after the credit, the fit test took it for
    the rest of the credit's line. But a line that ends on a separator asks
    for the next item of its list ("... | Contact |" / "Version mobile", a
    footer's links), a line in lower case goes on with a sentence ("...
    watch the" / "video": the tables are matched casefolded, and a label
    starts with a capital), and the run may be a line the tables know whole
    (a share row, "Send Facebook ... Whatsapp" / "Tumblr ... reddit" /
    "Newsvine").
    """
    above, stripped = lines[last - 1], lines[last].strip()
    if not (
        stripped
        and not stripped[:1].islower()
        and not above.rstrip().endswith(_LIST_SEPARATORS)
        and normalise_phrase(stripped) in rules.lines
    ):
        return False
    joined = lines[start].strip()
    for line in lines[start + 1 : last + 1]:
        joined = _join(joined, line.strip())
    return normalise_phrase(joined) not in rules.lines


def _has_ended(line: str) -> bool:
    """A line that ends its sentence (`reif."` has, `in den` has not)."""
    return line.rstrip(_CLOSING_MARKS).endswith(_FINISHED_ENDINGS)


def _finished_paragraphs(lines: list[str], breaks: list[bool]) -> int:
    """Runs of broken lines whose last line ends a sentence."""
    return sum(
        1
        for i in range(1, len(lines))
        if breaks[i - 1] and not breaks[i] and _has_ended(lines[i])
    )


def _join(line: str, continuation: str) -> str:
    if _joined_without_space(line, continuation):
        return line + continuation
    return f"{line} {continuation}"


def _has_a_line_longer_than(text: str, width: int) -> bool:
    # str.find from line break to line break: 1.5 µs on a benchmark page, where
    # a pattern search for width+1 characters (the `regex` package) took 16,
    # 4% of cleaning the page; the first long line is near the top.
    start = 0
    while (end := text.find("\n", start)) >= 0:
        if end - start > width:
            return True
        start = end + 1
    return len(text) - start > width


def unwrap(
    text: str, marks: re.Pattern[str] | None = None, rules: RuleSet | None = None
) -> tuple[str, list[int]] | None:
    """The page with its wrapped lines joined, and how many input lines each
    of its lines was made of; None when the page is not hard-wrapped.

    `marks` finds what the wrapper wrote into the lines beside the page's
    words (lynx's link numbers): counted in the widths, as the wrapper
    counted them, and not read as words. `rules`: a whole chrome line of
    the tables goes on with no line above it (`_table_line_apart`).
    """
    if _has_a_line_longer_than(text, MAX_WRAP_WIDTH):
        return None
    lines = [line.rstrip() for line in page_lines(text)]
    widths = [columns(line) for line in lines]
    width = max((w for line, w in zip(lines, widths, strict=True) if _can_wrap(line)), default=0)
    # (Over MAX_WRAP_WIDTH here: short lines in characters, long in columns,
    # the paragraphs of an unwrapped CJK page.)
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
        return None
    breaks = _wrap_breaks(lines, widths, width)
    if (
        sum(breaks) < MIN_WRAP_BREAKS
        or _finished_paragraphs(lines, breaks) < MIN_FINISHED_PARAGRAPHS
    ):
        return None
    for i in range(len(lines) - 1):
        if not breaks[i] and lines[i + 1].strip() and (
            _continues_in_lower_case(lines[i], widths[i], lines[i + 1], width)
            or (
                widths[i] + 1 + widths[i + 1] > width - FIT_SLACK
                and _broken_at_a_no_break_space(lines[i], widths[i], lines[i + 1], width)
            )
        ):
            breaks[i] = True
    words = lines if marks is None else [marks.sub("", line) for line in lines]
    start = 0  # the first line of the run that line i is in
    for i in range(len(lines) - 1):
        if breaks[i] and (
            (not breaks[i + 1] and _alt_text_under_a_paragraph(words, i))
            or _alt_text_the_caption_repeats(words, breaks, i)
            or (rules is not None and _table_line_apart(words, start, i + 1, rules))
        ):
            breaks[i] = False
        if not breaks[i]:
            start = i + 1
    joined: list[str] = []
    spans: list[int] = []
    joined_open = False
    for line, broken_after in zip(lines, breaks, strict=True):
        if spans and joined_open:
            joined[-1] = _join(joined[-1], line.strip())
            spans[-1] += 1
        else:
            joined.append(line)
            spans.append(1)
        joined_open = broken_after
    # (The final line break keeps a last blank line: splitlines() drops it otherwise.)
    return "\n".join(joined) + "\n", spans


# --- double spacing --------------------------------------------------------------

# A scraper that joins a page's blocks with "\n\n" (BeautifulSoup's
# `get_text("\n\n")`, a blank line between every two elements) leaves no two
# lines of text next to each other. The classifier reads an image's alt text
# by the caption right below it, and a page's head by its lines in a row:
# double-spaced, 18 of the 91 fixture text pages that are not hard-wrapped
# cleaned differently (chrome kept in the text, titles lost). Without its
# blank lines each of the 91 cleans as it does with one line per block
# (tests/test_double_spacing.py), so a double-spaced page is read without them.
# Two lines of text in a row (a line's last visible character, a line break,
# the next line's first): found again and again within the first lines of
# nearly every page, which is all such a page pays (5-10 us). Anchored on the
# last character, not on the line's first (`\S[^\n]*\n`), so that a
# double-spaced page costs a scan, not a scan per character of every line.
# The line breaks are those of `str.splitlines()` (as `lines.page_lines` reads
# a page), so a page whose lines end in CR alone is no double-spaced page.
_BREAK = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2029"
# (`re`, not `regex`: a match costs half as much, and the pattern needs nothing more.)
_TWO_LINES_IN_A_ROW = re.compile(rf"\S[^\S{_BREAK}]*(?:\r\n|[{_BREAK}])[^\S{_BREAK}]*\S")
# A zero-width space is no text: a line of it alone is blank to the cleaner
# (`lines.split_lines`), and so it is here. (Taken out of the few pages that
# have one: in the pattern, it doubled the cost of every page.)


# A text node with a line break in it (a cookie notice, an address) puts two
# lines in a row on a page that is double-spaced all the same (1 of the 9
# fixture HTML pages as BeautifulSoup writes it): one such pair in 4,000
# characters (some 50 lines of a news page) is let pass. A page with one line
# per block has far more: of the fixture dumps, the fewest have a pair in 11%
# of their lines (resiliparse's main text), most in over half.
_CHARACTERS_PER_PAIR = 4000


def _is_double_spaced(text: str) -> bool:
    if has_invisible_chars(text):
        text = without_invisible_chars(text)
    allowed = len(text) // _CHARACTERS_PER_PAIR
    for found, _ in enumerate(_TWO_LINES_IN_A_ROW.finditer(text), start=1):
        if found > allowed:
            return False
    return True


def single_space(text: str) -> tuple[str, list[int]] | None:
    """A double-spaced page without its blank lines, and how many input lines
    each of its lines stands for (itself and the blank lines below it; the
    first, the blank lines above it too); None for any other page."""
    if not _is_double_spaced(text):
        return None
    lines = page_lines(text)
    kept: list[str] = []
    spans: list[int] = []
    leading = 0
    for line in lines:
        if line.strip() and without_invisible_chars(line).strip():
            kept.append(line)
            spans.append(1 + leading)
            leading = 0
        elif spans:
            spans[-1] += 1
        else:
            leading += 1
    if len(kept) < 2 or len(kept) == len(lines):  # nothing to bring together
        return None
    return "\n".join(kept) + "\n", spans


# --- sentences cut at inline elements ---------------------------------------------

# BeautifulSoup's `get_text("\n")` (with `strip=True` or without) writes every
# text node on a line of its own, so a sentence with a link or an emphasis in
# it comes out in pieces: "...um bei der russischen Präsidentschaftswahl im
# März gegen Amtsinhaber" / "Wladimir Putin" / "antreten zu dürfen. ...". The
# pieces read as a paragraph, a heading or a caption and another paragraph
# (the link between two lines that do not end a sentence looked like an
# image's alt text and caption), and a paragraph's first words ("Die") as a
# heading; a picture's "Bild:" label stands apart from its credit, and the "|"
# between two authors on a line of its own was taken for the title. Such a
# page (`is_cut_at_inline_elements`) has its pieces joined back into their
# sentences before it is read.
#
# Without strip=True a piece keeps the space that stood before it in the
# HTML (" antreten zu dürfen"); with it, or where a text node holds a line
# break of the HTML source (a paragraph of the page's source broken over
# indented lines), a line that goes on with the sentence above tells so by
# how it starts: in lower case, with punctuation, or indented.

# Punctuation no paragraph, heading or menu entry starts with: a line that
# starts with it goes on with the line above, without a space between
# ("Impfschäden" / ", auch bekannt als ...").
_CONTINUING_PUNCTUATION = tuple(",.;:!?)]…")
# A dash and a space go on with a sentence too ("192 Millionen Dosen verimpft"
# / "– noch nie haben ..."), after a space. (BeautifulSoup writes no list
# bullets: a dash at a line's start is the page's own.)
_DASHES = frozenset("-–—")
# The first characters of a line `_goes_on_after_a_cut` may say yes to.
_CUT_STARTS = frozenset([*_CONTINUING_PUNCTUATION, *_DASHES])
# A line of nothing but a separator between two inline elements (the "|"
# between two authors or footer links, the "," between two topic links): it
# and the lines on either side are one line.
_SEPARATORS = frozenset(["|", ",", ";", ":", "/", "·", "•", "–", "-"])
# (As `str.endswith` takes them.)
_LIST_SEPARATORS = tuple(_SEPARATORS)
# A link's text, the piece between two pieces of a sentence, is this long at
# most: "Präsidentschaftswahlen im August 2020", "Krieg in der Ukraine". (A
# longer one that starts in lower case goes on with the line above anyway.)
MAX_INLINE_CHARS = 80
# Pieces cut out of a sentence (a line that has not ended, a short line, a
# line that goes on in lower case or with punctuation) before a page counts
# as cut. The 77 fixture text pages of other tools that are not hard-wrapped
# have none (tests/test_inline_pieces.py); BeautifulSoup's dumps of the 9
# corpus pages have 6 to 29 with strip=True, but for the French one, whose
# article has 2 links, and 0 to 17 without (0 for the two old English
# pages and the French one, read as they are).
MIN_INLINE_CUTS = 3
# Where a line may go on with the sentence of the line above: a line break,
# at most two spaces (a text node's own, or a no-break space and a space),
# and a lower-case letter (Latin, Cyrillic, Greek) or continuing punctuation.
# A pattern that finds few lines on most pages (2-30 on the fixture dumps
# that are not hard-wrapped): their pieces above are looked at one by one.
# (`re`, the lower-case letters as ranges: `regex`'s \p{Ll} costs 3-4 times
# as much; the ranges take some capitals too, which the look at the line sorts
# out.)
_MAY_GO_ON = re.compile(
    "\n[ \u00a0]?+[a-z\u00df-\u024f\u0430-\u045f\u03ac-\u03ce,.;:!?)\\]\u2026]"
)


def _is_glued_hyphen(line: str) -> bool:
    # "Wasserstoff" / "-Produktion": the hyphen of a compound after a link.
    return line[:1] == "-" and line[1:2].isalpha()


def _goes_on_after_a_cut(line: str) -> bool:
    """Whether a line starts with what only goes on with a sentence cut at an
    inline element: continuing punctuation, a hyphen glued to a word
    ("-Produktion"), or a dash and a space."""
    first = line[:1]
    if first not in _CUT_STARTS:  # (most lines: one look-up)
        return False
    return (
        line.startswith(_CONTINUING_PUNCTUATION)
        or _is_glued_hyphen(line)
        or (first in _DASHES and line[1:2].isspace())
    )


def _goes_on(line: str) -> bool:
    """Whether a line starts as the rest of a sentence does: in lower case (a
    word, not a lone letter: inscriptis marks list items "o"), or as
    `_goes_on_after_a_cut` says."""
    if line[:1].islower():
        return line[1:2] not in (" ", "")
    return _goes_on_after_a_cut(line)


def _ends_a_sentence(line: str) -> bool:
    return line.rstrip(_CLOSING_MARKS).endswith(_SENTENCE_ENDINGS)


def _may_be_inline(piece: str) -> bool:
    """Could this line be a link's text inside a sentence?"""
    return (
        0 < len(piece) <= MAX_INLINE_CHARS
        and not _goes_on(piece)
        and not _has_ended(piece)
        and not _starts_a_list_item(piece)
    )


def is_cut_at_inline_elements(text: str) -> bool:
    """Whether, MIN_INLINE_CUTS times, a line that has not ended is followed by
    a short line and then by a line that goes on with the sentence."""
    found = 0
    for match in _MAY_GO_ON.finditer(text):
        end = match.start()
        start = text.rfind("\n", 0, end) + 1
        if not start:
            continue
        above_start = text.rfind("\n", 0, start - 1) + 1
        above = text[above_start : start - 1].strip()
        if (
            above
            and not _has_ended(above)
            and _may_be_inline(text[start:end].strip())
            and _goes_on(text[end + 1 : match.end() + 1].lstrip())
        ):
            found += 1
            if found >= MIN_INLINE_CUTS:
                return True
    return False


def _glued(piece: str, following: str) -> str:
    """Two pieces of a line as they stood in the HTML."""
    if following.startswith(_CONTINUING_PUNCTUATION) or _is_glued_hyphen(following):
        return piece + following
    return f"{piece} {following}"


def _is_label(piece: str) -> bool:
    # "Bild:", "Feedback:" over the credit, the text they label.
    return piece.endswith(":") and " " not in piece and len(piece) > 1


def _ends_in_lower_case(line: str) -> bool:
    # "...consider upgrading to a web browser that" / "supports HTML5 video":
    # a word in lower case (or a comma) ends no name, heading or menu entry.
    return line.rpartition(" ")[2][:1].islower() or line.endswith(",")


def _starts_a_sentence(line: str, abbreviations: frozenset[str]) -> bool:
    # A sentence ends inside the line and the next one starts, with a
    # capital: running text ("... suchen. Das wird auch auf der").
    # (The pattern first: a line of a menu, which most lines looked at here
    # are, has no stop inside it.)
    return MAY_BREAK_A_SENTENCE.search(line) is not None and has_sentence_break(
        line, abbreviations, capital=True
    )


def _cut_inside_a_sentence(above: str, rules: RuleSet | None) -> bool:
    """Whether a line that has not ended (`above`) tells by its end that it
    was cut inside a sentence: on a comma, or on a word the rule tables know
    no sentence, heading or caption ends on ("und", "des":
    `unfinished_words`). (In lower case only: "Der" at a line's end is a
    name's, or a title's.)"""
    if above[-1] == ",":
        return True
    last = above.rpartition(" ")[2]
    return rules is not None and last.islower() and last in rules.unfinished_words


def _runs_on(texts: list[str], joins: list[int], k: int, abbreviations: frozenset[str]) -> bool:
    """Whether run k, or a run joined above it, is running text: a sentence
    ends inside it and the next one starts."""
    while True:
        if _starts_a_sentence(texts[k], abbreviations):
            return True
        if joins[k] == _APART:
            return False
        k -= 1


# How a run of pieces is joined to the run above it (`join_inline_pieces`):
# not; where the chain of runs it is in ends a sentence; at any rate; as a
# link's text (a short run), where the sentence ends before the chain
# crosses a join `_AFTER_A_CUT`; as a line starting with a capital after a
# line cut inside a sentence (`_cut_inside_a_sentence`), where the chain ends
# a sentence. (A link's text is weak evidence, which such a join must not
# bear out: a caption above a paragraph's short first line, jusText's text
# of a pretty-printed page, read as a sentence and its link.)
_APART, _IF_THE_SENTENCE_ENDS, _JOINED, _AS_A_LINK, _AFTER_A_CUT = 0, 1, 2, 3, 4
# How a line goes on with the line above it (`_glue`): as the rest of a
# sentence after an inline element (", auch bekannt als ...", " antreten zu
# dürfen"), which marks the line above as one; or otherwise (a separator, a
# label's text, a line of the HTML's own text broken in the source).
_CUT, _GLUED = 1, 2
# A text node's space before its text: " " or "\u00a0 " ("&nbsp; ließ"). A
# line indented more is a text's own line, broken in the page's source and
# indented as the HTML around it ("                wird von deutscher Seite").
MAX_SPACE_BEFORE_A_PIECE = 2
_COMMAS = frozenset([",", ";"])
# Blank lines a label ("Bild:") and its text may have between them: without
# strip=True, BeautifulSoup writes the line break between the two elements.
MAX_BLANKS_AFTER_A_LABEL = 2


def _glue(raws: list[str], pieces: list[str]) -> list[int]:
    """Per line, whether it tells itself that it goes on with the line above,
    and how (`_CUT`, `_GLUED`), or not at all (0)."""
    count = len(raws)
    glue = [0] * count
    # Only a line of text under a line of text can go on with it: on a page
    # written without strip=True most lines are blank, and skipped here.
    for i in [i for i in range(1, count) if pieces[i] and pieces[i - 1]]:
        piece, above = pieces[i], pieces[i - 1]
        if piece in _SEPARATORS:
            glue[i] = _GLUED
        elif above in _SEPARATORS:
            # A list's separator ("Berlin" / "," / "colonialism") or a
            # sentence's comma after a link ("Klimawandel" / "," / "und ...").
            glue[i] = _CUT if above in _COMMAS and _goes_on(piece) else _GLUED
        elif piece[:1] in _CUT_STARTS and _goes_on_after_a_cut(piece):
            glue[i] = _CUT
        elif raws[i][:1].isspace() and not _starts_a_list_item(piece):
            indent = len(raws[i]) - len(raws[i].lstrip())
            glue[i] = _CUT if indent <= MAX_SPACE_BEFORE_A_PIECE else _GLUED
        elif above[-1] == ":" and _is_label(above):
            glue[i] = _GLUED
    # (The checks on a line inline, and the one for a label first: they are
    # made for every line of the page, which a page without strip=True has
    # 700 of.)
    labels = [i for i, piece in enumerate(pieces) if piece[-1:] == ":"]
    for i in labels:
        if i + 1 < count and not pieces[i + 1] and _is_label(pieces[i]):
            following = i + 1
            while following < count and not pieces[following]:
                following += 1
            if following < count and following - i - 1 <= MAX_BLANKS_AFTER_A_LABEL:
                for j in range(i + 1, following + 1):
                    glue[j] = _GLUED
    return glue


def _run_text(pieces: list[str], first: int, last: int) -> str:
    """The text of the pieces first..last glued together, as they stood in
    the HTML (blank lines between a label and its text left out)."""
    joined = pieces[first]
    for i in range(first + 1, last + 1):
        if pieces[i]:
            joined = _glued(joined, pieces[i])
    return joined


def _joins(
    runs: list[tuple[int, int]],
    texts: list[str],
    pieces: list[str],
    glue: list[int],
    rules: RuleSet | None,
) -> list[int]:
    """How each run of glued pieces is joined to the run above it
    (`_APART`, `_JOINED` or a join that held: see `join_inline_pieces`)."""
    # The pieces of a sentence that only the sentence tells: a run that
    # goes on in lower case after one that has not ended, a short run (a
    # link's text) between one that has not ended and one that goes on, and
    # a run under one cut inside a sentence (`_cut_inside_a_sentence`). A
    # chain of such runs is one line when its last run ends a sentence, or
    # where the run above ends in lower case: a name over a date line
    # ("Clare Roth" / "vor 3 Stunden") is none, nor a list of topics.
    # A run starting with a capital goes on with the run above it where
    # that was cut inside a sentence, as German nouns do ("auf der
    # mehrtägigen" / "Brasilien-Reise"): jusText keeps the line breaks of the
    # HTML's source in a paragraph's text and drops the indentation that
    # marks them (the same page's BeautifulSoup text keeps it: `_glue`). A
    # caption or a heading has no sentence end inside it and ends on no
    # comma or unfinished word (`_cut_inside_a_sentence`); a run of running
    # text that has not ended again was cut (`_runs_on`).
    count = len(runs)
    joins = [_APART] * count  # how run k is joined to run k - 1
    abbreviations = rules.abbreviations if rules is not None else frozenset()
    for k in [k for k in range(1, count) if texts[k] and texts[k - 1]]:
        above, run = texts[k - 1], texts[k]
        if _ends_a_sentence(above):
            continue
        if _goes_on(run):
            joins[k] = _JOINED if _ends_in_lower_case(above) else _IF_THE_SENTENCE_ENDS
        else:
            as_a_link = (
                runs[k][1] > runs[k][0]
                and glue[runs[k][0] + 1] == _CUT
                and _may_be_inline(pieces[runs[k][0]])
            ) or (k + 1 < count and _goes_on(texts[k + 1]) and _may_be_inline(run))
            after_a_cut = (
                run[:1].isupper()
                and not _has_ended(above)
                and (
                    _cut_inside_a_sentence(above, rules)
                    or _runs_on(texts, joins, k - 1, abbreviations)
                )
            )
            # Where both say so, as a run joined where the sentence ends.
            joins[k] = (
                (_IF_THE_SENTENCE_ENDS if after_a_cut else _AS_A_LINK)
                if as_a_link
                else (_AFTER_A_CUT if after_a_cut else _APART)
            )
    # From the end, so that a chain's last run is known when its runs are
    # reached; and whether it ends before a join `_AFTER_A_CUT` below.
    chain_ends = ends_before_a_cut = False
    for k in reversed([k for k in range(1, count) if joins[k] != _APART]):
        if k + 1 == count or joins[k + 1] == _APART:
            chain_ends = ends_before_a_cut = _ends_a_sentence(texts[k])
        join = joins[k]
        if (join in (_IF_THE_SENTENCE_ENDS, _AFTER_A_CUT) and not chain_ends) or (
            join == _AS_A_LINK and not ends_before_a_cut
        ):
            joins[k] = _APART
        elif join == _AFTER_A_CUT:
            # (The run above has not ended: no sentence ends before this join.)
            ends_before_a_cut = False
    return joins


class Joined(NamedTuple):
    """A page with lines joined: its text, how many input lines each of its
    lines stands for, and how many of those are lines of text (not blank)."""

    text: str
    spans: list[int]
    parts: list[int]


def join_inline_pieces(text: str, rules: RuleSet | None = None) -> Joined | None:
    """A page whose sentences are cut at inline elements, with the pieces of
    each joined; None for any other page. (`rules`: what the rule tables know
    of where sentences end, `_cut_inside_a_sentence`.)"""
    if not is_cut_at_inline_elements(text):
        return None
    raws = page_lines(text)
    pieces = [raw.strip() for raw in raws]
    glue = _glue(raws, pieces)
    # Runs of pieces glued together: (first index, last index), and their text.
    # (The first line starts a run: nothing is glued to the line above it.)
    starts = [i for i, glued in enumerate(glue) if glued == 0]
    ends = [start - 1 for start in starts[1:]] + [len(raws) - 1]
    runs = list(zip(starts, ends, strict=False))
    texts = [pieces[first] if first == last else _run_text(pieces, first, last)
             for first, last in runs]
    count = len(runs)
    joins = _joins(runs, texts, pieces, glue, rules)
    lines: list[str] = []
    spans: list[int] = []
    parts: list[int] = []
    # Most runs are one line (often blank) that nothing is joined to: they
    # are copied as they are, a stretch at a time, between the runs that are
    # not.
    copied = 0  # input lines before this one are in `lines`
    for k in sorted({
        *(k for k, (first, last) in enumerate(runs) if first != last),
        *(k for k in range(1, count) if joins[k] != _APART),
    }):
        first, last = runs[k]
        lines += raws[copied:first]
        spans += [1] * (first - copied)
        parts += [1 if piece else 0 for piece in pieces[copied:first]]
        copied = last + 1
        if first == last:
            line, pieces_of_text = raws[first], 1 if pieces[first] else 0
        else:
            line, pieces_of_text = texts[k], sum(map(bool, pieces[first : last + 1]))
        if joins[k] != _APART:  # (never the first run)
            lines[-1] = f"{lines[-1]} {texts[k]}"
            spans[-1] += last - first + 1
            parts[-1] += pieces_of_text
        else:
            lines.append(line)
            spans.append(last - first + 1)
            parts.append(pieces_of_text)
    lines += raws[copied:]
    spans += [1] * (len(raws) - copied)
    parts += [1 if piece else 0 for piece in pieces[copied:]]
    return Joined("\n".join(lines) + "\n", spans, parts)


HARD_WRAPPED = "hard-wrapped"
DOUBLE_SPACED = "double-spaced"
CUT_AT_INLINE_ELEMENTS = "cut-at-inline-elements"


class Layout(NamedTuple):
    """A page read without its layout: its text, how many input lines each of
    its lines stands for, and which layout was undone (None and "" for a page
    read as it is); and, where lines were joined, how many lines of text of
    the input each line was joined from (None: one each)."""

    text: str
    spans: list[int] | None
    kind: str
    parts: list[int] | None = None


# `lynx -dump` without `-nolist` numbers every link where it stands,
# "[4]Inhalt", "Unterschriften, die er braucht, um [22]Wladimir Putin", and
# lists the links' URLs under a "References" line at the end ("Visible
# links:", then "  1. https://..."). The numbers are lynx's, not the page's:
# they hid every menu entry from the rule tables and stayed in `text`. And
# the list's URLs, over 100 characters, made the page look unwrapped.
# (Its line may end in CR LF, or have trailing spaces, as a page saved on
# Windows or trimmed by no one has: a heading matched as "\nReferences\n"
# left such a page's link numbers and list in place, and the page ruined.)
_LINK_LIST_HEADING = re.compile(r"^References[ \t]*\r?$", re.MULTILINE)
_LINK_NUMBER = re.compile(r"\[\d+\](?=\S)")
# What follows the heading: lynx's sublist titles, or the first URL.
_LINK_LIST_START = re.compile(r"\s*(?:Visible links:|Hidden links:|\d+\. \S+://)")
# Lines below the heading in which the list must start.
_LINK_LIST_WITHIN = 3


def split_link_list(text: str) -> tuple[str, str] | None:
    """A `lynx -dump` page (with its link numbers and "References" list) as
    the page above the list and the list (from its heading on); None for any
    other page."""
    headings = list(_LINK_LIST_HEADING.finditer(text)) if "References" in text else []
    if not headings:
        return None
    at = headings[-1].start()
    head, tail = text[:at], text[at:]
    following = tail.split("\n", _LINK_LIST_WITHIN + 1)[1 : _LINK_LIST_WITHIN + 1]
    if not any(_LINK_LIST_START.match(line) for line in following if line.strip()):
        return None
    return (head, tail) if _LINK_NUMBER.search(head) is not None else None


# resiliparse's `extract_plain_text(links=True)`, and renderers like it, write
# each link's target after its text, in brackets and after a space: "Wladimir
# Putin (/de/wladimir-putin/t-17289915) antreten", "  • Europa     (/de/...)",
# an image link's alt text "Kristina Timanovskaya (#)", the video notice "...
# support the video element. (https://videojs.com/...)", and an icon link's
# target alone on its line (the share buttons'). The targets are the
# renderer's words, not the page's: they hid chrome from the rule tables (a
# video block lost its notice, and with it the block) and stayed in `text`.
# A target is a URL with a scheme, a path or a fragment ("#", an image link's);
# markdown's "[text](url)" has no space before its bracket, and no fixture of
# another renderer has a line that ends in one.
_TARGET = (
    r"(?:[a-z][a-z0-9+.-]*://|(?:mailto|sms|tel|javascript):|[/#])"
    r"[^\s()]*(?:\([^\s()]*\)[^\s()]*)*"
)
# (A literal bracket first: the search skips to each one in C.)
_TARGET_AT_LINE_END = re.compile(rf"\({_TARGET}\)[ \t]*\r?$", re.MULTILINE)
# Where stripped: also an empty target, "Change it here ()", a link whose
# href is empty.
_LINK_TARGET = re.compile(rf"(?:^|[ \t]+)\((?:{_TARGET})?\)")
# Lines ending in a target before a page counts as written so: a page of
# resiliparse's has dozens; a page that has three video notices, and nothing
# else linked, three.
MIN_TARGETED_LINES = 3


class LinkTargets(NamedTuple):
    """A page read without the link targets its renderer wrote (`text`), and
    the lines that held nothing else, left out of it: each one's index among
    the page's lines, and its text."""

    text: str
    lines: list[tuple[int, str]]


def _ends_lines_in_link_targets(text: str) -> bool:
    found = 0
    for match in _TARGET_AT_LINE_END.finditer(text):
        start = match.start()
        # After a space or alone on its line: not markdown's "](url)".
        if start == 0 or text[start - 1] in " \t\n":
            found += 1
            if found >= MIN_TARGETED_LINES:
                return True
    return False


def split_link_targets(text: str) -> LinkTargets | None:
    """The page without its links' targets (`_LINK_TARGET`), when its
    renderer wrote them; None for any other page."""
    # (No substring test first: in a page with a character beyond Latin-1, a
    # two-character search takes three times the pattern's search for "(".)
    if not _ends_lines_in_link_targets(text):
        return None
    kept: list[str] = []
    targets: list[tuple[int, str]] = []
    for index, line in enumerate(page_lines(text)):
        without = _LINK_TARGET.sub("", line) if "(" in line else line
        if without != line and not without.strip():
            targets.append((index, line))
        else:
            kept.append(without)
    return LinkTargets("\n".join(kept), targets)


def undo_layout(text: str, rules: RuleSet | None = None) -> Layout:
    """The page with hard wrapping (`unwrap`) or double spacing
    (`single_space`) undone, or as it is when it has neither; a `lynx -dump`
    page's link numbers removed, and its link list left as it is
    (`split_link_list`)."""
    linked = split_link_list(text)
    if linked is None:
        return _undo_wrapping_or_spacing(text, rules=rules)
    page, link_list = linked
    # Unwrapped with the numbers, which lynx counted in a line's width, and
    # then without them.
    layout = _undo_wrapping_or_spacing(page, _LINK_NUMBER, rules)
    unnumbered = _LINK_NUMBER.sub("", layout.text)
    # Spans, even for a page with no other layout: its lines lost their link
    # numbers, and `explain` shows each input line as it was.
    spans = layout.spans if layout.spans is not None else [1] * len(page_lines(page))
    list_lines = page_lines(link_list)
    joined = unnumbered if unnumbered.endswith("\n") else unnumbered + "\n"
    parts = None if layout.parts is None else [*layout.parts, *[1] * len(list_lines)]
    return Layout(joined + link_list, [*spans, *[1] * len(list_lines)], layout.kind, parts)


def join_double_spaced(layout: Layout, rules: RuleSet | None = None) -> Layout | None:
    """A double-spaced page (`layout`, read without its blank lines) with the
    pieces of its sentences joined, when it is cut at inline elements:
    BeautifulSoup's `get_text("\n\n")`, whose every link and emphasis stood
    as a paragraph of its own, and the captions' "Bild:" labels apart from
    their credits. None for any other page.

    Clean text is double-spaced too, and may read as cut: the caller joins
    only a page whose unjoined reading removes some line, as a second
    cleaning of clean text removes none.
    """
    if layout.kind != DOUBLE_SPACED or layout.spans is None:
        return None
    joined = join_inline_pieces(layout.text, rules)
    if joined is None:
        return None
    return Layout(joined.text, _spans_through(joined.spans, layout.spans), DOUBLE_SPACED,
                  joined.parts)


def _spans_through(outer: list[int], inner: list[int]) -> list[int]:
    """The input lines each line stands for, when it stands for `outer` lines
    of a text whose lines stand for `inner` lines of the input each."""
    spans: list[int] = []
    at = 0
    for span in outer:
        spans.append(sum(inner[at : at + span]))
        at += span
    return spans


def _undo_wrapping_or_spacing(
    text: str, marks: re.Pattern[str] | None = None, rules: RuleSet | None = None
) -> Layout:
    unwrapped = unwrap(text, marks, rules)
    if unwrapped is not None:
        text, spans = unwrapped
        return Layout(text, spans, HARD_WRAPPED, spans)
    spaced = single_space(text)
    if spaced is not None:
        # Not joined even where its lines are cut: a blank line between every
        # two lines is how `clean()` writes its paragraphs, and cleaning clean
        # text must change nothing (`join_double_spaced` says when it is).
        return Layout(*spaced, DOUBLE_SPACED)
    joined = join_inline_pieces(text, rules)
    if joined is None:
        return Layout(text, None, "")
    return Layout(joined.text, joined.spans, CUT_AT_INLINE_ELEMENTS, joined.parts)
