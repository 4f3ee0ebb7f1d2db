"""HTML pages: trafilatura finds the main text, the DW rule tables clean it,
and the page itself supplies the metadata.

The page is parsed once (`trafilatura.load_html`); the same tree is read for
metadata and handed to trafilatura, which works on a copy of it. Steps:

1. Metadata from the page: JSON-LD (`NewsArticle`), `og:` / `article:` meta
   tags, the canonical link, and what the reader sees around the `<h1>` (the
   kicker above it, the byline and date below it) or in the old layout's
   metadata list ("Datum 20.01.2022", "Autorin/Autor ..."), whose labels the
   rule tables already know. Organisation names are never authors: the old
   layout's `<meta name="author">` is "Deutsche Welle (www.dw.com)", which
   trafilatura reports as the author of every page.
2. Main text: trafilatura's extraction, one paragraph per line.
3. Repairs from the page structure, where trafilatura is known to slip on DW
   pages: it drops the new layout's lead (`p.teaser-text`, pruned as a
   "teaser"), and on old-layout pages it falls back to collecting loose `<p>`s,
   losing the `<h2>` subheadings and keeping some figure captions. A paragraph
   of the page that is the page's own description goes back in as the lead, a
   heading whose next paragraph was extracted goes back in before it, and an
   extracted line that is a figure's caption is marked as one.
4. Video and audio blocks, which trafilatura drops with their titles, are read
   from the page: the players inside the article body (the element holding
   most extracted paragraphs) and, on old-layout audio or video articles, the
   media teaser that carries the page's own headline. Picture galleries, which
   trafilatura drops too, are spliced into the dump in their place, their
   lines labelled as the classifier labels a dump's gallery.
5. The DW classifier labels the resulting dump (captions with credits, "Read
   more" teasers, video notices, closing initials...), and the page's metadata
   is laid over the record.
6. What trafilatura dropped is accounted for: the page flattened to a text dump
   is labelled by the same classifier, and its lines that are not in the dump
   are counted in `removed` (and shown by `explain`) under the categories a
   dump of the page gets.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import regex

from cleaner.classify import (
    BODY,
    HEADING,
    Label,
    Page,
    clock_seconds,
    split_names,
    split_unknown_credit_label,
)
from cleaner.core import WARN_NO_CHROME, document_from_page
from cleaner.dates import parse_date_line
from cleaner.document import Document, Image, Media
from cleaner.errors import Reason, Rejected
from cleaner.formats.common import (
    ORGANISATION,
    byline_below_title,
    classify_dump,
    comparable,
    is_person,
    overlay,
    preset_headings,
    split_title,
    unique,
)
from cleaner.lines import Line, make_line, structural_words
from cleaner.rules import RuleSet, default_ruleset, fold_colons, normalise_phrase
from cleaner.timelimit import untimed

FORMAT = "html"

# An lxml element of the page. lxml ships no type information (no lxml-stubs in
# the environment), so the tree is typed loosely here.
HtmlElement = Any

# JSON-LD types that describe the article itself (not the site or a breadcrumb).
ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
    }
)
ISO_DATE = regex.compile(r"^\s*(?P<date>\d{4}-\d{2}-\d{2})")
PERMALINK = regex.compile(r"https?://p\.dw\.com/p/[0-9A-Za-z]+")
# Metadata-list labels ("Autorin/Autor", "Date", "Auteur :") are rule-table
# prefixes of these categories; lines starting with one are classified.
METADATA_CATEGORIES = frozenset({"authors", "editors", "date", "permalink", "notes"})
# A metadata entry is short; longer elements are paragraphs.
MAX_METADATA_WORDS = 15
# Entries of a metadata list stand together (see `metadata_list`).
MIN_METADATA_ENTRIES = 2
# The kicker above the title is a section name of a few words.
MAX_SECTION_WORDS = 4
# How many elements after the <h1> may hold the byline and the date.
HEADER_SIBLINGS = 4
# Elements that wrap an <img> inside its figure box.
IMAGE_WRAPPERS = frozenset({"a", "picture", "span"})
# Block elements whose text a figure caption or metadata entry may be.
TEXT_BLOCKS = ("p", "li", "dd")
# A picture gallery repeats its own title on every slide (the rule the classifier
# applies to a dump); so many slides make a list a gallery.
MIN_GALLERY_SLIDES = 3
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Headings that title a player or a media teaser.
MEDIA_HEADINGS = ("h2", "h3", "h4")
MEDIA_KINDS = frozenset({"video", "audio"})
# The old layout's teaser icons ("icon audio", "icon tv") and the medium each
# marks; "icon pics" marks a picture gallery, which is not a medium.
MEDIA_ICONS = {"audio": "audio", "video": "video", "tv": "video"}
# What only a whole page has: a doctype, <html> or <body>. Input without them is a
# fragment (see `as_page`).
PAGE_MARKUP = regex.compile(r"<(?:!doctype\s+html|html|body)\b", flags=regex.IGNORECASE)
# A duration in ISO 8601, as in schema.org markup: "PT2M17S".
ISO_DURATION = regex.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", flags=regex.I)


@dataclass(slots=True)
class PageMeta:
    """What the page says about itself, outside the article text."""

    title: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    description: str | None = None
    section: str | None = None
    permalink: str | None = None
    is_dw: bool = False


@dataclass(slots=True)
class MediaBlocks:
    """The article's video and audio blocks, in page order."""

    videos: list[Media] = field(default_factory=list)
    audios: list[Media] = field(default_factory=list)


