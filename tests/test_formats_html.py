"""HTML input: the nine real DW pages (both layouts) against their gold files.

Title, date, language, authors, section, permalink, subheadings, videos and
audios must match the hand-checked gold; every gold paragraph must be in `text`
and no gold chrome line (captions, credits, teasers, bylines...) may survive.
The page is parsed once, and organisation names never become authors.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import trafilatura

from cleaner.core import article_id
from cleaner.document import Document
from cleaner.evaluation import (
    Gold,
    normalise_line,
    normalised_lines,
    score_lines,
    surviving_chrome,
    title_matches,
)
from cleaner.explain import explain_rows
from cleaner.formats import analyse_any, clean_any, detect_format, to_documents
from cleaner.formats import html as html_format
from cleaner.formats.detect import SNIFF_CHARS
from cleaner.formats.html import is_person, split_title

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HTML_PATHS = sorted(p for p in (FIXTURES / "html").glob("*.html"))
PAGES = [p.stem for p in HTML_PATHS if (FIXTURES / "gold" / f"{p.stem}.json").exists()]


@cache
def gold(page: str) -> Gold:
    path = FIXTURES / "gold" / f"{page}.json"
    return Gold.from_dict(json.loads(path.read_text(encoding="utf-8")))


@cache
def page_html(page: str) -> str:
    return (FIXTURES / "html" / f"{page}.html").read_text(encoding="utf-8")


@cache
def cleaned(page: str) -> Document:
    return clean_any(page_html(page), source=f"fixtures/html/{page}.html")


def test_all_nine_pages_have_gold() -> None:
    assert len(PAGES) == len(HTML_PATHS) == 9


@pytest.mark.parametrize("page", PAGES)
def test_detected_and_recorded_as_html(page: str) -> None:
    data = page_html(page)
    assert detect_format(data) == "html"
    assert detect_format(data, name=f"{page}.html") == "html"
    # Content decides when the name says nothing.
    assert detect_format(data, name=f"{page}.txt") == "html"
    assert cleaned(page).format == "html"


@pytest.mark.parametrize("page", PAGES)
def test_title_date_language_match_gold(page: str) -> None:
    doc, expected = cleaned(page), gold(page)
    assert title_matches(doc.title, expected.title), doc.title
    assert doc.date == expected.date
    assert doc.language == expected.language


# What DW appends to a <title>: " | DW | 19.01.2020", " – DW – 30.01.2024".
TITLE_SUFFIX = re.compile(r"[|–-]\s*DW\s*[|–-]|\d{2}\.\d{2}\.\d{4}$")


@pytest.mark.parametrize("page", PAGES)
def test_title_has_no_dw_suffix(page: str) -> None:
    title = cleaned(page).title
    assert title
    assert not TITLE_SUFFIX.search(title), title


@pytest.mark.parametrize("page", PAGES)
def test_article_id_and_url_from_the_page(page: str) -> None:
    doc = cleaned(page)
    assert doc.url is not None
    assert doc.url.startswith("https://www.dw.com/")
    assert doc.id == article_id(doc.url, "", None)
    assert doc.id.startswith("a-")
    assert doc.id[2:].isdigit()


@pytest.mark.parametrize("page", PAGES)
def test_metadata_matches_gold(page: str) -> None:
    """Every metadata field the gold file verified (videos/audios aside, see below)."""
    doc = cleaned(page).to_dict()
    for key, value in gold(page).metadata.items():
        if key in ("videos", "audios", "notes"):
            continue
        assert doc[key] == value, key


WITH_MEDIA_OR_NOTES = [p for p in PAGES if {"videos", "audios", "notes"} & set(gold(p).metadata)]


@pytest.mark.parametrize("page", WITH_MEDIA_OR_NOTES)
def test_media_and_notes_match_gold(page: str) -> None:
    doc = cleaned(page).to_dict()
    for key in ("videos", "audios", "notes"):
        if key in gold(page).metadata:
            got = doc[key]
            want = gold(page).metadata[key]
            if key != "notes":
                got = [{k: item[k] for k in w} for item, w in zip(got, want, strict=False)]
            assert got == want


@pytest.mark.parametrize("page", PAGES)
def test_no_media_where_the_gold_has_none(page: str) -> None:
    """Related-media teasers ("Audios and videos on the topic") are not the article's."""
    doc = cleaned(page)
    for key in ("videos", "audios"):
        if key not in gold(page).metadata:
            assert getattr(doc, key) == [], key


