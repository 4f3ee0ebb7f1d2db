"""`clean()` on real pages, constructed pages of other layouts, and its parts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cleaner.lines as lines_module
import cleaner.memo as memo_module
from cleaner import RECORD_FIELDS, clean
from cleaner.dates import is_relative_date_line, parse_date_line
from cleaner.document import Document
from cleaner.explain import render_explanation
from cleaner.formats import clean_any, to_documents
from cleaner.lines import count_words, make_line
from cleaner.memo import LineMemo
from cleaner.rules import default_ruleset, match_key

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def read(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def test_seed_000_article_and_metadata() -> None:
    doc = clean(read("dumps/seed-000.resiliparse.txt"), source="seed-000.txt")
    assert doc.title == "NATO concern over Russia's role in Syria"
    assert doc.date == "2015-09-08"
    assert doc.language == "en"
    assert doc.source == "seed-000.txt"
    assert doc.lead is not None and doc.lead.startswith("NATO is worried that Russia")
    assert doc.text.startswith(doc.lead)
    assert doc.headings == ["Strained relations with Moscow"]
    assert doc.authors == ["mg", "cmk"]
    assert doc.agencies == ["AFP", "Reuters", "dpa"]
    assert [image.credit for image in doc.images] == ["picture-alliance/dpa", "Reuters"]
    assert doc.images[1].alt == (
        "Russland Syrien Außenminister Walid al-Moualem und Sergej Lawrow in Moskau"
    )
    assert doc.images[1].caption is not None and doc.images[1].caption.endswith("Sergey Lavrov")
    for chrome in ("Skip to content", "Image:", "mg/cmk", "Top Story", "Go to homepage", "Lawrow"):
        assert chrome not in doc.text
    assert doc.removed["skip_links"] == 3
    assert doc.word_count == len(doc.text.split())
    assert doc.warnings == []


def test_seed_001_video_block() -> None:
    doc = clean(read("dumps/seed-001.resiliparse.txt"))
    assert [(v.title, v.duration_s) for v in doc.videos] == [("Russia's role in Syria", 174)]
    assert "browser does not support" not in doc.text
    assert "02:54" not in doc.text
    assert doc.removed["video"] == 3


SEED_001_NOTICE = "\nThis browser does not support the video element.\n"


@pytest.mark.parametrize("title_line", ["Russia's role in Syria", "### Russia's role in Syria"])
def test_video_block_with_only_its_duration(title_line: str) -> None:
    # A scraper that reads the page as a browser shows it keeps no notice (the
    # <video>'s fallback text): the title above "02:54" stayed as a heading.
    page = read("dumps/seed-001.resiliparse.txt")
    assert SEED_001_NOTICE in page
    page = page.replace(SEED_001_NOTICE, "\n")
    page = page.replace("\nRussia's role in Syria\n", f"\n{title_line}\n")
    source = "seed-001.md" if title_line.startswith("#") else "seed-001.txt"
    doc = clean_any(page, source=source)
    assert [(v.title, v.duration_s) for v in doc.videos] == [("Russia's role in Syria", 174)]
    assert doc.headings == []
    assert "Russia's role in Syria" not in doc.text
    assert doc.removed["video"] == 2
    assert doc.text == clean(read("dumps/seed-001.resiliparse.txt")).text


def test_bare_time_under_a_paragraph_takes_no_title() -> None:
    # Under running text a bare time is no player's: the paragraph above it
    # stays in the text.
    page = read("dumps/seed-001.resiliparse.txt")
    page = page.replace(SEED_001_NOTICE, "\n").replace("\nRussia's role in Syria\n", "\n")
    doc = clean(page)
    assert doc.videos == []
    assert "which the Kremlin has denied." in doc.text


RU_NOTICE = "\nВаш браузер не поддерживает видео.\n"
RU_AFTER_VIDEO = "\nСегодня Надеждин является единственным антивоенным кандидатом,"


@pytest.mark.parametrize(
    "short_paragraph",
    [
        "Сегодня Надеждин является единственным антивоенным кандидатом.",  # a name
        "Надеждину 60 лет.",  # a figure
        "«Я против войны», говорит он.",  # a quotation
    ],
    ids=["name", "figure", "quotation"],
)
def test_short_first_paragraph_under_a_video_that_lost_its_notice(short_paragraph: str) -> None:
    # Russian has no notice in its table: the notice is found by its place
    # under the duration. A scrape without it puts the paragraph there, and a
    # short one is not taken for the notice when it is the story's sentence.
    page = read("pages/ru-new-layout-constructed.txt")
    assert RU_NOTICE in page and RU_AFTER_VIDEO in page
    page = page.replace(RU_NOTICE, "\n")
    page = page.replace(RU_AFTER_VIDEO, f"\n{short_paragraph}\n{RU_AFTER_VIDEO}")
    doc = clean(page)
    assert short_paragraph in doc.text.split("\n\n")
    assert [(v.title, v.duration_s) for v in doc.videos] == [("Что думают избиратели", 174)]
    assert "Что думают избиратели" not in doc.text and "02:54" not in doc.text
    assert doc.removed["video"] == 2


def test_untabled_notice_may_address_the_reader_with_a_capitalised_pronoun() -> None:
    # Indonesian writes its polite "you" with a capital ("Browser Anda ..."):
    # that capital names no one, so such a notice is still the notice. (The
    # sentence is a plausible notice, not one seen in a scrape.)
    page = read("pages/it-no-table-constructed.txt")
    notice = "Il tuo browser non supporta il video."
    assert notice in page
    doc = clean(page.replace(notice, "Browser Anda tidak mendukung video."))
    assert "Anda" not in doc.text
    assert doc.videos[0].title == "Il dibattito sul bilancio"


def test_record_has_exactly_the_public_fields_in_order() -> None:
    record = clean(read("dumps/seed-001.resiliparse.txt")).to_dict()
    assert tuple(record) == RECORD_FIELDS


def test_article_id_comes_from_the_url_else_from_the_content() -> None:
    text = read("dumps/seed-001.resiliparse.txt")
    url = "https://www.dw.com/en/lavrov-not-boosting-presence-in-syria/a-18702265"
    assert clean(text, url=url).id == "a-18702265"
    assert clean(text).id == clean(text).id
    assert clean(text).id.startswith("sha256-")
    assert clean(text).id != clean(read("dumps/seed-000.resiliparse.txt")).id


def test_old_layout_gallery_is_metadata_unless_kept() -> None:
    text = read("dumps/en-old-2020-colonial.resiliparse.txt")
    slide = "Only about 16,000 Herero survived the extermination campaign."
    default = clean(text)
    assert slide not in default.text
    assert any(entry.startswith(slide) for entry in default.gallery)
    assert "Julia Hitz" not in " ".join(default.authors)
    kept = clean(text, keep_gallery=True)
    assert slide in kept.text
    # Kept in the text, the slides are still listed as the gallery, and their
    # headings are headings ("'Our future is on the water'" too, which ends
    # in a quote mark: the gallery says it is a heading, not its shape).
    assert kept.gallery == default.gallery
    assert "'Our future is on the water'" in kept.headings
    assert "German colonies" in kept.headings


def test_old_layout_metadata_block() -> None:
    doc = clean(read("dumps/en-old-2020-colonial.resiliparse.txt"))
    assert doc.title == "Berlin confronts Germany's colonial past with new initiative"
    assert doc.date == "2020-01-19"
    assert doc.section == "Germany"
    assert doc.permalink == "https://p.dw.com/p/3WRPd"
    assert "Ben Knight" in doc.authors
    assert "Read more:" not in doc.text
    assert "DW recommends" not in doc.text


def test_a_byline_label_over_its_names_is_the_byline() -> None:
    # BeautifulSoup's text of the same page writes the metadata block's label
    # and names on two lines ("Author" / "Ben Knight"), twice on this page.
    doc = clean(read("dumps/en-old-2020-colonial.bs4-strip.txt"))
    assert doc.authors == ["Ben Knight"]
    assert doc.removed["byline"] == 4
    # A label over a sentence is no byline: the sentence stays in the text.
    paragraph = "The move has been met with resistance from Germany's far right."
    text = read("dumps/en-old-2020-colonial.resiliparse.txt").replace(
        paragraph, f"By\n\n{paragraph}", 1
    )
    doc = clean(text)
    assert doc.authors == ["Ben Knight"]
    assert any(p.startswith(paragraph) for p in doc.text.split("\n\n"))


def test_a_text_that_opens_with_a_subheading_has_no_lead() -> None:
    # README QA: the first line of the text was never read as a subheading,
    # so a page whose article opens with one gave it as the lead.
    page = read("examples/de-new-2024-01-30.txt")
    lead = clean(page).lead
    assert lead is not None and lead.startswith("Tausende standen")
    doc = clean(page.replace(lead, f"Worum es geht\n\n{lead}", 1))
    assert doc.lead is None
    assert doc.headings[0] == "Worum es geht"
    assert doc.text.startswith(f"Worum es geht\n\n{lead}")
    # A short teaser of two sentences is the lead all the same.
    teaser = "Er wagt es. Kann er gewinnen?"
    doc = clean(page.replace(lead, f"{teaser}\n\n{lead}", 1))
    assert doc.lead == teaser and teaser not in doc.headings


def test_a_markdown_subheading_right_under_the_headline_is_no_second_title() -> None:
    # README QA: with no date between them, "## ..." under the "# ..."
    # headline was taken for the title too, and lost from text and headings.
    page = read("dumps/de-new-2024-01-30.trafilatura.md")
    page = page.replace("\n30. Januar 2024\n", "\n## Worum es geht\n\n", 1)
    doc = clean_any(page, source="x.md")
    assert doc.title == "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära"
    assert doc.headings[0] == "Worum es geht"
    assert doc.text.startswith("Worum es geht\n\nDie erste Hürde")
    assert doc.lead is None and doc.removed["title"] == 1


def test_new_layout_in_a_language_with_a_small_table() -> None:
    doc = clean(read("pages/ru-new-layout-constructed.txt"))
    assert doc.title == "Выборы в России: Надеждин делает ставку на конец эпохи Путина"
    assert doc.date == "2024-01-30"
    assert doc.language == "ru"
    assert doc.section == "Политика"
    assert doc.authors[0] == "Анна Петрова"
    assert doc.videos[0].title == "Что думают избиратели"
    assert "Перейти" not in doc.text
    assert "браузер" not in doc.text
    assert doc.text.count("\n\n") == 4  # lead, two paragraphs, one heading, last paragraph


def test_page_in_a_language_without_any_table_comes_out_clean() -> None:
    doc = clean(read("pages/it-no-table-constructed.txt"))
    assert doc.title == "Il governo tedesco discute il bilancio per il prossimo anno"
    assert doc.date == "2024-03-12"
    assert doc.headings == ["Le reazioni dei partiti"]
    for chrome in ("Vai al", "Pubblicità", "browser", "03:10", "Foto:", "mr/ab", "Maria Rossi"):
        assert chrome not in doc.text
    assert doc.images[0].credit == "Michael Kappeler/dpa/picture alliance"


CHINESE_PAGES = ["pages/zh-new-layout-constructed.resiliparse.txt",
                 "pages/zh-new-layout-constructed.w3m.txt"]  # fmt: skip


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_title_byline_and_doubled_date(page: str) -> None:
    # The new layout: title, a byline of a transliterated name, then the
    # date twice, glued ("30.01.20242024年1月30日"), as on the Russian page.
    doc = clean(read(page))
    assert doc.title == "俄罗斯大选：纳杰日金押注普京时代的终结"
    assert doc.date == "2024-01-30"
    assert doc.authors == ["安娜·彼得罗娃", "ap", "sk"]
    assert doc.language == "zh"
    assert doc.lead is not None and doc.lead.startswith("数千人在严寒中排队数小时")
    assert doc.text.startswith(doc.lead)
    for chrome in ("跳至", "安娜", "2024年1月30日", "最新视频", "关于DW", "浏览器", "ap/sk"):
        assert chrome not in doc.text


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_kicker_glued_to_its_topic_gives_the_section_alone(page: str) -> None:
    # The kicker "政治俄罗斯" is the section "政治" glued to the topic link
    # "俄罗斯"; with no capital to mark the seam, the whole line was the section.
    doc = clean(read(page))
    assert doc.section == "政治"
    assert doc.removed["section"] == 1
    assert "政治俄罗斯" not in doc.text


@pytest.mark.parametrize("kicker", ["政治", "人權德國"])
def test_chinese_kicker_of_a_section_alone_or_traditional(kicker: str) -> None:
    # A kicker with no topic beside it is the section whole; the traditional
    # script's section names are known too.
    doc = clean(read(CHINESE_PAGES[0]).replace("\n政治俄罗斯\n", f"\n{kicker}\n"))
    assert doc.section == kicker[:2]


@pytest.mark.parametrize(
    ("kicker", "section"),
    [
        ("PolitikRussische Föderation", "Politik"),
        # inscriptis and html-text write the two with a space.
        ("Politik Russische Föderation", "Politik"),
        # BeautifulSoup's text, on two lines.
        ("Politik\nRussische Föderation", "Politik"),
        # A kicker of several words, one of them a section name, is whole.
        ("Kultur und Gesellschaft", "Kultur und Gesellschaft"),
        ("Klimawandel", "Klimawandel"),
    ],
)
def test_a_kicker_beside_its_topic_gives_the_section_alone(kicker: str, section: str) -> None:
    page = read("dumps/de-new-2024-01-30.resiliparse.txt")
    doc = clean(page.replace("\nPolitikRussische Föderation\n", f"\n{kicker}\n", 1))
    assert doc.section == section
    assert doc.title == "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära"
    assert "Russische Föderation" not in doc.text


@pytest.mark.parametrize(
    "menu_entry",
    ["Deutsch unterrichten", "Deutschkurse", "Deutsch XXL", "Community D", "DW im Unterricht"],
)
def test_a_menu_entry_kept_above_the_kicker_does_not_hide_the_title(menu_entry: str) -> None:
    # jusText's text of an old-layout German page: the kicker, the headline
    # and the paragraphs, one a line, under one entry of the "Deutsch lernen"
    # menu that it kept ("Deutsch unterrichten"). With that line on top the
    # kicker was no kicker, the headline no title, and both stayed in `text`.
    gold = json.loads(read("gold/de-old-2022-01.json"))
    kicker, title = gold["metadata"]["section"], gold["title"]
    page = "\n".join([menu_entry, kicker, title, *gold["body"]]) + "\n"
    doc = clean(page)
    assert (doc.title, doc.section) == (title, kicker)
    assert doc.removed["navigation"] == 1
    assert doc.text.split("\n\n") == gold["body"]


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_footer_is_chrome_on_a_page_without_closing_initials(page: str) -> None:
    # Only the closing initials ("ap/sk (dpa, AFP)") above it made the footer
    # chrome: on a page without them "关于DW", its links and the copyright
    # line were kept as text.
    doc = clean(read(page).replace("\nap/sk (dpa, AFP)\n", "\n"))
    assert doc.text.endswith("并不是所有俄罗斯人都支持这场战争。")
    assert doc.removed["footer"] == 5
    assert doc.authors == ["安娜·彼得罗娃"]


# Real pages' copyright lines, each as its renderer wrote it (with the footer
# links glued on, spaced or indented).
DW_COPYRIGHT_DUMPS = [
    "dumps/de-new-2024-01-30.w3m.txt",
    "dumps/en-old-2020-colonial.resiliparse.txt",
    "dumps/de-old-2023-04-28.inscriptis.txt",
    "dumps/fr-old-2011-elephants.html2text.txt",
]


@pytest.mark.parametrize("dump", DW_COPYRIGHT_DUMPS)
def test_dw_copyright_line_is_footer_without_a_footer_heading_above(dump: str) -> None:
    # resiliparse's main-content dump ends on a paragraph, with no closing
    # initials; under it, a page's "© 2024 Deutsche Welle" line was kept as
    # the article's last paragraph: only a footer heading or the initials
    # above it made it chrome.
    copyright_line = next(line for line in read(dump).splitlines() if "© 20" in line)
    article = read("dumps/de-new-2024-01-30.resiliparse-main.txt")
    doc, without = clean(f"{article}\n\n{copyright_line}\n"), clean(article)
    assert doc.text == without.text
    assert "Deutsche Welle" not in doc.text
    assert doc.removed["footer"] == without.removed.get("footer", 0) + 1


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_subheading_is_a_heading_of_the_text(page: str) -> None:
    # Written without spaces, the subheading and the paragraphs around it are
    # one whitespace "word" each: their lengths must be read in characters.
    doc = clean(read(page))
    assert doc.headings == ["纳杰日金是谁？"]
    assert "\n\n纳杰日金是谁？\n\n从政治上看" in doc.text


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_words_are_counted_a_character_each(page: str) -> None:
    doc = clean(read(page))
    han = sum(1 for char in doc.text if "\u4e00" <= char <= "\u9fff")
    # Every Han character, plus the Latin words and numbers among them
    # ("Telegram", "10", "2018"); no fullwidth punctuation.
    assert han + 3 <= doc.word_count <= han + 12
    assert doc.word_count == count_words(doc.text)


ZH_ALT = "俄罗斯总统候选人鲍里斯·纳杰日金"
ZH_CAPTION = "被视为俄罗斯总统选举中唯一的反战候选人：鲍里斯·纳杰日金"
ZH_CREDIT = "Mikhail Sinitsyn/TASS/dpa/picture alliance"


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_image_alt_and_caption_with_an_unknown_credit_label(page: str) -> None:
    # "供图：" is in no table: the alt line above the caption, and the
    # agencies after the caption's last (fullwidth) colon, make it an image.
    doc = clean(read(page).replace("图片来源：", "供图："))
    assert [(image.alt, image.credit) for image in doc.images] == [(ZH_ALT, ZH_CREDIT)]
    caption = doc.images[0].caption
    # Nothing tells where a Chinese caption ends and an unknown label begins.
    assert caption is not None and caption.startswith(ZH_CAPTION)
    for chrome in (ZH_ALT, ZH_CAPTION, "供图", "picture alliance"):
        assert chrome not in doc.text
    assert ZH_ALT not in doc.headings


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_picture_source_label_is_cut_off_the_caption(page: str) -> None:
    # "图片来源：", the label the page writes, stayed glued to the caption's
    # end ("...鲍里斯·纳杰日金图片来源"): it is the common Chinese label.
    doc = clean(read(page))
    assert [(i.alt, i.caption, i.credit) for i in doc.images] == [(ZH_ALT, ZH_CAPTION, ZH_CREDIT)]


@pytest.mark.parametrize("page", CHINESE_PAGES)
@pytest.mark.parametrize("label", ["图像来源：", "圖像來源：", "图像来源: ", "圖片來源："])
def test_chinese_credit_label_of_the_table_is_cut_off_the_caption(page: str, label: str) -> None:
    # The labels DW's Chinese site likely uses (zh.toml, unverified), with the
    # fullwidth colon of Chinese text or an ASCII one.
    doc = clean(read(page).replace("图片来源：", label))
    assert [(i.alt, i.caption, i.credit) for i in doc.images] == [(ZH_ALT, ZH_CAPTION, ZH_CREDIT)]
    assert label.strip() not in doc.text


@pytest.mark.parametrize("label", ["图像来源：", "圖像來源：", "图像来源:"])
def test_chinese_credit_line_of_its_own_with_no_space_after_the_colon(label: str) -> None:
    # The old layout's form: the alt line, then the credit alone on its line.
    # Chinese writes no space after its colon, so the label is glued to the
    # credit and the line's first "word" was no prefix of the table.
    page = read(CHINESE_PAGES[0])
    caption_line = next(line for line in page.splitlines() if line.startswith(ZH_CAPTION))
    doc = clean(page.replace(caption_line, label + ZH_CREDIT))
    assert [(i.alt, i.caption, i.credit) for i in doc.images] == [(ZH_ALT, None, ZH_CREDIT)]
    for chrome in (ZH_ALT, label.rstrip("：:"), "picture alliance"):
        assert chrome not in doc.text


def test_chinese_paragraph_after_a_credit_label_is_no_credit() -> None:
    # A credit is a few words; a Chinese line has no spaces and was one
    # "word" however long: a paragraph after the label was taken for a credit.
    sentence = "这是一段很长的正文而不是一张图片的来源说明它有四十多个汉字组成的句子。"
    paragraph = "图像来源：" + sentence
    page = read(CHINESE_PAGES[0]).replace("\n广告\n", f"\n广告\n\n{paragraph}\n")
    doc = clean(page)
    assert paragraph in doc.text
    assert [image.credit for image in doc.images] == [ZH_CREDIT]


def test_caption_with_a_credit_label_no_table_knows() -> None:
    # Italian is in no table, and "Scatto:" in none either: the structure
    # (alt line, then the caption with a capitalised label glued on and an
    # agency after the colon) carries it.
    doc = clean(read("pages/it-no-table-constructed.txt").replace("Foto:", "Scatto:"))
    assert [(i.alt, i.caption, i.credit) for i in doc.images] == [(
        "Ministro delle finanze davanti al Bundestag",
        "Il ministro delle finanze ha difeso il piano davanti al parlamento",
        "Michael Kappeler/dpa/picture alliance",
    )]  # fmt: skip
    assert "Scatto" not in doc.text and "Bundestag" not in doc.text


def test_count_words() -> None:
    assert count_words("Boris Nadeschdin will antreten - vielleicht.") == 6
    assert count_words("纳杰日金在Telegram上写道，支持者") == 5 + 1 + 3 + 3
    assert count_words("“超出了所有人的预期”。") == 9
    assert count_words("2018年，反对派") == 1 + 1 + 3
    assert count_words("ひらがな と カタカナ") == 4 + 1 + 4
    # Korean puts spaces between its words.
    assert count_words("대통령 선거") == 2


def test_the_quick_check_for_unspaced_scripts_misses_none_of_their_characters() -> None:
    # The fast pre-check must be a superset of the exact one, or a Chinese
    # line would be counted by whitespace: try every code point once.
    for code in range(0x10000 * 4):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if lines_module._UNSPACED.match(char):
            assert lines_module._MAY_BE_UNSPACED.match(char), hex(code)
    assert not lines_module.has_unspaced("Entscheidung in Kyjiw, Montréal und Kairo – حسنا.")
    assert lines_module.has_unspaced("在Telegram上")


def test_text_without_chrome_is_kept_with_a_warning() -> None:
    text = "Plain first paragraph of some article.\n\nAnd a second paragraph follows here."
    doc = clean(text)
    assert doc.text == text
    assert doc.warnings == ["no_dw_chrome"]
    assert doc.title is None and doc.date is None


def test_empty_input_gives_an_empty_record() -> None:
    doc = clean("")
    assert doc.text == "" and doc.lead is None and doc.language is None
    assert "empty_text" in doc.warnings


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("September 8, 2015", "2015-09-08"),
        ("08.09.2015", "2015-09-08"),
        ("30. Januar 2024", "2024-01-30"),
        ("30.01.202430. Januar 2024", "2024-01-30"),
        ("2020年3月5日", "2020-03-05"),
        # The new layout's two date elements glued, in Chinese.
        ("30.01.20242024年1月30日", "2024-01-30"),
        ("30.01.20242024年1月31日", None),
        ("٨ سبتمبر ٢٠١٥", "2015-09-08"),
        ("Monday, 08.09.2015 12:30 UTC", "2015-09-08"),
        ("23 mai 2011", "2011-05-23"),
        ("He was born on September 8, 2015", None),
        ("2015", None),
        ("31.02.2020", None),
        ("19.01.2020 (25.07.2019)", None),
    ],
)
def test_date_lines(line: str, expected: str | None) -> None:
    assert parse_date_line(line, default_ruleset()) == expected


def test_relative_dates_are_dates_without_a_value() -> None:
    rules = default_ruleset()
    assert is_relative_date_line("vor 3 Stundenvor 3 Stunden", rules)
    assert is_relative_date_line("2 hours ago", rules)
    assert not is_relative_date_line("Vor drei Jahren kam er nach Berlin.", rules)


def test_explain_names_the_deciding_rule_for_every_line() -> None:
    text = read("dumps/seed-001.resiliparse.txt")
    report = render_explanation(text, source="seed-001")
    rows = [row for row in report.splitlines() if not row.startswith("#")][1:]
    assert len(rows) == len(text.splitlines())
    assert "DROP  skip_links    en:line:skip_links" in report
    assert "structure:video_duration" in report
    assert "KEEP  body" in report


def test_cleaning_text_does_not_import_trafilatura() -> None:
    # Start-up cost: every batch run and worker process would pay 0.3 s.
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "import sys, cleaner.formats as f; f.to_documents('a\\n\\nb', source='x.txt'); "
        "print('trafilatura' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bylines_split_on_the_tables_name_joiners() -> None:
    from cleaner.classify import looks_like_names, split_names  # noqa: PLC0415
    from cleaner.rules import build_ruleset  # noqa: PLC0415

    rules = default_ruleset()
    assert split_names("Anna Müller und Ben Kurz", rules) == ["Anna Müller", "Ben Kurz"]
    assert split_names("Julia Vergin | Clare Roth", rules) == ["Julia Vergin", "Clare Roth"]
    assert looks_like_names("Анна Петрова и Иван Орлов", rules)
    # Without a table saying "und" joins names, it is just a word.
    bare = build_ruleset([], {"months": {}})
    assert split_names("Anna Müller und Ben Kurz", bare) == ["Anna Müller und Ben Kurz"]
    assert not looks_like_names("Anna Müller und Ben Kurz", bare)


def test_chinese_bylines_are_names_without_capitals() -> None:
    from cleaner.classify import looks_like_names, split_names  # noqa: PLC0415

    rules = default_ruleset()
    for byline in ("安娜·彼得罗娃", "王伟", "欧阳娜娜、安娜·彼得罗娃"):
        assert looks_like_names(byline, rules)
    assert split_names("欧阳娜娜、安娜·彼得罗娃", rules) == ["欧阳娜娜", "安娜·彼得罗娃"]
    for heading in ("纳杰日金是谁？", "选民怎么想", "俄罗斯大选：纳杰日金押注普京时代的终结"):
        assert not looks_like_names(heading, rules)


def _fixture_dumps() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("dumps/*.txt"))]


def _all_memos() -> list[LineMemo[Any]]:
    rules = default_ruleset()
    return [lines_module._SHAPES, rules.table_memo, rules.date_memo, rules.relative_date_memo]


def _without_memos(monkeypatch: pytest.MonkeyPatch) -> None:
    for memo in _all_memos():
        memo.clear()
    monkeypatch.setattr(memo_module, "MAX_MEMO_CHARS", -1)


def test_line_memos_never_change_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = _fixture_dumps()
    warm = [clean(page).to_dict() for page in pages]
    again = [clean(page).to_dict() for page in pages]
    assert len(lines_module._SHAPES) > 100 and len(default_ruleset().table_memo) > 100
    assert len(default_ruleset().date_memo) > 0  # teaser dates recur across the dumps
    _without_memos(monkeypatch)
    assert [clean(page).to_dict() for page in pages] == warm == again
    assert not any(len(memo) for memo in _all_memos())


def see(memo: LineMemo[int], raw: str, make: Callable[[str], int]) -> int:
    """Look `raw` up as the cleaner's loops do; `make` it on a miss."""
    value = memo.values.get(raw)
    if value is None:
        value = memo.recall(raw)
    if value is None:
        value = make(raw)
        memo.remember(raw, value)
    return value


