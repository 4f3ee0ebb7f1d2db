"""Markdown dumps (html2text, markdownify, reader services) into a text dump.

Markdown says more about a page than plain text does, and this reader keeps
what the classifier can use and drops the syntax:

- paragraphs: lines up to a blank line are one paragraph (CommonMark; markdownify
  keeps the HTML source's line breaks inside paragraphs), so each becomes one
  line of the dump; a hard break ("  " or "\\" at a line end) starts a new line;
- links `[text](url)` become their text; reference links and images
  (`[text][1]`, `![alt][2]`, `[text][]`, `[text]`) are read as inline ones
  where a definition (`[1]: url`) names their label, and the definitions
  are counted as markup;
- images `![alt](src)` become a line with the alt text, directly followed by what
  came after the image (a caption, with the credit glued on in DW's new layout):
  the same shape resiliparse gives the classifier, so its image rules apply. An
  image line the classifier kept anyway is still an image (markdown said so), and
  takes the short line after it as its caption (DW's old layout). A pandoc
  figure, `![caption](src "title")`, is its title's image above its caption;
- `#` and underlined (`===`, `---`) headings, and paragraphs that are bold as a
  whole (the 2013 layout's subheadings), become lines of their own and go to
  `headings` when the classifier keeps them; the first level-1 heading is
  handed to the classifier as the title;
- emphasis, inline code marks and backslash escapes are removed;
- trafilatura's metadata header above its markdown gives url, title, date and
  authors (`cleaner.formats.frontmatter`), like a reader service's header;
- trafilatura's text output with `--links` is markdown only in its links: a
  page with no blank line at all is read one paragraph a line, as written;
  so is html2text's with `single_line_break` (blank lines around lists only).

Chrome that markdown renders like any other text ("Explore more" underlined
with `---`, "To view this video please enable JavaScript...", "Related topics")
is left to the rule tables, like in every other form.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeGuard

import regex

from cleaner.classify import BODY, Label, Page
from cleaner.core import document_from_page
from cleaner.dates import MAX_DATE_LINE_CHARS, parse_date_line
from cleaner.document import Document, Image
from cleaner.formats.common import (
    byline_below_title,
    classify_dump,
    is_table_phrase,
    overlay,
    promote_headings,
)
from cleaner.formats.detect import HTML_ELEMENTS
from cleaner.formats.frontmatter import overlay_front_matter, split_front_matter, with_header_lines
from cleaner.lines import SENTENCE_END, make_line, structural_words
from cleaner.memo import LineMemo
from cleaner.rules import RuleSet, default_ruleset
from cleaner.unwrap import FIT_SLACK, MAX_WRAP_WIDTH, MIN_WRAP_BREAKS, MIN_WRAP_WIDTH, columns

FORMAT = "markdown"

# A page without blank lines is one paragraph a line when at least this many
# of its lines end a sentence right before the next line starts (see
# `one_paragraph_a_line`).
MIN_ENDED_LINES = 2
# A caption is a line of at most this many words (DW's longest are about 30).
MAX_CAPTION_WORDS = 40

# Reader services (r.jina.ai and alike) put the page's metadata in "Field: value"
# lines above the markdown ("Title:", "URL Source:", "Published Time:", then
# "Markdown Content:"). The header counts only with one of its own markers, so
# an article that starts with "Title: ..." keeps its line.
_READER_FIELDS = ("Title", "URL Source", "Published Time", "Description", "Markdown Content")
_READER_FIELD = regex.compile(rf"^(?P<field>{'|'.join(_READER_FIELDS)}):[ \t]*(?P<value>.*)$")
# How the header's first line starts, after any blank lines.
_READER_FIELD_STARTS = tuple(f"{field}:" for field in _READER_FIELDS)
READER_MARKERS = frozenset({"url source", "markdown content"})

# --- block structure ----------------------------------------------------------

# Fenced code: its lines are kept as they are.
_FENCE = regex.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
# "## Heading ##": the closing hashes are optional.
_ATX_HEADING = regex.compile(
    r"^ {0,3}(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$"
)
# The line under a setext heading: "===" (level 1) or "---" (level 2). A lone "-"
# is an empty list item rather than an underline.
_SETEXT_UNDERLINE = regex.compile(r"^ {0,3}(?P<char>=+|-{2,})[ \t]*$")
# "***", "- - -", "___": a rule between sections, no text.
_THEMATIC_BREAK = regex.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
# "* item", "- item", "+ item", "1. item", "1) item" (html2text indents nested ones).
_LIST_ITEM = regex.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[*+\-•]|\d{1,9}[.)])(?:[ \t]+(?P<text>.*))?$"
)
# "> quoted", also nested ("> > quoted").
_BLOCK_QUOTE = regex.compile(r"^ {0,3}(?:>[ \t]?)+")
# "[1]: https://..." under a text that uses reference links.
_REFERENCE_DEFINITION = regex.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+")
# A sentence's end, a blank line (or more), and the next line's first
# character: where a paragraph may end (see `has_paragraph_break`). (`re`: a
# search costs half of what `regex`'s does.)
_SENTENCE_END_ABOVE_BLANK = re.compile(r"[.!?…。！？][\"'”’»]*[ \t]*\n(?:[ \t]*\n)+[ \t]*(\S)")
# What opens a list item, a heading or a quote, after its indentation.
_BLOCK_MARKER = re.compile(r"[ \t]*(?:[*+\-•#>]|\d{1,9}[.)])(?:[ \t]|$)")
# "|---|:---:|" under a table's header row.
_TABLE_SEPARATOR = regex.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$"
)
# pandoc's markdown (`pandoc -t markdown`) writes each HTML <div> as a fenced
# div, a ":::" line (with the div's attributes) above and below its content.
# (Inside a list item too: "-   ::: teaserImg", indented.)
_FENCED_DIV = regex.compile(r"^[ \t]*(?:[*+-][ \t]+)?:{3,}")
# What only pandoc's markdown has: a fenced div or an attribute block. On such
# a page the typography pandoc wrote in ASCII is read back (`_PANDOC_SMART`).
_PANDOC_MARKS = regex.compile(r"^[ \t]*:{3,}|[)\]]\{[#.]", flags=regex.MULTILINE)
_THREE_COLONS = regex.compile(":::")
# A line of raw HTML and nothing else: pandoc keeps the tags it has no
# markdown for ("<div>", "</div>", "<!-- -->"), lines of no text.
_RAW_HTML_LINE = regex.compile(r"^[ \t]*(?:<[!/]?[\w-][^<>]*>[ \t]*)+$")
# pandoc's CommonMark writers (`-t gfm`, `-t commonmark`) have no fenced divs,
# spans or attributes: what plain markdown cannot say (a <div> with a class, a
# link with a target, a <figure>, an <img> with a srcset) is kept as raw HTML,
# its tags wrapped over lines like the text around them ("<a" / "href=...>").
# Such a page is read as pandoc's own markdown is: block elements break blocks,
# an image with alt text is `![alt]()` (a figure's image has the alt text pandoc
# did not overwrite, see `_IMAGE_BEFORE_CAPTION`), other tags leave their
# text. Only the elements of HTML count as tags, so "<5 %" in a paragraph
# stays text.
_RAW_TAG = regex.compile(
    rf"""<!--.*?-->
      | <(?P<close>/?)(?P<name>{'|'.join(HTML_ELEMENTS)})(?=[\s/>])
        (?P<attributes>[^<>]*)>""",
    flags=regex.IGNORECASE | regex.DOTALL | regex.VERBOSE,
)
# Elements a browser starts a new block for; their tags are block breaks.
_BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "audio", "blockquote", "body", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "iframe",
        "li", "main", "nav", "noscript", "ol", "p", "picture", "section", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "video",
    }
)  # fmt: skip
_MARKER_BEFORE_BLOCK = regex.compile(
    rf"^[ \t]*(?:[*+-]|\d{{1,9}}[.)])[ \t]+(?=<(?:{'|'.join(sorted(_BLOCK_ELEMENTS))})[\s/>])",
    flags=regex.IGNORECASE | regex.MULTILINE,
)
_ALT_ATTRIBUTE = regex.compile(r"""\balt=(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')""")
# (Not "data-title=".)
_TITLE_ATTRIBUTE = regex.compile(r"""(?<![\w-])title=(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')""")
# pandoc writes a figure as its image with the whole caption (credit and all)
# for alt text, then the caption again, hidden from screen readers as a repeat:
# '<img title="T" alt="CAPTION" />' / '<figcaption aria-hidden="true">CAPTION
# </figcaption>'. The page's own alt text is lost; its title is kept (DW gives
# both the same words), and the caption is in the figcaption already. (pandoc
# writes its tags in lower case.)
_IMAGE_BEFORE_CAPTION = regex.compile(
    r"<img\b(?P<attributes>[^<>]*)>(?=\s*<figcaption\b[^<>]*>(?P<caption>.*?)</figcaption>)",
    flags=regex.DOTALL,
)
_ANY_TAG = regex.compile(r"<[^<>]*>")
# A page with raw HTML blocks: a block element's tag opening a line.
_RAW_BLOCK_LINE = regex.compile(
    rf"^[ \t]*</?(?:{'|'.join(sorted(_BLOCK_ELEMENTS))})(?=[\s/>])",
    flags=regex.IGNORECASE | regex.MULTILINE,
)
# Two spaces or a backslash at the end of a line: a <br>, the next line is a new one.
_HARD_BREAKS = ("  ", "\\")
# html2text wraps paragraphs (at 78 columns unless told otherwise) with
# Python's textwrap, which also breaks a word after a hyphen between letters
# ("deutsch-" / "brasilianischen"): such a line is joined to the next without a
# space. A short word in lower case after the hyphen is a conjunction of a
# suspended compound ("Kinder- und Jugendärzte", "pre- and post-war"), which
# keeps its space.
_BROKEN_AT_HYPHEN = regex.compile(r"\p{L}{2}-$")
_CONJUNCTION_AFTER_HYPHEN = regex.compile(r"\p{Ll}{1,4}\b(?!-)")
# A wrapped line may start with what reads as a list marker ("- rarely",
# "1914. about"): a wrapper does not escape it, and the line above it, if wide
# and not ended, shows that the sentence goes on.
_LINE_FINISHED = (*SENTENCE_END, ":", ";")
# First characters of the block markers above, for cheap tests before the patterns.
_FENCE_CHARS = ("`", "~")
_BULLETS = ("*", "+", "-", "•")

# --- inline syntax --------------------------------------------------------------

# Link targets: (url "title"), urls may hold one level of parentheses or escaped ones.
# Runs of plain characters are taken whole and never given back (possessive
# "++", "*+"): what may follow a run can never be its last character, so
# backtracking into it could only fail, slowly, character by character.
_TARGET = r"""\(
    (?:[^()\\]++|\\.|\([^()]*+\))*+
\)"""
# "![alt](src)": the alt text is what the record keeps.
_IMAGE = regex.compile(
    r"!\[(?P<alt>(?:[^\[\]\\]++|\\.)*+)\]" + _TARGET, flags=regex.VERBOSE
)
# Link text may hold one level of brackets ("[a [b] c](url)").
_LINK = regex.compile(
    r"\[(?P<text>(?:[^\[\]\\]++|\\.|\[(?:[^\[\]\\]++|\\.)*+\])*+)\]" + _TARGET,
    flags=regex.VERBOSE,
)
# "[text][ref]", "[text][]".
_REFERENCE_LINK = regex.compile(r"\[(?P<text>(?:[^\[\]\\]++|\\.)++)\]\[[^\]]*+\]")
# A definition: its label, its target (html2text writes an image's empty
# src as none: "[45]: "), and a title in quotes or brackets; the label and
# the title may go on on the next lines (an alt text with a line break in
# it; CommonMark allows a label of up to 999 characters). (Found after a
# line break, a literal the search skips to in C: "^" with MULTILINE is
# tried at every character, 0.2 ms on html2text's pages.)
_DEFINITION = re.compile(
    r"""\n\ {0,3}\[(?P<label>[^\[\]]{1,999})\]:
    (?:[ \t]+(?:<[^<>\n]*>|\S+))?
    (?:[ \t]+(?:"[^"]*"|'[^']*'|\([^()]*(?:\([^()]*\)[^()]*)*\)))?
    [ \t]*(?=\n|\Z)""",
    flags=re.VERBOSE,
)
# html2text and pandoc write the definitions after the page's last block, or
# each block's after it: either way the page's last lines hold some (DW's
# footer has links). Only they are looked at first, so that the pages
# without any pay a few microseconds, not the 30 a search of the whole page
# for "]:" takes.
_DEFINITIONS_TAIL = 2000
_DEFINITION_MARK = re.compile(r"\]:")
# Reference links and images, whose targets are defined apart ("[1]:
# https://..." at the page's end, as html2text writes them with
# `inline_links=False`): "[text][1]", "![alt][2]", "[text][]" and, where
# "[text]" is a defined label, "[text]" (CommonMark's shortcut). Each is
# written as an inline one before the page is read (`_inline_references`),
# so it is flattened as they are: its text kept, an image's alt text to
# `images`, an icon link ("[][1]") nothing. The label takes the target's
# place, so a wrapped line keeps its width.
_IMAGE_REFERENCE = regex.compile(
    r"!\[(?P<text>(?:[^\[\]\\]++|\\.)*+)\]\[(?P<label>[^\[\]]*+)\]"
)
# (Its text may hold an image, written inline by then: "[![alt](2)][3]".
# `re`: twice as fast as `regex` over html2text's pages.)
_FULL_REFERENCE = re.compile(
    r"\[(?P<text>(?:[^\[\]\\]++|\\.|\[(?:[^\[\]\\]++|\\.)*+\])*+)\]\[(?P<label>[^\[\]]*+)\]"
)
# "[text]" or "![alt]" alone: no target, no label, no definition after it.
_SHORTCUT_REFERENCE = regex.compile(
    r"(?<![\]\\])(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]++|\\.)++)\](?![(\[:])"
)
# "<https://...>".
_AUTOLINK = regex.compile(r"<(?P<url>(?:https?|ftp|mailto):[^>\s]+)>")
_INLINE_CODE = regex.compile(r"`+")
# A link or image whose other half ended up in another block: markdownify wraps
# a whole teaser or video player in one link, across blank lines ("[Title" ...
# "teaser](url)", "[![" ... "](data:...)](url)").
_DANGLING_OPEN = regex.compile(r"^(?:!?\[)+(?=[^\]]*$)")
_DANGLING_CLOSE = regex.compile(r"(?<=^[^\[]*)(?:\]" + _TARGET + r")+\s*$", flags=regex.VERBOSE)
_LEADING_CLOSE = regex.compile(r"^\s*(?:\]" + _TARGET + r")+", flags=regex.VERBOSE)
# pandoc's attributes: "{#id .class key="value"}" after a heading, a link, an
# image or a bracketed span ("[text]{.class}", pandoc's form of a <span>).
_ATTRIBUTE = r"""(?:[#.][^\s{}"=]+|[\w:-]+=(?:"[^"]*"|[^\s{}"]+))"""
_ATTRIBUTES = regex.compile(
    r"\{[ \t]*" + _ATTRIBUTE + r"(?:[ \t]+" + _ATTRIBUTE + r")*[ \t]*\}"
)
# A span's text; spans nest (a link's text in a span in a link).
_SPAN = regex.compile(
    r"\[(?P<text>(?:[^\[\]\\]++|\\.|\[(?:[^\[\]\\]++|\\.)*+\])*+)\]" + _ATTRIBUTES.pattern
)
_ATTRIBUTES_AFTER = regex.compile(r"(?<=[)`])" + _ATTRIBUTES.pattern)
# Attributes left after a bracket whose other half is in another block.
_ATTRIBUTES_LEFT = regex.compile(r"(?<=\])" + _ATTRIBUTES.pattern)
# pandoc's markdown has its "smart" extension on: it writes ’ as ', “ and ”
# as ", — as ---, – as -- and … as ..., and escapes the ASCII characters that
# stood in the page ("It\\'s", "\\..."). A backslash escape is kept here for
# `_unescape`. A link's or image's target is left as written: its URL is no
# text, and its "title" is the page's attribute verbatim (pandoc escapes its
# quotes, and writes no smart typography in it; see `_PANDOC_FIGURE`).
_PANDOC_SMART = regex.compile(
    r"\\.|\]" + _TARGET + r"|---|--|\.\.\.|['\"]", flags=regex.VERBOSE
)
_PANDOC_DASHES = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
# The characters pandoc's smart writer puts in ASCII, as ASCII: a text read
# back (where a quote's direction is a guess) and the same words written
# verbatim compare equal.
_SMART_AS_ASCII = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
    | {character: written for written, character in _PANDOC_DASHES.items()}
)
# pandoc writes a <figure> as a paragraph of its image alone, the caption
# (credit and all) in the alt text's place: `![CAPTION](src "TITLE")`. The
# page's alt text is lost; its title is kept, and DW gives an image's title
# and alt the same words (an image outside a figure keeps both:
# `![ALT](src "ALT")`). So an image alone in its paragraph whose title says
# other words than its brackets is the title's image over the caption (see
# `_pandoc_figure`). A URL with spaces is written in angle brackets.
_PANDOC_FIGURE = regex.compile(
    r"""!\[(?P<text>(?:[^\[\]\\]++|\\.)++)\]
    \([ \t]*(?:<[^<>]*+>|(?:[^()\s\\]++|\\.|\([^()]*+\))*+)
    [ \t]+"(?P<title>(?:[^"\\]++|\\.)*+)"[ \t]*\)""",
    flags=regex.VERBOSE,
)
# Before these, a quote opens.
_BEFORE_OPENING_QUOTE = frozenset(" \t([{\u2014\u2013/")
# A heading's attributes: "## Regionen {#Regionen .nav}".
_HEADING_ATTRIBUTES = regex.compile(r"[ \t]+" + _ATTRIBUTES.pattern + r"$")
# Strong emphasis marks, removed wherever they stand.
_STRONG = regex.compile(r"\*\*|__")
# Single "_" / "*" emphasis only at word edges, so "snake_case" stays intact.
_EMPHASIS = regex.compile(r"(?<![\w\\])[_*](?=\S)|(?<=[^\s\\])[_*](?!\w)")
# A paragraph that is bold as a whole: the 2013 layout's subheadings.
_WHOLLY_STRONG = regex.compile(r"^(?:\*\*|__)(?P<text>[^*_].*?[^*_\s]|[^*_\s])(?:\*\*|__)[.:]?$")
# Backslash escapes of markdown's punctuation ("30\\. Januar" in html2text).
_ESCAPE = regex.compile(r"\\(?P<char>[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
# Stands for an image inside a line while links around it are flattened.
_IMAGE_MARK = "\x00"


@dataclass(slots=True)
class _Block:
    kind: str  # "para", "item", "heading", "code"
    lines: list[str] = field(default_factory=list)
    level: int = 0
    # A list item's marker: "1." is kept in the text (policy), a bullet is not.
    marker: str = ""
    # A paragraph's first source lines (up to three), when more than one: a
    # date line that a converter set directly above the lead, or the byline
    # and the date above it (see _split_dated_heads).
    sources: list[str] = field(default_factory=list)

    @property
    def head(self) -> str:
        """The paragraph's first source line, when the next one was joined to it."""
        return self.sources[0] if self.sources else ""

    def add(self, text: str, *, joined: bool) -> None:
        if joined and self.lines:
            if len(self.lines) == 1 and len(self.sources) < 3 and self.kind in ("para", "item"):
                if not self.sources:
                    self.sources.append(self.lines[0])
                self.sources.append(text)
            self.lines[-1] = _join_wrapped(self.lines[-1], text)
        else:
            self.lines.append(text)


def _join_wrapped(line: str, text: str) -> str:
    """Two lines of one paragraph as one: a word broken after its hyphen is whole again."""
    if (
        line.endswith("-")
        and text[:1].isalpha()
        and _BROKEN_AT_HYPHEN.search(line)
        and not _CONJUNCTION_AFTER_HYPHEN.match(text)
    ):
        return line + text
    return f"{line} {text}"


def _wrapped_on(current: _Block | None, above: str) -> bool:
    """Whether the paragraph's line above was broken by a wrapper in
    mid-sentence: the next line goes on with it, whatever it starts with."""
    stripped = above.rstrip()
    return (
        current is not None
        and current.kind == "para"
        and columns(stripped) >= MIN_WRAP_WIDTH
        and not stripped.endswith(_LINE_FINISHED)
    )


def _code_line(current: _Block | None, raw: str, fence: str) -> str | None:
    """A line inside fenced code: kept as it is, or the closing fence (None: closed)."""
    if raw.strip().startswith(fence):
        return None
    if current is not None:
        current.add(raw.strip(), joined=False)
    return fence


def _underlined(current: _Block | None, level: int) -> bool:
    """A setext underline under a one-line paragraph makes it a heading."""
    if current is None or current.kind != "para" or len(current.lines) != 1:
        return False
    current.kind = "heading"
    current.level = level
    return True


def _link_wrapped(current: _Block | None) -> TypeGuard[_Block]:
    """Whether the text line under a heading goes on with it: the heading
    opened a link, or a link's target, that it did not close.

    A heading is one line in markdown, but html2text wraps it like any
    paragraph, and a short one in a link whose target did not fit ("## [DW
    News on Facebook" / "](https://...)") goes on on the next line, as does
    one whose target it broke at a hyphen ("](/de/corona-und-" /
    "wissenschaft-...)"). (A wide heading that html2text wrapped is joined
    before the page is cut into pieces, where the page's wrap width is
    known: see `join_wrapped_headings`.)
    """
    return current is not None and current.kind == "heading" and _link_open(current.lines[-1])


def _link_open(text: str) -> bool:
    """Whether a line leaves a link (or image) or a link's target open."""
    return text.count("[") > text.count("]") or text.count("(") > text.count(")")


def _first_word_columns(line: str) -> int:
    return columns(line.strip().split(" ", 1)[0])


def _wrap_width(text: str) -> int | None:
    """The width a wrapper broke the page's paragraphs at, or None: not hard-wrapped.

    As for a text dump (`cleaner.unwrap`): the width of the widest lines that
    go on on the next line, if enough of them were broken where the next
    line's first word would not have fitted. Only a paragraph's text lines
    count, with a space in them: html2text does not wrap list items (a
    menu's, with their links), nor a link target (no space), and pandoc
    indents a list item's lines. A wrapper fills line after line to within a
    few columns of its width; a wider line here and there is one it could
    not break (pandoc keeps "angeblicher\u00a0Impfschäden" together, and
    pandoc's GFM an image's tag, which is shorter as markdown), so the width
    is the widest that several lines come close to.
    """
    going_on: list[tuple[int, str]] = []  # a line that goes on: its width, the line below
    # (The pattern finds the lines to look at in C: a Python loop over every
    # line of pandoc's pages, thousands of them, took a millisecond.)
    for match in _LINE_GOING_ON.finditer(f"\n{text}"):
        line, below = match.group(1, 2)
        if (
            " " in line.strip()
            and MIN_WRAP_WIDTH <= (line_width := columns(line.rstrip())) <= MAX_WRAP_WIDTH
            and _paragraph_text(line)
            and _paragraph_text(below)
        ):
            going_on.append((line_width, below))
    candidates = sorted((line_width for line_width, _ in going_on), reverse=True)
    width = next(
        (
            w
            for w, close in zip(candidates, candidates[MIN_WRAP_BREAKS - 1 :], strict=False)
            if w - close < FIT_SLACK
        ),
        None,
    )
    if width is None:
        return None
    breaks = sum(
        1
        for line_width, below in going_on
        if line_width <= width and line_width + 1 + _first_word_columns(below) > width - FIT_SLACK
    )
    return width if breaks >= MIN_WRAP_BREAKS else None


# (A blank line's first character is "".)
_INDENTS = ("", " ", "\t")
# An unindented line of MIN_WRAP_WIDTH columns or more (half as many
# characters, for CJK) up to MAX_WRAP_WIDTH, and an unindented line under it.
# (Found after a line break, a literal the search skips to: "^" with
# re.MULTILINE is tried at every character.)
_LINE_GOING_ON = re.compile(r"\n(\S[^\n]{19,99})(?=\n(\S[^\n]*))")


def _paragraph_text(line: str) -> bool:
    """A line of a paragraph's text (no list item, heading or markup line)."""
    line_shape = _LINE_SHAPES.values.get(line) or _remembered_line_shape(line)
    return line_shape[0] == _TEXT


def _heading_over_text(text: str) -> bool:
    """Whether a heading wide enough to have been wrapped (MIN_WRAP_WIDTH
    columns, of which a CJK character takes two) has an unindented line of
    text right under it. (html2text writes its headings unindented. Line by
    line from one "\n#" to the next: a pattern over the page took 20-40 us,
    on every markdown page.)"""
    page = f"\n{text}"
    start = page.find("\n#")
    while start >= 0:
        end = page.find("\n", start + 1)
        if end < 0:
            return False
        if (
            end - start > MIN_WRAP_WIDTH // 2
            and page[end + 1 : end + 2] not in _NO_TEXT_UNDER_A_HEADING
            and _ATX_HEADING.match(page[start + 1 : end]) is not None
        ):
            return True
        start = page.find("\n#", end)
    return False


# What the line under a heading starts with, when it is no text that may go on
# with it: nothing (a blank line, the page's end), indentation, another heading.
_NO_TEXT_UNDER_A_HEADING = frozenset(["", "\n", " ", "\t", "#"])


def join_wrapped_headings(text: str) -> str:
    """A wide heading that html2text wrapped is on one line again.

    A heading is one line in markdown, and a line right under it is a block
    of its own (a byline or a lead that no blank line sets apart from the
    title: "# Russland-Wahl: ... Putin-Ära" / "Jennifer Pahlke"). But
    html2text wraps a long headline like any paragraph; its next line goes on
    with the heading where, on a hard-wrapped page, its first word would not
    have fitted after it. Only a page with a text line right under a heading
    pays for finding its wrap width.
    """
    if not _heading_over_text(text):
        return text
    width = _wrap_width(text)
    out: list[str] = []
    heading = False  # the line last put out is a heading's (first or wrapped) line
    for line in text.split("\n"):
        if heading and line[:1] not in _INDENTS:
            kind, setext = (_LINE_SHAPES.values.get(line) or _remembered_line_shape(line))[:2]
            above = out[-1].rstrip()
            if (
                kind in (_TEXT, _ITEM)
                and not setext
                and _wrapped_under(above, line, width)
            ):
                out[-1] = _join_wrapped(above, line.strip())
                continue
        heading = line.lstrip(" ")[:1] == "#" and _ATX_HEADING.match(line) is not None
        out.append(line)
    return "\n".join(out)


def _wrapped_under(heading: str, line: str, width: int | None) -> bool:
    """Whether `line` is the rest of the wide `heading` above it: its first
    word would not have fitted at the page's wrap width; or, on a page too
    short to show one (a JSON record's text, a teaser), the heading is as
    wide as a wrapped line is and `line` goes on in lower case, as no byline
    or lead starts ("... will gegen" / "den Amtsinhaber antreten")."""
    if width is not None:
        return columns(heading) + 1 + _first_word_columns(line) > width - FIT_SLACK
    return columns(heading) >= MIN_WRAP_WIDTH and line.lstrip()[:1].islower()


@dataclass(frozen=True, slots=True)
class MarkdownDump:
    """A markdown page as a text dump, with what the markdown said about its lines."""

    text: str
    # 0-based indices of lines that were headings (or wholly bold paragraphs).
    headings: frozenset[int]
    # The first level-1 heading: where the title stands.
    title_index: int | None
    # Index of each image's alt-text line -> the alt text.
    images: Mapping[int, str]
    # Reference links' definitions ("[1]: https://..."), no line of the dump:
    # counted as markup (`with_definition_lines`).
    definitions: tuple[str, ...] = ()


# What a line outside fenced code is, as a block marker, whatever stands around
# it: (kind, setext underline level or 0, text, list marker, ends in a hard break).
_FENCE_OPEN, _BLANK, _BREAK, _HEADING, _ITEM, _TEXT = range(6)
_LineShape = tuple[int, int, str, str, bool]
# Menus and link lists recur from page to page (cleaner/memo.py).
_LINE_SHAPES: LineMemo[_LineShape] = LineMemo()


def _line_shape_of(raw: str) -> _LineShape:
    stripped = raw.strip()
    # Block markers open the line: its first character rules most out.
    first = stripped[:1]
    if first in _FENCE_CHARS and (match := _FENCE.match(raw)):
        return _FENCE_OPEN, 0, match["fence"][0] * 3, "", False
    if not stripped:
        return _BLANK, 0, "", "", False
    setext = 0
    if first in ("=", "-") and (match := _SETEXT_UNDERLINE.match(raw)):
        setext = 1 if match["char"][0] == "=" else 2
    broken = raw.endswith(_HARD_BREAKS)
    if (
        (first in ("*", "-", "_") and _THEMATIC_BREAK.match(raw))
        or (first in (":", "-", "*", "+") and _FENCED_DIV.match(raw))
        or (first == "<" and _RAW_HTML_LINE.match(raw))
        or (first == "[" and _REFERENCE_DEFINITION.match(raw))
        or ("-" in raw and "---" in raw and _TABLE_SEPARATOR.match(raw))
    ):
        return _BREAK, setext, "", "", False
    if first == "#" and (match := _ATX_HEADING.match(raw)):
        heading = match["text"] or ""
        if heading.endswith("}"):
            heading = _HEADING_ATTRIBUTES.sub("", heading)
        return _HEADING, setext, heading, match["marks"], False
    if (
        (first in _BULLETS or first.isdigit())
        and (match := _LIST_ITEM.match(raw))
        and match["text"]
    ):
        return _ITEM, setext, match["text"].strip(), match["marker"], broken
    content = _BLOCK_QUOTE.sub("", raw).strip() if first == ">" else stripped
    return _TEXT, setext, content.rstrip("\\").rstrip(), "", broken


def _remembered_line_shape(raw: str) -> _LineShape:
    """The shape of a line not in the memo's `values` (a miss)."""
    line_shape = _LINE_SHAPES.recall(raw)
    if line_shape is None:
        line_shape = _line_shape_of(raw)
        _LINE_SHAPES.remember(raw, line_shape)
    return line_shape


def _blocks(text: str, *, line_paragraphs: bool = False) -> list[_Block]:
    """Split markdown ("\\n" line breaks only) into blocks: paragraphs, items, headings, code.

    `line_paragraphs`: every line of text is a paragraph of its own (see
    `one_paragraph_a_line`).
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    fence: str | None = None
    broken = False  # the previous line ended with a hard break
    line_shapes = _LINE_SHAPES.values
    lines = text.split("\n")
    # (With the line above each, as written.)
    for above, raw in zip(["", *lines], lines, strict=False):
        if fence is not None:
            fence = _code_line(current, raw, fence)
            continue
        # The memo's look-up inlined: this runs for every line of the page.
        line_shape = line_shapes.get(raw)
        if line_shape is None:
            line_shape = _remembered_line_shape(raw)
        kind, setext, content, marker, hard_break = line_shape
        if kind == _FENCE_OPEN:
            fence = content
            current = _Block("code")
            blocks.append(current)
            continue
        if kind == _BLANK:
            current = None
            continue
        if setext and _underlined(current, setext):
            current = None
            continue
        if kind == _BREAK:
            current = None
            continue
        if kind == _HEADING:
            current = _Block("heading", [content], len(marker))
            blocks.append(current)
            continue
        if kind == _ITEM and not (line_paragraphs or broken) and _wrapped_on(current, above):
            # A marker at the start of a wrapped line: text of the paragraph.
            kind, content = _TEXT, raw.strip()
        if kind == _ITEM:
            # Numbered items keep their number (policy); bullets are dropped.
            current = _Block("item", [content], marker=marker)
            blocks.append(current)
            # An item that is a bold label alone, then a <br>: the label of the
            # value below it (markdownify writes the old layout's
            # "**Autorin/Autor**  " so), on one line as every other renderer
            # writes it, where the tables know it.
            broken = hard_break and not (
                content.startswith(("**", "__")) and _WHOLLY_STRONG.match(content) is not None
            )
            continue
        if not setext and _link_wrapped(current):
            current.add(content, joined=True)
            continue
        if current is None or current.kind not in ("para", "item"):
            current = _Block("para")
            blocks.append(current)
        elif line_paragraphs and not raw[:1].isspace() and not _link_open(current.lines[-1]):
            # trafilatura keeps the HTML source's line breaks in a paragraph
            # with a link, and the indentation of the lines that go on; an
            # image's alt text with a line break in it (html2text) goes on
            # too, unindented, as its brackets say.
            current = _Block("para")
            blocks.append(current)
        current.add(content, joined=not broken)
        broken = hard_break
    return blocks


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\g<char>", text)


def inline_text(text: str) -> str:
    """Inline markup of one line removed: links, emphasis, code marks, escapes."""
    # Most lines of a page have no markup at all: each pattern runs only when
    # the character it needs is in the line.
    # (One-character tests before the two-character ones: a one-character
    # search is a memchr, several times faster over a paragraph.)
    brackets = "[" in text or "]" in text
    if brackets and "](" in text:
        text = _LINK.sub(r"\g<text>", text)
    if brackets and "][" in text:
        text = _REFERENCE_LINK.sub(r"\g<text>", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\g<url>", text)
    if brackets and text.count("[") != text.count("]"):
        text = _LEADING_CLOSE.sub("", text)
        text = _DANGLING_CLOSE.sub("", _DANGLING_OPEN.sub("", text))
    if "`" in text:
        text = _INLINE_CODE.sub("", text)
    if "*" in text or "_" in text:
        text = _STRONG.sub("", text)
        text = _EMPHASIS.sub("", text)
    if "\\" in text:
        text = _unescape(text)
    return _single_spaced(text)


def _single_spaced(text: str) -> str:
    """`" ".join(text.split())`, without splitting a text that already is.

    Most paragraphs are, and splitting one into its words and joining them
    again costs 3 times the two scans that tell (as in `lines.make_line`:
    `isprintable()` rejects every whitespace character but " ").
    """
    stripped = text.strip(" ")
    if stripped.isprintable() and "  " not in stripped:
        return stripped
    return " ".join(text.split())


# What a line of a block is, inline: its images' alt texts, its text without
# them (links flattened), and whether all of it is in bold (a heading).
_InlineShape = tuple[tuple[str, ...], str, bool]
# Menus and link lists recur from page to page (cleaner/memo.py).
_SPLIT_LINES: LineMemo[_InlineShape] = LineMemo()
# The same for pandoc's markdown, whose typography is read differently.
_SPLIT_PANDOC_LINES: LineMemo[_InlineShape] = LineMemo()


def _without_attributes(line: str) -> str:
    """pandoc's spans and attributes undone: "[text]{.class}" is its text."""
    while True:
        plain = _SPAN.sub(r"\g<text>", _ATTRIBUTES_AFTER.sub("", line))
        if plain == line:
            return _ATTRIBUTES_LEFT.sub("", plain)
        line = plain


def _pandoc_typography(line: str) -> str:
    """The characters pandoc's "smart" writer put in ASCII, as the page had them."""

    def character(match: regex.Match[str]) -> str:
        written = match.group()
        if written[0] in ("\\", "]"):
            return written
        if written in _PANDOC_DASHES:
            return _PANDOC_DASHES[written]
        start = match.start()
        opening = start == 0 or line[start - 1] in _BEFORE_OPENING_QUOTE
        if written == "'":
            return "\u2018" if opening else "\u2019"
        return "\u201c" if opening else "\u201d"

    return _PANDOC_SMART.sub(character, line)


def _inline_shape_of(line: str, *, pandoc: bool = False) -> _InlineShape:
    if "{" in line and ("]{" in line or "){" in line or "`{" in line):
        line = _without_attributes(line)
    if pandoc:
        line = _pandoc_typography(line)
    alts, rest = _split_images(line, pandoc=pandoc)
    strong = line.lstrip().startswith(("**", "__")) and bool(_WHOLLY_STRONG.match(line.strip()))
    return alts, rest, strong


def _pandoc_figure(line: str) -> tuple[tuple[str, ...], str] | None:
    """A pandoc figure's image (see `_PANDOC_FIGURE`): its title as its alt
    text, and the caption written in the alt's place as the line below it,
    as resiliparse and pandoc's GFM give a figure. None if the line is no
    figure, or its title is its alt text already (pandoc's escapes and
    typography aside: "Koch\\'s" read back is "Koch's", as in the title)."""
    figure = _PANDOC_FIGURE.fullmatch(line.strip())
    if figure is None:
        return None
    title = " ".join(_unescape(figure["title"]).split())
    alt = _unescape(figure["text"])
    if not title or _unspaced(alt.translate(_SMART_AS_ASCII)) == _unspaced(
        title.translate(_SMART_AS_ASCII)
    ):
        return None
    return (title,), inline_text(figure["text"])


def _split_images(line: str, *, pandoc: bool = False) -> tuple[tuple[str, ...], str]:
    """The alt texts of a line's images, and the line without them (links flattened).

    `pandoc`: the line is pandoc's markdown, whose figures say their alt text
    in their title (see `_pandoc_figure`).
    """
    if pandoc and line.lstrip().startswith("![") and (figure := _pandoc_figure(line)):
        return figure
    alts: list[str] = []

    def take(match: regex.Match[str]) -> str:
        alt = " ".join(_unescape(match["alt"]).split())
        if alt and alt not in alts:
            alts.append(alt)
        return _IMAGE_MARK

    has_image = "!" in line and "![" in line  # (a memchr first, see inline_text)
    rest = inline_text(_IMAGE.sub(take, line) if has_image else line)
    # inline_text's result is already spaced once between words: only an image
    # taken out leaves spaces to fold (splitting and joining every paragraph
    # again cost a markdown page 60 us).
    if _IMAGE_MARK in rest:
        rest = " ".join(rest.replace(_IMAGE_MARK, " ").split())
    return tuple(alts), rest


def split_reader_header(text: str) -> tuple[dict[str, str], str]:
    """A reader service's "Field: value" header (lower-cased fields) and the markdown after it."""
    # The header is the page's first lines: no page that starts otherwise has
    # one, and it is spared two searches of the whole page for the markers
    # (27 us a page of html2text's markdown).
    if not text.lstrip().startswith(_READER_FIELD_STARTS):
        return {}, text
    if "URL Source:" not in text and "Markdown Content:" not in text:
        return {}, text  # no marker, no header: spares splitting every page into lines
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        match = _READER_FIELD.match(line)
        if match is None:
            index -= 1
            break
        fields[match["field"].lower()] = match["value"].strip()
        if match["field"] == "Markdown Content":
            break
    if not READER_MARKERS & set(fields):
        return {}, text
    return fields, "\n".join(lines[index:])


def _header_date(value: str | None) -> str | None:
    """ISO date of a header's "Published Time" (ISO 8601 or RFC 2822, as services write it)."""
    if not value:
        return None
    if match := regex.match(r"\s*(\d{4}-\d{2}-\d{2})", value):
        return match.group(1)
    # Only reader headers need it; importing email.utils costs every run 3 ms.
    from email.utils import parsedate_to_datetime  # noqa: PLC0415

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


# What a piece of a page (the lines between two blank lines) becomes in the
# dump: its lines, and which of them are headings, images' alt texts (with the
# alt), candidates for the title (level-1 headings of two words or more) and
# paragraphs that may open with a date line (index, the byline above the
# date or "", that first date line, the rest), each by its index in the piece.
_Split = tuple[int, tuple[str, str], str]
_Piece = tuple[
    tuple[str, ...],
    tuple[int, ...],
    tuple[tuple[int, str], ...],
    tuple[int, ...],
    tuple[_Split, ...],
]
# Menus, footers and teaser lists recur from page to page as whole pieces:
# html2text writes a menu of a hundred items without a blank line between them.
# A recurring piece is converted once (see cleaner/memo.py); longer pieces are
# article text, and the bound keeps the memo within a few megabytes.
MAX_PIECE_CHARS = 4_000
MAX_PIECES = 2_000
_PIECES: LineMemo[_Piece] = LineMemo(max_chars=MAX_PIECE_CHARS, max_entries=MAX_PIECES)
_PANDOC_PIECES: LineMemo[_Piece] = LineMemo(max_chars=MAX_PIECE_CHARS, max_entries=MAX_PIECES)


def _pieces(text: str) -> list[str]:
    """The page cut at its blank lines, where no block goes on past the cut.

    A fenced code block may hold blank lines: a page with a fence is one piece.
    """
    # (A one-character test before each: see `is_pandoc_markdown`.)
    if ("`" in text and "```" in text) or ("~" in text and "~~~" in text):
        return [text]
    return text.split("\n\n")


def _convert(piece: str, *, line_paragraphs: bool = False, pandoc: bool = False) -> _Piece:
    """The dump lines of a piece of markdown, and what its markup said about them.

    `pandoc`: the page is pandoc's markdown (see `_PANDOC_SMART`).
    """
    out: list[str] = []
    headings: list[int] = []
    images: list[tuple[int, str]] = []
    candidates: list[int] = []
    splits: list[_Split] = []
    memo = _SPLIT_PANDOC_LINES if pandoc else _SPLIT_LINES
    inline_shapes = memo.values
    for block in _blocks(piece, line_paragraphs=line_paragraphs):
        glued = False  # an image line is glued to what follows it, like in resiliparse dumps
        for raw in block.lines:
            if block.kind == "code":
                out.append(raw)
                continue
            # The memo's look-up inlined: this runs for every line of the page.
            shape = inline_shapes.get(raw)
            if shape is None:
                shape = memo.recall(raw)
            if shape is None:
                shape = _inline_shape_of(raw, pandoc=pandoc)
                memo.remember(raw, shape)
            alts, rest, strong = shape
            for alt in alts:
                images.append((len(out), alt))
                out.append(alt)
                glued = True
            if not rest:
                continue
            if block.marker[:1].isdigit() and raw is block.lines[0]:
                rest = f"{block.marker} {rest}"
            if block.kind == "heading" or strong:
                headings.append(len(out))
                if block.level == 1 and structural_words(rest) >= 2:
                    candidates.append(len(out))
            elif raw is block.lines[0] and (head := _date_head(block, alts)) is not None:
                rest_of_raw = raw[len(block.head) + 1 :]
                splits.append((len(out), ("", inline_text(head)), inline_text(rest_of_raw)))
            elif raw is block.lines[0] and (byline := _byline_over_date(block, alts)):
                rest_of_raw = raw[len(byline[0]) + len(byline[1]) + 2 :]
                splits.append((len(out), byline, inline_text(rest_of_raw)))
            out.append(rest)
            glued = False
        if not glued and not line_paragraphs:
            # (One paragraph a line stays so: the classifier reads the page's
            # shape, as in the plain text dump that this is but for its links.)
            out.append("")
    # Tuples: a remembered piece is shared by every page that has it.
    return tuple(out), tuple(headings), tuple(images), tuple(candidates), tuple(splits)


def _date_head(block: _Block, alts: tuple[str, ...]) -> str | None:
    """A paragraph's first source line, if it could be a date line on its own.

    Cheap and independent of the rule tables (pieces are remembered for any
    rule set): short, with a digit, no image or link markup to cut through.
    "30. Januar 2024" opens an ordered list in markdown (item 30, "Januar
    2024"), and the lead below it is the item's lazy continuation: the
    number is part of the date.
    """
    if not block.head or alts or "[" in block.head:
        return None
    if block.kind == "para":
        head = block.head
    elif block.kind == "item" and block.marker[:1].isdigit():
        head = f"{block.marker} {block.head}"
    else:
        return None
    if len(head) > MAX_DATE_LINE_CHARS or not any(char.isdigit() for char in block.head):
        return None
    return head


def _byline_over_date(block: _Block, alts: tuple[str, ...]) -> tuple[str, str] | None:
    """A paragraph's first two source lines, if they could be a byline and a
    date line on their own ("Jennifer Pahlke" / "30.01.2024"): the first
    short, no sentence ended (a wrapper's line is wide), no digit, the second
    as `_date_head`'s. (Empty strings if not: pieces are remembered.)"""
    if block.kind != "para" or len(block.sources) < 2 or alts:
        return None
    byline, date = block.sources[:2]
    if (
        columns(byline) >= MIN_WRAP_WIDTH
        or byline.rstrip().endswith(SENTENCE_END)
        or "[" in byline
        or any(char.isdigit() for char in byline)
        or "[" in date
        or len(date) > MAX_DATE_LINE_CHARS
        or not any(char.isdigit() for char in date)
        or not block.lines[0].startswith(f"{byline} {date}")
    ):
        return None
    return inline_text(byline), inline_text(date)


def _split_dated_heads(piece: _Piece, rules: RuleSet) -> _Piece:
    """A date line glued to the paragraph under it becomes a line of its own.

    trafilatura's markdown (DW's new layout) writes the date and the lead
    paragraph on consecutive lines with no blank line between them, so
    markdown makes them one paragraph ("30. Januar 2024 Die erste Hürde ...")
    and the date would be read as the lead's first words. A first source line
    that is a date line and nothing else, followed by a line that starts a
    sentence (not in lower case, which would be a wrapped sentence going on),
    is split off; the classifier then takes it for the date as in a text dump.
    """
    lines, headings, images, candidates, splits = piece
    # (A byline and its date may make the whole paragraph.)
    taken = [
        (index, [line for line in (*head, rest) if line])
        for index, head, rest in splits
        if (rest[:1] or head[0]) and not rest[:1].islower() and parse_date_line(head[1], rules)
    ]
    if not taken:
        return lines, headings, images, candidates, ()
    out = list(lines)
    shift = 0
    for index, parts in taken:
        out[index + shift : index + shift + 1] = parts
        shift += len(parts) - 1

    def moved(index: int) -> int:
        # Every split above a line moves it down by the lines it made.
        return index + sum(len(parts) - 1 for split_index, parts in taken if split_index < index)

    return (
        tuple(out),
        tuple(moved(index) for index in headings),
        tuple((moved(index), alt) for index, alt in images),
        tuple(moved(index) for index in candidates),
        (),
    )


def one_paragraph_a_line(text: str) -> bool:
    """Is this a page of one block a line, paragraphs not set apart by blank lines?

    trafilatura's text output with `--links` keeps links as `[text](url)` and
    writes every paragraph, heading and list item on a line of its own, with
    no blank line anywhere (an indented line goes on with the paragraph
    above: the source's line break in a paragraph with a link); html2text
    with `single_line_break=True` writes its markdown so, with blank lines
    only around lists. As markdown their lines would make one paragraph of
    the whole article, headings, byline and date and all. Real markdown
    separates paragraphs by blank lines, so a page where no paragraph that
    ends a sentence has one under it (`has_paragraph_break`) is read a line at
    a time, once its lines end sentences where a paragraph would, unless it
    is hard-wrapped (a wrapped paragraph breaks its lines anywhere, and a
    page of one paragraph over a list has no paragraph break either).
    """
    text = text.strip("\n")
    # A paragraph break says no at once: real markdown has one between
    # every two paragraphs, near the top, and splitting the page for the
    # check below cost every markdown page 20 us.
    if "\n\n" in text and has_paragraph_break(text):
        return False
    lines = text.split("\n")
    # (Paragraphs, not list items: the items of a list end on a full stop
    # as often, with no blank line between them in any markdown.)
    ended = sum(
        1
        for line, below in pairwise(lines)
        if line.rstrip().endswith(SENTENCE_END)
        and below[:1] not in _INDENTS
        and line[:1] not in _INDENTS
        and _paragraph_text(line)
        and _paragraph_text(below)
    )
    return ended >= MIN_ENDED_LINES and _wrap_width(text) is None


def has_paragraph_break(text: str) -> bool:
    """Does a paragraph that ends a sentence have a blank line under it, and
    another paragraph under that: real markdown's paragraph break?

    Not a list item's line, a heading's or a quote's, above or below:
    html2text sets blank lines around lists even where it sets none between
    paragraphs.
    """
    for match in _SENTENCE_END_ABOVE_BLANK.finditer(text):
        below = match.start(1)
        above = text.rfind("\n", 0, match.start()) + 1
        if not (
            _BLOCK_MARKER.match(text, above)
            or _BLOCK_MARKER.match(text, text.rfind("\n", 0, below) + 1)
        ):
            return True
    return False


def is_pandoc_markdown(text: str) -> bool:
    """Does the page show what only pandoc's markdown has (see `_PANDOC_MARKS`)?"""
    # Substring searches first (what the pattern needs, found in C): the
    # pattern over a whole page took 65 us, on every markdown page. And "{"
    # alone first: a one-character test is a memchr, where `in` with two or
    # more characters reads a 27 kB page in 20-25 us (most pages have no
    # "{"). Colons are on every page (its links' URLs): `regex` finds ":::"
    # in under half the time `in` takes.
    attributes = "{" in text and ("]{" in text or "){" in text)
    marked = attributes or _THREE_COLONS.search(text) is not None
    return marked and _PANDOC_MARKS.search(text) is not None


def _attribute_text(attributes: str, pattern: regex.Pattern[str]) -> str:
    """An attribute's value as text: entities decoded, single-spaced ("" if absent)."""
    found = pattern.search(attributes)
    value = (found["double"] or found["single"] or "") if found else ""
    return " ".join(html.unescape(value).split())


def _unspaced(text: str) -> str:
    """Text without its whitespace: the same words wrapped or tagged differently compare equal."""
    return "".join(text.split())


def _figure_image(match: regex.Match[str]) -> str:
    """An image whose alt text is the caption below it (see `_IMAGE_BEFORE_CAPTION`)
    takes its title for alt text, or none: one image, captioned once."""
    attributes = match["attributes"]
    alt = _attribute_text(attributes, _ALT_ATTRIBUTE)
    caption = html.unescape(_ANY_TAG.sub("", match["caption"]))
    if not alt or _unspaced(alt) != _unspaced(caption):
        return match.group()
    title = _attribute_text(attributes, _TITLE_ATTRIBUTE)
    return f'<img alt="{html.escape(title)}" />'


def _raw_tag_as_markdown(match: regex.Match[str]) -> str:
    name = (match["name"] or "").lower()
    if name == "img":
        alt = _attribute_text(match["attributes"], _ALT_ATTRIBUTE)
        return f"![{alt}]()" if alt else ""
    if name == "br":
        return "\n"
    return "\n\n" if name in _BLOCK_ELEMENTS else ""


def raw_html_as_markdown(text: str) -> str:
    """A page of pandoc's CommonMark or GFM (see `_RAW_TAG`) as plain markdown."""
    if "<" not in text or not _RAW_BLOCK_LINE.search(text):
        return text
    # A list item that holds a block ("-   <div class=...>", a gallery's slide)
    # is that block: its marker alone would be an item of no text.
    text = _MARKER_BEFORE_BLOCK.sub("", text)
    if "<figcaption" in text:
        text = _IMAGE_BEFORE_CAPTION.sub(_figure_image, text)
    return _RAW_TAG.sub(_raw_tag_as_markdown, text)


def _label(text: str) -> str:
    """A reference's label as CommonMark matches it: case and spacing aside."""
    return " ".join(text.split()).casefold()


def _inline_references(text: str) -> tuple[str, tuple[str, ...]]:
    """The page with its reference links and images written inline (see
    `_DEFINITION`), and its definition lines; the page as it is, and none,
    when it defines no label. A reference to a label it does not define is
    left as it is: CommonMark reads "[sic]" as text."""
    if _DEFINITION_MARK.search(text, max(0, len(text) - _DEFINITIONS_TAIL)) is None:
        return text, ()
    lined = f"\n{text}"
    definitions = list(_DEFINITION.finditer(lined))
    if not definitions:
        return text, ()
    labels = {_label(match["label"]) for match in definitions}
    # Each a block break, as a blank line is.
    text = _DEFINITION.sub("\n", lined)[1:]

    def inline(match: re.Match[str] | regex.Match[str]) -> str:
        label = match["label"] or match["text"]
        if _label(label) not in labels:
            return match.group()
        bang = "!" if match.group().startswith("!") else ""
        return f"{bang}[{match['text']}]({label})"

    def shortcut(match: regex.Match[str]) -> str:
        if _label(match["text"]) not in labels:
            return match.group()
        return f"{match['bang']}[{match['text']}]()"

    if "![" in text:
        text = _IMAGE_REFERENCE.sub(inline, text)
    text = _FULL_REFERENCE.sub(inline, text)
    # A number names no link's text: html2text's and pandoc's labels
    # ("[1]") leave no shortcut to look for (a search of every bracket,
    # 0.6 ms on such a page).
    if not all(label.isdigit() for label in labels):
        text = _SHORTCUT_REFERENCE.sub(shortcut, text)
    return text, tuple(" ".join(match.group().split()) for match in definitions)


def markdown_to_dump(text: str, rules: RuleSet | None = None) -> MarkdownDump:
    """The text dump of a markdown page and what its markup said about the lines."""
    rules = rules or default_ruleset()
    out: list[str] = []
    headings: list[int] = []
    images: dict[int, str] = {}
    title_index: int | None = None
    if "\r" in text:  # (a memchr, where each replace read the page: 25 us)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = raw_html_as_markdown(text)
    text, definitions = _inline_references(text)
    line_paragraphs = one_paragraph_a_line(text)
    if not line_paragraphs:
        text = join_wrapped_headings(text)
    pandoc = is_pandoc_markdown(text)
    pieces_memo = _PANDOC_PIECES if pandoc else _PIECES
    known_pieces = pieces_memo.values
    for piece in _pieces(text):
        # The memo's look-up inlined: a page has dozens of pieces.
        converted = None if line_paragraphs else known_pieces.get(piece)
        if converted is None and line_paragraphs:
            # Not remembered: the same lines as a piece of real markdown
            # (between two blank lines) are read the other way.
            converted = _convert(piece, line_paragraphs=True, pandoc=pandoc)
        elif converted is None:
            converted = pieces_memo.recall(piece)
            if converted is None:
                converted = _convert(piece, pandoc=pandoc)
                pieces_memo.remember(piece, converted)
        if converted[4]:
            converted = _split_dated_heads(converted, rules)
        lines, piece_headings, piece_images, candidates, _ = converted
        start = len(out)
        out += lines
        if piece_headings:
            headings += [start + index for index in piece_headings]
        for index, alt in piece_images:
            images[start + index] = alt
        if title_index is None:
            # The first level-1 heading is the title, unless a rule table names it chrome.
            for index in candidates:
                if not is_table_phrase(lines[index], rules):
                    title_index = start + index
                    break
    return MarkdownDump("\n".join(out), frozenset(headings), title_index, images, definitions)


def _is_caption(page: Page, index: int, dump: MarkdownDump) -> bool:
    label = page.labels[index]
    line = page.lines[index]
    return (
        label is not None
        and label.kept
        and index not in dump.headings
        and index not in dump.images
        and not line.is_prose
        and line.words <= MAX_CAPTION_WORDS
    )


def label_images(page: Page, dump: MarkdownDump) -> None:
    """Image lines the classifier kept are images all the same (markdown said so);
    a short line right after one is its caption (DW's old layout)."""
    for index, alt in dump.images.items():
        label = page.labels[index]
        if label is not None and not label.kept:
            continue
        caption = None
        below = page.next_nonblank(index)
        if below is not None and _is_caption(page, below, dump):
            caption = page.lines[below].text
            page.set(below, "image", "markdown:image_caption")
        page.set(index, "image", "markdown:image", Image(alt=alt, caption=caption))


def heading_is_no_image(page: Page, dump: MarkdownDump) -> None:
    """A markdown heading is never an image's alt text: undo such a structural guess.

    The classifier pairs a short line and the short paragraph under it as an
    image's alt text and caption when nothing tells it otherwise; markdown does.
    """
    for index in sorted(dump.headings):
        label = page.labels[index]
        if label is None or label.category != "image" or not label.rule.startswith("structure:"):
            continue
        page.set(index, BODY, "markdown:heading_not_image")
        below = page.next_nonblank(index)
        partner = page.labels[below] if below is not None else None
        if (
            below is not None
            and partner is not None
            and partner.category == "image"
            and partner.rule.startswith("structure:")
            and partner.value is None
        ):
            page.set(below, BODY, "markdown:caption_of_no_image")


def _analyse(
    data: str, rules: RuleSet, keep_gallery: bool
) -> tuple[Page, dict[str, str], dict[str, str]]:
    """The labelled page, the reader service's header and trafilatura's header."""
    front_matter, front_lines, data = split_front_matter(data)
    header, markdown = split_reader_header(data)
    dump = markdown_to_dump(markdown, rules)
    lines = dump.text.split("\n")
    preset = byline_below_title(lines, dump.title_index, "markdown:byline_below_title")
    if dump.title_index is not None:
        title = lines[dump.title_index].strip()
        preset[dump.title_index] = Label("title", "markdown:first_h1", title)
    page = classify_dump(
        dump.text,
        rules=rules,
        keep_gallery=keep_gallery,
        preset=preset,
        title_index=dump.title_index,
    )
    heading_is_no_image(page, dump)
    label_images(page, dump)
    promote_headings(page, sorted(dump.headings), "markdown:heading")
    page = with_definition_lines(page, dump.definitions)
    return with_header_lines(page, front_lines), header, front_matter


_DEFINITION_LABEL = Label("markup", "markdown:link_definition")


def with_definition_lines(page: Page, definitions: tuple[str, ...]) -> Page:
    """The page with its reference links' definitions after its last line,
    as `markup`: counted in `removed` and shown by `explain`, and added
    after the page was read, so that no rule reads a URL list as a line of
    the page (html2text writes them after the footer)."""
    if definitions:
        page.lines = page.lines + [make_line(line) for line in definitions]
        page.labels = page.labels + [_DEFINITION_LABEL] * len(definitions)
    return page


def analyse_markdown(
    data: str, *, rules: RuleSet | None = None, keep_gallery: bool = False
) -> Page:
    """Label every line of a markdown page's text dump (for `clean` and `explain`)."""
    return _analyse(data, rules or default_ruleset(), keep_gallery)[0]


def clean_markdown(
    data: str,
    *,
    source: str | None = None,
    url: str | None = None,
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Document:
    page, header, front_matter = _analyse(data, rules or default_ruleset(), keep_gallery)
    source_url = header.get("url source") or front_matter.get("url")
    document = document_from_page(page, source=source, url=url or source_url or None)
    document = overlay(
        document,
        title=document.title or header.get("title") or None,
        date=document.date or _header_date(header.get("published time")),
        format=FORMAT,
    )
    return overlay_front_matter(document, front_matter)
