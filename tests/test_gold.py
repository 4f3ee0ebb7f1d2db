"""The gold files, the scoring that uses them, and dw-clean measured against them.

(a) The gold files are checked against the dumps they describe, so a typo or a
    wrong paragraph in a gold file fails here rather than skewing every score.
(b) An F1 gate over all dumps: dw-clean must not fall below the pinned floor.
(c) Per page, on its resiliparse dump (the main input form): no chrome line
    survives, and title and date are right.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import pytest

import cleaner
from cleaner.document import RECORD_FIELDS
from cleaner.evaluation import (
    DumpResult,
    Gold,
    Prediction,
    date_in_dump,
    evaluate_dump,
    normalise_line,
    normalised_lines,
    score_lines,
    split_gold,
    summarise,
    surviving_chrome,
    title_in_dump,
    title_matches,
)
from cleaner.formats import clean_any, detect_format
from cleaner.formats.markdown import markdown_to_dump

# raised as the cleaner improves; never lowered silently
F1_FLOOR = 0.99  # measured 0.994 (65 dumps, 11 pages, 9 of them hard-wrapped) on 2026-11-22

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOLD_DIR = FIXTURES / "gold"
DUMPS_DIR = FIXTURES / "dumps"
GOLD_PATHS = sorted(GOLD_DIR.glob("*.json"))
PAGES = [path.stem for path in GOLD_PATHS]
DUMP_PATHS = sorted(DUMPS_DIR.glob("*.txt"))

# A DW <title> ends in " | DW | 19.01.2020" (old) or " – DW – 13.06.2023" (new);
# the gold title is the headline as the reader sees it, without that suffix.
TITLE_SUFFIX_RE = re.compile(r"\s[|–-]\s*DW\s*[|–-]")


@cache
def gold(page: str) -> Gold:
    return Gold.from_dict(json.loads((GOLD_DIR / f"{page}.json").read_text(encoding="utf-8")))


@cache
def dump_text(name: str) -> str:
    return (DUMPS_DIR / name).read_text(encoding="utf-8")


def page_of(dump_path: Path) -> str:
    return dump_path.name.partition(".")[0]


def main_dump(page: str) -> str:
    """The resiliparse dump: the form the seeds come in and the cleaner exists for."""
    return f"{page}.resiliparse.txt"


@cache
def cleaned(name: str) -> cleaner.Document:
    # As a user's run would: the format detected (html2text dumps are markdown).
    return clean_any(dump_text(name), source=f"fixtures/dumps/{name}")


def reference_text(name: str) -> str:
    """What gold lines are looked for in: a markdown dump's plain text."""
    text = dump_text(name)
    if detect_format(text, name=name) == "markdown":
        return markdown_to_dump(text).text
    return text


# --- (a) the gold files themselves -------------------------------------------------


def test_every_dump_has_a_gold_file_and_every_gold_file_a_main_dump() -> None:
    assert PAGES, "no gold files found"
    assert {page_of(path) for path in DUMP_PATHS} == set(PAGES)
    for page in PAGES:
        assert (DUMPS_DIR / main_dump(page)).is_file(), page


@pytest.mark.parametrize("page", PAGES)
def test_gold_fields_are_well_formed(page: str) -> None:
    raw = json.loads((GOLD_DIR / f"{page}.json").read_text(encoding="utf-8"))
    assert raw["page"] == page
    assert re.fullmatch(r"[a-z]{2}", raw["language"])
    assert raw["layout"] in {"old", "new"}
    assert dt.date.fromisoformat(raw["date"]).isoformat() == raw["date"]
    title = raw["title"]
    assert title.strip() == title and title, "title must be non-empty and stripped"
    assert not TITLE_SUFFIX_RE.search(title), "title must not carry the ' | DW | date' suffix"
    assert raw["notes"].strip(), "every gold file explains its judgement calls"
    # Metadata uses the record's own field names, so it can be compared with Document.to_dict().
    assert set(raw.get("metadata", {})) <= set(RECORD_FIELDS)


@pytest.mark.parametrize("page", PAGES)
def test_gold_lines_are_whitespace_normalised(page: str) -> None:
    for line in (*gold(page).body, *gold(page).chrome):
        assert line and line == " ".join(line.split()), repr(line)


