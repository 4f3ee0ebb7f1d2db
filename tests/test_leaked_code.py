"""Script, style sheets and JSON that leaked into a text dump (cleaner/leaked_code.py).

A renderer that keeps the text of <script> and <style> (lxml's
text_content(), a DOM's textContent) writes them among the article's lines.
The policy removes them as `markup`; article sentences that hold a brace, a
semicolon or an equals sign stay.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from cleaner import clean
from cleaner.core import analyse
from cleaner.leaked_code import could_be_code, is_code
from cleaner.lines import make_line

# Lines as lxml's text_content() writes them from DW's pages (the corpus HTML).
CODE_LINES = [
    # JavaScript statements
    'DW_PLAYER.shareLocalization = "Share";',
    "DW_PLAYER.localization = {",
    "};",
    "})(window,document,'script','dataLayer','GTM-PZGTJJ2');",
    "j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=",
    "'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);",
    "if(!window.dataLayer) {",
    "(function(w,d,s,l,i){w[l]=w[l]||[];",
    # JSON-LD and a state object, long enough in words to read as prose
    '{"@context":"https://schema.org","@type":"NewsArticle","headline":"Berlin confronts '
    "Germany's colonial past with new initiative\",\"datePublished\":\"2020-01-19T12:00:00Z\"}",
    'window.__APOLLO_STATE__={"Image:65897427":{"__typename":"Image","id":65897427,'
    '"caption":"Boris Nadeschdin bei einer Pressekonferenz in Moskau am 24. Januar 2024, '
    'wo er über seine Kandidatur und die gesammelten Unterschriften sprach"}}',
    '[{"id": 1, "name": "Berlin"}, {"id": 2, "name": "Bonn"}]',
    # CSS rules, at-rules and styled-components' registry
    ".fKqnrw .nav-height{padding-top:calc(90px + 85px + 1px);}/*!sc*/",
    "@media (min-width:768px){.kOjoVC{width:70px;height:70px;}}/*!sc*/",
    'data-styled.g1[id="sc-global-elkRyk1"]{content:"sc-global-elkRyk1,"}/*!sc*/',
    "@font-face{font-display :swap;font-family :NotoSans;font-style :normal;font-weight :400;"
    "src :local('Noto Sans'), url(/static/media/NotoSansGreek-Regular.woff2) format('woff2');}",
    "html{font-size:10px;}",
]

# Article text and page chrome with the same characters, which must stay what they are.
PROSE_LINES = [
    # semicolons between clauses, also at the end of a paragraph
    "Die Regierung reagierte; die Opposition schwieg; das Volk wartete ab.",
    "Er kam, sah und siegte; mehr war dazu nicht zu sagen;",
    "First, the talks; then, the vote.",
    # an equals sign in a headline, a formula, a link's query
    "Bildung = Zukunft",
    "Einsteins berühmte Formel E = mc² veränderte die Physik für immer.",
    "Mehr unter https://www.dw.com/search?q=klima&lang=de",
    # braces quoted in a long sentence about the web
    "The activists hid the slogan in the page's style sheet, writing {display: none} for the "
    "banner so that only readers who looked at the source would ever see the message they left.",
    # markdown and pandoc shapes that open with brackets
    "[[Kontakt]{.sc-gicCDI",
    "[Der Minister] sagte, er werde nicht zurücktreten.",
    # an interview line and a key-value-like caption
    'DW: "What do you expect from the talks?"',
]


@pytest.mark.parametrize("text", CODE_LINES)
def test_a_line_of_script_style_or_json_is_code(text: str) -> None:
    line = make_line(text)
    assert could_be_code(line.text)
    assert is_code(line.text, line.words)


@pytest.mark.parametrize("text", PROSE_LINES)
def test_a_sentence_with_code_characters_is_no_code(text: str) -> None:
    line = make_line(text)
    assert not (could_be_code(line.text) and is_code(line.text, line.words))


@pytest.mark.parametrize("text", PROSE_LINES)
def test_a_sentence_with_code_characters_is_not_removed_as_markup(text: str) -> None:
    page = analyse(f"{HEAD}{LEAD}\n\n{text}\n\n{LAST}\n")
    (label,) = [page.labels[i] for i, line in enumerate(page.lines) if line.text == text]
    assert label is not None
    assert label.category != "markup"


HEAD = "Berlin confronts Germany's colonial past\n\nJanuary 19, 2020\n\n"
LEAD = (
    "The German capital has launched a five-year project to mark its part in European "
    "colonialism, and streets which honor colonial leaders are set to be renamed."
)
LAST = (
    "In April 2018, Wedding authorities decided to honor three African postcolonial "
    "activists with the new street names, after years of campaigning by local groups."
)


def test_json_ld_and_css_between_paragraphs_are_markup_not_an_image() -> None:
    # lxml put the page's JSON-LD and a style rule between two paragraphs:
    # a short line above a short line, read as an image's alt text and caption.
    json_ld, css = CODE_LINES[8], CODE_LINES[11]
    doc = clean(f"{HEAD}{LEAD}\n\n{json_ld}\n{css}\n\n{LAST}\n")
    assert doc.images == []
    assert doc.text == f"{LEAD}\n\n{LAST}"
    assert doc.removed["markup"] == 2


PLAYER_STRINGS = """DW_PLAYER.localization = {
rewind: "Back 10 seconds",
settings: "Settings",
fullscreen: "Full screen",
volume: "Volume"
};"""


def test_the_entries_of_a_leaked_object_literal_are_markup() -> None:
    # Alone, `settings: "Settings",` is a label and a quotation; between the
    # object's opening and closing lines it was read as an image's alt text
    # and caption, and the last entries were kept as paragraphs.
    doc = clean(f"{HEAD}{LEAD}\n\n{PLAYER_STRINGS}\n\n{LAST}\n")
    assert doc.text == f"{LEAD}\n\n{LAST}"
    assert doc.images == []
    assert doc.removed["markup"] == 6


def test_a_bracket_left_open_by_a_code_line_takes_no_text_below() -> None:
    # The block never closes before a paragraph: the lines below are no
    # entries of it, whatever their shape ("Note: ..." reads as `key: value`).
    note = 'Note: "The talks resume on Monday"'
    doc = clean(f"{HEAD}{LEAD}\n\nDW_PLAYER.localization = {{\n{note}\n\n{LAST}\n")
    assert note in doc.text
    assert doc.removed["markup"] == 1


def test_the_player_script_inside_a_video_block_leaves_the_block_whole() -> None:
    # Old layout: "Watch video 02:17", share widgets, then the video's title.
    # lxml put the player's script between them: the block ended at it and
    # the title was left as a subheading.
    title = "Namibians want Germany to remove monuments"
    player = f'DW_PLAYER.shareLocalization = "Share";\n{PLAYER_STRINGS}'
    doc = clean(f"{HEAD}{LEAD}\n\nWatch video 02:17\n{player}\nShare\n{title}\n\n{LAST}\n")
    assert [(video.title, video.duration_s) for video in doc.videos] == [(title, 137)]
    assert doc.headings == []
    assert doc.text == f"{LEAD}\n\n{LAST}"
    assert doc.removed["video"] == 3
    assert doc.removed["markup"] == 7


# --- real pages, as lxml's text_content() writes them --------------------------

HTML_PAGES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "html").glob("*.html"))


def _lxml_dump_and_code_lines(path: Path) -> tuple[str, set[str]]:
    """The page as lxml's text_content() gives it, and the lines of its
    <script> and <style> elements that stand there as lines of their own (a
    script's first or last line may be glued to the page's text around it)."""
    tree = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
    dump = tree.text_content()
    dump_lines = {" ".join(line.split()) for line in dump.splitlines()}
    code = {
        " ".join(line.split())
        for element in tree.iter("script", "style")
        for line in (element.text or "").splitlines()
    }
    return dump, (code & dump_lines) - {""}


@pytest.mark.parametrize("path", HTML_PAGES, ids=lambda path: path.stem)
def test_no_script_or_style_line_of_a_real_page_survives_its_lxml_dump(path: Path) -> None:
    dump, code = _lxml_dump_and_code_lines(path)
    assert len(code) > 50
    doc = clean(dump)
    survived = [*doc.text.split("\n\n"), *doc.headings]
    survived += [text for image in doc.images for text in (image.alt, image.caption) if text]
    assert code.isdisjoint(survived)