@dataclass(slots=True)
class Slide:
    """One slide of a picture gallery: its heading, its text, the gallery's author
    line when the slide closes the gallery with one."""

    heading: str | None = None
    texts: list[str] = field(default_factory=list)
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Gallery:
    position: int  # document order of its first image or paragraph (see `figures`)
    title: str
    slides: list[Slide]


@dataclass(frozen=True, slots=True)
class Figure:
    position: int  # document order of the <img> among images, paragraphs and <h1>s
    image: Image


# --- reading the tree ------------------------------------------------------------


def as_page(data: str) -> str:
    """A fragment (an <article>, a <div>, paragraphs saved without the page) put
    inside <html><body>, so that it is parsed as the body of a page; a page as it is.

    trafilatura's `load_html` expects a document. lxml makes a lone element the
    root, and `load_html` rejects a root with fewer than two children as "not
    valid HTML": an <article> around one <div> gave an empty record. A fragment
    that opens with <script> or <meta> had them moved into a <head> lxml made up.
    """
    if PAGE_MARKUP.search(data):
        return data
    return "<html><body>" + data.lstrip("\ufeff") + "</body></html>"


def text_of(element: HtmlElement) -> str:
    """An element's text with whitespace collapsed; inline children are not separated."""
    return " ".join("".join(element.itertext()).split())


def pieces(element: HtmlElement) -> list[str]:
    """The element's non-blank text nodes, each whitespace-collapsed."""
    return [" ".join(part.split()) for part in element.itertext() if part.strip()]


def elements(nodes: Iterable[Any]) -> Iterator[HtmlElement]:
    """Element nodes only: lxml also yields comments and processing instructions."""
    return (node for node in nodes if isinstance(node.tag, str))


def json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, `@graph` members included; broken blocks are skipped."""
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):  # (nested too deeply to load: broken too)
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return found


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    return {kind} if isinstance(kind, str) else {k for k in kind or () if isinstance(k, str)}


def article_json_ld(tree: HtmlElement) -> dict[str, Any]:
    for item in json_ld_objects(tree):
        if _types(item) & ARTICLE_TYPES:
            return item
    return {}


def meta_tags(tree: HtmlElement) -> dict[str, str]:
    """`<meta>` property/name (lower-cased) -> content of the first such tag."""
    tags: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if key and content and key not in tags:
            tags[key] = content
    return tags


def iso_date(value: object) -> str | None:
    if isinstance(value, str) and (match := ISO_DATE.match(value)):
        return match["date"]
    return None


def _names_of(value: object) -> list[str]:
    """Person names from a JSON-LD `author` value (a string, an object or a list)."""
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        if isinstance(item, str):
            names.extend(split_names(item))
        elif isinstance(item, dict) and "Organization" not in _types(item):
            name = item.get("name")
            if isinstance(name, str):
                names.append(" ".join(name.split()))
    return names


def find_h1(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    """The article's <h1>: the one with the title's text, else the first with words."""
    headings = list(tree.iter("h1"))
    if title:
        wanted = comparable(title)
        for heading in headings:
            if comparable(text_of(heading)) == wanted:
                return heading
    return next((h for h in headings if structural_words(text_of(h)) >= 2), None)


def header_section(h1: HtmlElement) -> str | None:
    """The kicker just above the title: its first text ("Politik" of "Politik | Russland")."""
    kicker = _kicker_elements(h1)
    if not kicker or kicker[0].tag in ("script", "style"):
        return None
    parts = [part for element in kicker for part in pieces(element)]
    if parts and structural_words(" ".join(parts)) <= MAX_SECTION_WORDS + 2:
        first = parts[0]
        return first if structural_words(first) <= MAX_SECTION_WORDS else None
    return None


# Inline elements that may stand side by side above the title with no box
# around them, each one part of the kicker (section, topic link).
KICKER_INLINE_TAGS = frozenset({"a", "span", "em", "strong", "b", "i"})


def _kicker_elements(h1: HtmlElement) -> list[HtmlElement]:
    """The element above the title, in page order; where it is inline, the
    whole run of inline siblings it ends: the section is the run's first part,
    not the topic link next to the title."""
    run: list[HtmlElement] = []
    for sibling in elements(h1.itersiblings(preceding=True)):
        if run and sibling.tag not in KICKER_INLINE_TAGS:
            break
        run.append(sibling)
        if sibling.tag not in KICKER_INLINE_TAGS:
            break
    return run[::-1]


def _header(h1: HtmlElement) -> list[HtmlElement]:
    """The elements after the title up to the first paragraph: byline and date."""
    found: list[HtmlElement] = []
    for sibling in elements(h1.itersiblings()):
        if sibling.tag == "p" or len(found) >= HEADER_SIBLINGS:
            break
        found.append(sibling)
    return found


def _after_title(h1: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after the title: its siblings, then, where the title's
    <header> closes, the header's."""
    yield from elements(h1.itersiblings())
    parent = h1.getparent()
    if parent is not None and parent.tag == "header":
        yield from elements(parent.itersiblings())


