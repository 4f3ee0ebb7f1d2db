"""Markdown input: html2text and markdownify renders of the nine real pages.

Every gold paragraph must be kept and every gold chrome line removed, the title
must come out right (the first `#` heading helps), images must land in
`images` and no markdown syntax may be left in `text`. Small inputs in the
shape reader services write check the markdown-only chrome.
"""

from __future__ import annotations

import json
import re
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaner.formats.markdown as markdown_module
from cleaner.document import Document
from cleaner.evaluation import (
    Gold,
    date_in_dump,
    normalise_line,
    normalised_lines,
    score_lines,
    surviving_chrome,
    title_in_dump,
    title_matches,
)
from cleaner.formats import (
    FORMATS,
    RecordError,
    analyse_any,
    clean_any,
    detect_format,
    to_documents,
)
from cleaner.formats.common import is_table_phrase
from cleaner.formats.markdown import MarkdownDump, markdown_to_dump, split_reader_header
from cleaner.memo import LineMemo
from cleaner.rules import default_ruleset

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DUMPS = FIXTURES / "dumps"
# (html2text and pandoc at their default widths too: markdown wrapped at 78
# and 72 columns.)
MARKDOWN_PATHS = [
    *sorted(DUMPS.glob("*.html2text.txt")),
    *sorted(DUMPS.glob("*.markdownify.md")),
    *sorted(DUMPS.glob("*.html2text-wrapped.txt")),
    *sorted(DUMPS.glob("*.pandoc.md")),
]
NAMES = [path.name for path in MARKDOWN_PATHS]
# trafilatura's text with `--links` keeps markdown links: markdown to detect.
LINKED_TEXT_NAMES = [path.name for path in sorted(DUMPS.glob("*.trafilatura-links.txt"))]
TEXT_DUMP_NAMES = [
    path.name
    for path in sorted(DUMPS.glob("*.txt"))
    if not path.name.endswith((".html2text.txt", ".html2text-wrapped.txt"))
    and path.name not in LINKED_TEXT_NAMES
]


def page_of(name: str) -> str:
    return name.split(".", 1)[0]


@cache
def gold(page: str) -> Gold:
    path = FIXTURES / "gold" / f"{page}.json"
    return Gold.from_dict(json.loads(path.read_text(encoding="utf-8")))


@cache
def dump(name: str) -> str:
    return (DUMPS / name).read_text(encoding="utf-8")


@cache
def cleaned(name: str) -> Document:
    docs = to_documents(dump(name), source=f"fixtures/dumps/{name}")
    assert len(docs) == 1
    assert isinstance(docs[0], Document)
    return docs[0]


def test_both_renderers_cover_all_nine_pages() -> None:
    assert len([n for n in NAMES if n.endswith(".html2text.txt")]) == 9
    assert len([n for n in NAMES if n.endswith(".markdownify.md")]) == 9


@pytest.mark.parametrize("name", NAMES)
def test_detected_as_markdown_by_content(name: str) -> None:
    assert detect_format(dump(name)) == "markdown"
    assert detect_format(dump(name), name=name) == "markdown"
    assert cleaned(name).format == "markdown"


# pandoc's GFM and CommonMark keep as raw HTML what markdown cannot say.
PANDOC_RAW_HTML_NAMES = [
    path.name for pattern in ("*.pandoc-gfm.md", "*.pandoc-commonmark.md")
    for path in sorted(DUMPS.glob(pattern))
]  # fmt: skip


@pytest.mark.parametrize("name", PANDOC_RAW_HTML_NAMES)
def test_pandoc_renders_with_raw_html_are_markdown_by_content(name: str) -> None:
    # A new-layout page's render opens with some 20 kB of raw <div>s, <a>s and
    # base64 icons before its first heading: saved as .txt, it was read as a
    # plain-text dump, markdown links and all.
    as_text = name.removesuffix(".md") + ".txt"
    assert detect_format(dump(name)) == "markdown"
    assert detect_format(dump(name), name=as_text) == "markdown"
    docs = to_documents(dump(name), source=f"fixtures/dumps/{as_text}")
    assert isinstance(docs[0], Document)
    assert docs[0].format == "markdown"
    assert docs[0].text == cleaned(name).text


@pytest.mark.parametrize("name", TEXT_DUMP_NAMES)
def test_plain_text_dumps_are_not_taken_for_markdown(name: str) -> None:
    assert detect_format(dump(name), name=name) == "text"


@pytest.mark.parametrize("name", NAMES)
def test_every_gold_paragraph_kept_and_nothing_else(name: str) -> None:
    doc, expected = cleaned(name), gold(page_of(name))
    # markdownify keeps the HTML source's line breaks inside paragraphs, so the
    # gold lines are looked for in the dump as the reader flattened it.
    reference = markdown_to_dump(dump(name)).text
    score = score_lines(doc.text, expected.body, reference)
    assert score.missing_from_dump == []
    assert score.missed == []
    assert score.wrong == []


