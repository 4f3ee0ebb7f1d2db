"""Markdown's reference links and images (html2text with `inline_links=False`:
"[text][1]", "![alt][2]", the "[1]: url" definitions at the end; CommonMark's
"[text][]" and "[text]" too): flattened as inline ones are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.formats import clean_any

DUMPS = Path(__file__).resolve().parent.parent / "fixtures" / "dumps"
HTML2TEXT = sorted(DUMPS.glob("*.html2text.txt"))
# An inline link or image (its text may hold one level of brackets: an image
# inside a link), with its target and an optional title.
_INLINE = re.compile(r'(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^()\s]*)(?: "[^()]*")?\)')


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def with_references(page: str, style: str) -> tuple[str, int]:
    """The page with its inline links and images written as references
    (`style`: "numbered" "[text][1]", "collapsed" "[text][]", "shortcut"
    "[text]"), their definitions at the end, as html2text writes them; and
    the number of definitions."""
    definitions: dict[str, str] = {}

    def reference(match: re.Match[str]) -> str:
        bang, text, target = match.groups()
        # (CommonMark's labels are up to 999 characters: a long alt text is numbered.)
        named = style != "numbered" and text and "[" not in text and len(text) < 200
        label = text if named else ""
        if label.casefold() in (known.casefold() for known in definitions):
            return f"{bang}[{text}][{label}]" if style == "collapsed" else f"{bang}[{text}]"
        if not label:
            label = str(len(definitions) + 1)
            definitions[label] = target
            return f"{bang}[{text}][{label}]"
        definitions[label] = target
        return f"{bang}[{text}][]" if style == "collapsed" else f"{bang}[{text}]"

    while (changed := _INLINE.sub(reference, page)) != page:
        page = changed
    listed = "".join(f"   [{label}]: {target}\n" for label, target in definitions.items())
    return f"{page}\n\n{listed}", len(definitions)


def record(doc: Document) -> tuple[object, ...]:
    return (doc.title, doc.date, doc.text, doc.authors, doc.images, doc.videos, doc.gallery)


@pytest.mark.parametrize("style", ["numbered", "collapsed", "shortcut"])
@pytest.mark.parametrize("path", HTML2TEXT, ids=lambda p: p.name)
def test_reference_links_and_images_clean_as_inline_ones(path: Path, style: str) -> None:
    # QA: html2text's "![alt][2]" gave an image alt "[][1] [][2]" and a
    # caption "!A new street sign...", and its icon links "[][143] [][144]"
    # stayed in `text`.
    page = read(path)
    referenced, defined = with_references(page, style)
    assert defined > 20
    want = clean_any(page, source=path.name)
    got = clean_any(referenced, source=path.name)
    assert record(got) == record(want)
    assert not re.search(r"\[\d*\]", got.text)
    # The definitions are markup; nothing else is counted otherwise.
    assert got.removed == want.removed | {"markup": want.removed.get("markup", 0) + defined}


def test_brackets_that_name_no_definition_stay_text() -> None:
    # CommonMark reads "[sic]" as text when no "[sic]: ..." defines it.
    page = read(DUMPS / "en-old-2020-colonial.html2text.txt")
    lead = clean_any(page).lead
    assert lead is not None
    referenced, _ = with_references(page, "shortcut")
    words = lead.split(" ")
    quoted = " ".join([*words[:3], "[sic]", *words[3:]])
    doc = clean_any(referenced.replace(lead, quoted))
    assert doc.lead == quoted