def header_paragraph(h1: HtmlElement) -> str | None:
    """The paragraph that closes the title's header: the lead (the new layout's
    p.teaser-text, the old layout's p.intro, a p.teaser right after the
    article's <header>)."""
    for count, sibling in enumerate(_after_title(h1)):
        if sibling.tag == "p":
            return text_of(sibling) or None
        if count >= HEADER_SIBLINGS:
            break
    return None


def header_byline(h1: HtmlElement, organisations: Iterable[str]) -> list[str]:
    names: list[str] = []
    for element in _header(h1):
        for node in elements(element.iter()):
            if "author" in (node.get("class") or "") and len(node) == 0:
                names.extend(n for n in split_names(text_of(node)) if is_person(n, organisations))
    return unique(names)


def header_date(h1: HtmlElement, rules: RuleSet) -> str | None:
    for element in _header(h1):
        for node in elements(element.iter()):
            if node.tag == "time":
                found = parse_date_line(text_of(node), rules) or iso_date(node.get("datetime"))
                if found:
                    return found
    return None


def _metadata_prefixes(rules: RuleSet) -> frozenset[str]:
    """First words of the rule tables' metadata labels ("datum", "autorin/autor", "auteur")."""
    return frozenset(
        key.split(" ", 1)[0]
        for key, rule in rules.prefixes.items()
        if rule.category in METADATA_CATEGORIES
    )


@dataclass(slots=True)
class _Listed:
    """The old layout's metadata list, read through the rule tables."""

    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    permalinks: list[str] = field(default_factory=list)


def metadata_list(tree: HtmlElement, rules: RuleSet) -> _Listed:
    """Short entries that start with a metadata label, classified by the rule tables.

    Entries count when they stand in a list of at least two of them (the old
    layout's "Date / Author / Permalink" block, "Auteur : / Edition :"): a lone
    "Author:" line belongs to a picture gallery, a lone "Permalink" to a video.
    """
    prefixes = _metadata_prefixes(rules)
    groups: dict[HtmlElement | None, list[str]] = {}
    for element in tree.iter(*TEXT_BLOCKS):
        # Cheap test first: the element's first words, before its whole text.
        first = next((part for part in element.itertext() if part.strip()), "")
        if normalise_phrase(first[:40]).split(" ", 1)[0] not in prefixes:
            continue
        text = text_of(element)
        if (
            structural_words(text) <= MAX_METADATA_WORDS
            and normalise_phrase(text).split(" ", 1)[0] in prefixes
        ):
            groups.setdefault(element.getparent(), []).append(text)
    listed_groups = [texts for texts in groups.values() if len(texts) >= MIN_METADATA_ENTRIES]
    candidates = [text for texts in listed_groups or groups.values() for text in texts]
    listed = _Listed()
    if not candidates:
        return listed
    page = classify_dump("\n\n".join(unique(candidates)), rules=rules)
    for label in page.labels:
        if label is None or label.rule.startswith("structure:"):
            continue
        value = label.value
        if label.category == "byline" and isinstance(value, list):
            listed.authors.extend(str(name) for name in value)
        elif label.category == "editors" and isinstance(value, str):
            listed.editors.append(value)
        elif label.category == "notes" and isinstance(value, str):
            listed.notes.append(value)
        elif label.category == "date" and isinstance(value, str):
            listed.dates.append(value)
        elif label.category == "permalink" and isinstance(value, str):
            listed.permalinks.append(value)
    return listed


def _language(tree: HtmlElement, tags: dict[str, str], item: dict[str, Any]) -> str | None:
    for value in (
        tree.get("lang"),
        item.get("inLanguage"),
        tags.get("language"),
        tags.get("og:locale"),
    ):
        if isinstance(value, str) and value.strip():
            return regex.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return None


def _url(tree: HtmlElement, tags: dict[str, str], item: dict[str, Any]) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link.get("href")).strip()
    main = item.get("mainEntityOfPage")
    for value in (
        tags.get("og:url"),
        item.get("url"),
        main.get("@id") if isinstance(main, dict) else main,
    ):
        if isinstance(value, str) and value.startswith("http"):
            return value.strip()
    return None