@pytest.mark.parametrize("name", NAMES)
def test_no_gold_chrome_survives(name: str) -> None:
    assert surviving_chrome(cleaned(name).text, gold(page_of(name)).chrome) == []


@pytest.mark.parametrize("name", NAMES)
def test_title_and_date(name: str) -> None:
    doc, expected = cleaned(name), gold(page_of(name))
    flat = markdown_to_dump(dump(name)).text
    assert title_in_dump(expected.title, flat)
    assert title_matches(doc.title, expected.title), doc.title
    if date_in_dump(expected.date_forms, flat):
        assert doc.date == expected.date
    assert doc.language == expected.language


@pytest.mark.parametrize("name", NAMES)
def test_metadata_matches_gold(name: str) -> None:
    doc = cleaned(name).to_dict()
    for key in ("authors", "agencies", "section", "permalink", "headings", "editors"):
        if key in gold(page_of(name)).metadata:
            assert doc[key] == gold(page_of(name)).metadata[key], key


@pytest.mark.parametrize("name", NAMES)
def test_no_markdown_syntax_left_in_text(name: str) -> None:
    text = cleaned(name).text
    assert "](" not in text
    assert "![" not in text
    assert "**" not in text
    for line in filter(None, text.splitlines()):
        assert not line.startswith(("#", "* ", "> ")), line
        assert not set(line) <= set("=-"), line


@pytest.mark.parametrize("name", NAMES)
def test_images_land_in_images_not_in_text(name: str) -> None:
    doc = cleaned(name)
    text_lines = set(normalised_lines(doc.text))
    for image in doc.images:
        for part in (image.alt, image.caption, image.credit):
            if part:
                assert normalise_line(part) not in text_lines, part


def test_old_layout_images_get_alt_and_caption() -> None:
    """`![alt](src)`, a blank line, the caption: DW's old layout in both renderers."""
    for name in NAMES:
        if gold(page_of(name)).layout != "old" or "![" not in dump(name):
            continue
        with_caption = [i for i in cleaned(name).images if i.alt and i.caption]
        if page_of(name) != "fr-old-2011-elephants":  # an audio page: no article images
            assert with_caption, name


def test_new_layout_image_with_credit() -> None:
    name = "de-new-2024-01-30.markdownify.md"
    first = cleaned(name).images[0]
    assert first.alt == "Russland Boris Nadezhdin Kandidat Präsidentschaftswahlen"
    assert first.caption == (
        "Gilt als einziger Antikriegskandidat für die russische Präsidentschaftswahl: "
        "Boris Nadeschdin"
    )
    assert first.credit == "Mikhail Sinitsyn/TASS/dpa/picture alliance"


@cache
def cleaned_html(page: str) -> Document:
    html = (FIXTURES / "html" / f"{page}.html").read_text(encoding="utf-8")
    return clean_any(html, source=f"fixtures/html/{page}.html")


PANDOC_NAMES = [*sorted(path.name for path in DUMPS.glob("*.pandoc.md")), *PANDOC_RAW_HTML_NAMES]


@pytest.mark.parametrize("name", PANDOC_NAMES)
def test_pandoc_figures_give_the_images_of_the_html(name: str) -> None:
    # pandoc writes a figure's image with the caption (credit glued on) for
    # alt text: in GFM an <img> above the same <figcaption>, both were
    # images; in its own markdown `![CAPTION](src "TITLE")`, an image with no
    # alt text. Each figure is one image, as the page's HTML gives it, its
    # alt the title; an alt may be missing (pandoc drops lazy images' <img>),
    # but is never the caption. An old-layout page's images (no figures,
    # alt and title alike but for pandoc's escapes and typography) are the
    # HTML's, alt and all, and no more.
    images, expected = cleaned(name).images, cleaned_html(page_of(name)).images
    assert [(i.caption, i.credit) for i in images] == [(i.caption, i.credit) for i in expected]
    for image, html_image in zip(images, expected, strict=True):
        assert image.alt in (html_image.alt, None)
    assert images[:1] == expected[:1]
    if gold(page_of(name)).layout == "old":
        assert images == expected


@pytest.mark.parametrize("name", sorted(path.name for path in DUMPS.glob("*.pandoc.md")))
def test_a_pandoc_figure_changes_only_its_image(name: str) -> None:
    # Reading a figure's title as its alt text adds the alt line to the dump,
    # nothing else: the record is the GFM render's, whose figure has its
    # <img> and <figcaption> (pandoc's markdown and GFM differ in their
    # markup only).
    doc, gfm = cleaned(name), cleaned(name.replace(".pandoc.md", ".pandoc-gfm.md"))
    assert doc.text == gfm.text
    assert doc.images == gfm.images
    assert doc.removed.get("image") == gfm.removed.get("image")