def test_only_recurring_short_lines_are_remembered() -> None:
    memo: LineMemo[int] = LineMemo()
    made: list[str] = []

    def make(raw: str) -> int:
        made.append(raw)
        return len(raw)

    chrome = "Skip next section More from DW"
    assert see(memo, chrome, make) == len(chrome)
    assert chrome not in memo.values  # seen once
    # The second sight is kept, and is no work: what the first gave waited.
    assert see(memo, chrome, make) == see(memo, chrome, make) == len(chrome)
    assert memo.values[chrome] == len(chrome) and made == [chrome]
    long_line = "word " * 100
    for _ in range(3):
        assert see(memo, long_line, make) == len(long_line)
    assert long_line not in memo.values and long_line not in memo.pending
    assert made == [chrome, long_line, long_line, long_line]


def test_line_memos_stay_within_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_memos(monkeypatch)
    monkeypatch.setattr(memo_module, "MAX_MEMO_CHARS", 200)
    monkeypatch.setattr(memo_module, "MAX_MEMO_LINES", 50)
    monkeypatch.setattr(memo_module, "MAX_SEEN_ONCE", 80)
    for page in _fixture_dumps() * 2:
        clean(page)
        for memo in _all_memos():
            assert len(memo.values) <= 50 and len(memo.pending) <= 80
    assert len(lines_module._SHAPES) > 0


