"""dw-clean: turn raw scraped Deutsche Welle pages into clean records.

    >>> from cleaner import clean
    >>> doc = clean(page_text, source="page.txt")
    >>> doc.to_dict()["title"]
"""

from cleaner.core import clean
from cleaner.document import RECORD_FIELDS, Document, Image, Media
from cleaner.version import __version__

__all__ = ["RECORD_FIELDS", "Document", "Image", "Media", "__version__", "clean"]