PARAGRAPH = (
    "The ministry published the figures on Monday, and the opposition asked for a hearing "
    "in parliament before the summer break. {} Experts expect the debate to go on for weeks."
)

# The new layout's player box: the headline above a <video>/<audio> element that
# states its duration in a data attribute; a related-content player outside the
# article's div.rich-text is not the article's.
NEW_LAYOUT_MEDIA = f"""<html lang="en"><head><title>Budget row in Berlin – DW – 13.06.2023</title>
</head><body><article><header><h1>Budget row in Berlin</h1></header>
<div class="content-area"><div class="rich-text">
<p>{PARAGRAPH.format("First.")}</p>
<div class="vjs-wrapper embed big">
<h2 aria-label="Embedded video — What the budget cuts mean" class="headline">
What the budget cuts mean</h2>
<video id="video-1" controls preload="none" data-duration="02:17">
<source src="https://example.org/v.mp4" type="video/mp4">
<p class="vjs-no-js">To view this video please enable JavaScript</p></video></div>
<p>{PARAGRAPH.format("Second.")}</p>
<div class="vjs-wrapper embed"><h2 class="headline">The minister speaks</h2>
<audio controls preload="none"><source src="https://example.org/a.mp3" type="audio/mpeg">
</audio></div>
<p>{PARAGRAPH.format("Third.")}</p>
</div></div></article>
<section><h2>Related topics</h2><div class="vjs-wrapper"><h2 class="headline">Another story</h2>
<video data-duration="01:00"></video></div></section></body></html>"""

# The old layout's player block keeps its medium in hidden form fields (duration
# in seconds) inside div.longText; the "Audios and videos on the topic" teasers
# after it count only when headed with the page's own title (an audio article).
OLD_LAYOUT_MEDIA = f"""<html lang="en"><head>
<title>Budget row in Berlin | Germany | DW | 19.01.2020</title></head><body>
<div class="col3"><h1>Budget row in Berlin</h1><p class="intro">{PARAGRAPH.format("Lead.")}</p>
<div class="group"><div class="longText">
<p>{PARAGRAPH.format("First.")}</p><p>{PARAGRAPH.format("Second.")}</p>
<div class="col3 right"><div class="mediaItem" data-media-id="1">
<input type="hidden" name="player_type" value="video">
<input type="hidden" name="file_duration" value="137">
<input type="hidden" name="media_title" value="What the budget cuts mean">
<div class="teaserContentWrap information"><h2>What the budget cuts mean</h2>
<span class="icon video"></span></div></div></div>
<p>{PARAGRAPH.format("Third.")}</p></div></div>
<h4>Audios and videos on the topic</h4>
<div class="group"><div class="linkList overlayIcon"><a href="/overlay/media/en/x/2/3">
<h2>Budget row in Berlin <span class="icon audio"></span></h2></a></div>
<div class="linkList overlayIcon"><a href="/overlay/media/en/y/4/3">
<h2>What the budget cuts mean <span class="icon tv"></span></h2></a></div>
<div class="linkList overlayIcon"><a href="/overlay/media/en/z/5/3">
<h2>Another story <span class="icon tv"></span></h2></a></div></div></div></body></html>"""