def test_the_old_layouts_metadata_block_is_not_taken_for_the_headline() -> None:
    # "Datum" above "14.03.2023" under the article, in a dump hard-wrapped at
    # 72 columns: the date is the article's, "Datum" is no title, and the
    # article above it stays (it was all dropped as chrome "before the title").
    doc = clean(read("pages/de-old-wrapped-constructed.txt"))
    assert doc.date == "2023-03-14"
    assert doc.title != "Datum"
    assert "Datum" not in doc.text.split()
    assert "Seit dem Machtwechsel in Brasilien" in " ".join(doc.text.split())
    assert "Augen bekommen, dass eine Regierung das Ruder so rumreißt" in " ".join(
        doc.text.split()
    )
    assert doc.authors == ["cwo", "fab"]


# A quote set as a subheading, in the quotation marks of DW's languages
# (German „…“ and »…«, French «…», English “…”); a quoted sentence, with its
# full stop inside the quotes, stays a paragraph.
@pytest.mark.parametrize(
    ("quoted", "is_heading"),
    [
        ('"In Vilnius fühle ich mich wohl"', True),
        ("„In Vilnius fühle ich mich wohl“", True),
        ("»In Vilnius fühle ich mich wohl«", True),
        ("«In Vilnius fühle ich mich wohl»", True),
        ("“In Vilnius fühle ich mich wohl”", True),
        ('"In Vilnius fühle ich mich wohl?"', True),
        ('"In Vilnius fühle ich mich wohl."', False),
        ("(In Vilnius fühle ich mich wohl)", False),
        ('"Nein", sagt sie. "In Vilnius fühle ich mich wohl"', False),
    ],
)
def test_a_quotation_between_paragraphs_is_a_heading(quoted: str, is_heading: bool) -> None:
    page = read("dumps/de-old-2022-01.resiliparse.txt")
    original = '"In Vilnius fühle ich mich wohl"'
    assert page.count(original) == 1
    doc = clean(page.replace(original, quoted))
    assert quoted in doc.text
    assert (quoted in doc.headings) is is_heading



