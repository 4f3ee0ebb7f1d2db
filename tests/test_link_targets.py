"""Text dumps whose renderer wrote each link's target after its text
(resiliparse's `extract_plain_text(links=True)`: "Europa (/de/europa/s-12322)"):
read without the targets, as the same page rendered without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import clean
from cleaner.document import Document
from cleaner.explain import render_explanation
from cleaner.formats import to_documents
from cleaner.unwrap import split_link_targets

DUMPS = Path(__file__).resolve().parent.parent / "fixtures" / "dumps"
RESILIPARSE = sorted(DUMPS.glob("*.resiliparse.txt"))
NOTICE = (
    "To view this video please enable JavaScript, and consider upgrading to a web browser that"
    " supports HTML5 video"
)
SHARE_LINE = (
    " (https://www.facebook.com/sharer/sharer.php?u=https://p.dw.com/p/4boRv%3Fmaca%3Dde)"
    " (whatsapp://send?text=Russland-Wahl%3A%20Nadeschdin) (mailto:?body=https://p.dw.com/p/4boRv)"
)
# How resiliparse writes them: after a space (several after a list item's text),
# a path, a URL of any scheme, or an image link's fragment.
TARGETS = ("     (/de/europa/s-12322)", " (https://corporate.dw.com/de/profil/s-30626)", " (#)")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def record(doc: Document) -> tuple[object, ...]:
    return (doc.title, doc.date, doc.text, doc.authors, doc.images, doc.videos, doc.gallery)


def with_targets(page: str) -> tuple[str, int]:
    """The page as a renderer that writes link targets gives it: a target
    after every third line of text, one inside a paragraph, and a line of
    share links' targets alone every seventh line; and the number of those."""
    out: list[str] = []
    alone = 0
    for index, line in enumerate(page.splitlines()):
        linked = line + TARGETS[index % len(TARGETS)] if line.strip() and index % 3 == 0 else line
        if len(linked.split()) > 20:
            words = linked.split(" ")
            linked = " ".join([*words[:5], "(/de/wladimir-putin/t-17289915)", *words[5:]])
        out.append(linked)
        if index % 7 == 3:
            out.append(SHARE_LINE)
            alone += 1
    return "\n".join(out) + "\n", alone


def test_a_video_notice_with_its_link_target_is_still_the_notice() -> None:
    # QA: resiliparse with links=True wrote "... supports HTML5 video
    # (https://videojs.com/html5-video-support/)": the table no longer knew the
    # notice, the page lost its three videos and the paragraphs under the
    # players went to `gallery`.
    page = read(DUMPS / "de-new-2023-06-13.resiliparse.txt")
    assert page.count(NOTICE) == 3
    linked = page.replace(NOTICE, NOTICE + " (https://videojs.com/html5-video-support/)")
    want, got = clean(page), clean(linked)
    assert len(want.videos) == 3
    assert record(got) == record(want)
    assert got.removed == want.removed


@pytest.mark.parametrize("path", RESILIPARSE, ids=lambda p: p.name)
def test_a_dump_with_link_targets_cleans_as_without_them(path: Path) -> None:
    page = read(path)
    linked, alone = with_targets(page)
    want, got = clean(page), clean(linked)
    assert record(got) == record(want)
    # The lines that were nothing but targets are markup, the others as before.
    assert got.removed == want.removed | {"markup": want.removed.get("markup", 0) + alone}


def test_explain_shows_every_input_line_with_its_targets() -> None:
    page, alone = with_targets(read(DUMPS / "de-old-2022-01.resiliparse.txt"))
    rows = [
        row for row in render_explanation(page).splitlines()[2:] if not row.startswith("#")
    ]
    assert len(rows) == len(page.splitlines())
    target_rows = [row for row in rows if "structure:link_targets" in row]
    assert len(target_rows) == alone
    assert all("DROP  markup" in row and "(whatsapp://" in row for row in target_rows)
    # A line read without its target is shown as it was written.
    assert any("(/de/europa/s-12322)" in row for row in rows if "structure:link" not in row)


def test_a_page_with_a_link_or_two_in_brackets_keeps_them() -> None:
    # A sentence that cites a URL in brackets is the article's: two such lines
    # do not make a page of link targets.
    page = read(DUMPS / "de-old-2022-01.resiliparse.txt")
    lines = page.splitlines()
    long_lines = [i for i, line in enumerate(lines) if len(line.split()) > 30][:2]
    for i in long_lines:
        lines[i] += " (https://www.example.org/report)"
    cited = "\n".join(lines) + "\n"
    assert split_link_targets(cited) is None
    assert clean(cited).text.count("(https://www.example.org/report)") == 2


def test_a_record_whose_text_has_link_targets_cleans_as_without_them() -> None:
    page = read(DUMPS / "de-new-2024-01-30.resiliparse.txt")
    linked, _ = with_targets(page)
    want, got = (
        to_documents(json.dumps({"text": text}) + "\n", source="pages.jsonl")[0]
        for text in (page, linked)
    )
    assert isinstance(want, Document) and isinstance(got, Document)
    assert record(got) == record(want)