def read_metadata(tree: HtmlElement, data: str, rules: RuleSet) -> PageMeta:
    item = article_json_ld(tree)
    tags = meta_tags(tree)
    publisher = item.get("publisher")
    organisations = [
        name
        for name in (
            tags.get("og:site_name"),
            tags.get("publisher"),
            publisher.get("name") if isinstance(publisher, dict) else None,
        )
        if isinstance(name, str)
    ]
    og_title, og_date = split_title(tags.get("og:title"))
    tag_title, tag_date = split_title(
        text_of(tree.find(".//title")) if tree.find(".//title") is not None else None
    )
    headline = item.get("headline")
    headline = " ".join(headline.split()) if isinstance(headline, str) else None
    h1 = find_h1(tree, headline or og_title or tag_title)
    listed = metadata_list(tree, rules)

    authors = [n for n in _names_of(item.get("author")) if is_person(n, organisations)]
    if not authors and h1 is not None:
        authors = header_byline(h1, organisations)
    if not authors:
        authors = [n for n in listed.authors if is_person(n, organisations)]
    if not authors:
        meta_authors = split_names(tags.get("author", "")) + split_names(
            tags.get("article:author", "")
        )
        authors = [n for n in meta_authors if is_person(n, organisations)]

    dates = [
        header_date(h1, rules) if h1 is not None else None,
        *listed.dates,
        iso_date(item.get("datePublished")),
        iso_date(tags.get("article:published_time")),
        og_date,
        tag_date,
    ]
    permalink = listed.permalinks[0] if listed.permalinks else None
    if permalink is None and (match := PERMALINK.search(data)):
        permalink = match.group(0)
    site = " ".join(organisations)
    url = _url(tree, tags, item)
    description = item.get("description") or tags.get("og:description") or tags.get("description")
    if not isinstance(description, str) and h1 is not None:
        # A fragment (an <article> saved alone) has no meta tags: its lead is
        # the paragraph under the title, which is what the description repeats.
        description = header_paragraph(h1)
    return PageMeta(
        title=headline or (text_of(h1) if h1 is not None else None) or og_title or tag_title,
        date=next((d for d in dates if d), None),
        authors=unique(authors),
        editors=unique(listed.editors),
        notes=unique(listed.notes),
        url=url,
        language=_language(tree, tags, item),
        description=description if isinstance(description, str) else None,
        section=header_section(h1) if h1 is not None else None,
        permalink=permalink,
        # A fragment has no site name or canonical link; its permalink is DW's.
        is_dw=bool(ORGANISATION.search(site))
        or "dw.com/" in (url or "")
        or bool(permalink and PERMALINK.match(permalink)),
    )


# --- the main text -----------------------------------------------------------------


def extract_main_text(tree: HtmlElement) -> tuple[list[str], set[str]]:
    """trafilatura's main text as lines, and the comparable text of its headings."""
    # Imported here: trafilatura takes 0.3 s to import, which a run over text
    # dumps (and each of its worker processes) should not pay.
    with untimed():
        import trafilatura  # noqa: PLC0415
        from trafilatura.xml import xmltotxt  # noqa: PLC0415

    document = trafilatura.bare_extraction(
        tree, include_comments=False, with_metadata=False, as_dict=False
    )
    body = getattr(document, "body", None)
    if body is None:
        return [], set()
    text = xmltotxt(body, False) or ""
    headings = {comparable(" ".join(head.itertext())) for head in body.iter("head")}
    return [line for line in text.split("\n") if line.strip()], headings


def without_head_title(lines: list[str], tree: HtmlElement, rendered: list[str]) -> list[str]:
    """trafilatura's main text without the <head>'s <title>, where it is not a
    line of the page itself.

    On a page with little text (an old-layout audio article) trafilatura falls
    back to other extractors, which can return the document title ("Headline
    | Section | DW | 23.05.2011") as the first line. A reader never sees it on
    the page; `removed` counts the page's visible lines, so the headline is
    counted once, as on every other page.
    """
    head_title = tree.find("head/title")
    key = comparable(text_of(head_title)) if head_title is not None else ""
    if not key or key in {comparable(line) for line in rendered}:
        return lines
    return [line for line in lines if comparable(line) != key]


def _paragraphs(tree: HtmlElement) -> dict[str, HtmlElement]:
    """Comparable text -> first <p> of the page with that text."""
    found: dict[str, HtmlElement] = {}
    for paragraph in tree.iter("p"):
        key = comparable(text_of(paragraph))
        if key and key not in found:
            found[key] = paragraph
    return found


def header_texts(h1: HtmlElement | None) -> set[str]:
    """Comparable texts of the title's header below it (byline, date), element by element."""
    if h1 is None:
        return set()
    return {comparable(text_of(node)) for element in _header(h1) for node in element.iter()}


def restore_lead(
    lines: list[str], paragraphs: dict[str, HtmlElement], meta: PageMeta, header: set[str]
) -> None:
    """Put back a paragraph of the page that is the page's own description (DW's
    lead), below the title and the lines of its header, where the page has it."""
    if not meta.description:
        return
    key = comparable(meta.description)
    if key not in paragraphs or key in {comparable(line) for line in lines}:
        return
    position = 0
    title = comparable(meta.title or "")
    while position < len(lines) and comparable(lines[position]) == title:
        position += 1
    while position < len(lines) and comparable(lines[position]) in header:
        position += 1
    lines.insert(position, text_of(paragraphs[key]))


def restore_headings(lines: list[str], tree: HtmlElement) -> set[str]:
    """Put back subheadings whose following paragraph was extracted; their comparable texts."""
    where: dict[str, int] = {}
    for index, line in enumerate(lines):
        where.setdefault(comparable(line), index)
    inserts: list[tuple[int, str]] = []
    restored: set[str] = set()
    for heading in tree.iter("h2", "h3", "h4"):
        following = next(elements(heading.itersiblings()), None)
        if following is None or following.tag != "p":
            continue
        found = where.get(comparable(text_of(following)))
        key = comparable(text_of(heading))
        if found is None or not key or key in where or key in restored:
            continue
        inserts.append((found, text_of(heading)))
        restored.add(key)
    for index, text in sorted(inserts, reverse=True):
        lines.insert(index, text)
    return restored