# Four paragraphs of a news text each, in scripts with their own full stop.
HINDI = [
    (
        "प्रधानमंत्री ने संसद में कहा कि सरकार देश भर के किसानों"
        " और मजदूरों की भलाई के लिए लगातार काम कर रही है।"
    ),
    (
        "मंत्री ने मंगलवार को राजधानी में बताया कि आने वाले महीनों में"
        " ग्रामीण इलाकों में रोजगार के लिए कई नई योजनाएं शुरू होंगी।"
    ),
    (
        "विपक्ष ने इन योजनाओं की आलोचना करते हुए कहा कि इस"
        " साल खाने और ईंधन की कीमतें बहुत तेजी से बढ़ी हैं।"
    ),
    (
        "अर्थशास्त्रियों को उम्मीद है कि अगर मानसून समय पर आया और"
        " निर्यात सुधरा तो साल के दूसरे हिस्से में विकास तेज होगा।"
    ),
]
URDU = [
    (
        "وزیر اعظم نے پارلیمان میں کہا کہ حکومت ملک بھر کے کسانوں"
        " اور مزدوروں کی بہتری کے لیے مسلسل کام کر رہی ہے۔"
    ),
    (
        "وزیر نے منگل کو دارالحکومت میں بتایا کہ آنے والے مہینوں میں"
        " دیہی علاقوں میں روزگار کے لیے کئی نئی اسکیمیں شروع ہوں گی۔"
    ),
    (
        "حزب اختلاف نے ان منصوبوں پر تنقید کرتے ہوئے کہا کہ اس"
        " سال خوراک اور ایندھن کی قیمتیں بہت تیزی سے بڑھی ہیں۔"
    ),
    (
        "ماہرین معاشیات کو امید ہے کہ اگر مون سون وقت پر آیا اور برآمدات"
        " بہتر ہوئیں تو سال کے دوسرے حصے میں ترقی تیز ہوگی۔"
    ),
]
AMHARIC = [
    "ጠቅላይ ሚኒስትሩ በፓርላማ ባደረጉት ንግግር መንግሥት በመላ አገሪቱ ለሚገኙ ገበሬዎችና ሠራተኞች ጥቅም ያለማቋረጥ እየሠራ መሆኑን ገልጸዋል።",
    "ሚኒስትሩ ማክሰኞ በዋና ከተማዋ እንደተናገሩት በሚቀጥሉት ወራት በገጠር አካባቢዎች የሥራ እድል የሚፈጥሩ በርካታ አዳዲስ ፕሮግራሞች ይጀመራሉ።",
    (
        "ተቃዋሚዎች እቅዱን በመተቸት በዚህ ዓመት የምግብና የነዳጅ ዋጋ በከፍተኛ ሁኔታ መጨመሩን ገልጸው"
        " መንግሥት የወሰደው እርምጃ በጣም ትንሽና የዘገየ ነው ሲሉ በዋና ከተማዋ በሰጡት መግለጫ ተናግረዋል።"
    ),
    "የምጣኔ ሀብት ባለሙያዎች ዝናቡ በጊዜው ከመጣና የወጪ ንግድ ካገገመ በዓመቱ ሁለተኛ አጋማሽ እድገቱ ይፋጠናል ብለው ይጠብቃሉ።",
]


