"""Tell the input forms apart: HTML, markdown, JSON records or a plain-text dump.

JSON records are JSON Lines, a JSON array of objects or one JSON object (the
"jsonl" form: `cleaner.formats.records` reads all three).

A file name decides when its extension is specific (`.html`, `.md`, `.jsonl`,
`.json`);
`.txt` and unknown names say only "text of some kind", so the content decides:
html2text writes markdown into `.txt` files, and scrapers save HTML and JSON
under any name. Sniffing reads at most `SNIFF_CHARS` characters from the start,
so detection costs the same on a 2 MB page as on a 2 kB one; only a window of
raw HTML lines that is neither HTML nor markdown (pandoc's GFM/CommonMark of a
page) is read on, to `MARKDOWN_AFTER_HTML_CHARS`, for its markdown.
"""

from __future__ import annotations

import json

import regex

from cleaner.lazy import compiled_on_first_use

TEXT = "text"
MARKDOWN = "markdown"
HTML = "html"
JSONL = "jsonl"
FORMATS: tuple[str, ...] = (TEXT, MARKDOWN, HTML, JSONL)

# Enough for a page's head or a few markdown paragraphs, cheap to scan.
SNIFF_CHARS = 8192

# Extensions that name one format. ".txt" is missing on purpose (see above);
# compression suffixes are looked through (`page.html.gz` is HTML).
EXTENSIONS: dict[str, str] = {
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".shtml": HTML,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".mdown": MARKDOWN,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".jsonlines": JSONL,
    # Scrapers export records as a JSON array, or one object per file.
    ".json": JSONL,
}
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")

# A whole page: a doctype, an XML declaration or a page-level tag first (after
# comments and a BOM), or a page-level tag anywhere in the window (a page saved
# with junk before it).
_HTML_PAGE_START = compiled_on_first_use(
    r"""\A[\ufeff\s]*
        (?:<!--.*?-->\s*)*            # leading comments
        (?:<\?xml[^>]*>\s*)?          # XML declaration of XHTML pages
        <(?:!doctype\s+html|html|head|body)\b
    """,
    flags=regex.IGNORECASE | regex.VERBOSE | regex.DOTALL,
)
_HTML_PAGE_TAG = compiled_on_first_use(r"<(?:html|head|body)\b[^>]*>", flags=regex.IGNORECASE)

# The elements of HTML (the living standard's, and the obsolete ones old pages
# still use). A fragment is told from a text dump by lines that open with one of
# these tags: "<5 %" or "<Reuters>" in a dump names no element.
HTML_ELEMENTS: tuple[str, ...] = (
    # document and sections
    "html", "head", "body", "title", "meta", "link", "base", "style", "script", "noscript",
    "template", "slot", "main", "article", "section", "nav", "aside", "header", "footer",
    "address", "hgroup", "search", "h1", "h2", "h3", "h4", "h5", "h6",
    # grouping
    "div", "p", "hr", "pre", "blockquote", "ol", "ul", "menu", "li", "dl", "dt", "dd",
    "figure", "figcaption",
    # text-level
    "a", "em", "strong", "small", "s", "cite", "q", "dfn", "abbr", "ruby", "rt", "rp",
    "data", "time", "code", "var", "samp", "kbd", "sub", "sup", "i", "b", "u", "mark",
    "bdi", "bdo", "span", "br", "wbr", "ins", "del",
    # embedded content
    "picture", "source", "img", "iframe", "embed", "object", "video", "audio", "track",
    "map", "area", "svg", "math", "canvas",
    # tables and forms
    "table", "caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th",
    "form", "label", "input", "button", "select", "datalist", "optgroup", "option",
    "textarea", "output", "progress", "meter", "fieldset", "legend", "details", "summary",
    "dialog",
    # obsolete, still in old pages
    "center", "font", "big", "tt", "strike", "nobr", "marquee", "acronym", "applet",
    "frame", "frameset", "noframes",
)  # fmt: skip
# A line that opens with markup: an element's start or end tag, or a comment.
_MARKUP_LINE = compiled_on_first_use(
    rf"^[ \t\ufeff]*(?:<!--|</?(?:{'|'.join(HTML_ELEMENTS)})(?=[\s/>]))",
    flags=regex.IGNORECASE | regex.MULTILINE,
)
# What a script, a style sheet or a comment holds is markup too, however many
# lines it takes: inline JavaScript (tracking code, a player's setup) can fill
# most of a fragment's first kilobytes without a tag on any of its lines. Each
# is cut down to its opening tag (to the window's end when it runs past it)
# before lines are counted.
_SCRIPT_STYLE_OR_COMMENT = compiled_on_first_use(
    r"""(?P<open><(?P<tag>script|style)\b[^>]*>) .*? (?:</(?P=tag)\s*>|\Z)
        | (?P<comment><!--) .*? (?:-->|\Z)""",
    flags=regex.IGNORECASE | regex.DOTALL | regex.VERBOSE,
)
# A fragment (an <article>, a <div> or a run of paragraphs saved without the page
# around it) is mostly markup: at least this share of the window's non-blank
# lines open with a tag. A text dump with leaked markup has a line or two of it
# among its paragraphs, and cleaned as HTML would lose its plain-text lines.
MIN_MARKUP_LINE_SHARE = 0.5