def _split_credit(text: str, rules: RuleSet) -> tuple[str, str | None]:
    """("caption", "credit") from "captionBild: credit" (prefixes from the rule tables)."""
    lowered = fold_colons(text.casefold())
    for prefix in rules.credit_prefixes:
        position = lowered.rfind(prefix)
        if position >= 0:
            return text[:position].strip(), text[position + len(prefix) :].strip() or None
    return text, None


def _alt_and_credit(alt: str, rules: RuleSet) -> tuple[str, str | None]:
    """The old layout's "alt (credit)": split the way the classifier splits it in a dump."""
    if not alt.endswith(")"):
        return alt, None
    page = classify_dump(alt, rules=rules)
    value = page.labels[0].value if page.labels and page.labels[0] is not None else None
    if isinstance(value, Image) and value.alt:
        return value.alt, value.credit
    return alt, None


def _image_box(img: HtmlElement) -> HtmlElement | None:
    """The element holding an image and its caption: a <figure> (through <picture>
    and link wrappers), else the image's parent (through a link)."""
    box = img.getparent()
    while box is not None and box.tag in IMAGE_WRAPPERS:
        box = box.getparent()
    return box


def figures(
    tree: HtmlElement, rules: RuleSet, positions: dict[HtmlElement, int], span: tuple[int, int]
) -> list[Figure]:
    """Images of the article span with their caption and credit, from a <figure>
    or from an image box with one <p> (the old layout's picture box)."""
    found: list[Figure] = []
    seen: set[HtmlElement] = set()
    start, end = span
    for img in tree.iter("img"):
        position = positions.get(img, -1)
        if not start <= position <= end:
            continue
        box = _image_box(img)
        if box is None or box in seen:
            continue
        seen.add(box)
        caption = credit = None
        figcaption = next(box.iter("figcaption"), None) if box.tag == "figure" else None
        alt_text = " ".join((img.get("alt") or "").split())
        if figcaption is not None:
            caption, credit = _split_credit(text_of(figcaption), rules)
            # Under an alt text, as the classifier reads a dump's caption line.
            if credit is None and alt_text and (glued := split_unknown_credit_label(caption)):
                caption, credit = glued
        else:
            texts = [text_of(p) for p in box if p.tag == "p" and text_of(p)]
            caption = texts[0] if len(texts) == 1 else None
        alt, alt_credit = _alt_and_credit(alt_text, rules) if alt_text else ("", None)
        if alt or caption:
            image = Image(alt=alt or None, caption=caption or None, credit=credit or alt_credit)
            found.append(Figure(position, image))
    return found


def article_span(
    lines: list[str],
    h1: HtmlElement | None,
    paragraphs: dict[str, HtmlElement],
    positions: dict[HtmlElement, int],
) -> tuple[int, int]:
    """Document positions of the title (or first extracted paragraph) and the last one."""
    found = [positions[paragraphs[key]] for key in map(comparable, lines) if key in paragraphs]
    if not found:
        return 0, -1
    start = positions.get(h1, min(found)) if h1 is not None else min(found)
    return start, max(found)


# --- picture galleries ---------------------------------------------------------------


def _is_byline(text: str, rules: RuleSet) -> bool:
    page = classify_dump(text, rules=rules)
    return bool(page.labels) and page.labels[0] is not None and page.labels[0].category == "byline"


def _slide(item: HtmlElement, title: str, rules: RuleSet) -> Slide:
    slide = Slide()
    for heading in item.iter(*HEADINGS):
        text = text_of(heading)
        if text and comparable(text) != comparable(title):
            slide.heading = text
            break
    for paragraph in item.iter("p"):
        text = text_of(paragraph)
        if not text:
            continue
        # "Author: Julia Hitz (eg)" closes the old layout's gallery: the
        # gallery's author, not the article's.
        if slide.texts and _is_byline(text, rules):
            slide.author = text
        else:
            slide.texts.append(text)
    return slide


def _first_heading(item: HtmlElement) -> str:
    return next((text for h in item.iter(*HEADINGS) if (text := text_of(h))), "")


def galleries(
    tree: HtmlElement, rules: RuleSet, positions: dict[HtmlElement, int]
) -> list[Gallery]:
    """Picture galleries: lists whose items each hold an image and repeat the same
    heading (the gallery's title), as the old layout's `ul.slides` does.

    trafilatura drops them whole; a dump of the page has their slides as lines,
    which the classifier moves to `gallery`. Read here, they get the same labels.
    """
    found: list[Gallery] = []
    for listing in tree.iter("ul", "ol"):
        items = [li for li in listing if li.tag == "li" and next(li.iter("img"), None) is not None]
        titles = Counter(title for title in map(_first_heading, items) if title)
        if not titles:
            continue
        title, count = titles.most_common(1)[0]
        if count < MIN_GALLERY_SLIDES:
            continue
        slides = [_slide(item, title, rules) for item in items]
        where = [positions[node] for item in items for node in item.iter("img", "p")]
        found.append(Gallery(min(where), title, slides))
    return found