@pytest.mark.parametrize(
    ("data", "videos", "audios"),
    [
        (
            NEW_LAYOUT_MEDIA,
            [{"title": "What the budget cuts mean", "duration_s": 137}],
            [{"title": "The minister speaks", "duration_s": None}],
        ),
        (
            OLD_LAYOUT_MEDIA,
            [{"title": "What the budget cuts mean", "duration_s": 137}],
            [{"title": "Budget row in Berlin", "duration_s": None}],
        ),
        (
            # A video article: its body player and its teaser are one video.
            OLD_LAYOUT_MEDIA.replace("What the budget cuts mean", "Budget row in Berlin"),
            [{"title": "Budget row in Berlin", "duration_s": 137}],
            [{"title": "Budget row in Berlin", "duration_s": None}],
        ),
    ],
    ids=["new-layout", "old-layout", "old-layout-video-article"],
)
def test_article_media_read_from_the_page(
    data: str, videos: list[dict[str, Any]], audios: list[dict[str, Any]]
) -> None:
    doc = clean_any(data).to_dict()
    assert doc["videos"] == videos
    assert doc["audios"] == audios
    assert "Second." in doc["text"]
    for title in ("What the budget cuts mean", "The minister speaks", "Another story"):
        assert title not in doc["text"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("137", 137),
        ("02:17", 137),
        ("1:02:17", 3737),
        ("PT2M17S", 137),
        ("PT1H", 3600),
        ("PT", None),
        ("", None),
        (None, None),
        ("live", None),
    ],
)
def test_duration_seconds(value: str | None, seconds: int | None) -> None:
    assert html_format.duration_seconds(value) == seconds


@pytest.mark.parametrize("page", PAGES)
def test_every_gold_paragraph_kept_and_nothing_else(page: str) -> None:
    doc, expected = cleaned(page), gold(page)
    # The whole page holds every gold paragraph, so all of them count.
    score = score_lines(doc.text, expected.body, "\n".join(expected.body))
    assert score.missed == []
    assert score.wrong == []


@pytest.mark.parametrize("page", PAGES)
def test_no_gold_chrome_survives(page: str) -> None:
    assert surviving_chrome(cleaned(page).text, gold(page).chrome) == []


@pytest.mark.parametrize("page", PAGES)
def test_organisations_are_never_authors(page: str) -> None:
    for name in cleaned(page).authors:
        assert "Deutsche Welle" not in name
        assert "dw.com" not in name.lower()


@pytest.mark.parametrize("page", PAGES)
def test_figure_captions_and_alt_texts_are_metadata(page: str) -> None:
    doc = cleaned(page)
    text_lines = set(normalised_lines(doc.text))
    for image in doc.images:
        for part in (image.caption, image.alt):
            if part:
                assert normalise_line(part) not in text_lines, part


def test_new_layout_figures_have_caption_and_credit() -> None:
    new_pages = [p for p in PAGES if gold(p).layout == "new"]
    assert new_pages
    for page in new_pages:
        images = cleaned(page).images
        assert images, page
        first = images[0]
        assert first.alt and first.caption and first.credit, page
        assert not first.caption.endswith(("Bild:", "Image:")), page


def test_trafilatura_keeps_a_caption_that_dw_clean_drops() -> None:
    """The old layout's caption in a picture box that trafilatura takes for a paragraph."""
    stray = []
    for page in PAGES:
        raw = trafilatura.extract(page_html(page), include_comments=False) or ""
        raw_lines = set(normalised_lines(raw))
        for image in cleaned(page).images:
            if image.caption and normalise_line(image.caption) in raw_lines:
                stray.append((page, image.caption))
                assert normalise_line(image.caption) not in normalised_lines(cleaned(page).text)
    assert stray, "expected trafilatura to keep at least one figure caption on these pages"