# The first line of a JSON Lines file: an object whose first key is a string.
_JSON_OBJECT_START = regex.compile(r'\A[\ufeff\s]*\{\s*"(?:[^"\\]|\\.)*"\s*:')
# A JSON array of such objects, compact or pretty-printed.
_JSON_ARRAY_START = regex.compile(r'\A[\ufeff\s]*\[\s*\{\s*"(?:[^"\\]|\\.)*"\s*:')

# Markdown signals, counted per line of the window. Plain-text dumps made by
# resiliparse, inscriptis or trafilatura have none of them: they drop link
# targets and never write "#" headings or "**" emphasis.
_MD_LINK = regex.compile(r"!?\[[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_ATX_HEADING = regex.compile(r"^ {0,3}#{1,6}[ \t]+\S", flags=regex.MULTILINE)
_MD_SETEXT = regex.compile(r"^[^\n]*\S[^\n]*\n {0,3}(?:=+|-{3,})[ \t]*$", flags=regex.MULTILINE)
# The emphasised text must start with something other than the delimiter's
# character: lynx and links draw a form's text field (DW's old-layout search
# box) as a row of underscores, "____________________", which is no emphasis.
_MD_EMPHASIS = regex.compile(r"\*\*[^\s*][^\n]*?\S\*\*|__[^\s_][^\n]*?\S__")
# The header reader services write above their markdown ("URL Source: ...").
_READER_HEADER = regex.compile(r"^(?:URL Source|Markdown Content):", flags=regex.MULTILINE)
# Links are the surest signal (a text dump never keeps "](url)"); headings and
# emphasis together are a second, for markdown without links.
MIN_LINKS = 2
MIN_OTHER_SIGNALS = 2

# pandoc's GFM and CommonMark write as raw HTML what they cannot say in
# markdown: a new-layout DW page (nested <div>s, <a>s, inline SVG icons as
# base64 `data:` URIs) opens with some 20 kB of it before the first heading or
# link, so the window holds tags and no markdown yet. Its lines are wrapped
# inside the tags (attributes and base64 on lines of their own), too few open
# with a tag for an HTML fragment. Only a window with at least this many lines
# that open with a tag, and no other verdict, is read on to the longer window
# for markdown: a text dump with a leaked line of markup has a line or two, and
# a plain dump, the common case, has none and costs nothing more.
MIN_RAW_HTML_LINES = 3
MARKDOWN_AFTER_HTML_CHARS = 65536


def path_suffixes(path: str) -> list[str]:
    """`PurePosixPath(path).suffixes`, without building a path object for every
    input of a batch (a tenth of the time of format detection)."""
    parts = [part for part in path.split("/") if part and part != "."]
    name = parts[-1] if parts else ""
    if name.endswith("."):
        return []
    return ["." + suffix for suffix in name.lstrip(".").split(".")[1:]]


def format_from_name(name: str | None) -> str | None:
    """The format an extension names, or None when the name does not say."""
    if not name:
        return None
    suffixes = path_suffixes(name.replace("\\", "/").split("#", 1)[0].lower())
    while suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    return EXTENSIONS.get(suffixes[-1]) if suffixes else None


def looks_like_html(head: str) -> bool:
    """A whole page, or a fragment of one (markup on most lines)."""
    # Sniffing runs on every input of a batch: cheap substring tests first.
    if "<" not in head:
        return False
    return looks_like_html_page(head) or looks_like_html_fragment(head)


def looks_like_html_page(head: str) -> bool:
    """A whole page: a doctype or a page-level tag first, or a page-level tag
    anywhere in the window."""
    return bool(_HTML_PAGE_START().match(head) or _HTML_PAGE_TAG().search(head))


def looks_like_html_fragment(head: str) -> bool:
    """Most non-blank lines of the window open with an HTML tag or a comment.

    A minified fragment is one line that opens with a tag; a pretty-printed one
    has a tag on most lines, whatever element comes first (`<header>`, `<a>`, a
    comment...) and whatever stands before it (a "Saved from ..." line). The
    lines of scripts, style sheets and comments are not counted: they are
    neither tags nor text.
    """
    markup_lines = len(_MARKUP_LINE().findall(head))
    if not markup_lines:
        return False
    if "<!--" in head or "<s" in head or "<S" in head:
        head = _SCRIPT_STYLE_OR_COMMENT().sub(_opening_only, head)
        markup_lines = len(_MARKUP_LINE().findall(head))
    lines = sum(1 for line in head.splitlines() if line.strip())
    return markup_lines >= MIN_MARKUP_LINE_SHARE * lines


def _opening_only(match: regex.Match[str]) -> str:
    return match["open"] or match["comment"]


def looks_like_jsonl(head: str) -> bool:
    """JSON records: the first non-blank line is a JSON object (or starts like one,
    if cut off) and so do most lines of the window, or the text opens a JSON
    array of objects or a pretty-printed object ("{" alone on the first line, a
    key on the next)."""
    if _JSON_ARRAY_START.match(head):
        return True
    if not _JSON_OBJECT_START.match(head):
        return False
    first = head.lstrip("\ufeff \t\r\n").split("\n", 1)
    if len(first) == 1 and len(head) >= SNIFF_CHARS:
        return True  # the line runs past the window; its start is enough
    if first[0].strip() == "{":
        return True
    try:
        if not isinstance(json.loads(first[0]), dict):
            return False
    except json.JSONDecodeError:
        return False
    except (ValueError, RecursionError):
        # An object Python cannot load (nested too deeply, an integer too
        # long): a record all the same, which the reader rejects on its own.
        pass
    # A text dump can open with a line of JSON (a page's leaked JSON-LD): read
    # as records, its article was 29 rejects, one a line. In JSON Lines, lines
    # that are not objects are the odd damaged one.
    lines = [line for line in head.split("\n") if line.strip()]
    objects = sum(1 for line in lines if line.lstrip(" \t\ufeff").startswith("{"))
    return objects * 2 > len(lines)


def looks_like_markdown(head: str) -> bool:
    # Each pattern runs only when its telltale characters occur at all: a
    # plain-text dump, the common case, is ruled out by a few substring tests.
    # (A one-character test comes first: a memchr, where a search for two or
    # more characters reads the window at a fraction of that speed.)
    if ("URL Source:" in head or "Markdown Content:" in head) and _READER_HEADER.search(head):
        return True
    links = 0
    if "]" in head and "](" in head:
        for links, _ in enumerate(_MD_LINK.finditer(head), start=1):
            if links >= MIN_LINKS:
                return True
    others = links
    if "#" in head:
        others += len(_MD_ATX_HEADING.findall(head))
    # ("---" first, not "-": text has hyphens everywhere, and one search for
    # "---" takes half the time of the two for it at a line's start.)
    underlined = ("=" in head and "\n=" in head) or (
        "---" in head and ("\n---" in head or "\n ---" in head)
    )
    if underlined:
        others += len(_MD_SETEXT.findall(head))
    if ("*" in head and "**" in head) or ("_" in head and "__" in head):
        others += len(_MD_EMPHASIS.findall(head))
    return others >= MIN_OTHER_SIGNALS


def detect_format(data: str, *, name: str | None = None) -> str:
    """ "html", "markdown", "jsonl" (JSON records) or "text": by extension, else by content."""
    by_name = format_from_name(name)
    if by_name is not None:
        return by_name
    head = data[:SNIFF_CHARS]
    if looks_like_jsonl(head):
        return JSONL
    if looks_like_html(head):
        return HTML
    if looks_like_markdown(head):
        return MARKDOWN
    if (
        len(data) > SNIFF_CHARS
        and opens_with_raw_html(head)
        and looks_like_markdown(data[:MARKDOWN_AFTER_HTML_CHARS])
    ):
        return MARKDOWN
    return TEXT


def opens_with_raw_html(head: str) -> bool:
    """Lines that open with a tag, enough of them for markdown with raw HTML."""
    if "<" not in head:
        return False
    markup_lines = 0
    for markup_lines, _ in enumerate(_MARKUP_LINE().finditer(head), start=1):
        if markup_lines >= MIN_RAW_HTML_LINES:
            return True
    return False
