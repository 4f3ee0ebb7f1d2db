"""Placeholder: the real cleaner is being written (issue 2)."""

from __future__ import annotations

import hashlib

from cleaner.document import Document


def clean(text: str, *, source: str | None = None, url: str | None = None) -> Document:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Document(id=f"sha256-{digest}", source=source, url=url, language=None, title=None,
                    date=None, lead=None, text=text.strip())