def test_a_pandoc_figure_takes_its_images_title_for_alt_text() -> None:
    figure = (
        "<figure>\n"
        '<img src="a.jpg"\ntitle="Impfpass &amp; Aufkleber"\n'
        'alt="Jede Impfung hat Nebenwirkungen.Bild: picture alliance" />\n'
        '<figcaption aria-hidden="true">Jede Impfung hat\nNebenwirkungen.<span\n'
        'class="small">Bild: picture alliance</span></figcaption>\n'
        "</figure>\n"
    )
    caption = "Jede Impfung hat Nebenwirkungen.Bild: picture alliance"

    def lines(page: str) -> list[str]:
        return [line for line in markdown_to_dump(page).text.split("\n") if line]

    assert lines(figure) == ["Impfpass & Aufkleber", caption]
    # With no title, no alt text: the caption alone.
    assert lines(figure.replace('title="Impfpass &amp; Aufkleber"\n', "")) == [caption]
    # An alt text of its own stays the image's.
    described = figure.replace('alt="Jede', 'alt="Ein Impfpass. Jede')
    assert lines(described) == [f"Ein Impfpass. {caption}", caption]


def test_a_pandoc_markdown_figure_takes_its_images_title_for_alt_text() -> None:
    # pandoc's markdown writes a figure's caption in its image's alt text:
    # the title, which DW sets to the page's alt text, is the alt.
    figure = (
        "::: figure\n"
        "![Jede Impfung hat\nNebenwirkungen.[Bild: picture alliance]{.small}](a.jpg\n"
        '"Impfpass & \\"Aufkleber\\""){width="100"}\n'
        ":::\n"
    )
    caption = "Jede Impfung hat Nebenwirkungen.Bild: picture alliance"

    def lines(page: str) -> list[str]:
        dump = markdown_to_dump(page)
        return [line for line in dump.text.split("\n") if line]

    assert lines(figure) == ['Impfpass & "Aufkleber"', caption]
    assert list(markdown_to_dump(figure).images.values()) == ['Impfpass & "Aufkleber"']
    # An image whose title is its alt text is one image, however pandoc
    # escaped it ("Koch\\'s", "\\|") and whatever its typography read back
    # ("--" is a dash; a quote's direction is a guess: German "\u201c" closes).
    same = (
        "::: teaserImg\n"
        "![Robert Koch\\'s \\| \u201eProben\" -- 1906](a.jpg\n"
        "\"Robert Koch's | \u201eProben\u201c \u2013 1906\")\n"
        ":::\n"
    )
    assert lines(same) == ["Robert Koch's | \u201eProben\u201d \u2013 1906"]
    # An image inside a paragraph is no figure: its alt text is its own.
    inline = "::: text\nSee ![a map](a.jpg \"Karte\") here.\n:::\n"
    assert lines(inline) == ["a map", "See here."]
    # Outside pandoc's markdown (markdownify keeps the page's alt), alt text is alt text.
    assert lines('![Jede Impfung hat Nebenwirkungen.](a.jpg "Impfpass")\n') == [
        "Jede Impfung hat Nebenwirkungen."
    ]


@pytest.mark.parametrize("name", NAMES)
def test_explain_sees_the_flattened_dump(name: str) -> None:
    page = analyse_any(dump(name), source=name)
    assert any(label is not None and label.rule == "markdown:first_h1" for label in page.labels)
    assert not any("](" in line.text for line in page.lines if line.text)


# --- the reader on small inputs --------------------------------------------------

READER_PAGE = """\
Title: NATO concern over Russia's role in Syria

URL Source: https://www.dw.com/en/nato-concern-over-russias-role-in-syria/a-18702265

Markdown Content:
[Skip to content](https://www.dw.com/en/nato-concern/a-18702265#main-content)

NATO concern over Russia's role in Syria
========================================

September 8, 2015

NATO Secretary General Jens Stoltenberg said the alliance was concerned about \
reports of a Russian military build-up in Syria, which he said would not help \
to end the war.

![Syrien MiG-29-Kampfjet Kampfflugzeuge](https://static.dw.com/image/1_303.jpg)
Image: picture-alliance/dpa

Stoltenberg spoke in Madrid, where he met the Spanish prime minister \
[Mariano Rajoy](https://www.dw.com/en/mariano-rajoy/t-1) on Tuesday, to discuss \
the preparations for an exercise of the alliance.

To view this video please enable JavaScript, and consider upgrading to a web \
browser that supports HTML5 video

Strained relations with Moscow
------------------------------

The United States has also warned that Russia's actions in Syria could \
escalate the conflict, **according to officials** in Washington.

mg/cmk (AFP, Reuters, dpa)

Explore more
------------

[Russia denies troop build-up](https://www.dw.com/en/russia/a-2)

Related topics
--------------

[Syria](https://www.dw.com/en/syria/t-3)
"""


@cache
def reader_doc() -> Document:
    return clean_any(READER_PAGE, source="reader.md")


