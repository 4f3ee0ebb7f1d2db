"""`dw-clean explain`: every input line with its decision, category and rule.

In the spirit of jusText's `--format=detailed`: one row per input line, so a
user can see why a line was kept or removed and which table entry or structural
rule decided it.
"""

from __future__ import annotations

from cleaner.classify import Page
from cleaner.core import analyse
from cleaner.lines import page_lines
from cleaner.unwrap import CUT_AT_INLINE_ELEMENTS, DOUBLE_SPACED, HARD_WRAPPED

# Width of the line text shown; long paragraphs are cut with an ellipsis.
TEXT_WIDTH = 100


def explain_rows(page: Page) -> list[tuple[int, str, str, str, str]]:
    """(line number, KEEP/DROP/blank, category, rule, line text) per line of the page."""
    rows = []
    for number, (line, label) in enumerate(zip(page.lines, page.labels, strict=True), start=1):
        if label is None:
            rows.append((number, "", "", "", line.text))
            continue
        decision = "KEEP" if label.kept else "DROP"
        rows.append((number, decision, label.category, label.rule, line.text))
    return rows


def input_rows(
    rows: list[tuple[int, str, str, str, str]], spans: list[int], text: str
) -> list[tuple[int, str, str, str, str]]:
    """The rows of a hard-wrapped dump's joined lines (or a double-spaced
    page's lines), back on its input lines: each input line gets the decision
    of the line it was joined into, a blank one none."""
    inputs = page_lines(text)
    expanded = []
    number = 0
    for row, span in zip(rows, spans, strict=True):
        for _ in range(span):
            line_text = " ".join(inputs[number].split())
            if line_text:
                expanded.append((number + 1, row[1], row[2], row[3], line_text))
            else:
                expanded.append((number + 1, "", "", "", ""))
            number += 1
    return expanded


def _shorten(text: str) -> str:
    return text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"


def render_explanation(
    text: str, *, source: str | None = None, keep_gallery: bool = False, fmt: str = "text"
) -> str:
    """The explanation of a page; for markdown and HTML (`fmt` other than
    "text", or "auto"), of the text dump the cleaner made of it."""
    if fmt == "text":
        page = analyse(text, keep_gallery=keep_gallery)
    else:
        from cleaner.formats import analyse_any  # noqa: PLC0415 - formats import this module's users

        page = analyse_any(text, fmt=fmt, source=source, keep_gallery=keep_gallery)
    return render_page(page, text, source=source)


def render_page(page: Page, text: str, *, source: str | None = None) -> str:
    """The explanation of a labelled page read from `text` (for the rows of
    the input lines, where its layout was undone)."""
    rows = explain_rows(page)
    if page.input_spans is not None:
        rows = input_rows(rows, page.input_spans, text)
    rule_width = max((len(row[3]) for row in rows), default=4)
    out = [
        f"# {source}" if source else "# <text>",
        f"{'line':>5}  {'do':4}  {'category':12}  {'rule':{rule_width}}  text",
    ]
    for number, decision, category, rule, line_text in rows:
        row = (
            f"{number:>5}  {decision:4}  {category:12}  {rule:{rule_width}}  {_shorten(line_text)}"
        )
        out.append(row.rstrip())
    kept = sum(1 for row in rows if row[1] == "KEEP")
    dropped = sum(1 for row in rows if row[1] == "DROP")
    out.append(f"# {kept} lines kept, {dropped} removed, {len(rows) - kept - dropped} blank")
    if page.input_layout == HARD_WRAPPED:
        out.append("# hard-wrapped: lines that the wrapper broke were joined before cleaning")
    elif page.input_layout == DOUBLE_SPACED:
        out.append("# double-spaced: read without the blank line after every line")
    elif page.input_layout == CUT_AT_INLINE_ELEMENTS:
        out.append(
            "# cut at inline elements: the pieces of a sentence (a link, an emphasis)"
            " were joined before cleaning"
        )
    return "\n".join(out) + "\n"