def test_page_is_parsed_once_and_the_tree_is_handed_to_trafilatura(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_load, real_extract = trafilatura.load_html, trafilatura.bare_extraction

    def load(data: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("load")
        return real_load(data, *args, **kwargs)

    def extract(data: Any, *args: Any, **kwargs: Any) -> Any:
        assert not isinstance(data, (str, bytes)), "trafilatura got the string, not the tree"
        calls.append("extract")
        return real_extract(data, *args, **kwargs)

    monkeypatch.setattr(trafilatura, "load_html", load)
    monkeypatch.setattr(trafilatura, "bare_extraction", extract)
    doc = html_format.clean_html(page_html(PAGES[0]))
    assert doc.text
    assert calls == ["load", "extract"]


def test_explicit_url_wins_over_the_canonical_link() -> None:
    doc = clean_any(page_html(PAGES[0]), url="https://www.dw.com/en/some-copy/a-123")
    assert doc.url == "https://www.dw.com/en/some-copy/a-123"
    assert doc.id == "a-123"


def test_to_documents_gives_one_record_for_a_page() -> None:
    docs = to_documents(page_html(PAGES[0]), source="page.html")
    assert len(docs) == 1
    assert isinstance(docs[0], Document)
    assert docs[0].source == "page.html"


def test_forced_text_format_treats_html_as_a_dump() -> None:
    doc = clean_any(page_html(PAGES[0]), fmt="text")
    assert doc.format == "text"
    assert doc.text != cleaned(PAGES[0]).text


def test_empty_page_gives_an_empty_record_not_an_error() -> None:
    doc = clean_any("<html><head><title>x</title></head><body></body></html>")
    assert doc.format == "html"
    assert doc.text == ""
    assert "empty_text" in doc.warnings


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Berlin confronts Germany′s colonial past with new initiative | Germany| News and "
            "in-depth reporting from Berlin and beyond | DW | 19.01.2020",
            ("Berlin confronts Germany′s colonial past with new initiative", "2020-01-19"),
        ),
        (
            "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära – DW – 30.01.2024",
            ("Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära", "2024-01-30"),
        ),
        (
            "Libanon: (Wirtschafts-)Krise ohne Ende | DW | 25.03.2023",
            ("Libanon: (Wirtschafts-)Krise ohne Ende", "2023-03-25"),
        ),
        ("A headline without a suffix", ("A headline without a suffix", None)),
    ],
)
def test_split_title(title: str, expected: tuple[str, str | None]) -> None:
    assert split_title(title) == expected


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Deutsche Welle (www.dw.com)", False),
        ("Deutsche Welle", False),
        ("DW", False),
        ("dw.com", False),
        ("Julia Vergin", True),
        ("Karlijn van Houwelingen", True),
    ],
)
def test_is_person(name: str, person: bool) -> None:
    assert is_person(name, ["DW.COM"]) is person


# --- fragments: the article saved without the page around it ------------------------

DUMPS = FIXTURES / "dumps"
# What a record of a fragment must share with the record of its whole page: all
# the fragment itself holds. (The url, the metadata list of the old layout's side
# column, the new layout's JSON-LD date are outside it.) A fragment has no site
# name, but its permalink says it is DW's: no "no_dw_chrome" warning either.
FRAGMENT_FIELDS = (
    "text",
    "title",
    "lead",
    "headings",
    "section",
    "images",
    "videos",
    "audios",
    "warnings",
)


@cache
def fragment(page: str) -> str:
    """What a scraper saves of the article: the new layout's <article> element, the
    old layout's column that holds the <h1> (it has no <article>)."""
    tree = lxml.html.document_fromstring(page_html(page))
    article = tree.find(".//article")
    if article is not None:
        return str(lxml.html.tostring(article, encoding="unicode"))
    column = tree.find(".//h1").getparent()
    return "\n".join(lxml.html.tostring(child, encoding="unicode") for child in column)


def assert_cleaned_like_the_page(doc: Document, page: str) -> None:
    assert doc.format == "html"
    whole = cleaned(page).to_dict()
    got = doc.to_dict()
    for key in FRAGMENT_FIELDS:
        assert got[key] == whole[key], key
    assert set(doc.authors) <= set(whole["authors"])