def test_reader_page_title_date_and_initials() -> None:
    doc = reader_doc()
    assert doc.format == "markdown"
    assert doc.url == "https://www.dw.com/en/nato-concern-over-russias-role-in-syria/a-18702265"
    assert doc.id == "a-18702265"
    assert "URL Source" not in doc.text
    assert doc.title == "NATO concern over Russia's role in Syria"
    assert doc.date == "2015-09-08"
    assert doc.authors == ["mg", "cmk"]
    assert doc.agencies == ["AFP", "Reuters", "dpa"]


def test_reader_page_links_flattened_and_emphasis_removed() -> None:
    text = reader_doc().text
    assert "Spanish prime minister Mariano Rajoy on Tuesday" in text
    assert "according to officials in Washington" in text


def test_reader_page_markdown_chrome_removed() -> None:
    lines = reader_doc().text.split("\n\n")
    for chrome in (
        "Explore more",
        "Related topics",
        "Russia denies troop build-up",
        "Syria",
        "Skip to content",
    ):
        assert chrome not in lines
    assert "To view this video" not in reader_doc().text


def test_reader_page_image_and_heading() -> None:
    doc = reader_doc()
    assert [i.alt for i in doc.images] == ["Syrien MiG-29-Kampfjet Kampfflugzeuge"]
    assert doc.images[0].credit == "picture-alliance/dpa"
    assert doc.headings == ["Strained relations with Moscow"]
    assert "Syrien MiG-29-Kampfjet" not in doc.text


def test_reader_header_alone_gives_metadata() -> None:
    page = (
        "Title: Lavrov: not boosting presence in Syria\n\n"
        "URL Source: https://www.dw.com/en/lavrov/a-18705463\n\n"
        "Published Time: Thu, 10 Sep 2015 12:00:00 GMT\n\n"
        "Markdown Content:\n"
        "Russian Foreign Minister Sergey Lavrov has said Moscow is not boosting its military "
        "presence in Syria, but that it will continue to supply weapons to the government.\n"
    )
    assert detect_format(page) == "markdown"
    doc = clean_any(page)
    assert (doc.title, doc.date, doc.id) == (
        "Lavrov: not boosting presence in Syria",
        "2015-09-10",
        "a-18705463",
    )
    assert doc.text.startswith("Russian Foreign Minister")


def test_reader_header_after_blank_lines_is_read() -> None:
    # The header is looked for only where the page starts, after whitespace.
    fields, markdown = split_reader_header(
        "\r\n \n  URL Source: https://www.dw.com/en/a-1\n\nMarkdown Content:\nBody text.\n"
    )
    assert fields == {"url source": "https://www.dw.com/en/a-1", "markdown content": ""}
    assert markdown == "Body text.\n"
    page = "Intro line\nURL Source: https://www.dw.com/en/a-1\nMarkdown Content:\nBody.\n"
    assert split_reader_header(page) == ({}, page)


def test_a_text_starting_with_title_colon_is_not_a_reader_header() -> None:
    text = "Title: a film by someone\n\nMore about the film.\n"
    assert split_reader_header(text) == ({}, text)


def test_wrapped_paragraph_is_one_line_and_hard_break_splits() -> None:
    flat = markdown_to_dump("first half of a\nsentence that goes on\n\nline one  \nline two\n")
    assert flat.text.split("\n") == [
        "first half of a sentence that goes on",
        "",
        "line one",
        "line two",
        "",
    ]


def test_lists_keep_numbers_and_drop_bullets() -> None:
    flat = markdown_to_dump("1. first\n2. second\n\n* bullet\n- dash\n")
    lines = [line for line in flat.text.split("\n") if line]
    assert lines == ["1. first", "2. second", "bullet", "dash"]


def test_atx_and_setext_headings_are_marked() -> None:
    flat = markdown_to_dump("# The title here\n\nSub heading\n-----------\n\n### Third ###\n")
    lines = flat.text.split("\n")
    assert [lines[i] for i in sorted(flat.headings)] == ["The title here", "Sub heading", "Third"]
    assert flat.title_index == 0


def _date_line_right_above_text(path: Path) -> bool:
    forms = {normalise_line(form) for form in gold(page_of(path.name)).date_forms}
    lines = path.read_text(encoding="utf-8").split("\n")
    return any(normalise_line(line) in forms and below.strip() for line, below in pairwise(lines))


# trafilatura's markdown (scripts/render_fixtures.py) and its markdown with the
# metadata header: those where the date line stands right above the lead.
TRAFILATURA_MARKDOWN = [
    path
    for path in [
        *sorted(DUMPS.glob("*.trafilatura.md")),
        *sorted((FIXTURES / "front-matter").glob("*.trafilatura-meta.md")),
    ]
    if _date_line_right_above_text(path)
]


def test_trafilatura_keeps_the_date_line_of_some_pages() -> None:
    assert len(TRAFILATURA_MARKDOWN) >= 2  # the new layout, with and without its header


