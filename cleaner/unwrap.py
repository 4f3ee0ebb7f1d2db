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
"""

from __future__ import annotations

# Wrappers' widths: pandoc 72, html2text 78, w3m and lynx 80 (by default).
# A page with a longer line is not wrapped, and that is nearly every page: the
# check for one such line is all a page pays.
MAX_WRAP_WIDTH = 100
# Narrower than this, the widest line is a menu entry, not a wrap width.
# (Wrapped CJK text is narrower in characters and has no spaces to break at: it
# is not recognised, and is read line by line as before.)
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
# A line that ends like this has ended (a sentence, a clause before a list).
_FINISHED_ENDINGS = (".", "!", "?", ":", ";", "…")
# Quotes and brackets that close after a sentence's end: `reif."` has ended.
_CLOSING_MARKS = "\"'“”‘’»«)]"
# How many words a no-break space holds together, as far as the unwrapper
# looks: mostly two ("politischen&nbsp;Einfluss", "100&nbsp;Prozent").
HELD_TOGETHER_WORDS = 2
# Bullets the wrappers put before a list item (w3m "•", "□", "☆", "○"; lynx
# "*"): a line that starts with one and a space starts an item, however wide
# the line above it ("  • Themenseiten ..." over "  • Schlagwörter ...").
# (Not "-": a dash between spaces stands in running text too, "Kambeba - knapp".)
_LIST_BULLETS = frozenset("•◦▪□☆○*")


def _first_word_length(line: str) -> int:
    # Split at ASCII spaces only: a wrapper never breaks at a no-break space,
    # so "deutschen\u00a0Agrarminister" moves to the next line as one word.
    return len(line.lstrip(" \t").split(" ", 1)[0])


def _leading_words_length(line: str, count: int) -> int:
    return len(" ".join(line.lstrip(" \t").split(" ", count)[:count]))


def _starts_a_list_item(line: str) -> bool:
    stripped = line.lstrip()
    return stripped[:1] in _LIST_BULLETS and stripped[1:2] == " "


def _wrap_breaks(lines: list[str], width: int) -> list[bool]:
    """Per line, whether the wrapper broke it: the next word would not have fit."""
    breaks = [False] * len(lines)
    for i in range(len(lines) - 1):
        line = lines[i]
        following = _first_word_length(lines[i + 1])
        # A line without a space inside (a long link) was not wrapped but pushed
        # onto a line of its own.
        if (
            following
            and " " in line.strip()
            and len(line) + 1 + following > width - FIT_SLACK
            and not _starts_a_list_item(lines[i + 1])
        ):
            breaks[i] = True
    return breaks


def _continues_in_lower_case(line: str, following: str, width: int) -> bool:
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
        and 2 * len(line) >= width
        and not line.endswith(_FINISHED_ENDINGS)
    )


def _broken_at_a_no_break_space(line: str, following: str, width: int) -> bool:
    """An unfinished line after which the next line's first two words would not have fit.

    In `"unmittelbaren politischen Einfluss"&nbsp;haben werde` w3m moved
    `Einfluss" haben` to the next line as one word, but wrote the no-break
    space as a plain one: the fit test sees `Einfluss"` alone, which would have
    fit, and the case of the next line says nothing in German. So the next
    line's first two words are tried as the word that did not fit. Only where
    the line has not ended: the last line of a paragraph, a caption or a list
    item ends with its sentence, and the next line is not a bullet. (In a
    wrapped page, paragraphs and headings are apart by a blank line anyway.)
    """
    return (
        not line.rstrip(_CLOSING_MARKS).endswith(_FINISHED_ENDINGS)
        and not _starts_a_list_item(following)
        and len(line) + 1 + _leading_words_length(following, HELD_TOGETHER_WORDS)
        > width - FIT_SLACK
    )


def _join(line: str, continuation: str) -> str:
    # w3m breaks after a slash ("picture alliance/" "akg-images") and before a
    # hyphen that joins a word to markup ("Multiple-Sklerose" "-Diagnosen"):
    # no space was there. (A dash that starts a list item has a space after it.)
    if line.endswith("/") or (continuation[:1] == "-" and continuation[1:2].isalpha()):
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


def unwrap(text: str) -> tuple[str, list[int]] | None:
    """The page with its wrapped lines joined, and how many input lines each
    of its lines was made of; None when the page is not hard-wrapped."""
    if _has_a_line_longer_than(text, MAX_WRAP_WIDTH):
        return None
    lines = [line.rstrip() for line in text.splitlines()]
    width = max((len(line) for line in lines if " " in line.strip()), default=0)
    if width < MIN_WRAP_WIDTH:
        return None
    breaks = _wrap_breaks(lines, width)
    if sum(breaks) < MIN_WRAP_BREAKS:
        return None
    for i in range(len(lines) - 1):
        if not breaks[i] and lines[i + 1].strip() and (
            _continues_in_lower_case(lines[i], lines[i + 1], width)
            or _broken_at_a_no_break_space(lines[i], lines[i + 1], width)
        ):
            breaks[i] = True
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