@pytest.mark.parametrize("page", PAGES)
def test_every_body_paragraph_is_in_the_resiliparse_dump(page: str) -> None:
    split = split_gold(gold(page).body, dump_text(main_dump(page)))
    assert split.missing == []


@pytest.mark.parametrize("page", PAGES)
def test_every_chrome_line_is_in_the_resiliparse_dump(page: str) -> None:
    dump_keys = set(normalised_lines(dump_text(main_dump(page))))
    assert [line for line in gold(page).chrome if normalise_line(line) not in dump_keys] == []


@pytest.mark.parametrize("page", PAGES)
def test_no_chrome_line_is_also_body(page: str) -> None:
    body_keys = {normalise_line(line) for line in gold(page).body}
    assert [line for line in gold(page).chrome if normalise_line(line) in body_keys] == []


@pytest.mark.parametrize("page", PAGES)
def test_title_and_date_forms_occur_in_the_page_dumps(page: str) -> None:
    texts = [dump_text(path.name) for path in DUMP_PATHS if page_of(path) == page]
    assert any(title_in_dump(gold(page).title, text) for text in texts)
    for form in gold(page).date_forms:
        assert any(date_in_dump([form], text) for text in texts), form


# --- the scoring the gate relies on ------------------------------------------------


@pytest.mark.parametrize(
    ("rendered", "expected"),
    [
        ("**Heard it through the grape vine**", "heard it through the grape vine"),
        ('  * [ Albanian Shqip](/sq/fokus/s-10250 "FOKUS")', "albanian shqip"),
        ("## Wer ist Boris Nadeschdin?", "wer ist boris nadeschdin?"),
        ('Marke "be\\_strong"', 'marke "be_strong"'),
        ("Glaube05.06.20235\\. Juni 2023", "glaube05.06.20235. juni 2023"),
        ("Germany′s „Frühburgunder“", 'germany\'s "frühburgunder"'),
        ("  •   Date\u00a010.06.2013 ", "date 10.06.2013"),
        ("---", "---"),
    ],
)
def test_normalise_line_strips_renderer_markup(rendered: str, expected: str) -> None:
    assert normalise_line(rendered) == expected


def test_score_lines_is_character_weighted_multiset_matching() -> None:
    body = ["A long first paragraph.", "Short."]
    dump = "Menu\nA long first paragraph.\nShort.\nFooter"
    score = score_lines("A long first paragraph.\nA long first paragraph.\nMenu", body, dump)
    assert score.correct_chars == len("a long first paragraph.")
    assert score.output_chars == 2 * len("a long first paragraph.") + len("menu")
    assert score.recall == len("a long first paragraph.") / len("a long first paragraph.short.")
    assert score.missed == ["Short."]
    assert score.wrong == ["A long first paragraph.", "Menu"]


def test_gold_lines_the_renderer_lost_are_not_held_against_the_cleaner() -> None:
    score = score_lines("Kept.", ["Kept.", "Lost by the renderer."], "Kept.\nNav")
    assert score.recall == 1.0
    assert score.missing_from_dump == ["Lost by the renderer."]


W3M_PAGES = [page for page in PAGES if (DUMPS_DIR / f"{page}.w3m.txt").exists()]


@pytest.mark.parametrize("page", W3M_PAGES)
def test_a_hard_wrapped_dump_holds_paragraphs_broken_at_a_hyphen(page: str) -> None:
    # w3m drops no paragraph, it only wraps them, and it breaks a line before
    # a hyphen too ("Patriot" / "-Flugabwehrsysteme", "known" / "- around"):
    # such a paragraph is in the dump, and the cleaner is scored on it.
    assert split_gold(gold(page).body, dump_text(f"{page}.w3m.txt")).missing == []


# --- (b) the F1 gate ---------------------------------------------------------------


def dw_clean_results() -> list[DumpResult]:
    results = []
    for path in [*DUMP_PATHS, *sorted(DUMPS_DIR.glob("*.md"))]:
        doc = cleaned(path.name)
        prediction = Prediction(doc.text, doc.title, doc.date, doc.language)
        results.append(evaluate_dump(prediction, gold(page_of(path)), reference_text(path.name)))
    return results


def test_dw_clean_micro_f1_stays_above_the_floor() -> None:
    summary = summarise(dw_clean_results())
    assert summary.lines.f1 >= F1_FLOOR, (
        f"micro F1 {summary.lines.f1:.4f} < floor {F1_FLOOR}; "
        "run scripts/evaluate.py --per-dump --verbose to see which lines moved"
    )