def gallery_lines(gallery: Gallery, keep_gallery: bool) -> list[tuple[str, Label]]:
    """The gallery as dump lines, labelled as the classifier labels a dump's gallery."""
    kept = keep_gallery
    lines: list[tuple[str, Label]] = []
    for slide in gallery.slides:
        lines.append((gallery.title, Label("gallery", "html:gallery_title")))
        if slide.heading:
            value = slide.heading if kept else None
            heading = Label(HEADING if kept else "gallery", "html:gallery_slide_heading", value)
            lines.append((slide.heading, heading))
        category = BODY if kept else "gallery"
        for text in slide.texts:
            lines.append((text, Label(category, "html:gallery_slide_text", text)))
    # The author line stays out: the rule tables would claim it for the article's
    # byline. It is counted with the page's lines outside the article
    # (`outside_article`).
    return lines


def splice_galleries(
    lines: list[str],
    found: list[Gallery],
    paragraphs: dict[str, HtmlElement],
    positions: dict[HtmlElement, int],
    keep_gallery: bool,
) -> tuple[list[str], dict[int, Label]]:
    """The dump with each gallery put in its place (after the last extracted
    paragraph above it), and the labels of the gallery's lines by index."""
    where = [positions.get(paragraphs.get(comparable(line))) for line in lines]
    inserts: dict[int, list[tuple[str, Label]]] = {}
    for gallery in found:
        above = [i for i, at in enumerate(where) if at is not None and at < gallery.position]
        inserts.setdefault(above[-1] + 1 if above else 0, []).extend(
            gallery_lines(gallery, keep_gallery)
        )
    spliced: list[str] = []
    labels: dict[int, Label] = {}
    for index in range(len(lines) + 1):
        for text, label in inserts.get(index, ()):
            labels[len(spliced)] = label
            spliced.append(text)
        if index < len(lines):
            spliced.append(lines[index])
    return spliced, labels


# --- video and audio blocks ------------------------------------------------------------


def duration_seconds(value: str | None) -> int | None:
    """Seconds from a player's stated duration: "137", "02:17", "1:02:17" or "PT2M17S"."""
    text = (value or "").strip()
    if text.isdecimal():
        return int(text)
    if (seconds := clock_seconds(text)) is not None:
        return seconds
    # "PT" alone matches the pattern but states nothing.
    if (match := ISO_DURATION.fullmatch(text)) and any(match.groups()):
        h, m, s = (float(part or 0) for part in match.groups())
        return round(h * 3600 + m * 60 + s)
    return None


def body_container(lines: list[str], paragraphs: dict[str, HtmlElement]) -> HtmlElement | None:
    """The element holding most of the extracted paragraphs: the article body (the
    old layout's div.longText, the new layout's div.rich-text). Media outside it
    (related teasers, sidebars, the footer) are not the article's."""
    parents = Counter(
        paragraphs[key].getparent() for key in map(comparable, lines) if key in paragraphs
    )
    return parents.most_common(1)[0][0] if parents else None


def player_headline(player: HtmlElement) -> str | None:
    """The headline DW sets above a <video>/<audio> in its box (new layout: h2.headline)."""
    heading = next(player.itersiblings(*MEDIA_HEADINGS, preceding=True), None)
    return (text_of(heading) or None) if heading is not None else None


def form_player(block: HtmlElement) -> Media:
    """The old layout's player block, which keeps its medium in hidden form fields
    (player_type, media_title, file_duration in seconds) for the script that builds it."""
    fields = {entry.get("name"): entry.get("value") or "" for entry in block.iter("input")}
    title = " ".join(fields.get("media_title", "").split())
    return Media(title=title or None, duration_s=duration_seconds(fields.get("file_duration")))


def players(body: HtmlElement) -> Iterator[tuple[str, Media]]:
    """(kind, medium) of each player in the article body, in page order."""
    for element in body.iter("video", "audio", "input"):
        if element.tag in MEDIA_KINDS:
            duration = duration_seconds(element.get("data-duration"))
            yield element.tag, Media(title=player_headline(element), duration_s=duration)
        elif element.get("name") == "player_type" and element.get("value") in MEDIA_KINDS:
            yield element.get("value"), form_player(element.getparent())


def icon_kind(element: HtmlElement) -> str | None:
    """The medium an old-layout teaser icon (`span.icon.audio`, `span.icon.tv`) marks."""
    classes = (element.get("class") or "").split()
    if "icon" not in classes:
        return None
    return next((MEDIA_ICONS[name] for name in classes if name in MEDIA_ICONS), None)


def own_media_teasers(tree: HtmlElement, title: str | None) -> Iterator[tuple[str, Media]]:
    """Media teasers headed with the page's own title: the article's own medium.

    An old-layout audio or video article has no player in its body: the report is
    the medium, linked under "Audios and videos on the topic" with the page's
    headline. Teasers there with other titles are related media, not the article's.
    """
    if not title:
        return
    wanted = comparable(title)
    for icon in tree.iter("span"):
        kind = icon_kind(icon)
        heading = next(icon.iterancestors(*MEDIA_HEADINGS), None) if kind else None
        if kind and heading is not None and comparable(text_of(heading)) == wanted:
            yield kind, Media(title=text_of(heading))


