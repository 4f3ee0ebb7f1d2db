"""Render the HTML pages in fixtures/html/ into text dumps in fixtures/dumps/.

Users feed dw-clean whatever their scraper wrote: plain text from resiliparse
or inscriptis, markdown from html2text, trafilatura's own extraction, w3m's
hard-wrapped dump, html2text's and pandoc's markdown wrapped at 78 and 72
columns (their defaults). Rendering
each real page with each of those tools gives the test suite and the
evaluation the same variety of input forms, from pages we know the content of.

Run from the repository root (re-running rewrites the same bytes):

    /work/venv/bin/python scripts/render_fixtures.py

Output: fixtures/dumps/<page>.<tool>.txt (`inscript -i`, alt text in
brackets: <page>.inscriptis-images.txt; trafilatura's markdown:
<page>.trafilatura.md; its options --images, --links and --recall:
<page>.trafilatura-images.txt, -links.txt, -recall.txt; html2text at its
default width: <page>.html2text-wrapped.txt; `pandoc -t markdown`, `-t gfm`
and `-t commonmark`: <page>.pandoc.md, .pandoc-gfm.md, .pandoc-commonmark.md;
`links -dump`: <page>.links.txt; `lynx -dump -nolist`: <page>.lynx-nolist.txt;
`lynx -dump`: <page>.lynx.txt; BeautifulSoup's `get_text("\\n")` and
`get_text("\\n", strip=True)`: <page>.bs4.txt, <page>.bs4-strip.txt),
UTF-8, "\\n" line
ends, one final newline. The two
seed dumps (already resiliparse output) are copied as
fixtures/dumps/seed-00N.resiliparse.txt when the shared corpus is at hand.
The constructed pages in fixtures/pages/ that are HTML (a language the corpus
has no page in) are rendered beside themselves as <page>.resiliparse.txt and
<page>.w3m.txt: the unwrapped and the wrapped dump of the page.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import html2text
import trafilatura
from bs4 import BeautifulSoup
from fixture_rendering import ROOT, dirs_parser, normalise_output, shown
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from resiliparse.extract.html2text import extract_plain_text

DUMPS_DIR = ROOT / "fixtures" / "dumps"
CONSTRUCTED_DIR = ROOT / "fixtures" / "pages"
# The seeds live outside the repository; tests only ever read the copies.
SEEDS_DIR = ROOT.parent / "shared" / "corpus" / "seeds"
SEED_NAMES = {
    "000_9910ba9fc400b7a4.txt": "seed-000.resiliparse.txt",
    "001_26d23cd7d08ed03d.txt": "seed-001.resiliparse.txt",
}


def _resiliparse(html: str) -> str:
    # alt_texts=True is what the scraped seeds show: image alt text on its own line.
    return str(extract_plain_text(html, alt_texts=True))


def _resiliparse_main(html: str) -> str:
    return str(extract_plain_text(html, alt_texts=True, main_content=True))


def _inscriptis(html: str) -> str:
    return str(get_text(html))


def _inscriptis_images(html: str) -> str:
    # `inscript -i` (--display-image-captions): each image's alt text on its
    # own line, in square brackets ("[Russland Parlamentswahlen Wahlkommission]").
    return str(get_text(html, ParserConfig(display_images=True)))


def _html2text(html: str) -> str:
    converter = html2text.HTML2Text()
    # No hard wrapping: a paragraph stays one line, as every other renderer has it.
    converter.body_width = 0
    return str(converter.handle(html))


def _html2text_wrapped(html: str) -> str:
    # html2text as users run it: paragraphs wrapped at 78 columns (body_width),
    # words broken after a hyphen too ("deutsch-" / "brasilianischen").
    return str(html2text.HTML2Text().handle(html))


def _trafilatura(**options: bool | str) -> Callable[[str], str]:
    """trafilatura.extract with its defaults otherwise, as users run it, plus
    `options` (its CLI's switches); None (nothing found) -> empty dump."""

    def render(html: str) -> str:
        return trafilatura.extract(html, include_comments=False, **options) or ""

    return render


def _bs4(html: str) -> str:
    # BeautifulSoup as hobbyist scrapers run it, `soup.get_text("\n")`: every
    # text node on a line of its own, a sentence cut at each link ("...gegen
    # Amtsinhaber" / "Wladimir Putin" / " antreten zu dürfen."), the nodes'
    # own spaces and line breaks kept, and the whitespace between elements
    # as blank lines.
    return str(BeautifulSoup(html, "html.parser").get_text("\n"))


def _bs4_strip(html: str) -> str:
    # `soup.get_text("\n", strip=True)`: the same, each node's text stripped
    # (no blank line, no space before a piece), but for the line breaks inside
    # a node's text (a page whose source breaks its paragraphs over indented
    # lines keeps them).
    return str(BeautifulSoup(html, "html.parser").get_text("\n", strip=True))


def _w3m(html: str) -> str:
    # `w3m -dump` as users run it: hard-wrapped at 80 columns, lists marked
    # "•", "□" and "☆". (Debian package w3m; the wrapped form is what
    # cleaner/unwrap.py exists for.)
    return _through(
        ["w3m", "-dump", "-T", "text/html", "-cols", "80", "-I", "UTF-8", "-O", "UTF-8"], html
    )


def _links(html: str) -> str:
    # `links -dump` as users run it: hard-wrapped at 80 columns, lists marked
    # "*" / "o", a form's text field drawn as underscores (DW's old-layout
    # search box), an embedded frame as "IFrame". (Debian package links, 2.28
    # here.) It reads a file, not standard input.
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        command = ["links", "-dump", "-codepage", "utf-8", "-html-assume-codepage", "utf-8"]
        return subprocess.run(
            [*command, str(page)], capture_output=True, text=True, encoding="utf-8", check=True
        ).stdout


def _lynx(html: str) -> str:
    # `lynx -dump -nolist`: hard-wrapped at 80 columns, lists marked "*",
    # "+", "o", "#" by depth, an image's alt text right under the paragraph
    # above it, an embedded frame as "IFRAME: <url>". (Debian package lynx,
    # 2.9.0dev.12 here.)
    return _through(
        ["lynx", "-dump", "-nolist", "-stdin", "-assume_charset=utf-8",
         "-display_charset=utf-8"],
        html,
    )


def _lynx_with_links(html: str) -> str:
    # `lynx -dump`, its default: the same, but every link numbered where it
    # stands ("[12]Inhalt") and listed under "References" at the end (the
    # list names lynx's temporary file: it differs from one render to the next).
    return _through(
        ["lynx", "-dump", "-stdin", "-assume_charset=utf-8", "-display_charset=utf-8"], html
    )


def _pandoc(writer: str) -> Callable[[str], str]:
    """`pandoc -f html -t <writer>` as users run it: wrapped at 72 columns.

    `markdown` writes divs as ":::" fences, attributes in braces, typography in
    ASCII ("---", "'"); `gfm` and `commonmark` have none of those and keep
    what they cannot say as raw HTML (<div>, <figure>, <a target=...>, <img>),
    tags wrapped over lines like the text. (Debian package pandoc, 2.17 here.)
    --sandbox: pandoc would otherwise fetch the pages' iframes, so the output
    would depend on the network.
    """

    def render(html: str) -> str:
        return _through(["pandoc", "--sandbox", "-f", "html", "-t", writer], html)

    return render


def _through(command: list[str], html: str) -> str:
    """What a command-line renderer writes for `html` on its standard input."""
    return subprocess.run(
        command, input=html, capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout


# Tool name and extension (the file name's end) -> renderer. Order is the
# order files are written.
RENDERERS: dict[str, Callable[[str], str]] = {
    "resiliparse.txt": _resiliparse,
    "resiliparse-main.txt": _resiliparse_main,
    "inscriptis.txt": _inscriptis,
    "inscriptis-images.txt": _inscriptis_images,
    "html2text.txt": _html2text,
    "html2text-wrapped.txt": _html2text_wrapped,
    "trafilatura.txt": _trafilatura(output_format="txt"),
    # `--images`: on DW's old layout the picture boxes' captions come through
    # as lines of their own (the images themselves, and the credits, do not).
    "trafilatura-images.txt": _trafilatura(output_format="txt", include_images=True),
    # `--links`: links as markdown ("[text](url)"), still one paragraph a
    # line and no blank line anywhere.
    "trafilatura-links.txt": _trafilatura(output_format="txt", include_links=True),
    # `--recall`: more of the page is kept (on DW's old layout the kicker and
    # the headline above the lead, and some teasers).
    "trafilatura-recall.txt": _trafilatura(output_format="txt", favor_recall=True),
    # `--markdown`: on DW's new layout the date line stands right above the
    # lead paragraph, with no blank line between them.
    "trafilatura.md": _trafilatura(output_format="markdown"),
    "w3m.txt": _w3m,
    "links.txt": _links,
    "lynx-nolist.txt": _lynx,
    "lynx.txt": _lynx_with_links,
    "pandoc.md": _pandoc("markdown"),
    "pandoc-gfm.md": _pandoc("gfm"),
    "pandoc-commonmark.md": _pandoc("commonmark"),
    "bs4.txt": _bs4,
    "bs4-strip.txt": _bs4_strip,
}


# What a constructed page is rendered with: the wrapped dump and its reference.
CONSTRUCTED_RENDERERS = ("resiliparse.txt", "w3m.txt")


def render_page(html_path: Path, out_dir: Path, tools: Iterable[str] = RENDERERS) -> list[Path]:
    html = html_path.read_text(encoding="utf-8")
    written = []
    for tool in tools:
        render = RENDERERS[tool]
        out_path = out_dir / f"{html_path.stem}.{tool}"
        out_path.write_text(normalise_output(render(html)), encoding="utf-8")
        written.append(out_path)
    return written


def copy_seeds(seeds_dir: Path, out_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        print(f"note: {seeds_dir} not found, keeping the committed seed copies", file=sys.stderr)
        return []
    written = []
    for source_name, target_name in SEED_NAMES.items():
        target = out_dir / target_name
        # Byte copy: the seeds are the scraped form itself and must stay untouched.
        shutil.copyfile(seeds_dir / source_name, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = dirs_parser(__doc__.splitlines()[0], DUMPS_DIR)
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = copy_seeds(args.seeds_dir, args.out_dir)
    for html_path in sorted(args.html_dir.glob("*.html")):
        written.extend(render_page(html_path, args.out_dir))
    for html_path in sorted(CONSTRUCTED_DIR.glob("*.html")):
        written.extend(render_page(html_path, CONSTRUCTED_DIR, CONSTRUCTED_RENDERERS))
    for path in written:
        print(shown(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