@pytest.mark.parametrize("page", PAGES)
def test_a_fragment_is_cleaned_like_its_page(page: str) -> None:
    # A lone <article> was rejected by trafilatura as "not valid HTML" (an empty
    # record), and the new layout's lead came only from the page's meta tags.
    data = fragment(page)
    assert detect_format(data, name="article.txt") == "html"
    assert_cleaned_like_the_page(clean_any(data, source="article.txt"), page)


UNCORK = "en-old-2013-uncork"


@pytest.mark.parametrize(
    "wrap",
    [
        "<header>x</header>\n{}",
        "<a>x</a>\n{}",
        "<figure>x</figure>\n{}",
        "<span>x</span>\n{}",
        "<script>x</script>\n{}",
        "<!-- saved by scraper -->\n{}",
        "Saved from https://www.dw.com/en/a-16863843\n{}",
        "<article>\n{}\n</article>",
        "<div class='article'>{}</div>",
    ],
)
def test_a_fragment_is_html_whatever_opens_it(wrap: str) -> None:
    # Only a few opening tags (<div>, <p>, <h4>...) were known: the rest went to
    # the text-dump path, and raw markup landed in `text`.
    data = wrap.format(fragment(UNCORK))
    assert detect_format(data, name="frag.txt") == "html"
    assert_cleaned_like_the_page(clean_any(data, source="frag.txt"), UNCORK)


@cache
def inline_scripts(page: str) -> str:
    """The page's own inline scripts of many lines (tracking code, a player's setup)."""
    tree = lxml.html.document_fromstring(page_html(page))
    return "\n".join(
        str(lxml.html.tostring(script, encoding="unicode", with_tail=False))
        for script in tree.iter("script")
        if script.text and script.text.count("\n") >= MANY_SCRIPT_LINES
    )


MANY_SCRIPT_LINES = 10
SCRIPTED_PAGES = [page for page in PAGES if inline_scripts(page)]


def test_the_old_layout_has_inline_scripts_of_many_lines() -> None:
    assert len(SCRIPTED_PAGES) >= 5


@pytest.mark.parametrize("page", SCRIPTED_PAGES)
def test_a_fragment_opening_with_inline_scripts_is_html(page: str) -> None:
    # Script lines open with no tag: a fragment saved with the page's scripts
    # above the article had too few markup lines in its first 8 kB, was taken
    # for a text dump, and its JavaScript and tags landed in `text`.
    data = f"{inline_scripts(page)}\n{fragment(page)}"
    window = data[:SNIFF_CHARS].splitlines()
    assert sum(line.lstrip().startswith("<") for line in window) < len(window) / 2
    assert detect_format(data, name="article.txt") == "html"
    assert_cleaned_like_the_page(clean_any(data, source="article.txt"), page)


@pytest.mark.parametrize(
    "leak",
    [
        '<div class="article-body">',
        "<script>var pageType = 'article';</script>",
        "<script>\nvar tag = new Tracker({\n  secure: true,\n  site: 1\n});\n</script>",
        "<p>",
        "<!-- scraped 2015-09-09 -->",
        # Enough lines of tags to be read on for markdown with raw HTML (a
        # pandoc render): a dump has no markdown further on, and stays a dump.
        '<div class="article">\n<div class="body">\n<p>\n<span class="dateline">',
    ],
)
@pytest.mark.parametrize(
    "name", ["en-old-2013-uncork.resiliparse.txt", "de-new-2024-01-30.inscriptis.txt"]
)
def test_a_text_dump_with_a_line_of_leaked_markup_stays_a_text_dump(leak: str, name: str) -> None:
    # A dump is mostly plain lines; cleaned as HTML it lost them (an empty record).
    data = (DUMPS / name).read_text(encoding="utf-8")
    leaked = f"{leak}\n{data}"
    assert detect_format(leaked, name=name) == "text"
    assert clean_any(leaked, source=name).text == clean_any(data, source=name).text


# --- picture galleries ---------------------------------------------------------------


@cache
def dump_record(page: str, *, keep_gallery: bool = False) -> Document:
    """The record of the page's resiliparse dump: the text-dump path on the same page."""
    name = f"{page}.resiliparse.txt"
    data = (DUMPS / name).read_text(encoding="utf-8")
    return clean_any(data, source=name, keep_gallery=keep_gallery)


