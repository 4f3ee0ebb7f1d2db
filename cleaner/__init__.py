"""dw-clean: turn raw scraped Deutsche Welle pages into clean records.

    >>> from cleaner import clean
    >>> doc = clean(page_text, source="page.txt")
    >>> doc.to_dict()["title"]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cleaner.version import __version__

if TYPE_CHECKING:
    from cleaner.core import clean
    from cleaner.document import RECORD_FIELDS, Document, Image, Media

__all__ = ["RECORD_FIELDS", "Document", "Image", "Media", "__version__", "clean"]

# Loaded on first use: the `dw-clean` entry point (cleaner.launch) imports
# this package before it can catch a Ctrl-C, so importing it loads nothing
# heavy. `from cleaner import clean` works as ever.
_LAZY = {
    "clean": "cleaner.core",
    "RECORD_FIELDS": "cleaner.document",
    "Document": "cleaner.document",
    "Image": "cleaner.document",
    "Media": "cleaner.document",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