@pytest.mark.parametrize("path", TRAFILATURA_MARKDOWN, ids=lambda path: path.name)
def test_trafilatura_date_line_above_the_lead_is_the_date_not_the_lead(path: Path) -> None:
    # trafilatura writes "30. Januar 2024" and the lead on consecutive lines:
    # one markdown paragraph (an ordered list item, even: "30." opens one).
    expected = gold(page_of(path.name))
    doc = clean_any(path.read_text(encoding="utf-8"), source=path.name)
    assert doc.format == "markdown"
    assert doc.date == expected.date
    assert doc.removed.get("date") == 1
    # trafilatura drops the teaser: the lead is the first paragraph it kept.
    first = doc.text.split("\n\n")[0]
    assert first in expected.body
    assert doc.lead == first


def test_a_date_line_ends_a_paragraph_only_above_a_new_sentence() -> None:
    rules = default_ruleset()
    dated = markdown_to_dump("30. Januar 2024\nDie erste Hürde.\n", rules)
    assert dated.text.split("\n")[:2] == ["30. Januar 2024", "Die erste Hürde."]
    # A sentence wrapped after a date goes on in lower case: still one paragraph.
    wrapped = markdown_to_dump("Am 30. Januar 2024\nwurde gewählt.\n", rules)
    assert wrapped.text.split("\n")[0] == "Am 30. Januar 2024 wurde gewählt."
    going_on = markdown_to_dump("30. Januar 2024\nwurde gewählt.\n", rules)
    assert going_on.text.split("\n")[0] == "30. Januar 2024 wurde gewählt."


def test_escapes_and_reference_links() -> None:
    flat = markdown_to_dump("30\\. Januar 2024 and [a link][1]\n\n[1]: https://example.org\n")
    assert [line for line in flat.text.split("\n") if line] == ["30. Januar 2024 and a link"]


