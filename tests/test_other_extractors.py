"""Other HTML-to-text tools' output as input, measured on the gold pages.

fixtures/dumps/ holds every page as html2text, inscriptis, markdownify,
resiliparse, trafilatura (with several of its options) and w3m render it
(`scripts/render_fixtures.py`). Whatever tool wrote a dump, its record should
say the same about the page: these tests look at the places where the tools'
shapes differ and a reader still sees the same article.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from gold_files import gold, page_of

import cleaner
from cleaner.evaluation import normalise_line, title_matches
from cleaner.formats import clean_any, detect_format

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DUMPS = sorted(path for path in (FIXTURES / "dumps").iterdir() if path.suffix in {".txt", ".md"})


@cache
def gold_metadata(page: str) -> dict[str, Any]:
    path = FIXTURES / "gold" / f"{page}.json"
    metadata: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    return metadata


def gold_headings(page: str) -> list[str]:
    headings: list[str] = gold_metadata(page).get("headings", [])
    return headings


def gold_authors(page: str) -> list[str]:
    authors: list[str] = gold_metadata(page).get("authors", [])
    return authors


def gold_section(page: str) -> str | None:
    section: str | None = gold_metadata(page).get("section")
    return section


@cache
def cleaned(path: Path) -> cleaner.Document:
    return clean_any(path.read_text(encoding="utf-8"), source=path.name)


def first_line(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return normalise_line(next(line for line in text.splitlines() if line.strip()))


# Dumps that open with the headline itself, nothing above it (trafilatura's
# text output of the new layout, where the <h1> is inside the article).
OPENING_WITH_TITLE = [
    path for path in DUMPS if first_line(path) == normalise_line(gold(page_of(path)).title)
]
# Dumps that open with the article's lead (trafilatura's text output of the old
# layout, where the <h1> stands outside the article).
OPENING_WITH_LEAD = [
    path
    for path in DUMPS
    if first_line(path) in {normalise_line(line) for line in gold(page_of(path)).body}
]


def test_both_openings_occur() -> None:
    assert len(OPENING_WITH_TITLE) >= 3
    assert len(OPENING_WITH_LEAD) >= 10


@pytest.mark.parametrize("path", OPENING_WITH_TITLE, ids=lambda path: path.name)
def test_a_headline_atop_the_dump_is_the_title(path: Path) -> None:
    doc = cleaned(path)
    assert title_matches(doc.title, gold(page_of(path)).title), doc.title
    assert normalise_line(doc.text.split("\n\n")[0]) != first_line(path)


@pytest.mark.parametrize("path", OPENING_WITH_LEAD, ids=lambda path: path.name)
def test_a_lead_atop_the_dump_stays_the_first_paragraph(path: Path) -> None:
    doc = cleaned(path)
    assert doc.title is None
    assert normalise_line(doc.text.split("\n\n")[0]) == first_line(path)


# trafilatura's text output with and without `--links`: the same paragraphs,
# links written as markdown ("[text](url)") or not.
LINKED = sorted((FIXTURES / "dumps").glob("*.trafilatura-links.txt"))


def test_every_page_has_a_linked_dump() -> None:
    assert len(LINKED) == 9


@pytest.mark.parametrize("path", LINKED, ids=lambda path: path.name)
def test_links_change_nothing_in_the_record(path: Path) -> None:
    linked = cleaned(path)
    plain = cleaned(path.with_name(path.name.replace("-links", "")))
    assert "](" not in linked.text
    assert linked.text == plain.text
    assert linked.headings == plain.headings
    assert (linked.title, linked.date, linked.lead) == (plain.title, plain.date, plain.lead)


@pytest.mark.parametrize("path", DUMPS, ids=lambda path: path.name)
def test_the_headline_is_neither_a_heading_nor_a_paragraph(path: Path) -> None:
    # trafilatura --recall keeps the old layout's kicker and headline above
    # the lead, with nothing else to mark them.
    doc = cleaned(path)
    headline = normalise_line(gold(page_of(path)).title)
    assert headline not in {normalise_line(heading) for heading in doc.headings}
    assert headline not in {normalise_line(paragraph) for paragraph in doc.text.split("\n\n")}


@pytest.mark.parametrize("path", DUMPS, ids=lambda path: path.name)
def test_a_subheading_kept_in_text_is_listed_in_headings(path: Path) -> None:
    # DW's subheadings are often a quotation from the paragraphs below them
    # ('"In Vilnius fühle ich mich wohl"'), which no renderer marks as such.
    doc = cleaned(path)
    paragraphs = {normalise_line(paragraph) for paragraph in doc.text.split("\n\n")}
    headings = {normalise_line(heading) for heading in doc.headings}
    expected = {normalise_line(line) for line in gold_headings(page_of(path))}
    assert (expected & paragraphs) - headings == set()


# Dumps that show the byline's names (most of them in the old layout's
# metadata block under the article, "Autorin/Autor Diana Hodali"; in
# BeautifulSoup's text the label and the names on two lines).
SHOWING_AUTHORS = [
    path
    for path in DUMPS
    if gold_authors(page_of(path))
    and all(name in path.read_text(encoding="utf-8") for name in gold_authors(page_of(path)))
]


def test_most_dumps_show_their_byline() -> None:
    assert len(SHOWING_AUTHORS) >= 100


@pytest.mark.parametrize("path", SHOWING_AUTHORS, ids=lambda path: path.name)
def test_a_byline_the_dump_shows_is_in_authors(path: Path) -> None:
    doc = cleaned(path)
    assert set(gold_authors(page_of(path))) <= set(doc.authors), doc.authors
    assert not {normalise_line(name) for name in doc.authors} & {
        normalise_line(paragraph) for paragraph in doc.text.split("\n\n")
    }


# Tools whose dumps still give headings that are not the article's, left out:
HEADING_FAILURES = (
    # trafilatura --images keeps the old layout's captions as bare lines between
    # paragraphs, like subheadings (an xfail in tests/test_gold.py).
    ".trafilatura-images.txt",
    # resiliparse's main content drops the new layout's video notices, and the
    # video titles above them are then left as subheadings (reported).
    ".resiliparse-main.txt",
    # BeautifulSoup's get_text() leaves out an image's alt text (an attribute)
    # and writes the old layout's caption as a bare line between paragraphs,
    # like a subheading; of one page's share menu, "Tumblr" and "Permalink"
    # stand between the article's lines too.
    ".bs4.txt",
    ".bs4-strip.txt",
)
HEADING_DUMPS = [path for path in DUMPS if not path.name.endswith(HEADING_FAILURES)]
def _known_failure(path: Path, names: tuple[str, ...], reason: str) -> object:
    if path.name in names:
        return pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=reason))
    return path


@pytest.mark.parametrize("path", HEADING_DUMPS, ids=lambda path: path.name)
def test_every_heading_is_a_subheading_of_the_article(path: Path) -> None:
    # inscriptis leaves out an image's alt text and credit but keeps its
    # caption, a short line between paragraphs, indented deeper than they are.
    headings = {normalise_line(heading) for heading in cleaned(path).headings}
    expected = {normalise_line(line) for line in gold_headings(page_of(path))}
    assert headings - expected == set()


# In BeautifulSoup's text of two pages, and jusText's of one, an image's
# caption stands right above a subheading with no alt text or credit around
# them: the two read as an alt line and its caption.
CAPTION_ABOVE_SUBHEADING = (
    *(
        f"{page}.{form}"
        for page in ("de-old-2023-03-14", "de-old-2023-03-25")
        for form in ("bs4.txt", "bs4-strip.txt")
    ),
    "de-old-2023-03-14.justext.txt",
)


def _subheading_case(path: Path) -> object:
    reason = "a caption right above a subheading reads as an alt line and its caption"
    return _known_failure(path, CAPTION_ABOVE_SUBHEADING, reason)


@pytest.mark.parametrize(
    "path", [_subheading_case(path) for path in DUMPS], ids=lambda path: path.name
)
def test_a_subheading_on_a_line_of_its_own_is_kept(path: Path) -> None:
    # In inscriptis' dump an image's caption stands right above a subheading,
    # two short lines that read like an alt text and its caption but for the
    # caption's deeper indentation.
    lines = {normalise_line(line) for line in path.read_text(encoding="utf-8").splitlines()}
    present = {normalise_line(line) for line in gold_headings(page_of(path))} & lines
    headings = {normalise_line(heading) for heading in cleaned(path).headings}
    assert present - headings == set()


# trafilatura's output without --images: of an old-layout image it keeps only a
# caption long enough to pass for a paragraph, as a bare line between the
# paragraphs, with no alt line or credit around it.
TRAFILATURA_WITHOUT_IMAGES = [
    path
    for path in DUMPS
    if ".trafilatura" in path.name and not path.name.endswith(".trafilatura-images.txt")
]


@pytest.mark.parametrize("path", TRAFILATURA_WITHOUT_IMAGES, ids=lambda path: path.name)
def test_a_bare_caption_in_trafilatura_output_is_image_metadata(path: Path) -> None:
    doc = cleaned(path)
    chrome = {normalise_line(line) for line in gold(page_of(path)).chrome}
    paragraphs = {normalise_line(paragraph) for paragraph in doc.text.split("\n\n")}
    assert paragraphs & chrome == set()


# Headlines of one sentence whose full stops end none: after initials, dotted
# and vowelless abbreviations, ordinals and the rule tables' abbreviations.
ABBREVIATED_HEADLINES = [
    "U.S. troops leave Iraq after eight years",
    "EU-Gipfel: Dr. Merkel setzt sich durch",
    "Prof. Drosten: Was wissen wir über das Post-Vac-Syndrom?",
    "Am 3. März beginnt die Impfung in St. Louis",
    "J. K. Rowling and Gen. Milley meet in Washington",
]


@pytest.mark.parametrize("headline", ABBREVIATED_HEADLINES)
def test_a_headline_with_abbreviations_atop_trafilatura_text_is_the_title(
    headline: str,
) -> None:
    # The real dump of a page whose headline trafilatura writes atop its lead,
    # with the headline swapped for one that has abbreviations in it.
    path = FIXTURES / "dumps" / "de-new-2023-06-13.trafilatura.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert normalise_line(lines[0]) == normalise_line(gold(page_of(path)).title)
    record = clean_any("\n".join([headline, *lines[1:]]), source=path.name)
    assert record.title == headline
    assert headline not in record.text


def test_two_sentences_atop_trafilatura_text_are_no_headline() -> None:
    path = FIXTURES / "dumps" / "de-new-2023-06-13.trafilatura.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    opening = "Die Zahl der Fälle steigt. Dr. Prüß sieht viele Betroffene"
    record = clean_any("\n".join([opening, *lines[1:]]), source=path.name)
    assert record.title != opening
    assert record.text.startswith(opening)


# Text browsers' dumps (`links -dump`, `lynx -dump -nolist`): hard-wrapped,
# lists bulleted, DW's old-layout search box drawn as a row of underscores,
# an embedded frame (a YouTube player) as a placeholder line of the
# browser's own.
TEXT_BROWSER_DUMPS = sorted(
    [*(FIXTURES / "dumps").glob("*.links.txt"), *(FIXTURES / "dumps").glob("*.lynx-nolist.txt")]
)


def test_every_page_has_a_text_browser_dump() -> None:
    assert len(TEXT_BROWSER_DUMPS) == 18


@pytest.mark.parametrize("path", TEXT_BROWSER_DUMPS, ids=lambda path: path.name)
def test_a_text_browser_dump_is_read_as_a_text_dump(path: Path) -> None:
    # "____________________" is no markdown emphasis: read as markdown, the
    # old layout's menus stayed in the text and a menu entry became the title.
    doc = cleaned(path)
    assert doc.format == "text"
    assert title_matches(doc.title, gold(page_of(path)).title), doc.title


def test_the_underscores_of_a_form_field_are_no_markdown() -> None:
    field = "   " + "_" * 20
    assert detect_format(f"Suche\n{field}\n\nEin Absatz.\n", name="page.txt") == "text"
    assert detect_format("Ein __betonter__ und ein **fetter** Satz.\n") == "markdown"


@pytest.mark.parametrize("path", TEXT_BROWSER_DUMPS, ids=lambda path: path.name)
def test_a_frame_placeholder_is_no_article_text(path: Path) -> None:
    # links writes "IFrame" where the page embeds a YouTube player, lynx
    # "IFRAME: https://www.youtube.com/embed/...": the browser's words.
    doc = cleaned(path)
    paragraphs = doc.text.split("\n\n")
    assert [p for p in paragraphs if p == "IFrame" or p.startswith("IFRAME:")] == []
    assert "IFrame" not in doc.headings


# html-text (`html_text.extract_text`) writes a new-layout caption and its
# credit on one line, apart by a space ("... Stadion Bild: Pavel Golovkin/dpa").
HTML_TEXT = FIXTURES / "dumps" / "de-new-2024-01-30.html-text.txt"


@pytest.mark.parametrize("credit", ["courtesy of the artist", "Courtesy of Anna Petrowa", "privat"])
def test_a_caption_credited_to_who_lent_the_picture_is_image_metadata(credit: str) -> None:
    # No agency in the credit: the caption stayed in the text as a subheading.
    text = HTML_TEXT.read_text(encoding="utf-8")
    agency = "Bild: Pavel Golovkin/dpa/picture alliance"
    assert agency in text
    doc = clean_any(text.replace(agency, f"Bild: {credit}"), source=HTML_TEXT.name)
    caption = "Wladimir Putin auf einer Wahlkampfveranstaltung im Moskauer Luschniki-Stadion"
    assert caption not in doc.text
    assert caption not in doc.headings
    assert [image.credit for image in doc.images if image.caption == caption] == [credit]


# readability-lxml's article, as html-text writes it: double-spaced, the old
# layout's kicker ("Environnement") and headline above the lead, no date.
READABILITY = FIXTURES / "dumps" / "fr-old-2011-elephants.readability.txt"


def test_a_kicker_and_headline_atop_double_spaced_text_are_section_and_title() -> None:
    doc = cleaned(READABILITY)
    lead = gold(page_of(READABILITY)).body[0]
    assert title_matches(doc.title, gold(page_of(READABILITY)).title), doc.title
    assert doc.section == "Environnement"
    assert normalise_line(doc.text.split("\n\n")[0]) == normalise_line(lead)


def test_clean_text_opening_with_a_short_paragraph_keeps_it() -> None:
    # No kicker above it: the short first paragraph of double-spaced text is
    # the article's, as cleaning the record's text again must find.
    paragraphs = cleaned(READABILITY).text.split("\n\n")
    opening = "La perte des terres fertiles et les éléphants en Guinée-Conakry"
    again = clean_any("\n\n".join([opening, *paragraphs]), source="clean.txt")
    assert again.text.split("\n\n")[0] == opening
    assert again.title is None


# jusText's text of a pretty-printed old-layout page: each paragraph broken at
# the HTML source's line breaks, without the indentation that marks them, so
# a paragraph's line goes on in a line starting with a capital as often as
# not ("auf der mehrtägigen" / "Brasilien-Reise von ..."), and the lines of an
# alt-less caption or a subheading look the same ("... ist in Gefahr" / "Seit
# dem Machtwechsel ...").
JUSTEXT = FIXTURES / "dumps" / "de-old-2023-03-14.justext.txt"


def test_paragraphs_broken_at_the_html_sources_line_breaks_are_whole_again() -> None:
    text = JUSTEXT.read_text(encoding="utf-8")
    lines = {normalise_line(line) for line in text.splitlines()}
    running = normalise_line(" ".join(text.split()))
    broken = [
        paragraph
        for paragraph in gold(page_of(JUSTEXT)).body
        if normalise_line(paragraph) not in lines and normalise_line(paragraph) in running
    ]
    assert len(broken) == 8
    doc = cleaned(JUSTEXT)
    paragraphs = {normalise_line(paragraph) for paragraph in doc.text.split("\n\n")}
    # All but one: the source breaks it right after a full stop ("... über
    # den Atlantik." / "Brasilien sei ..."), and nothing tells that the next
    # line goes on with it.
    assert [p[:24] for p in broken if normalise_line(p) not in paragraphs] == [
        "Konkret sprach der Vizek"
    ]
    # The caption above the first paragraph is not glued to it.
    assert "Der idyllische Schein" not in doc.text
    assert normalise_line(doc.text.split("\n\n")[1]).startswith("seit dem machtwechsel")


@pytest.mark.parametrize(
    "placeholder",
    [
        # What `lynx -dump -nolist` and `lynx -dump` write for the same player.
        "IFRAME: https://www.youtube.com/embed/9nPlMXUhcm8?wmode=transparent",
        "IFRAME: [14]https://www.youtube.com/embed/9nPlMXUhcm8?wmode=transparent",
    ],
)
def test_lynx_frame_placeholder_is_no_article_text(placeholder: str) -> None:
    path = FIXTURES / "dumps" / "de-old-2023-04-28.links.txt"
    text = path.read_text(encoding="utf-8")
    assert "\n   IFrame\n" in text
    doc = clean_any(text.replace("\n   IFrame\n", f"\n   {placeholder}\n"), source=path.name)
    assert "IFRAME" not in doc.text
    assert doc.headings == cleaned(path).headings
    assert doc.removed == cleaned(path).removed


# lynx writes an image's alt text on the line right under the paragraph above
# it ("...the Ahr's own distinctive terroir." / "Vineyards in the Ahr Valley").
LYNX_ALT_UNDER_A_PARAGRAPH = [
    ("en-old-2013-uncork", "Vineyards in the Ahr Valley"),
    ("de-old-2022-01", "Semion Bukin"),
]


@pytest.mark.parametrize(("page", "alt"), LYNX_ALT_UNDER_A_PARAGRAPH)
def test_an_alt_line_under_a_paragraph_in_lynx_output_is_image_metadata(
    page: str, alt: str
) -> None:
    doc = cleaned(FIXTURES / "dumps" / f"{page}.lynx-nolist.txt")
    assert alt in [image.alt for image in doc.images]
    assert not [paragraph for paragraph in doc.text.split("\n\n") if alt in paragraph]
    body = {normalise_line(line) for line in gold(page).body}
    assert {normalise_line(p) for p in doc.text.split("\n\n")} <= body


# trafilatura's text with links keeps only the new layout's topic link above
# the headline ("[Russische Föderation](/de/russland/t-17284476)"), no section.
TOPIC_LINK_ALONE = ("de-new-2024-01-30.trafilatura-links.txt",)


def _section_case(path: Path) -> object:
    return _known_failure(path, TOPIC_LINK_ALONE, "a topic link alone reads as the kicker")


@pytest.mark.parametrize(
    "path", [_section_case(path) for path in DUMPS], ids=lambda path: path.name
)
def test_a_section_is_the_kicker_s_section_alone(path: Path) -> None:
    # The new layout's kicker is the section and a topic link: glued
    # ("PolitikRussische Föderation"), spaced ("Politik Russische Föderation",
    # inscriptis, html-text) or on two lines (BeautifulSoup's text).
    assert cleaned(path).section in {None, gold_section(page_of(path))}


# BeautifulSoup's `get_text("\n")` writes two blank lines between blocks, so
# the old layout's kicker stands two blank lines above the headline.
BS4_TEXT = sorted((FIXTURES / "dumps").glob("*.bs4.txt"))


def test_every_page_has_a_bs4_text() -> None:
    assert len(BS4_TEXT) == 9


@pytest.mark.parametrize("path", BS4_TEXT, ids=lambda path: path.name)
def test_a_kicker_as_far_above_the_headline_as_the_lead_below_is_the_section(
    path: Path,
) -> None:
    doc = cleaned(path)
    assert doc.section == gold_section(page_of(path))
    assert doc.removed["section"] >= 1