# --- (c) per page, on the resiliparse dump -----------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_no_chrome_survives(page: str) -> None:
    assert surviving_chrome(cleaned(main_dump(page)).text, gold(page).chrome) == []


@pytest.mark.parametrize("page", PAGES)
def test_title_is_right(page: str) -> None:
    doc = cleaned(main_dump(page))
    assert title_matches(doc.title, gold(page).title), doc.title


PAGES_WITH_HEADINGS = [page for page in PAGES if "headings" in gold(page).metadata]


@pytest.mark.parametrize("page", PAGES_WITH_HEADINGS)
def test_subheadings_are_headings(page: str) -> None:
    # Quotes set as subheadings ('"In Vilnius fühle ich mich wohl"') included.
    assert cleaned(main_dump(page)).headings == list(gold(page).metadata["headings"])


# inscriptis leaves out alt text and sets an old-layout caption apart from the
# paragraphs by its indentation alone.
OLD_LAYOUT_INSCRIPTIS_DUMPS = [
    f"{page}.inscriptis.txt"
    for page in PAGES
    if gold(page).layout == "old" and (DUMPS_DIR / f"{page}.inscriptis.txt").exists()
]


@pytest.mark.parametrize("name", OLD_LAYOUT_INSCRIPTIS_DUMPS)
def test_inscriptis_captions_are_image_metadata(name: str) -> None:
    page = gold(page_of(DUMPS_DIR / name))
    doc = cleaned(name)
    assert surviving_chrome(doc.text, page.chrome) == []
    # Taken for subheadings, or for the alt text of the subheading below them.
    assert doc.headings == list(page.metadata.get("headings", []))
    # The captions the resiliparse dump gives (with their alt lines) that
    # inscriptis renders are captions here too.
    rendered = {" ".join(line.split()) for line in dump_text(name).splitlines()}
    expected = {
        image.caption
        for image in cleaned(main_dump(page.page)).images
        if image.caption in rendered
    }
    assert expected <= {image.caption for image in doc.images}


# `inscript -i` writes each image's alt text in brackets on a line of its own
# ("[Maji-Maji warriors in 1906 (Downluke)]"), apart from the caption below.
INSCRIPTIS_IMAGES_DUMPS = sorted(path.name for path in DUMPS_DIR.glob("*.inscriptis-images.txt"))


@pytest.mark.parametrize("name", INSCRIPTIS_IMAGES_DUMPS)
def test_inscriptis_alt_text_in_brackets_is_image_metadata(name: str) -> None:
    # The same images as resiliparse's alt lines give: alt (without the
    # brackets), caption and credit, none of them a subheading or a paragraph.
    doc = cleaned(name)
    resiliparse = cleaned(main_dump(page_of(DUMPS_DIR / name)))
    assert doc.images == resiliparse.images
    assert doc.headings == resiliparse.headings
    assert not [line for line in doc.text.split("\n\n") if line.startswith("[")]


@pytest.mark.parametrize("page", PAGES)
def test_date_is_right(page: str) -> None:
    doc = cleaned(main_dump(page))
    if date_in_dump(gold(page).date_forms, dump_text(main_dump(page))):
        assert doc.date == gold(page).date
    else:
        # The dump only says "vor 3 Stunden": no date can be read, and none may be invented.
        assert doc.date is None


# --- known failures ------------------------------------------------------------------

TRAFILATURA_IMAGES = sorted(DUMPS_DIR.glob("*.trafilatura-images.txt"))


@pytest.mark.xfail(
    strict=True,
    reason=(
        "trafilatura --images keeps the old layout's captions as bare lines, with no "
        "credit and no image; a caption and a subheading are then both a short line "
        "between paragraphs, and no structural signal tells them apart"
    ),
)
def test_captions_in_trafilatura_images_output_are_not_headings() -> None:
    assert len(TRAFILATURA_IMAGES) == len(PAGES) - 2  # every HTML page (not the seeds)
    captions_as_headings = {
        path.name: [
            heading
            for heading in cleaned(path.name).headings
            if normalise_line(heading) in {normalise_line(c) for c in gold(page_of(path)).chrome}
        ]
        for path in TRAFILATURA_IMAGES
    }
    assert {name: found for name, found in captions_as_headings.items() if found} == {}
