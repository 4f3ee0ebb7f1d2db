"""What the fixture renderers (`scripts/render_*fixtures.py`) share: where the
pages are, the options, and the form every rendered file is written in."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML_DIR = ROOT / "fixtures" / "html"


def normalise_output(text: str) -> str:
    """Unify line ends and the trailing newline, and drop trailing whitespace,
    so reruns give identical bytes."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def dirs_parser(description: str, out_dir: Path) -> argparse.ArgumentParser:
    """--html-dir (the real pages) and --out-dir (where the renders go)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--html-dir", type=Path, default=HTML_DIR)
    parser.add_argument("--out-dir", type=Path, default=out_dir)
    return parser


def shown(path: Path) -> Path:
    """A written file as the script reports it: relative to the repository."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