def _dump_in_one_piece(text: str) -> MarkdownDump:
    """The page converted whole, without cutting it at its blank lines or any memo."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    normalised, definitions = markdown_module._inline_references(normalised)
    rules = default_ruleset()
    line_paragraphs = markdown_module.one_paragraph_a_line(normalised)
    if not line_paragraphs:
        normalised = markdown_module.join_wrapped_headings(normalised)
    pandoc = markdown_module.is_pandoc_markdown(normalised)
    converted = markdown_module._split_dated_heads(
        markdown_module._convert(normalised, line_paragraphs=line_paragraphs, pandoc=pandoc),
        rules,
    )
    lines, headings, images, candidates, _ = converted
    title = next((i for i in candidates if not is_table_phrase(lines[i], rules)), None)
    return MarkdownDump("\n".join(lines), frozenset(headings), title, dict(images), definitions)


@pytest.mark.parametrize("name", NAMES)
def test_pieces_and_their_memo_give_the_page_converted_whole(name: str) -> None:
    page = dump(name)
    whole = _dump_in_one_piece(page)
    # Twice: the second time the recurring pieces come from the memo.
    assert markdown_to_dump(page) == whole
    assert markdown_to_dump(page) == whole
    memo = markdown_module._PANDOC_PIECES if "pandoc" in name else markdown_module._PIECES
    assert memo.values, "menus recur within a page set"


# Lines of every block kind the reader knows, blank lines included, so that
# generated pages cut at blank lines inside and around every kind of block.
MARKDOWN_LINES = st.sampled_from([
    "", "   ", "# Title of the page", "## Sub", "Heading", "=====", "-----", "***",
    "* item one", "- item two", "1. first", "2) second", "text of a paragraph",
    "goes on here  ", "ends with a backslash\\", "> quoted line", "**Bold heading**",
    "![alt text](https://x.org/a.jpg)", "Caption text Image: DW", "[link](https://x.org)",
    "[1]: https://x.org", "| a | b |", "|---|---|", "```", "~~~", "    code", "\r", "line\r",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_LINES, max_size=40).map("\n".join))
def test_cutting_at_blank_lines_never_changes_the_dump(text: str) -> None:
    assert markdown_to_dump(text) == _dump_in_one_piece(text)
    assert markdown_to_dump(text) == _dump_in_one_piece(text)


def test_piece_memo_keeps_its_own_bounds() -> None:
    memo: LineMemo[int] = LineMemo(max_chars=300, max_entries=2)
    menu = "* item\n" * 30  # 210 characters: longer than a line memo keeps
    memo.remember(menu, 1)
    assert memo.recall(menu) == 1
    assert memo.values == {menu: 1}
    for piece in ("a", "b", "c"):
        memo.remember(piece, 2)
        memo.recall(piece)
    assert len(memo.values) <= 2 and len(memo.pending) <= 2
    memo.remember("x" * 301, 3)
    assert memo.recall("x" * 301) is None and "x" * 301 not in memo.values


def test_forced_markdown_on_a_text_dump_keeps_the_text() -> None:
    name = "seed-000.resiliparse.txt"
    as_text = clean_any(dump(name), source=name)
    as_markdown = clean_any(dump(name), source=name, fmt="markdown")
    assert as_text.format == "text"
    assert as_markdown.format == "markdown"
    assert as_markdown.title == as_text.title


# Markdown, HTML and JSON syntax characters, so that generated inputs hit the
# readers' edge cases (unclosed links, empty headings, broken records).
SYNTAX = st.sampled_from(
    [*'ab <>/[]()!#*_-=\n{}":,\\`&;', "<p>", "</h2>", "![", "](", "\n\n", "===", '{"text": "x"}']
)


@settings(max_examples=200, deadline=None)
@given(st.lists(SYNTAX, max_size=60).map("".join), st.sampled_from(["auto", *FORMATS]))
def test_any_input_in_any_form_gives_records_not_exceptions(data: str, fmt: str) -> None:
    for item in to_documents(data, fmt=fmt, source="generated"):
        assert isinstance(item, (Document, RecordError))


# --- wrapped markdown: html2text and pandoc at their default widths ----------------

WRAPPED_MARKDOWN = [
    *sorted(DUMPS.glob("*.html2text-wrapped.txt")),
    # pandoc's own markdown, GFM and CommonMark (raw HTML for what they cannot say).
    *sorted(DUMPS.glob("*.pandoc*.md")),
]


def _record_parts(path: Path) -> tuple[object, ...]:
    record = clean_any(path.read_text(encoding="utf-8"), source=path.name)
    return record.title, record.date, record.authors, record.headings, record.text.split("\n\n")


@pytest.mark.parametrize("path", WRAPPED_MARKDOWN, ids=lambda path: path.name)
def test_wrapped_markdown_gives_the_record_of_the_unwrapped_dump(path: Path) -> None:
    # html2text wraps at 78 columns (breaking words after a hyphen, headings
    # too), pandoc at 72 (with fenced divs, attributes and ASCII typography;
    # or, as GFM and CommonMark, with raw HTML tags wrapped over lines):
    # the record is the one of the page's resiliparse dump, paragraph for paragraph.
    resiliparse = DUMPS / f"{page_of(path.name)}.resiliparse.txt"
    assert _record_parts(path) == _record_parts(resiliparse)


def test_a_word_broken_after_its_hyphen_is_joined_again() -> None:
    page = (
        "Die Beziehungen sollen wieder verbessert werden, sagt der deutsch-\n"
        "brasilianische Rat, und zwar für Kinder- und Jugendärzte wie für pre-\n"
        "and post-war Kliniken.\n"
    )
    assert markdown_to_dump(page).text.split("\n")[0] == (
        "Die Beziehungen sollen wieder verbessert werden, sagt der deutsch-brasilianische"
        " Rat, und zwar für Kinder- und Jugendärzte wie für pre- and post-war Kliniken."
    )


def test_a_list_marker_at_the_start_of_a_wrapped_line_goes_on_with_the_paragraph() -> None:
    page = (
        'The "white" population in the colonies was a small, highly privileged minority\n'
        "- rarely more than one percent of the population. In 1914, about 25,000\n"
        "Germans lived there.\n"
        "\n"
        "A list follows:\n"
        "- first item\n"
    )
    lines = [line for line in markdown_to_dump(page).text.split("\n") if line]
    assert lines == [
        'The "white" population in the colonies was a small, highly privileged minority'
        " - rarely more than one percent of the population. In 1914, about 25,000"
        " Germans lived there.",
        "A list follows:",
        "first item",
    ]


def test_a_wrapped_heading_is_one_heading() -> None:
    page = (
        "## [Corona und Wissenschaft: Wer sagt die Wahrheit? ](/de/corona-und-\n"
        "wissenschaft-wer-sagt-die-wahrheit/a-60197169)\n"
        "\n"
        "## Short heading\n"
        "\n"
        "Text under it.\n"
    )
    flat = markdown_to_dump(page)
    lines = flat.text.split("\n")
    assert [lines[index] for index in sorted(flat.headings)] == [
        "Corona und Wissenschaft: Wer sagt die Wahrheit?",
        "Short heading",
    ]


def test_pandoc_markup_and_typography_are_read_back() -> None:
    page = (
        "::: {.col .detail}\n"
        "## Regionen {#Regionen .sc-iJfdHH}\n"
        "\n"
        "[[Europa]{.label}](/de/europa/s-12322){.sc-hLclGa role=\"menuitem\"}\n"
        ":::\n"
        "\n"
        "<div>\n"
        "\n"
        "The renaming --- Petersallee, 1905--1907 --- doesn't go far enough... It\\'s\n"
        '"new", they say \\"quoted\\".\n'
    )
    lines = [line for line in markdown_to_dump(page).text.split("\n") if line]
    assert lines == [
        "Regionen",
        "Europa",
        "The renaming \u2014 Petersallee, 1905\u20131907 \u2014 doesn\u2019t go far enough\u2026"
        " It's \u201cnew\u201d, they say \"quoted\".",
    ]


def test_markdown_without_pandoc_marks_keeps_its_ascii_typography() -> None:
    page = "It's a -- dash... in html2text's markdown, with {braces}.\n"
    assert markdown_to_dump(page).text.split("\n")[0] == (
        "It's a -- dash... in html2text's markdown, with {braces}."
    )


# Pieces of pandoc's marks and of what only looks like them.
PANDOC_MARK_PIECES = st.sampled_from(
    [":::", "::", ":", "{", "{#", "{.", "]", ")", " ", "\t", "\n", "-", "a", "#", "."]
)


@given(st.lists(PANDOC_MARK_PIECES, max_size=12))
def test_the_pandoc_check_says_what_its_pattern_says(pieces: list[str]) -> None:
    # The substring tests before the pattern only spare it its search: they
    # never say no to a page the pattern would find pandoc's marks in.
    text = "".join(pieces)
    expected = markdown_module._PANDOC_MARKS.search(text) is not None
    assert markdown_module.is_pandoc_markdown(text) == expected


# Every kind of spacing str.split() knows (and an invisible character it does
# not), words, markup that inline_text takes out, an image and the mark that
# stands for one inside a line.
SPACED_PIECES = st.sampled_from(
    [" ", "  ", "\t", "\xa0", "\u2028", "\x1c", "\x85", "\u3000", "\u200b", "\x00",
     "a", "b.", "**c**", "[d](e)", "![f](g)", "\\*"]
)


@given(st.lists(SPACED_PIECES, max_size=12))
def test_a_lines_flattened_text_is_its_words_between_single_spaces(pieces: list[str]) -> None:
    # inline_text and _split_images skip splitting and joining a text that
    # is already spaced so: they must give what splitting and joining gives.
    line = "".join(pieces)
    flattened = markdown_module.inline_text(line)
    assert flattened == " ".join(flattened.split())
    _, rest = markdown_module._split_images(line)
    assert rest == " ".join(rest.split())
    assert "\x00" not in rest
    if not any(mark in line for mark in "*[]!\\\x00"):
        assert flattened == rest == " ".join(line.split())


@pytest.mark.parametrize("path", sorted(DUMPS.glob("*.markdownify.md")), ids=lambda p: p.name)
def test_a_bold_label_item_with_a_line_break_reads_like_one_line(path: Path) -> None:
    # Some markdownify versions end "* **Autorin/Autor**" with a <br> ("  "):
    # the name below it was then a line of its own, and the authors were lost.
    text = path.read_text(encoding="utf-8")
    broken = "\n".join(
        f"{line}  " if line.startswith("* **") and line.rstrip().endswith("**") else line
        for line in text.split("\n")
    )
    assert broken != text or "* **" not in text
    assert clean_any(broken, source=path.name).to_dict() == clean_any(
        text, source=path.name).to_dict()


def test_a_related_item_named_as_the_page_is_no_second_title() -> None:
    # QA: markdownify with links and images stripped (`strip=["a", "img"]`)
    # leaves the old layout's "Audios et vidéos sur le sujet" item as a
    # heading of the page's own name. Matched against the <title> line after
    # the first heading had been taken for the title, it became a second
    # title: the lead above it was navigation, and the footer menu below it
    # was kept as the article.
    name = "fr-old-2011-elephants.markdownify.md"
    stripped = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", dump(name))
    stripped = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", stripped)
    doc = clean_any(stripped, source=name)
    expected = gold(page_of(name))
    assert title_matches(doc.title, expected.title), doc.title
    assert doc.text.startswith(expected.body[0][:60])
    assert "Contact" not in doc.text.splitlines()


@pytest.mark.parametrize(
    "path", sorted(DUMPS.glob("*.html2text.txt")), ids=lambda path: path.name
)
def test_a_line_right_under_the_title_heading_is_a_block_of_its_own(path: Path) -> None:
    # QA: with no blank line under "# Title", the byline (new layout) or the
    # lead (old layout) was read as the heading's continuation: the title
    # became "...Putin-Ära Jennifer Pahlke" and the authors were lost. An
    # ATX heading is one line; only a wrapper's break (html2text's at 78
    # columns, where the next word would not have fitted) goes on.
    text = path.read_text(encoding="utf-8")
    joined = re.sub(r"^(# [^\n]*)\n\n", r"\1\n", text, count=1, flags=re.MULTILINE)
    assert joined != text
    expected = clean_any(text, source=path.name)
    record = clean_any(joined, source=path.name)
    assert (record.title, record.authors, record.date, record.text) == (
        expected.title, expected.authors, expected.date, expected.text)


def _single_line_breaks(text: str) -> str:
    """html2text's markdown as `single_line_break=True` writes it: no blank
    line between blocks, but still the blank lines around a list."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]

    def listed(i: int) -> bool:
        return re.match(r"\s*(?:[*+-]|\d+\.)\s", lines[i]) is not None

    kept = []
    for i, line in enumerate(lines):
        above = [j for j in nonblank if j < i][-1:]
        below = [j for j in nonblank if j > i][:1]
        if line.strip() or any(listed(j) for j in above + below):
            kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize(
    "path", sorted(DUMPS.glob("*.html2text.txt")), ids=lambda path: path.name
)
def test_markdown_with_single_line_breaks_is_read_one_block_a_line(path: Path) -> None:
    # QA: html2text with `single_line_break=True` sets no blank line between
    # paragraphs, headings, byline and date, only around lists; read as
    # markdown, the whole article was one paragraph (precision 0-1%, no
    # title). Such a page is read a line at a time, as trafilatura's text
    # with links is, and cleans to the record of html2text's usual markdown.
    text = path.read_text(encoding="utf-8")
    single = _single_line_breaks(text)
    assert "\n\n" in single
    expected = clean_any(text, source=path.name)
    record = clean_any(single, source=path.name)
    fields = ("title", "authors", "date", "lead", "headings", "images", "text")
    assert [getattr(record, name) for name in fields] == [
        getattr(expected, name) for name in fields]


