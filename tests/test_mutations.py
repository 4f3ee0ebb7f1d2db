"""Mutation tests: real pages, damaged the ways real scrapes are damaged.

Each mutation of a fixture page must still lose its chrome and keep its body:
truncated pages, shuffled paragraphs, chrome injected mid-article, Windows
line endings, tabs and non-breaking spaces.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from cleaner import clean, core
from cleaner.evaluation import normalise_line
from cleaner.lines import make_line

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(path.stem for path in (FIXTURES / "gold").glob("*.json"))

# A block of chrome as the new layout renders it, in the middle of an article.
INJECTED_CHROME = [
    "Advertisement",
    "",
    "Bundeskanzler Olaf Scholz bei einer Pressekonferenz",
    "The chancellor spoke to reporters on MondayImage: Michael Kappeler/dpa/picture alliance",
    "",
    "Scholz on the budget crisis",
    "",
    "03:12",
    "",
    "This browser does not support the video element.",
    "",
    "Read more: Germany's budget crisis explained",
]


def load(page: str) -> tuple[str, dict[str, object]]:
    gold = json.loads((FIXTURES / "gold" / f"{page}.json").read_text(encoding="utf-8"))
    dump = FIXTURES / "dumps" / f"{page}.resiliparse.txt"
    return dump.read_text(encoding="utf-8"), gold


def kept(text: str) -> set[str]:
    return {normalise_line(p) for p in clean(text).text.split("\n\n") if p}


def body_of(gold: dict[str, object]) -> set[str]:
    return {normalise_line(p) for p in gold["body"]}  # type: ignore[attr-defined]


def chrome_of(gold: dict[str, object]) -> set[str]:
    return {normalise_line(p) for p in gold["chrome"]}  # type: ignore[attr-defined]


def body_indices(lines: list[str], body: set[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if normalise_line(line) in body]


@pytest.mark.parametrize("page", PAGES)
def test_windows_line_endings_change_nothing(page: str) -> None:
    text, _ = load(page)
    assert clean(text.replace("\n", "\r\n")).to_dict() == clean(text).to_dict()


@pytest.mark.parametrize("page", PAGES)
def test_tabs_and_non_breaking_spaces_change_nothing(page: str) -> None:
    text, _ = load(page)
    rng = random.Random(page)
    mangled = "".join(
        rng.choice(["\u00a0", "\t", " \u00a0"]) if ch == " " and rng.random() < 0.3 else ch
        for ch in text
    )
    assert clean(mangled).text == clean(text).text


@pytest.mark.parametrize("page", PAGES)
def test_chrome_injected_mid_article_is_removed(page: str) -> None:
    text, gold = load(page)
    lines = text.splitlines()
    body = body_indices(lines, body_of(gold))
    middle = body[len(body) // 2]
    injected = [*lines[: middle + 1], "", *INJECTED_CHROME, "", *lines[middle + 1 :]]
    doc = clean("\n".join(injected))
    assert doc.text == clean(text).text
    assert any(image.credit == "Michael Kappeler/dpa/picture alliance" for image in doc.images)
    assert any(video.duration_s == 192 for video in doc.videos)


@pytest.mark.parametrize("page", PAGES)
def test_shuffled_paragraphs_keep_the_body(page: str) -> None:
    text, gold = load(page)
    lines = text.splitlines()
    body = body_indices(lines, body_of(gold))
    # Shuffle the paragraphs after the lead among their own positions; headings
    # stay where they are, as they would when a scraper reorders paragraphs.
    slots = [i for i in body[1:] if make_line(lines[i]).is_prose]
    shuffled = [lines[i] for i in slots]
    random.Random(page).shuffle(shuffled)
    for slot, line in zip(slots, shuffled, strict=True):
        lines[slot] = line
    out = kept("\n".join(lines))
    assert {normalise_line(lines[i]) for i in body} <= out
    assert not out & chrome_of(gold)


@pytest.mark.parametrize("page", PAGES)
def test_truncated_page_keeps_its_beginning_and_loses_its_chrome(page: str) -> None:
    text, gold = load(page)
    lines = text.splitlines()
    body = body_indices(lines, body_of(gold))
    cut = body[len(body) // 2]
    truncated = "\n".join(lines[: cut + 1])
    out = kept(truncated)
    expected = {normalise_line(lines[i]) for i in body if i <= cut}
    assert expected <= out
    assert not out & chrome_of(gold)
    assert clean(truncated).title == gold["title"]


# A list as a text dump renders <li> items: short lines, no full stops.
INSERTED_LIST = [
    "Abholzung im Amazonasgebiet",
    "Schutz indigener Gebiete",
    "Handel mit Soja und Rindfleisch",
    "Klimaziele bis 2030",
    "Finanzierung des Amazonas-Fonds",
    "Kontrolle illegaler Goldminen",
]


@pytest.mark.parametrize("page", PAGES)
def test_list_after_a_paragraph_stays_article_text(
    page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short lines after prose look like an image's alt text and caption, two
    # by two; a list must not be read as images, nor peeled a pair per pass.
    text, gold = load(page)
    lines = text.splitlines()
    body = body_indices(lines, body_of(gold))
    # Between two paragraphs (the pair nearest the middle), so that no
    # image's alt text follows the list.
    between = [
        i
        for i, after in itertools.pairwise(body)
        if make_line(lines[i]).is_prose
        and make_line(lines[after]).is_prose
        and not any(line.strip() for line in lines[i + 1 : after])
    ]
    if not between:
        pytest.skip("an article of one paragraph: nowhere between two")
    middle = min(between, key=lambda i: abs(i - body[len(body) // 2]))
    items = "\n\n".join(INSERTED_LIST).split("\n")
    listed = "\n".join([*lines[: middle + 1], "", *items, "", *lines[middle + 1 :]])
    passes = []
    original = core.classify_lines
    monkeypatch.setattr(
        core, "classify_lines", lambda *a, **k: passes.append(1) or original(*a, **k)
    )
    doc = clean(listed)
    assert len(passes) <= 3
    assert {normalise_line(item) for item in INSERTED_LIST} <= kept(listed)
    assert doc.images == clean(text).images