def media_blocks(tree: HtmlElement, body: HtmlElement | None, title: str | None) -> MediaBlocks:
    """The players of the article body, then the page's own media teasers, each medium once."""
    found = MediaBlocks()
    seen: set[tuple[str, str]] = set()
    for kind, media in chain(
        players(body) if body is not None else (), own_media_teasers(tree, title)
    ):
        # A body player and a teaser may name the same medium: the first (the
        # player, which states the duration) stands for both.
        key = (kind, comparable(media.title or ""))
        if media.title and key in seen:
            continue
        seen.add(key)
        (found.audios if kind == "audio" else found.videos).append(media)
    return found


# --- what the page holds outside the article ---------------------------------------------

# Elements that start a line of their own when a page is flattened to text (as
# resiliparse and inscriptis flatten it); links, emphasis and spans run inline.
BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "dd", "details", "dialog"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr"),
        *("td", "th", "ul", "br", *HEADINGS),
    }
)
# Elements whose text a reader never sees as text: code, styles, form controls
# (the language picker's options), inline SVG icons.
HIDDEN_TAGS = frozenset(
    {
        *("script", "style", "noscript", "template", "head", "svg", "iframe"),
        *("select", "option", "button", "input", "textarea"),
    }
)
# Text of the page that trafilatura left out of the main text and that no rule
# table or structure rule names (none on the corpus pages but image alt texts).
NOT_MAIN_TEXT = "boilerplate"