@pytest.mark.parametrize("page", PAGES)
def test_gallery_slides_are_listed_as_in_a_dump_of_the_page(page: str) -> None:
    # trafilatura drops a picture gallery whole: its slide texts were in neither
    # `text` nor `gallery`, where a dump of the same page lists them.
    doc = cleaned(page)
    assert doc.gallery == dump_record(page).gallery
    for slide in doc.gallery:
        assert slide not in doc.text


COLONIAL = "en-old-2020-colonial"  # the corpus page with a picture gallery


def test_the_gallery_author_is_not_the_article_author() -> None:
    assert cleaned(COLONIAL).gallery
    assert "Julia Hitz" not in " ".join(cleaned(COLONIAL).authors)


def test_kept_gallery_slides_stand_where_the_page_has_them() -> None:
    kept = clean_any(page_html(COLONIAL), keep_gallery=True)
    assert kept.text == dump_record(COLONIAL, keep_gallery=True).text
    assert kept.headings == dump_record(COLONIAL, keep_gallery=True).headings
    assert kept.gallery == dump_record(COLONIAL, keep_gallery=True).gallery
    assert kept.text != cleaned(COLONIAL).text
    # Kept in `text`, still listed as gallery slides.
    assert kept.gallery == cleaned(COLONIAL).gallery


# --- what was removed ------------------------------------------------------------------

# Flattening a page is not exact (resiliparse drops or joins a few lines that
# this reader's flattening keeps apart, such as a screen-reader copy of the
# date), so the counts agree within this share, or one line.
REMOVED_TOLERANCE = 0.2


@pytest.mark.parametrize("page", PAGES)
def test_removed_counts_the_categories_a_dump_of_the_page_gets(page: str) -> None:
    # HTML records had an empty `removed` (or a line or two): menus, footers,
    # teasers and figures that trafilatura drops went uncounted.
    removed, dumped = cleaned(page).removed, dump_record(page).removed
    assert set(removed) == set(dumped)
    for category, count in dumped.items():
        if category != "title":  # the old-layout dump also shows the <title>
            assert abs(removed[category] - count) <= max(1, REMOVED_TOLERANCE * count), category


@pytest.mark.parametrize("page", PAGES)
def test_the_head_title_is_not_counted_as_a_line_of_the_page(page: str) -> None:
    # `removed` counts the lines a reader sees; the <head>'s <title> is not one
    # (trafilatura's fallback on the short French audio page returned it as a
    # line, and that page alone counted two titles). The resiliparse dump of an
    # old-layout page does show it, as its first line, and counts it there.
    head_title = lxml.html.document_fromstring(page_html(page)).find("head/title")
    assert head_title is not None
    shown = {
        normalise_line(text) for _, _, _, _, text in explain_rows(analyse_any(page_html(page)))
    }
    assert normalise_line(head_title.text_content()) not in shown
    inscriptis = (DUMPS / f"{page}.inscriptis.txt").read_text(encoding="utf-8")
    assert cleaned(page).removed["title"] == clean_any(inscriptis).removed["title"] == 1


@pytest.mark.parametrize("page", PAGES)
def test_explain_shows_every_line_removed_counts(page: str) -> None:
    rows = explain_rows(analyse_any(page_html(page)))
    dropped = Counter(category for _, decision, category, _, _ in rows if decision == "DROP")
    assert dropped == cleaned(page).removed
    kept = [text for _, decision, _, _, text in rows if decision == "KEEP"]
    assert "\n\n".join(kept) == cleaned(page).text


