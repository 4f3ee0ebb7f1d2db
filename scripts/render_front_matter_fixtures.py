"""Render the HTML pages in fixtures/html/ with trafilatura's metadata header.

`trafilatura --with-metadata` (the Python API's `with_metadata=True`) writes a
YAML-like header above its txt and markdown output:

    ---
    title: "Headline – DW – 30.01.2024"
    author: Jennifer Pahlke
    url: https://www.dw.com/de/.../a-68117411
    ...
    ---

Scrapers keep that output as it is, so the readers of text and markdown dumps
are tested on it, from pages whose title, date and authors are known
(fixtures/gold/).

Run from the repository root (re-running rewrites the same bytes with the same
trafilatura version):

    /work/venv/bin/python scripts/render_front_matter_fixtures.py

Output: fixtures/front-matter/<page>.trafilatura-meta.txt (txt output) and
<page>.trafilatura-meta.md (markdown output), UTF-8, "\\n" line ends, one final
newline; trafilatura's defaults otherwise, as users run it.
"""

from __future__ import annotations

import sys

import trafilatura
from fixture_rendering import ROOT, dirs_parser, normalise_output, shown

OUT_DIR = ROOT / "fixtures" / "front-matter"
# trafilatura's output format -> the fixture's extension.
OUTPUTS = {"txt": ".txt", "markdown": ".md"}


def render(html: str, output_format: str) -> str:
    text = trafilatura.extract(html, output_format=output_format, with_metadata=True) or ""
    return normalise_output(text)


def main(argv: list[str] | None = None) -> int:
    args = dirs_parser(__doc__.splitlines()[0], OUT_DIR).parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for html_path in sorted(args.html_dir.glob("*.html")):
        html = html_path.read_text(encoding="utf-8")
        for output_format, extension in OUTPUTS.items():
            out_path = args.out_dir / f"{html_path.stem}.trafilatura-meta{extension}"
            out_path.write_text(render(html, output_format), encoding="utf-8")
            print(shown(out_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