def page_lines(tree: HtmlElement) -> list[str]:
    """The page's visible text flattened as a text dump: a line per block, image
    alt texts on lines of their own. Iterative: a deeply nested page does not
    reach Python's recursion limit."""
    body = tree.find("body")
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    stack: list[tuple[HtmlElement, bool]] = [(tree if body is None else body, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else None
        if closing or tag is None or tag in HIDDEN_TAGS:
            if closing and tag in BLOCK_TAGS:
                flush()
            current.append(node.tail or "")
            continue
        if tag in BLOCK_TAGS or tag == "img":
            flush()
        if tag == "img" and (alt := " ".join((node.get("alt") or "").split())):
            lines.append(alt)
        current.append(node.text or "")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    flush()
    return lines


def outside_article(
    rendered: list[str], page: Page, images: list[Image], rules: RuleSet
) -> tuple[list[Line], list[Label | None]]:
    """The page's lines that are not in the dump, labelled for `removed` and `explain`.

    trafilatura drops menus, footers, teasers and figures without a word; the
    page flattened to a dump and labelled by the classifier says what each of
    them was, in the categories a text dump of the page gets. Only the category
    is kept: the metadata those lines carry is read from the page itself.
    """
    # Each line of the dump stands for one line of the page: a sentence the page
    # repeats (the title in a teaser) is counted again.
    in_dump = Counter(comparable(line.text) for line in page.lines if not line.blank)
    figure_texts = {
        comparable(part) for image in images for part in (image.alt, image.caption) if part
    }
    flattened = classify_dump("\n\n".join(rendered), rules=rules)
    lines: list[Line] = []
    labels: list[Label | None] = []
    for line, label in zip(flattened.lines, flattened.labels, strict=True):
        if line.blank:
            continue
        key = comparable(line.text)
        if in_dump[key] > 0:
            in_dump[key] -= 1
            continue
        if label is not None and not label.kept:
            labels.append(Label(label.category, label.rule))
        elif key in figure_texts:
            labels.append(Label("image", "html:figure_text"))
        else:
            labels.append(Label(NOT_MAIN_TEXT, "html:not_main_text"))
        lines.append(line)
    return lines, labels


def with_lines_outside(page: Page, lines: list[Line], labels: list[Label | None]) -> Page:
    """The dump's page, then (after a blank line) the page's lines outside the article."""
    if not lines:
        return page
    return Page(
        lines=[*page.lines, make_line(""), *lines],
        labels=[*page.labels, None, *labels],
        rules=page.rules,
        keep_gallery=page.keep_gallery,
        title_index=page.title_index,
        end_index=page.end_index,
        table_rules=page.table_rules,
    )


# --- putting it together ------------------------------------------------------------


def _titles_a_player(lines: list[str], index: int) -> bool:
    """Is the heading at `index` the headline of a player whose duration
    ("02:54") trafilatura kept below it? Then it is the video's title, which
    the classifier finds, as in a dump, only while it is not preset."""
    return index + 1 < len(lines) and clock_seconds(lines[index + 1]) is not None


def _preset(lines: list[str], meta: PageMeta, captions: dict[str, Image]) -> dict[int, Label]:
    """Lines the page structure identifies: the title line, the kicker above it
    (which trafilatura keeps as a heading when the page is an <article> alone),
    the byline right below it (else the classifier, finding the title preset,
    takes the byline above the date for the title), figure captions."""
    preset: dict[int, Label] = {}
    title = comparable(meta.title or "")
    section = comparable(meta.section or "")
    title_index = None
    for index, line in enumerate(lines):
        key = comparable(line)
        if title and key == title and index < 3:
            preset[index] = Label("title", "html:title_line", line.strip())
            title_index = index if title_index is None else title_index
            if index and section and comparable(lines[index - 1]) == section:
                preset[index - 1] = Label("section", "html:kicker_line", meta.section)
        elif key in captions:
            preset[index] = Label("image", "html:figure_caption")
    for index, label in byline_below_title(lines, title_index, "html:byline_below_title").items():
        preset.setdefault(index, label)
    return preset


# libxml2 stops reading a document nested deeper than this (256 elements by
# default, which trafilatura keeps): a page with 300 unclosed <span>s gave an
# empty record, every paragraph after the 256th level unread. With its
# "huge" option it reads to this depth.
DEEPEST_NESTING = 2048


def load_tree(page: str) -> HtmlElement | None:
    """trafilatura's parse of the page; parsed again with libxml2's "huge"
    option where the first parse stopped at its nesting limit, and rejected
    where that one stops too (the rest of the page would be lost unsaid)."""
    with untimed():
        import trafilatura  # noqa: PLC0415 - see extract_main_text
        from lxml.html import HTMLParser  # noqa: PLC0415

    tree = trafilatura.load_html(page)
    if not _stopped_too_deep(getattr(trafilatura.utils, "HTML_PARSER", None)):
        return tree
    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                        remove_comments=True, remove_pis=True, huge_tree=True)
    deep = _parse_with(parser, page)
    if _stopped_too_deep(parser):
        raise Rejected(
            Reason.UNREADABLE,
            f"HTML nested deeper than {DEEPEST_NESTING:,} elements (unclosed tags?): "
            "the HTML parser stops there, and the text below would be lost",
        )
    return deep if deep is not None and len(deep) else tree


def _stopped_too_deep(parser: Any) -> bool:
    """Whether the parser's last run stopped at libxml2's nesting limit (its
    message: "Excessive depth in document: 256, use XML_PARSE_HUGE option")."""
    log = getattr(parser, "error_log", ())
    return any(error.type_name == "ERR_RESOURCE_LIMIT" and "depth" in error.message
               for error in log)


def _parse_with(parser: Any, page: str) -> HtmlElement | None:
    from lxml.html import fromstring  # noqa: PLC0415

    try:
        return fromstring(page, parser=parser)
    except ValueError:  # a str with an XML encoding declaration: as bytes
        return fromstring(page.encode("utf-8", "surrogatepass"), parser=parser)


def analyse_html(
    data: str, *, rules: RuleSet | None = None, keep_gallery: bool = False
) -> tuple[Page, PageMeta, list[Image], MediaBlocks]:
    """The labelled dump of an HTML page, its metadata, its figures and its media."""
    rules = rules or default_ruleset()
    tree = load_tree(as_page(data))
    if tree is None:
        return classify_dump("", rules=rules), PageMeta(), [], MediaBlocks()
    meta = read_metadata(tree, data, rules)
    rendered = page_lines(tree)
    lines, headings = extract_main_text(tree)
    lines = without_head_title(lines, tree, rendered)
    paragraphs = _paragraphs(tree)
    h1 = find_h1(tree, meta.title)
    restore_lead(lines, paragraphs, meta, header_texts(h1))
    headings |= restore_headings(lines, tree)
    # Document order of the elements the article span and its figures are read from.
    positions = {node: index for index, node in enumerate(tree.iter("img", "p", "h1"))}
    span = article_span(lines, h1, paragraphs, positions)
    images = [figure.image for figure in figures(tree, rules, positions, span)]
    captions = {comparable(image.caption): image for image in images if image.caption}
    media = media_blocks(tree, body_container(lines, paragraphs), meta.title)
    found = galleries(tree, rules, positions)
    lines, gallery_labels = splice_galleries(lines, found, paragraphs, positions, keep_gallery)
    # trafilatura's dump is the article alone, so its headings (and the ones put
    # back) can be preset: no structural rule then takes one for an alt text.
    heading_lines = [
        i
        for i, key in enumerate(map(comparable, lines))
        if key in headings and not _titles_a_player(lines, i)
    ]
    preset = preset_headings(heading_lines, lines, "html:heading")
    preset.update(_preset(lines, meta, captions))
    preset.update(gallery_labels)
    page = classify_dump("\n".join(lines), rules=rules, keep_gallery=keep_gallery, preset=preset)
    page = with_lines_outside(page, *outside_article(rendered, page, images, rules))
    return page, meta, images, media


def clean_html(
    data: str,
    *,
    source: str | None = None,
    url: str | None = None,
    keep_gallery: bool = False,
    rules: RuleSet | None = None,
) -> Document:
    page, meta, images, media = analyse_html(data, rules=rules, keep_gallery=keep_gallery)
    document = document_from_page(page, source=source, url=url or meta.url)
    warnings = [w for w in document.warnings if not (meta.is_dw and w == WARN_NO_CHROME)]
    return overlay(
        document,
        title=meta.title or document.title,
        date=meta.date or document.date,
        authors=unique(meta.authors + document.authors),
        editors=unique(meta.editors + document.editors),
        notes=unique(document.notes + meta.notes),
        section=meta.section or document.section,
        permalink=meta.permalink or document.permalink,
        images=images or document.images,
        videos=media.videos or document.videos,
        audios=media.audios or document.audios,
        language=document.language or meta.language,
        warnings=warnings,
        format=FORMAT,
    )
