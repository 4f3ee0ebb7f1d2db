"""The cleaned record: one `Document` per input page.

Field names and their order are a public contract (see README, "The record").
`to_dict()` returns exactly what is written as one JSON line, so library users
and CLI users see the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleaner.version import __version__


@dataclass(frozen=True, slots=True)
class Image:
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"alt": self.alt, "caption": self.caption, "credit": self.credit}


@dataclass(frozen=True, slots=True)
class Media:
    """A video or audio block: its title line and its duration in seconds."""

    title: str | None = None
    duration_s: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "duration_s": self.duration_s}


@dataclass(slots=True)
class Document:
    id: str
    source: str | None
    url: str | None
    language: str | None
    title: str | None
    date: str | None
    lead: str | None
    text: str
    headings: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    section: str | None = None
    permalink: str | None = None
    images: list[Image] = field(default_factory=list)
    videos: list[Media] = field(default_factory=list)
    audios: list[Media] = field(default_factory=list)
    # Live-blog status ("last updated ... UTC"), as ISO 8601 when it parses.
    updated: str | None = None
    notes: list[str] = field(default_factory=list)
    # Picture-gallery slides: article-adjacent, kept out of `text` by default.
    gallery: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    word_count: int = 0
    # Input form the record came from: "text", "markdown", "html" or "jsonl".
    format: str = "text"
    # Encoding the input bytes were decoded with; None when given a str.
    encoding: str | None = None
    # For JSON Lines input: the input record's other fields, kept verbatim.
    input: dict[str, Any] | None = None
    # Set by batch runs with --dedup: the `source` of the earlier identical text.
    duplicate_of: str | None = None
    cleaner_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "language": self.language,
            "title": self.title,
            "date": self.date,
            "lead": self.lead,
            "text": self.text,
            "headings": list(self.headings),
            "authors": list(self.authors),
            "agencies": list(self.agencies),
            "editors": list(self.editors),
            "section": self.section,
            "permalink": self.permalink,
            "images": [image.to_dict() for image in self.images],
            "videos": [video.to_dict() for video in self.videos],
            "audios": [audio.to_dict() for audio in self.audios],
            "updated": self.updated,
            "notes": list(self.notes),
            "gallery": list(self.gallery),
            "removed": dict(sorted(self.removed.items())),
            "warnings": list(self.warnings),
            "word_count": self.word_count,
            "format": self.format,
            "encoding": self.encoding,
            "input": self.input,
            "duplicate_of": self.duplicate_of,
            "cleaner_version": self.cleaner_version,
        }


# Keys of `Document.to_dict()`, in order: the public schema, checked by a test.
RECORD_FIELDS: tuple[str, ...] = (
    "id",
    "source",
    "url",
    "language",
    "title",
    "date",
    "lead",
    "text",
    "headings",
    "authors",
    "agencies",
    "editors",
    "section",
    "permalink",
    "images",
    "videos",
    "audios",
    "updated",
    "notes",
    "gallery",
    "removed",
    "warnings",
    "word_count",
    "format",
    "encoding",
    "input",
    "duplicate_of",
    "cleaner_version",
)