def test_a_byline_and_date_without_a_blank_line_between_are_two_lines() -> None:
    # QA: the byline and the date line under the title, with no blank line
    # between them (as html2text's `single_line_break` writes them, on a page
    # that has blank lines elsewhere), were one paragraph ("Jennifer Pahlke
    # 30.01.2024 ..."): no authors, no date. A short first line over a date
    # line alone is split off as a date line over the lead is. (Only a date
    # the tables read: the other new-layout page's "vor 3 Stundenvor 3
    # Stunden" gives no date in any form.)
    name = "de-new-2024-01-30.html2text.txt"
    text = dump(name)
    lines = text.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    assert lines[title + 1] == "" and lines[title + 3] == ""
    joined = "\n".join([*lines[: title + 3], *lines[title + 4 :]])
    expected = clean_any(text, source=name)
    record = clean_any(joined, source=name)
    assert (record.title, record.authors, record.date, record.text) == (
        expected.title, expected.authors, expected.date, expected.text)


@pytest.mark.parametrize(
    "name", ["de-new-2024-01-30.markdownify.md", "de-new-2024-01-30.html2text.txt"]
)
def test_an_invisible_character_in_the_byline_keeps_the_authors(name: str) -> None:
    # QA: a zero-width space inside a name ("Jenni\u200bfer Pahlke") made the
    # byline under the title no names: the authors were lost, and the
    # section with them. The line is read as the classifier reads it.
    text = dump(name)
    assert "\nJennifer Pahlke\n" in text
    marked = text.replace("\nJennifer Pahlke\n", "\nJenni\u200bfer Pahlke\n", 1)
    expected = clean_any(text, source=name)
    record = clean_any(marked, source=name)
    assert (record.authors, record.section, record.title, record.text) == (
        expected.authors, expected.section, expected.title, expected.text)


