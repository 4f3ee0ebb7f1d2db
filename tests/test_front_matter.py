"""trafilatura's metadata header (`--with-metadata`) above text and markdown dumps.

fixtures/front-matter/ holds trafilatura's txt and markdown output, with the
header, of the nine real pages of fixtures/html/ (see its README). The header
must give the record's url, title (without DW's suffix), date and authors, and
must not leak into `title` or `text`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cleaner.document import Document
from cleaner.formats import analyse_any, to_documents
from cleaner.formats.frontmatter import FRONT_MATTER, split_front_matter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DUMPS = sorted((FIXTURES / "front-matter").glob("*.trafilatura-meta.*"))
# Names trafilatura writes as `author` that are the site, not a person.
SITE_NAMES = {"Deutsche Welle", "DW", "DW.COM", "dw.com"}


def page_of(path: Path) -> str:
    return path.name.split(".", 1)[0]


@cache
def gold(page: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "gold" / f"{page}.json").read_text("utf-8"))
    return data


def header_lines(text: str) -> list[str]:
    """The header as the test reads it: from the first "---" line to the next."""
    lines = text.split("\n")
    return lines[: lines.index("---", 1) + 1]


def clean(path: Path) -> Document:
    (document,) = to_documents(path.read_text(encoding="utf-8"), source=str(path))
    assert isinstance(document, Document)
    return document


def test_every_page_is_there_in_both_outputs() -> None:
    pages = sorted(p.stem for p in (FIXTURES / "html").glob("*.html"))
    assert sorted(page_of(p) for p in DUMPS if p.suffix == ".txt") == pages
    assert sorted(page_of(p) for p in DUMPS if p.suffix == ".md") == pages


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_the_header_gives_url_title_and_date(path: Path) -> None:
    document = clean(path)
    expected = gold(page_of(path))
    header = header_lines(path.read_text(encoding="utf-8"))
    url = next(line.split(": ", 1)[1] for line in header if line.startswith("url: "))
    assert document.url == url
    assert document.title == expected["title"]
    assert document.date == expected["date"]


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_the_header_leaves_the_text_and_is_counted(path: Path) -> None:
    document = clean(path)
    header = header_lines(path.read_text(encoding="utf-8"))
    text_lines = set(document.text.split("\n"))
    for line in header:
        assert line not in text_lines
    assert "fingerprint:" not in document.text
    assert document.removed[FRONT_MATTER] == len(header)
    assert "no_dw_chrome" not in document.warnings


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_the_site_is_no_author(path: Path) -> None:
    document = clean(path)
    assert not SITE_NAMES & set(document.authors)
    header = header_lines(path.read_text(encoding="utf-8"))
    (author,) = (line.split(": ", 1)[1] for line in header if line.startswith("author: "))
    if author not in SITE_NAMES:  # the new layout names its writers
        assert document.authors[: len(gold(page_of(path))["metadata"]["authors"])] == (
            gold(page_of(path))["metadata"]["authors"]
        )


def test_trafilatura_s_own_date_comes_last() -> None:
    # htmldate read 2013-02-04 on this 2023 page; the title's suffix says 14.03.2023.
    path = FIXTURES / "front-matter" / "de-old-2023-03-14.trafilatura-meta.txt"
    text = path.read_text(encoding="utf-8")
    assert 'date: "2013-02-04"' in text
    assert clean(path).date == "2023-03-14"
    # Without the suffix, and with no date line in the text, the header's date is all there is.
    plain = text.replace(" | DW | 14.03.2023", "")
    (document,) = to_documents(plain, source="page.txt")
    assert isinstance(document, Document)
    assert (document.title, document.date) == (
        "Habeck will besseren Schutz für Brasiliens Regenwald",
        "2013-02-04",
    )


def test_explain_shows_the_header_lines() -> None:
    path = FIXTURES / "front-matter" / "en-old-2013-uncork.trafilatura-meta.txt"
    text = path.read_text(encoding="utf-8")
    page = analyse_any(text, source=str(path))
    count = len(header_lines(text))
    assert [label.category if label else None for label in page.labels[:count]] == (
        [FRONT_MATTER] * count
    )
    assert [line.raw for line in page.lines[:count]] == header_lines(text)
    assert page.labels[count] is not None and page.labels[count].category == "body"


@pytest.mark.parametrize(
    "title_line",
    [
        # trafilatura 2 writes a JSON string where plain YAML would misread the value.
        '"Libanon: (Wirtschafts-)Krise ohne Ende | DW | 25.03.2023"',
        # trafilatura 1 wrote every value plain.
        "Libanon: (Wirtschafts-)Krise ohne Ende | DW | 25.03.2023",
    ],
)
def test_both_quoting_styles_and_crlf(title_line: str) -> None:
    header = [
        "---",
        f"title: {title_line}",
        "author: Diana Hodali",
        "url: https://www.dw.com/de/libanon-wirtschafts-krise-ohne-ende/a-65106525",
        "sitename: DW.COM",
        'date: "2022-11-06"',
        "---",
    ]
    text = "\r\n".join([*header, "Der Libanon ist pleite.", ""])
    fields, lines, rest = split_front_matter(text)
    assert fields["title"] == "Libanon: (Wirtschafts-)Krise ohne Ende | DW | 25.03.2023"
    assert fields["date"] == "2022-11-06"
    assert lines == header
    assert rest == "Der Libanon ist pleite.\r\n"
    (document,) = to_documents(text, source="page.txt")
    assert isinstance(document, Document)
    assert document.title == "Libanon: (Wirtschafts-)Krise ohne Ende"
    assert document.authors == ["Diana Hodali"]
    assert document.text == "Der Libanon ist pleite."


@pytest.mark.parametrize(
    "text",
    [
        "---\nNote: this is not a header\n---\nDer Libanon ist pleite.\n",
        "---\nDer Libanon ist pleite.\n",
        "---\ntitle: x\n" + "tags: y\n" * 40 + "---\nDer Libanon ist pleite.\n",
    ],
    ids=["unknown-field", "prose", "no-closing-fence-nearby"],
)
def test_a_rule_line_is_no_header(text: str) -> None:
    assert split_front_matter(text) == ({}, [], text)


def test_a_header_of_another_site_still_warns_no_dw_chrome() -> None:
    text = (
        "---\ntitle: A post\nurl: https://example.org/post\n---\n"
        "Nothing on this page looks like a page of DW, and it is kept as it is.\n"
    )
    (document,) = to_documents(text, source="page.txt")
    assert isinstance(document, Document)
    assert document.url == "https://example.org/post"
    assert document.warnings == ["no_dw_chrome"]


def _body_parts(document: Document) -> tuple[object, ...]:
    return document.headings, document.text.split("\n\n")


@pytest.mark.parametrize(
    "page", sorted({page_of(path) for path in DUMPS}), ids=lambda page: page
)
def test_a_hard_wrapped_text_under_the_header_is_unwrapped(page: str) -> None:
    # trafilatura's header of the page above the page's w3m dump (wrapped at 80
    # columns): the text reads as the w3m dump alone does, unwrapped.
    meta = FIXTURES / "front-matter" / f"{page}.trafilatura-meta.txt"
    header = "\n".join(header_lines(meta.read_text(encoding="utf-8")))
    wrapped = (FIXTURES / "dumps" / f"{page}.w3m.txt").read_text(encoding="utf-8")
    (alone,) = to_documents(wrapped, source=f"{page}.w3m.txt")
    (under_header,) = to_documents(f"{header}\n{wrapped}", source=f"{page}.w3m.txt")
    assert isinstance(alone, Document)
    assert isinstance(under_header, Document)
    assert _body_parts(under_header) == _body_parts(alone)