@pytest.mark.parametrize(
    ("paragraphs", "sentence", "heading"),
    [
        (HINDI, "विशेषज्ञों का मानना है कि महंगाई अब भी बड़ी चुनौती है।", "महंगाई की चुनौती"),
        (URDU, "ماہرین کا کہنا ہے کہ مہنگائی اب بھی ایک بڑا چیلنج ہے۔", "مہنگائی کا چیلنج"),
        (AMHARIC, "የኢትዮጵያ መንግሥት አዲስ የኢኮኖሚ ፖሊሲ ዛሬ ይፋ አድርጓል።", "የኢኮኖሚ ፈተና"),
    ],
    ids=["hi", "ur", "am"],
)
def test_a_short_sentence_ending_in_its_scripts_full_stop_is_no_subheading(
    paragraphs: list[str], sentence: str, heading: str
) -> None:
    # The danda, the Urdu and the Ethiopic full stops end a sentence as "."
    # does: a short sentence between paragraphs is a paragraph, while a
    # phrase without one is still a subheading.
    first, second, third, fourth = paragraphs
    doc = clean("\n\n".join([first, sentence, second, heading, third, fourth]))
    assert doc.headings == [heading]
    assert doc.text.split("\n\n") == [first, sentence, second, heading, third, fourth]


def test_an_image_whose_caption_repeats_a_long_alt_text() -> None:
    # An old-layout image whose alt text is a whole sentence, repeated as its
    # caption, between two paragraphs: the pair is an image, though each line
    # alone reads as a paragraph (the pass skips paragraphs but such twins).
    sentence = "Foreign Minister Walid al-Moallem and Sergey Lavrov met in Moscow on Tuesday."
    page = read("dumps/seed-000.resiliparse.txt")
    lead = next(line for line in page.splitlines() if line.startswith("NATO Secretary General"))
    doc = clean(page.replace(lead, f"{lead}\n\n{sentence}\n{sentence}"))
    assert (sentence, sentence) in [(image.alt, image.caption) for image in doc.images]
    assert sentence not in doc.text
    assert lead in doc.text


def _blank_line_before_credited_captions(page: str) -> str:
    return "\n".join(
        f"\n{line}" if "Bild: " in line else line for line in page.split("\n")
    )


def test_an_alt_line_set_apart_from_its_credited_caption_is_image_metadata() -> None:
    # A renderer that writes a blank line between an image's alt text and its
    # caption (credit glued on): the alt line is the image's, not a subheading.
    page = read("dumps/de-new-2024-01-30.resiliparse.txt")
    apart = clean(_blank_line_before_credited_captions(page))
    together = clean(page)
    assert [image.alt for image in apart.images] == [
        "Russland Boris Nadezhdin Kandidat Präsidentschaftswahlen",
        "Russland Parlamentswahlen Wahlkommission",
        "Russland Kandidatin Yekaterina Duntsova",
        "Wahlkampfveranstaltung in Russland Wladimir Putin Russland Stadion",
    ]
    assert apart.images == together.images
    assert apart.text == together.text
    assert apart.headings == together.headings


def test_a_subheading_over_a_credited_caption_stays_without_alt_lines_on_the_page() -> None:
    # inscriptis writes no alt text: a subheading right above a captioned
    # picture is the article's, though it stands where an alt line would.
    page = read("dumps/de-new-2024-01-30.inscriptis.txt")
    headings = ["Kaum Chancen gegen Putin", "Ein Lager der Kriegsgegner"]
    captions = ("Alles streng im Blick:", "Wollte gegen Putin antreten")
    lines = page.split("\n")
    for heading, caption in zip(headings, captions, strict=True):
        at = next(i for i, line in enumerate(lines) if line.strip().startswith(caption))
        lines[at:at] = [heading, ""]
    doc = clean("\n".join(lines))
    assert set(headings) <= set(doc.headings)
    assert all(image.alt is None for image in doc.images)