@pytest.mark.parametrize("name", sorted(p.name for p in DUMPS.glob("*.pandoc.md")))
def test_a_title_put_twice_on_top_is_one_title(name: str) -> None:
    # QA: a scraper that puts "# <title>" above markdown opening with it
    # left the copy in the text as a subheading (since 6817a7c, a title
    # found first stands, and the copy was no longer taken for a second one).
    page = dump(name)
    heading = next(line for line in page.splitlines() if line.startswith("# "))
    doubled = page.replace(heading, f"{heading}\n\n{heading}", 1)
    once, twice = clean_any(page, source=name), clean_any(doubled, source=name)
    assert (twice.title, twice.text, twice.headings) == (once.title, once.text, once.headings)


def test_a_wrapped_headline_of_a_short_page_is_joined_where_it_goes_on_in_lower_case() -> None:
    # QA review of 0ede02c: a page too short to show its wrap width (a JSON
    # record's text) had its headline cut where html2text wrapped it, the
    # rest of it in the text. A line in lower case goes on with a wide
    # heading; a byline, in capitals, does not.
    wrapped = (
        "# Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära und will gegen\n"
        "den Amtsinhaber antreten\n\n"
        "Boris Nadeschdin will bei der Präsidentenwahl im März antreten.\n"
    )
    doc = clean_any(wrapped, source="short.md")
    assert doc.title == (
        "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära und will gegen "
        "den Amtsinhaber antreten"
    )
    assert doc.text == "Boris Nadeschdin will bei der Präsidentenwahl im März antreten."
    byline = (
        "# Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära\n"
        "Jennifer Pahlke\n\n"
        "Boris Nadeschdin will bei der Präsidentenwahl im März antreten.\n"
    )
    doc = clean_any(byline, source="short.md")
    assert (doc.title, doc.authors) == (
        "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära", ["Jennifer Pahlke"]
    )