def test_chinese_headline_is_the_title_not_a_heading_of_the_text() -> None:
    # The <h1> is found by its words; a Chinese headline has no spaces, and
    # was taken for no headline at all: it stayed in the text as a heading.
    path = FIXTURES / "pages" / "zh-new-layout-constructed.html"
    doc = clean_any(path.read_text(encoding="utf-8"), source=str(path))
    assert doc.title == "俄罗斯大选：纳杰日金押注普京时代的终结"
    assert doc.title not in doc.text
    # "选民怎么想" heads the video block: the video's title, not a subheading.
    assert doc.headings == ["纳杰日金是谁？"]
    assert doc.images and doc.images[0].alt == "俄罗斯总统候选人鲍里斯·纳杰日金"


ZH_PAGE = FIXTURES / "pages" / "zh-new-layout-constructed"


@cache
def zh_from_html() -> Document:
    path = ZH_PAGE.with_suffix(".html")
    return clean_any(path.read_text(encoding="utf-8"), source=str(path))


@cache
def zh_from_dump() -> Document:
    path = ZH_PAGE.with_suffix(".resiliparse.txt")
    return clean_any(path.read_text(encoding="utf-8"), source=str(path))


def test_chinese_page_lead_under_its_header_is_kept() -> None:
    # The teaser <p> right after the article's <header> (no meta description
    # to match it by) was dropped as trafilatura boilerplate.
    doc = zh_from_html()
    assert doc.lead is not None and doc.lead.startswith("数千人在严寒中排队数小时")
    assert doc.lead == zh_from_dump().lead
    assert doc.text.startswith(doc.lead + "\n\n第一道障碍")


def test_chinese_kicker_of_side_by_side_links_gives_the_first_as_section() -> None:
    # <span><a>政治</a></span><span><a>俄罗斯</a></span> right above the <h1>,
    # in no box: the span next to the title, the topic, was taken for the section.
    doc = zh_from_html()
    assert doc.section == zh_from_dump().section == "政治"


def test_chinese_byline_under_the_title_is_the_author() -> None:
    # A <div> with a name and no class: the classifier took it for a second
    # title above the date, as the <h1> was already labelled.
    doc = zh_from_html()
    assert doc.authors == zh_from_dump().authors == ["安娜·彼得罗娃", "ap", "sk"]
    assert "安娜" not in doc.text


def test_chinese_video_block_without_a_player_element() -> None:
    # No <video>: a headline, "02:54" and the browser's notice. The duration
    # was read as a live blog's time, leaving the notice in the text.
    doc = zh_from_html()
    assert doc.videos == zh_from_dump().videos
    assert [(v.title, v.duration_s) for v in doc.videos] == [("选民怎么想", 174)]
    for chrome in ("浏览器", "02:54", "选民怎么想"):
        assert chrome not in doc.text


def test_chinese_figcaption_caption_label_and_credit() -> None:
    # "...纳杰日金图片来源：Mikhail ...": the label is cut off the caption, and
    # the agencies after it are the credit, as in the page's dump.
    doc = zh_from_html()
    assert doc.images == zh_from_dump().images
    assert doc.images[0].caption == "被视为俄罗斯总统选举中唯一的反战候选人：鲍里斯·纳杰日金"
    assert doc.images[0].credit == "Mikhail Sinitsyn/TASS/dpa/picture alliance"


def test_chinese_page_cleans_as_its_dump_does() -> None:
    html, dump = zh_from_html(), zh_from_dump()
    assert (html.text, html.title, html.date, html.word_count) == (
        dump.text, dump.title, dump.date, dump.word_count,
    )  # fmt: skip


def test_chinese_sentence_above_the_title_is_no_section() -> None:
    # The kicker is a few words; a Chinese line has no spaces and was one
    # "word" however long: a sentence above the <h1> became the section.
    sentence = "这是一段放在标题上方的长句子而绝不是一个只有几个词的栏目名称"
    html = ZH_PAGE.with_suffix(".html").read_text(encoding="utf-8")
    kicker = '<span><a href="/zh/俄罗斯">俄罗斯</a></span>\n<h1>'
    assert kicker in html
    doc = clean_any(html.replace(kicker, f"<span>{sentence}</span>\n<h1>"))
    assert doc.section != sentence