def test_a_bracketed_alt_line_is_an_image_and_a_bracket_in_a_paragraph_is_text() -> None:
    # `inscript -i` writes alt text as "[...]" on its own line; a paragraph
    # that opens with an editor's bracket is no alt text.
    paragraphs = [
        "The German capital has launched a five-year project to mark its part in European"
        " colonialism. Streets which still honor colonial leaders are set to be renamed.",
        "[Update, January 20:] The district council confirmed the new names on Monday,"
        " after a court had rejected the last of the residents' complaints.",
        "Activists say the new names finally honor those who resisted colonial rule, rather"
        " than those who imposed it.",
    ]
    first, second, third = paragraphs
    page = "\n\n".join(
        [
            "Berlin renames colonial-era streets",
            "January 19, 2020",
            first,
            "[Tahir Della (picture-alliance/dpa/L. Schwedes)]",
            "Tahir Della helped organize Berlin's new initiative",
            second,
            third,
        ]
    )
    doc = clean(page)
    assert doc.text.split("\n\n") == paragraphs
    assert doc.headings == []
    assert [(image.alt, image.caption, image.credit) for image in doc.images] == [
        (
            "Tahir Della",
            "Tahir Della helped organize Berlin's new initiative",
            "picture-alliance/dpa/L. Schwedes",
        )
    ]


@pytest.mark.parametrize("page_name", ["examples/en-old-2020-colonial.txt",
                                       "examples/de-new-2024-01-30.txt"])
def test_a_line_separator_inside_a_paragraph_does_not_split_it(page_name: str) -> None:
    # U+2028, a <br> a CMS kept in its text: split there, the first half of a
    # paragraph was taken for an image caption and removed.
    page = read(page_name)
    lines = page.split("\n")
    long_lines = [i for i, line in enumerate(lines) if len(line.split(" ")) >= 20]
    for i in long_lines[::2]:
        words = lines[i].split(" ")
        half = len(words) // 2
        lines[i] = " ".join(words[:half]) + "\u2028" + " ".join(words[half:])
    separated = "\n".join(lines)
    assert separated.count("\u2028") >= 3
    assert clean(separated).text == clean(page).text
    (document,) = to_documents(json.dumps({"text": separated}) + "\n", source="r.jsonl")
    assert isinstance(document, Document)
    assert document.text == clean(page).text


def test_zero_width_joiners_are_spelling_and_stay_in_the_text() -> None:
    # Persian writes "می‌خواهد" with a zero-width non-joiner; an emoji family
    # is joined by zero-width joiners. A zero-width space and a soft hyphen
    # are layout, and go.
    persian = "دولت می‌خواهد این گفت‌وگو را ادامه دهد و گفت که این کار ادامه دارد."
    emoji = "Die Familie \U0001f468\u200d\U0001f469\u200d\U0001f467 war Teil der Kampagne."
    page = (
        f"Zum Inhalt springen\n\n{persian}\n\n{emoji}\n\n"
        "Eine Bundes\u00adtags\u00adwahl\u200b ist das nicht.\n\n\u200c\n\nBild: dpa\n"
    )
    doc = clean(page)
    assert doc.text.split("\n\n") == [persian, emoji, "Eine Bundestagswahl ist das nicht."]
    assert doc.removed == {"skip_links": 1, "image": 1}


def test_a_rule_phrase_matches_a_line_written_with_joiners() -> None:
    assert match_key("عکس\u200c:") == match_key("عکس:")
    line = make_line("Zum Inhalt\u200c springen")
    assert line.text == "Zum Inhalt\u200c springen"
    doc = clean(f"{line.raw}\n\nEin Absatz mit genug Worten, damit er als Text gilt, und Punkt.\n")
    assert doc.removed == {"skip_links": 1}


CR_ONLY_PAGES = sorted(
    [*FIXTURES.glob("dumps/*.txt"), *FIXTURES.glob("dumps/*.md"),
     *FIXTURES.glob("front-matter/*.txt"), *FIXTURES.glob("front-matter/*.md")]
)[::3]


@pytest.mark.parametrize("path", CR_ONLY_PAGES, ids=lambda p: p.name)
def test_a_page_whose_lines_end_in_cr_alone_cleans_like_the_page(path: Path) -> None:
    # A hard-wrapped dump was not unwrapped, and a metadata header stayed in
    # the text, when the page's lines ended in CR alone.
    text = path.read_text(encoding="utf-8")
    cr_only = text.replace("\r\n", "\n").replace("\n", "\r")
    assert clean_any(cr_only, source=path.name).to_dict() == clean_any(
        text, source=path.name).to_dict()
    [record] = to_documents(cr_only, source=path.name)
    assert isinstance(record, Document)
    assert record.to_dict() == clean_any(text, source=path.name).to_dict()
    assert render_explanation(cr_only).count("\n") == render_explanation(text).count("\n")


@pytest.mark.parametrize("function", [clean, clean_any, to_documents])
def test_the_library_refuses_a_page_that_is_not_a_str_by_saying_so(function: Any) -> None:
    # (The compiled build's `clean` checks its argument's type itself, first.)
    compiled = r"|str object expected; got "
    with pytest.raises(TypeError,
                       match=rf"takes the page as str, not bytes: decode it first{compiled}bytes"):
        function(b"Ein Absatz.\n")
    with pytest.raises(TypeError, match=rf"takes the page as str, not NoneType{compiled}None"):
        function(None)


def test_a_byte_order_mark_given_to_the_library_is_no_part_of_the_page() -> None:
    # The CLI's reader drops it; a library caller that read a file as "utf-8"
    # kept it, and a markdown page's headline then kept its "#".
    for path in sorted(FIXTURES.glob("dumps/*.md")):
        text = path.read_text(encoding="utf-8")
        assert clean_any("\ufeff" + text).to_dict() == clean_any(text).to_dict()


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("examples/*.txt"))[:2],
                         ids=lambda p: p.name)
def test_an_empty_url_given_to_the_library_is_no_url(path: Path) -> None:
    # clean(page, url="") wrote "url": "" (a markdown or HTML page, a JSON
    # record and a datatrove document's empty url give null).
    text = path.read_text(encoding="utf-8")
    assert clean(text, url="").to_dict() == clean(text).to_dict()
    assert clean_any(text, url="").url is None


SURROGATE_PAGES = [
    FIXTURES / "examples" / "001_26d23cd7d08ed03d.txt",
    FIXTURES / "dumps" / "de-old-2022-01.markdownify.md",
    FIXTURES / "html" / "de-old-2022-01.html",
    FIXTURES / "front-matter" / "de-old-2022-01.trafilatura-meta.txt",
]


