"""Hard-wrapped dumps (`w3m -dump`, `links -dump`, `lynx -dump`, `pandoc -t plain`): their
wrapped lines are joined before cleaning, and they clean like the unwrapped
dump of the same page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import regex

from cleaner import clean
from cleaner.core import analyse
from cleaner.document import Document
from cleaner.explain import render_explanation
from cleaner.formats import to_documents
from cleaner.rules import default_ruleset, normalise_phrase
from cleaner.unwrap import columns, split_link_list, undo_layout, unwrap

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DUMPS = FIXTURES / "dumps"
# A Chinese page (constructed: the corpus has none) as w3m and resiliparse render it.
CHINESE = FIXTURES / "pages" / "zh-new-layout-constructed"
# Text browsers' dumps, every one of them hard-wrapped at 80 columns.
WRAPPED = sorted(
    [*DUMPS.glob("*.w3m.txt"), *DUMPS.glob("*.links.txt"), *DUMPS.glob("*.lynx-nolist.txt")]
)
# lynx's default dump: wrapped, every link numbered ("[12]Inhalt") and listed
# under "References" at the end.
LYNX_LINKED = sorted(DUMPS.glob("*.lynx.txt"))
UNWRAPPED = sorted(set(DUMPS.glob("*.txt")) - set(WRAPPED) - set(LYNX_LINKED))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def test_the_wrapped_dumps_are_there() -> None:
    assert len(WRAPPED) == 27
    assert len(UNWRAPPED) >= 40


@pytest.mark.parametrize("path", UNWRAPPED, ids=lambda p: p.name)
def test_a_dump_that_is_not_wrapped_is_left_alone(path: Path) -> None:
    assert unwrap(read(path)) is None


@pytest.mark.parametrize("path", WRAPPED, ids=lambda p: p.name)
def test_a_wrapped_dump_cleans_like_the_unwrapped_dump_of_its_page(path: Path) -> None:
    page = path.name.partition(".")[0]
    wrapped = clean(read(path))
    reference = clean(read(DUMPS / f"{page}.resiliparse.txt"))
    assert wrapped.title == reference.title
    assert wrapped.date == reference.date
    assert wrapped.authors == reference.authors
    assert wrapped.headings == reference.headings
    assert abs(wrapped.word_count - reference.word_count) <= 2
    # Whole paragraphs, not a wrapped line each: the reference's paragraphs
    # word for word, also where w3m broke a line early at a no-break space.
    assert paragraphs(wrapped.text) == paragraphs(reference.text)


def test_a_wrapped_chinese_dump_cleans_like_the_unwrapped_dump_of_its_page() -> None:
    # w3m gives a Chinese character two columns and breaks between any two:
    # 40 characters a line, no space to break at or to join with.
    wrapped = clean(read(CHINESE.with_suffix(".w3m.txt")))
    reference = clean(read(CHINESE.with_suffix(".resiliparse.txt")))
    assert wrapped.title == reference.title == "俄罗斯大选：纳杰日金押注普京时代的终结"
    assert wrapped.date == reference.date == "2024-01-30"
    assert paragraphs(wrapped.text) == paragraphs(reference.text)
    assert wrapped.text.startswith("数千人在严寒中排队数小时，只为在支持他参选的名单上签名：")
    assert "理由是他此前曾被判刑。" in wrapped.text


def test_chinese_lines_are_joined_without_a_space_latin_ones_with_one() -> None:
    result = unwrap(read(CHINESE.with_suffix(".w3m.txt")))
    assert result is not None
    lines = result[0].splitlines()
    # Broken between two characters ("在3" / "月17日"), and at a space in the credit.
    assert any("希望在3月17日的总统选举中" in line for line in lines)
    credit = "图片来源：Mikhail Sinitsyn/TASS/dpa/picture alliance"
    assert any(line.endswith(credit) for line in lines)
    # Short lines (a heading, a menu entry) stay apart: the next character fits after them.
    assert "纳杰日金是谁？" in lines
    assert "  • 人权" in lines


def test_a_chinese_page_that_is_not_wrapped_is_left_alone() -> None:
    # A paragraph a line: two columns a character make no wrap width.
    assert unwrap(read(CHINESE.with_suffix(".resiliparse.txt"))) is None


def test_widths_are_counted_in_terminal_columns() -> None:
    assert columns("Prozent") == 7
    assert columns("Größe") == 5
    assert columns("普京，2024年") == 2 * 4 + 4  # a fullwidth comma is wide too
    assert columns("“普京”·") == 3 + 4  # w3m gives the ambiguous quotes and dot one


@pytest.mark.parametrize(
    "path", [*WRAPPED, CHINESE.with_suffix(".w3m.txt")], ids=lambda p: p.name
)
def test_a_wrapped_dump_in_a_json_record_cleans_like_the_same_dump_as_a_file(path: Path) -> None:
    dump = read(path)
    [record] = to_documents(json.dumps({"text": dump}), fmt="jsonl", source="scrape.jsonl")
    assert isinstance(record, Document)
    page = clean(dump)
    assert record.text == page.text
    assert (record.title, record.date, record.authors) == (page.title, page.date, page.authors)
    assert record.headings == page.headings
    assert record.images == page.images


def test_lines_are_joined_only_where_the_next_word_would_not_have_fit() -> None:
    body = (
        "Seit dem Machtwechsel in Brasilien wird von deutscher Seite versucht, die\n"
        "Beziehungen zu dem südamerikanischen Land wieder zu verbessern und neue\n"
        "Formen der Kooperation zu suchen.\n"
    )
    page = "Menu\nNews\n\n" + (body + "\nA heading\n\n") * 3
    result = unwrap(page)
    assert result is not None
    text, spans = result
    lines = text.splitlines()
    assert lines[:2] == ["Menu", "News"]  # short lines: the next word fits after them
    assert lines[3] == " ".join(body.split())
    assert lines[5] == "A heading"
    assert sum(spans) == len(page.splitlines())
    assert len(lines) == len(spans)


def test_an_alt_text_wrapped_under_a_paragraph_is_apart_when_the_caption_repeats_it() -> None:
    # lynx writes an image's alt text right under the paragraph, and wraps a
    # long one itself: a date in it, its shape tells nothing. The caption
    # below repeats most of its words.
    body = (
        "Seit dem Machtwechsel in Brasilien wird von deutscher Seite versucht, die\n"
        "Beziehungen zu dem südamerikanischen Land wieder zu verbessern und neue\n"
        "Formen der Kooperation zu suchen und auch auf dem Land neue Wege zu gehen.\n"
    )
    alt = (
        "Rettungsaktion nach dem russischen Raketenangriff auf die ukrainischen\n"
        "Stadt Uman, 28. April 2023\n"
    )
    caption = (
        "Folgen eines russischen Raketenangriffs auf die ukrainischen Stadt Uman,\n"
        "28. April 2023\n"
    )
    # A last sentence that starts a line and the paragraph after it, which
    # shares a few words only, stay a paragraph and a paragraph.
    sentence = (
        "Die Regierung in Brasilia will davon nichts wissen und verweist auf\nneue Studien.\n"
    )
    other = "Die Studien in Brasilien sehen das anders, sagen Fachleute aus Europa.\n"
    page = "\n".join([body] * 3) + f"\n{body}{alt}\n{caption}\n{body}{sentence}\n{other}"
    result = unwrap(page)
    assert result is not None
    lines = result[0].splitlines()
    joined_body = " ".join(body.split())
    assert " ".join(alt.split()) in lines
    assert joined_body in lines
    assert f"{joined_body} {' '.join(sentence.split())}" in lines


def test_a_list_item_does_not_continue_the_wide_line_above_it() -> None:
    # "  • Themenseiten ... Krieg in der Ukraine" fills its line, so the next
    # item's bullet would not have fit after it; the bullet starts an item all
    # the same.
    result = unwrap(read(DUMPS / "de-old-2023-04-28.w3m.txt"))
    assert result is not None
    items = [line.strip() for line in result[0].splitlines() if line.lstrip().startswith("• ")]
    assert any(item.startswith("• Themenseiten") for item in items)
    assert any(item.startswith("• Schlagwörter") for item in items)
    assert not any("• Schlagwörter" in item[1:] for item in items)


def test_a_page_of_short_lines_is_not_wrapped() -> None:
    menu = "\n".join(f"Menu entry number {n}" for n in range(40))
    assert unwrap(menu) is None


def test_lines_of_one_width_that_never_end_a_sentence_are_not_wrapped() -> None:
    # Found by a property test: a headline repeated under a keyword line of
    # about its width passes the fit test five times, but no run of "broken"
    # lines ends a sentence, as a wrapped paragraph does.
    headline = "German army employee goes on trial for spying for Iran"
    keywords = "  \u2022 Themenseiten Dollar, Michel Aoun, Finanzkrise, Libanon"
    page = "\n".join(["Image: Reuters", headline, "T", keywords, headline, headline, headline, "T"])
    assert unwrap(page) is None
    kept = [paragraph for paragraph in paragraphs(clean(page).text) if paragraph]
    assert kept
    assert set(kept) <= {line.strip(" \u2022") for line in page.splitlines()}


def test_lower_case_continues_a_line_broken_early_at_a_no_break_space() -> None:
    # "Zusammen mit dem deutschen&nbsp;Agrarminister": w3m moved both words to
    # the next line, though "deutschen" alone would have fit.
    doc = clean(read(DUMPS / "de-old-2023-03-14.w3m.txt"))
    assert "Zusammen mit dem deutschen Agrarminister Cem Özdemir" in doc.text


def test_two_words_held_together_by_a_no_break_space_continue_an_unfinished_line() -> None:
    # `"unmittelbaren politischen Einfluss"&nbsp;haben werde`: w3m moved
    # `Einfluss" haben` to the next line as one word and printed the no-break
    # space as a plain one, so `Einfluss"` alone would have fit.
    doc = clean(read(DUMPS / "de-old-2023-03-14.w3m.txt"))
    assert 'der dann auch "unmittelbaren politischen Einfluss" haben werde.' in doc.text


def test_two_words_held_together_join_only_a_line_that_has_not_ended() -> None:
    body = (
        "Seit dem Machtwechsel in Brasilien wird von deutscher Seite versucht, die\n"
        "Beziehungen zu dem südamerikanischen Land wieder zu verbessern und neue\n"
        "Formen der Kooperation zu suchen.\n\n"
    )
    # "Olaf" would fit after either line (the widest is 73 columns), "Olaf Scholz" not.
    ended = "Der Minister sprach am Dienstag vor den Abgeordneten in Berlin."
    unfinished = ended.removesuffix(".")
    after = "Olaf Scholz sprach danach."
    # Wide, unfinished, and followed by a blank line: the paragraph ended there.
    cut = "Beziehungen zu dem südamerikanischen Land wieder zu verbessern und neue"
    page = body * 3 + f"{ended}\n{after}\n\n{unfinished}\n{after}\n\n{cut}\n\n{after}\n"
    result = unwrap(page)
    assert result is not None
    lines = result[0].splitlines()
    assert lines[-8:] == [ended, after, "", f"{unfinished} {after}", "", cut, "", after]


def test_no_space_is_put_where_w3m_broke_after_a_slash_or_before_a_hyphen() -> None:
    colonial = clean(read(DUMPS / "en-old-2020-colonial.w3m.txt"))
    assert "picture alliance/akg-images" in [image.credit for image in colonial.images]
    vaccine = clean(read(DUMPS / "de-new-2023-06-13.w3m.txt"))
    assert "Multiple-Sklerose-Diagnosen" in vaccine.text


@pytest.mark.parametrize("path", [*WRAPPED, *LYNX_LINKED], ids=lambda p: p.name)
def test_an_ad_label_of_a_wrapped_dump_stays_a_line_of_its_own(path: Path) -> None:
    # lynx writes the ad label right under an image's credit, and "Anzeige"
    # would just have fitted after "...dpa/picture alliance": it was joined
    # to the credit as the rest of its line ("Mikhail Sinitsyn/TASS/dpa/
    # picture alliance Anzeige"). A whole chrome line of the tables goes on
    # with no line above it.
    rules = default_ruleset()
    ad_labels = {phrase for phrase, rule in rules.lines.items() if rule.category == "ads"}
    for row in render_explanation(read(path)).splitlines():
        fields = row.split()
        if len(fields) < 5 or not fields[0].isdigit():
            continue
        line = regex.sub(r"\[\d+\]", "", " ".join(fields[4:]))
        if normalise_phrase(line) in ad_labels:
            assert fields[1:3] == ["DROP", "ads"], row
    doc = to_documents(read(path), source=path.name)[0]
    assert isinstance(doc, Document)
    for image in doc.images:
        words = normalise_phrase(image.credit or "").split()
        assert not any(" ".join(words[-n:]) in ad_labels for n in (1, 2)), image


def test_a_chrome_line_of_the_tables_goes_on_only_with_a_list_or_a_sentence() -> None:
    body = (
        "Seit dem Machtwechsel in Brasilien wird von deutscher Seite versucht, die\n"
        "Beziehungen zu dem südamerikanischen Land wieder zu verbessern und neue\n"
        "Formen der Kooperation zu suchen.\n\n"
    )
    # Each of these lines is so wide that the next line's first word would not
    # have fit after it (the widest line is 73 columns).
    credit = "Wladimir Putin auf einer Wahlkampfveranstaltung Bild: dpa/picture alliance"
    footer = "© 2021 Deutsche Welle | Protection des données | Impressum | Contact |"
    sentence = "Wer die Rede noch einmal sehen will, findet sie hier als ein langes"
    share = "Send Facebook Twitter google+ Whatsapp Tumblr linkedin stumble Digg reddit"
    page = body * 3 + (
        f"{credit}\nAnzeige\n\n{footer}\nVersion mobile\n\n"
        f"{sentence}\nvideo\n\n{share}\nNewsvine\n"
    )
    result = unwrap(page, rules=default_ruleset())
    assert result is not None
    lines = result[0].splitlines()
    assert lines[-8:] == [
        # An ad label under a credit: a line of its own.
        credit, "Anzeige", "",
        # A footer's links, the line ending on a separator: the next item.
        f"{footer} Version mobile", "",
        # A sentence going on in lower case ("video" is a table line, casefolded).
        f"{sentence} video", "",
        # A line the tables know whole (a share row).
        f"{share} Newsvine",
    ]  # fmt: skip
    # Without the tables, the fit test alone: the label goes on with the credit.
    unruled = unwrap(page)
    assert unruled is not None
    assert f"{credit} Anzeige" in unruled[0].splitlines()


def test_explain_shows_every_input_line_of_a_wrapped_dump() -> None:
    path = DUMPS / "de-old-2023-03-14.w3m.txt"
    text = read(path)
    rows = [
        line for line in render_explanation(text).splitlines()[2:] if not line.startswith("#")
    ]
    assert len(rows) == len(text.splitlines())
    kept = [" ".join(row.split()[4:]) for row in rows if row.split()[1:2] == ["KEEP"]]
    # Each input line of a kept paragraph is shown, with the paragraph's decision.
    assert "in Belo Horizonte klar, dass es einen Aufbruch in den deutsch-brasilianischen" in kept
    assert "hard-wrapped" in render_explanation(text).splitlines()[-1]


@pytest.mark.parametrize("path", WRAPPED, ids=lambda p: p.name)
def test_removed_counts_the_input_lines_explain_shows_removed(path: Path) -> None:
    # `removed` is "number of input lines removed": a joined line counts for
    # the wrapped lines it was made of, as explain shows them.
    text = read(path)
    dropped: dict[str, int] = {}
    for row in render_explanation(text).splitlines():
        fields = row.split()
        if len(fields) > 2 and fields[1] == "DROP":
            dropped[fields[2]] = dropped.get(fields[2], 0) + 1
    assert clean(text).removed == dropped
    assert sum(dropped.values()) > len(analyse_removed_lines(text))  # joined lines among them


def analyse_removed_lines(text: str) -> list[int]:
    page = analyse(text)
    return [i for i, label in enumerate(page.labels) if label is not None and not label.kept]


def test_the_linked_lynx_dumps_are_there() -> None:
    assert len(LYNX_LINKED) == 9


@pytest.mark.parametrize("path", LYNX_LINKED, ids=lambda p: p.name)
def test_a_lynx_dump_with_its_links_cleans_as_without_them(path: Path) -> None:
    # QA: lynx's link numbers hid every menu entry from the rule tables and
    # stayed in `text`, and its list of URLs (lines over 100 characters) made
    # the page look unwrapped: nearly the whole page was kept, wrapped line by
    # wrapped line. Read without them, it is the `-nolist` dump of its page.
    page = path.name.partition(".")[0]
    linked = to_documents(read(path), source=path.name)[0]
    plain = to_documents(read(DUMPS / f"{page}.lynx-nolist.txt"), source=path.name)[0]
    assert isinstance(linked, Document) and isinstance(plain, Document)
    assert linked.text == plain.text
    assert (linked.title, linked.date, linked.authors, linked.images) == (
        plain.title, plain.date, plain.authors, plain.images
    )
    assert regex.search(r"\[\d+\]", linked.text) is None
    # Every input line is explained, the link numbers and the list with it.
    rows = render_explanation(read(path)).splitlines()
    assert f"{len(read(path).splitlines()):>5}  DROP" in "\n".join(rows)
    assert any("[4]" in row for row in rows)


@pytest.mark.parametrize("path", LYNX_LINKED, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda page: page.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda page: page.replace("\nReferences\n", "\nReferences  \n"),
                     id="trailing-spaces"),
    ],
)
def test_a_lynx_dump_saved_with_crlf_or_trailing_spaces_cleans_as_it_is(
    path: Path, variant: Callable[[str], str]
) -> None:
    # QA: its "References" line was looked for as "\nReferences\n": a page
    # saved on Windows kept its link numbers and list, and lost its title,
    # its authors and up to 27 paragraphs.
    page = read(path)
    changed = variant(page)
    assert changed != page
    want, got = clean(page), clean(changed)
    assert (got.title, got.authors, got.text) == (want.title, want.authors, want.text)


def test_a_page_whose_references_are_no_link_list_keeps_its_brackets() -> None:
    # A "References" subheading over sources, and a citation mark "[1]" in
    # a sentence: no lynx link list, nothing taken out.
    page = (
        "The study[1]found what others had missed.\n\nReferences\n\n"
        "Smith, J. (2020). A paper. Journal of Things.\n"
    )
    assert split_link_list(page) is None
    assert "The study[1]found" in undo_layout(page).text
