"""The gold files of the corpus pages (fixtures/gold/<page>.json), as the
tests that score a dump against its page read them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from cleaner.evaluation import Gold

GOLD_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "gold"


def page_of(path: Path) -> str:
    """The page a dump renders: its name up to the first dot."""
    return path.name.partition(".")[0]


@cache
def gold(page: str) -> Gold:
    path = GOLD_DIR / f"{page}.json"
    return Gold.from_dict(json.loads(path.read_text(encoding="utf-8")))
