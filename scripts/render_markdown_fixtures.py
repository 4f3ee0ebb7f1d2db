"""Render the HTML pages in fixtures/html/ as markdown with markdownify.

html2text renders of the same pages already exist (`scripts/render_fixtures.py`,
`<page>.html2text.txt`). markdownify is the other converter scrapers commonly
use, and it writes markdown differently: setext (underlined) headings,
paragraphs that keep the HTML source's line breaks, images wrapped in links. Both
kinds of dump let the markdown reader be tested on real pages.

Run from the repository root (re-running rewrites the same bytes):

    /work/venv/bin/python scripts/render_markdown_fixtures.py

Output: fixtures/dumps/<page>.markdownify.md, UTF-8, "\\n" line ends, one final
newline. markdownify runs with its defaults, as users run it.
"""

from __future__ import annotations

import sys

from fixture_rendering import ROOT, dirs_parser, normalise_output, shown
from markdownify import markdownify

DUMPS_DIR = ROOT / "fixtures" / "dumps"


def render(html: str) -> str:
    """markdownify's output with unified line ends and no trailing whitespace.

    On these pages the only trailing whitespace markdownify writes is on
    otherwise blank lines (no `<br>` hard breaks, which would be "  \\n"), so
    stripping it changes no markdown meaning and keeps reruns byte-identical.
    """
    return normalise_output(str(markdownify(html)))


def main(argv: list[str] | None = None) -> int:
    args = dirs_parser(__doc__.splitlines()[0], DUMPS_DIR).parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for html_path in sorted(args.html_dir.glob("*.html")):
        out_path = args.out_dir / f"{html_path.stem}.markdownify.md"
        out_path.write_text(render(html_path.read_text(encoding="utf-8")), encoding="utf-8")
        print(shown(out_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