@pytest.mark.parametrize("path", SURROGATE_PAGES, ids=lambda p: p.name)
def test_a_lone_surrogate_given_to_the_library_is_replaced_as_in_a_json_record(
    path: Path,
) -> None:
    # A str may hold half of a UTF-16 pair (json.loads of JSON cut inside an
    # emoji, text read with errors="surrogateescape"). clean() and clean_any()
    # failed on it with UnicodeEncodeError (text, markdown), cut an HTML page's
    # article short at it, or kept it in `text`, which UTF-8 cannot write.
    # As in a JSON record: U+FFFD in its place, and a warning.
    text = path.read_text(encoding="utf-8")
    # A word of the article's middle that the page has once: damaged there.
    words = clean_any(text, source=path.name).text.split()
    word = next(w for w in words[len(words) // 2:] if w.isalpha() and len(w) > 5
                and text.count(w) == 1)
    start = text.index(word)
    damaged = text[:start + 2] + "\udcc3" + text[start + 2:]
    replaced = text[:start + 2] + "\ufffd" + text[start + 2:]
    expected = clean_any(replaced, source=path.name).to_dict()
    assert "\ufffd" in expected["text"]
    expected["warnings"] = [*expected["warnings"], "lone_surrogates_replaced"]
    assert clean_any(damaged, source=path.name).to_dict() == expected
    [record] = to_documents(damaged, source=path.name)
    assert isinstance(record, Document)
    assert record.to_dict() == expected
    if path.suffix == ".txt" and not text.startswith("---"):
        assert clean(damaged, source=path.name).to_dict() == {**expected, "format": "text"}


@pytest.mark.parametrize("path", SURROGATE_PAGES, ids=lambda p: p.name)
def test_a_lone_surrogate_in_a_url_given_to_the_library_is_replaced(path: Path) -> None:
    # QA: it went into the record as it was, with no warning, and the record
    # could not be written as UTF-8. (A source keeps its own: a file name
    # that is not UTF-8 holds them for its bytes, tests/test_batch.py.)
    text = path.read_text(encoding="utf-8")
    url = "https://www.dw.com/en/caf\udce9/a-18702265"
    expected = clean_any(text, url=url.replace("\udce9", "\ufffd")).to_dict()
    expected["warnings"] = [*expected["warnings"], "lone_surrogates_replaced"]
    got = clean_any(text, url=url).to_dict()
    assert got == expected
    json.dumps(got, ensure_ascii=False).encode("utf-8")
    if path.suffix == ".txt" and not text.startswith("---"):
        assert clean(text, url=url).to_dict() == {**expected, "format": "text"}


def test_a_note_the_tables_know_whole_goes_to_notes() -> None:
    # The live-ticker notice of the German war reports: counted under
    # removed.notes, it was not in `notes`.
    notice = ("Dieser Artikel wird am Tag seines Erscheinens fortlaufend aktualisiert. "
              "Meldungen aus den Kampfgebieten lassen sich nicht unabhängig überprüfen.")
    page = (
        "Bundestag stimmt für Lieferung schwerer Waffen\n\n28.04.2022\n\n"
        "Der Bundestag hat mit großer Mehrheit für die Lieferung schwerer Waffen an die "
        "Ukraine gestimmt. Die Union hatte einen eigenen Antrag eingebracht.\n\n"
        f"uh/rb (dpa, afp)\n\n{notice}\n"
    )
    doc = clean(page)
    assert doc.removed["notes"] == 1
    assert doc.notes == [notice]
    assert notice not in doc.text


# A live blog's summary under its label, the items of uneven length: read one
# by one, each item followed by a longer one was a subheading.
SUMMARY_ITEMS = [
    "Scholz verspricht Ukraine weitere militärische Unterstützung",
    "Ukrainischer Botschafter will modernste Waffen von Deutschland",
    "Nancy Pelosi überraschend in Kiew",
    "Bis zu 100 Menschen können Stahlwerk in Mariupol verlassen",
    "Hollywood-Star Jolie trifft Flüchtlinge in Westukraine",
]
SUMMARY_BODY = (
    "Bundeskanzler Olaf Scholz hat Russlands Präsident Wladimir Putin Imperialismus"
    " vorgeworfen. Die Ukraine sei von dem großen Nachbarn Russland angegriffen worden,"
    " sagte Scholz auf einer Kundgebung in Düsseldorf.\n\n"
    "Pelosi in Kiew\n\n"
    "Die Sprecherin des US-Repräsentantenhauses, Nancy Pelosi, ist überraschend in Kiew"
    " eingetroffen und hat Präsident Selenskyj weitere Hilfe zugesagt."
)


def test_the_items_of_a_list_under_its_label_are_no_headings() -> None:
    lead = (
        "Der Kanzler verteidigt seine Ukraine-Politik gegen Kritik. Die Lage im Überblick."
    )
    items = "\n\n".join(SUMMARY_ITEMS)
    page = (
        "Scholz wirft Putin Imperialismus vor\n\n01.05.2022\n\n"
        f"{lead}\n\nDas Wichtigste in Kürze:\n\n{items}\n\n{SUMMARY_BODY}\n"
    )
    doc = clean(page)
    assert doc.headings == ["Pelosi in Kiew"]
    assert doc.lead == lead
    assert all(item in doc.text.split("\n\n") for item in SUMMARY_ITEMS)


def test_a_text_that_opens_with_a_list_label_has_no_lead() -> None:
    # The label is no teaser paragraph, nor is the first item; a subheading
    # further down stays one.
    items = "\n\n".join(SUMMARY_ITEMS)
    doc = clean(f"Das Wichtigste in Kürze:\n\n{items}\n\n{SUMMARY_BODY}\n")
    assert doc.text.startswith("Das Wichtigste in Kürze:\n\nScholz verspricht")
    assert doc.lead is None
    assert doc.headings == ["Pelosi in Kiew"]


def test_a_colon_a_teaser_link_left_opens_no_list() -> None:
    # BeautifulSoup's text of the 2020 page: "Read more" (removed), ":" and
    # the teaser's title on lines of their own, then a subheading.
    doc = clean(read("dumps/en-old-2020-colonial.bs4.txt"))
    assert "Freedom fighters replace colonial leaders" in doc.headings
    assert "Right-wing resistance" in doc.headings


# Article paragraphs that quote a [contains] phrase of the tables: many times
# longer than the phrase, they are text, not the banner or prompt it marks.
PARAGRAPHS_QUOTING_CHROME = [
    (
        "At the town hall in Bad Neuenahr, a handwritten sign taped to the door reads"
        ' "Sign up here for the cleanup crews", and by noon more than 2,000 people had'
        " put their names on the list, local officials said."
    ),
    (
        'Organizers told residents who want to help: "Sign up for the newsletter on our'
        ' website and we will contact you as soon as a shift becomes available," adding'
        " that donations of winter clothing are especially needed."
    ),
    # Short enough for the prompt it quotes: the quotation marks tell.
    'The sign on the town hall door read: "Sign up here."',
    "„Sign up here“ stand auf dem Zettel am Rathaus in Bad Neuenahr.",
    (
        "Die Software der Behörde hatte ohne Rückfrage Englisch als Spracheinstellung für"
        " Sie gewählt, klagten die Antragsteller, und wer die Formulare nicht lesen konnte,"
        " musste sich an einen der wenigen Dolmetscher wenden."
    ),
]


@pytest.mark.parametrize("paragraph", PARAGRAPHS_QUOTING_CHROME)
def test_a_paragraph_quoting_a_contains_phrase_is_text(paragraph: str) -> None:
    page = read("examples/en-old-2020-colonial.txt")
    lead = next(line for line in page.splitlines() if line.startswith("The German capital"))
    doc = clean(page.replace(lead, f"{lead}\n\n{paragraph}"))
    assert paragraph in doc.text.split("\n\n")
    assert doc.removed == clean(page).removed


def test_the_banner_lines_of_contains_phrases_are_still_chrome() -> None:
    # The phrase with its varying tail, or with a neighbouring widget glued on.
    page = read("examples/en-old-2020-colonial.txt")
    doc = clean(page)
    for line in (
        "We use cookies to improve our service for you. You can find more information"
        " in our data protection declaration.",
        "Wrong language? Change it here DW.COM has chosen English as your language setting.",
        "Every day, DW's editors send out a selection of the day's hard news and quality"
        " feature journalism. Sign up for the newsletter here.",
    ):
        assert line in page
        assert line not in doc.text
    assert doc.removed["banner"] >= 2


def test_a_page_flattened_to_one_line_is_not_a_banner() -> None:
    # One line of every word of the page holds the cookie notice too; the
    # article is in it, so the line is kept, not filed as a banner.
    page = read("examples/en-old-2020-colonial.txt")
    flat = " ".join(page.split())
    doc = clean(flat)
    assert doc.text == flat
    assert "banner" not in doc.removed


# Article sentences that open with a label of the [prefix] tables: what
# follows the label is no name, time, keyword list, title or credit.
SENTENCES_OPENING_WITH_A_LABEL = [
    "By Friday, the talks had collapsed.",
    "Updated figures from the economy ministry show coal still produced a quarter of the"
    " country's electricity last year.",
    "Print media have covered the debate extensively, and several regional papers have"
    " called for a faster exit.",
    'Keywords like "energy security" now dominate the debate in parliament, analysts say.',
    "Adapted from an earlier government plan, the new proposal keeps the 2038 deadline but"
    " adds a review in 2026.",
    "Read more widely, the report also criticises the slow expansion of wind power in the"
    " south of the country.",
    "Bild: Das Kraftwerk Jänschwalde ist eines der größten Braunkohlekraftwerke Europas.",
    # A quotation in them is one word of the sentence, which goes on around it.
    'Dieser Artikel erschien erstmals am 3. Mai unter dem Titel "Krieg?". Seitdem hat sich'
    " die Lage deutlich verändert.",
    'Adapted from "Coal Exit 2038", the new proposal keeps the deadline but adds a review in'
    " 2026.",
]


def _cleaned_with_a_paragraph_under_the_lead(paragraph: str) -> tuple[Document, Document]:
    """The colonial page cleaned with `paragraph` under its lead, and as it is."""
    page = read("examples/en-old-2020-colonial.txt")
    lead = next(row for row in page.splitlines() if row.startswith("The German capital"))
    return clean(page.replace(lead, f"{lead}\n\n{paragraph}")), clean(page)


@pytest.mark.parametrize("sentence", SENTENCES_OPENING_WITH_A_LABEL)
def test_a_sentence_opening_with_a_prefix_label_is_text(sentence: str) -> None:
    doc, before = _cleaned_with_a_paragraph_under_the_lead(sentence)
    assert sentence in doc.text.split("\n\n")
    assert doc.removed == before.removed
    assert (doc.authors, doc.updated, doc.notes) == (before.authors, before.updated, before.notes)


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ("By Ursula von der Leyen", "byline"),
        ("By Julia Hitz and Clare Roth", "byline"),
        ("Author: Julia Hitz (eg)", "byline"),
        ("Updated at 12:30 UTC", "updated"),
        ("Last updated 4 hours ago", "updated"),
        ("Zuletzt aktualisiert vor 3 Stunden", "updated"),
        ("Keywords wine, frühburgunder, Ahr, Ahr Valley, pinot noir, red wine,", "share"),
        ("Read more Germany's budget crisis explained", "related"),
        ("Adapted from German by Jane Doe", "notes"),
        (
            "Dies ist eine aktualisierte Fassung des Textes, der im Mai 2021 zum ersten Mal"
            " veröffentlicht wurde.",
            "notes",
        ),
        ("Edition : M-A. Pioerron", "editors"),
        ("Redaktion: Jan Meier", "editors"),
        ("Photo: picture alliance/dpa", "image"),
    ],
)
def test_prefix_chrome_with_its_value_is_still_chrome(line: str, category: str) -> None:
    doc, before = _cleaned_with_a_paragraph_under_the_lead(line)
    assert line not in doc.text
    assert doc.removed.get(category, 0) == before.removed.get(category, 0) + 1


# Notes that quote the original's title, whatever its punctuation, or that go
# on with a second credit: the whole line is the note.
NOTES_QUOTING_OR_CREDITING = [
    'Der Artikel wurde aus dem englischen Original "Can Trump sell the MAGA crowd now?" adaptiert.',
    'Der Artikel wurde aus dem englischen Original „Was wissen wir? Eine Bilanz“ adaptiert.',
    "This article was translated from the English original «What now? A look back».",
    "Adaption aus dem Englischen: Anna Schmidt. Redaktion: Jan Meier",
]


@pytest.mark.parametrize("note", NOTES_QUOTING_OR_CREDITING)
def test_a_note_is_a_note_whatever_it_quotes(note: str) -> None:
    doc, before = _cleaned_with_a_paragraph_under_the_lead(note)
    assert note not in doc.text
    assert doc.notes == [*before.notes, note]
    assert doc.removed["notes"] == before.removed.get("notes", 0) + 1


def test_a_credit_label_inside_a_longer_one_is_not_glued_to_a_caption() -> None:
    # Hausa's "Hoto:" is the tail of "Photo:": a line opening with "Photo:"
    # was read as the caption "P" with its credit glued on.
    sentence = "Photo: the lignite mine at Garzweiler has become a symbol of the protests."
    page = read("examples/en-old-2020-colonial.txt")
    lead = next(line for line in page.splitlines() if line.startswith("The German capital"))
    doc = clean(page.replace(lead, f"{lead}\n\n{sentence}"))
    assert sentence in doc.text.split("\n\n")
    assert doc.images == clean(page).images
    # A caption with the longer label glued on is still an image.
    glued = "Foreign ministers Walid al-Moallem and Sergey LavrovPhoto: Reuters"
    doc = clean(page.replace(lead, f"{lead}\n\n{glued}"))
    assert glued not in doc.text
    assert ("Foreign ministers Walid al-Moallem and Sergey Lavrov", "Reuters") in [
        (image.caption, image.credit) for image in doc.images
    ]


def test_a_subheading_over_a_one_sentence_paragraph_is_no_image() -> None:
    # An alt line over a caption with a full stop reads like a subheading over
    # a short paragraph; on a page that shows no image otherwise (no credit,
    # no caption without a full stop), the two are the article's.
    paragraphs = [
        "The German capital has launched a five-year project to mark its part in European"
        " colonialism. Streets which still honor leaders who led the slaughter of Africans"
        " are set to be renamed.",
        "Berlin's relationship with its colonial history is being reconsidered, despite"
        " opposition from far-right politicians and some disgruntled locals.",
        "Opposition in Wedding",
        "Many residents objected to the change.",
        "The renaming of three streets in Wedding has been a major issue for the Initiative"
        " of Black People in Germany for many years, and the decision was challenged in court.",
        "A long road",
        "The first petitions were filed in 2004.",
        "Activists say the new names finally honor those who resisted colonial rule, rather"
        " than those who imposed it.",
    ]
    page = "\n\n".join(
        ["Berlin renames colonial-era streets", "January 19, 2020", *paragraphs, "bk/rt (dpa, AFP)"]
    )
    doc = clean(page)
    assert doc.text.split("\n\n") == paragraphs
    assert doc.headings == ["Opposition in Wedding", "A long road"]
    assert doc.images == []


@pytest.mark.parametrize("status", ["This live blog is now closed.", "Updates are closed."])
def test_a_live_blog_status_that_ends_a_sentence_is_still_its_status(status: str) -> None:
    page = (
        "Live updates: talks in Geneva\n\n"
        f"{status}\n\n"
        "Delegations from both sides met for a third day in Geneva on Friday, officials said.\n"
    )
    doc = clean(page)
    assert doc.removed.get("updated") == 1
    assert status not in doc.text


def test_terminal_colours_given_to_the_library_go_as_the_cli_removes_them() -> None:
    # QA: a page coloured for a terminal ("\x1b[31m") lost its escape
    # characters in clean(), but "[31m" stayed in `text`; the CLI's reader
    # removes the whole sequence, and the library's text must match it.
    page = read("examples/001_26d23cd7d08ed03d.txt")
    plain = clean(page)
    word = next(w for w in plain.text.split() if w.isalpha() and len(w) > 6)
    start = page.index(word)
    coloured = f"{page[:start]}\x1b[1;31m{word}\x1b[0m{page[start + len(word):]}"
    assert clean(coloured).text == plain.text
    assert make_line("\x1b[32mGrün\x1b[0m ist die Hoffnung").text == "Grün ist die Hoffnung"


def test_a_second_page_in_the_same_input_is_warned_of() -> None:
    # QA: two dumps in one file gave the first page's record, the second
    # page's article counted as its footer and related links, unsaid.
    first = (FIXTURES / "examples" / "001_26d23cd7d08ed03d.txt").read_text(encoding="utf-8")
    second = (FIXTURES / "dumps" / "de-new-2024-01-30.resiliparse.txt").read_text(encoding="utf-8")
    assert "another_page_follows" in clean(first + second).warnings
    assert "another_page_follows" in clean(second + first).warnings


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "dumps").glob("*.txt")), ids=lambda path: path.name
)
def test_a_page_alone_is_not_taken_for_two(path: Path) -> None:
    assert "another_page_follows" not in clean_any(
        path.read_text(encoding="utf-8"), source=path.name
    ).warnings
