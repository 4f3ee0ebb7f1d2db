"""dw-clean as a datatrove pipeline step: `DWCleanStep`.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.datatrove_step import DWCleanStep

    LocalPipelineExecutor(
        [JsonlReader("raw/"), DWCleanStep(), JsonlWriter("clean/")], tasks=8
    ).run()

Each document's text is cleaned as a local `dw-clean` run cleans a UTF-8 file
with that text: same decoding checks (binary, empty, mojibake repair), same
cleaner, same record. Then:

- `doc.text` becomes the record's clean `text`; `doc.id` is left as the reader
  set it (the record's own id is in the metadata);
- every other record field goes into `doc.metadata` under the prefix `dw_`
  (`dw_title`, `dw_date`, `dw_language`, `dw_removed`...). The prefix keeps
  the keys readers and other steps set (`url`, `date`, `language`,
  `file_path`) intact; `metadata_prefix=""` gives the bare field names. All
  fields are always present (None or empty when unknown) and JSON values.
  Their types still vary from one document to the next (None or a string,
  an empty list or a list of strings, `dw_removed` and `dw_input` with keys
  of their own), and datatrove's `ParquetWriter` takes its schema from the
  first document it writes: give it `schema=` (`dw_removed` as a map of
  string to int64), or it stops at the first document that differs;
- `metadata["url"]`, when a reader set it, is passed to the cleaner: the
  record id then comes from the DW article id in the URL;
- documents that give no record (binary, empty, `error`) or whose clean text
  is empty are dropped, as datatrove filters drop documents, and counted
  (`dropped_binary`, `dropped_empty_text`...). `keep_empty=True` keeps
  the empty ones: their `dw_warnings` hold `empty_text`. Other counters:
  `removed_<category>` (lines removed), `total`, `forwarded`, `dropped`;
- a text that holds several records (JSON Lines) gives several documents,
  the extra ones with their record's `source` as id (`ID#2`, `ID#3`...: the
  line, or the element of a JSON array, they come from).

Only core datatrove is needed (`pip install 'dw-clean[datatrove]'`); its
`processing` extra pins an old trafilatura. The step holds only plain
settings, so it pickles for the Slurm and Ray executors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cleaner.core import WARN_SURROGATES_REPLACED, without_lone_surrogates
from cleaner.document import Document
from cleaner.errors import Rejected
from cleaner.inputs import decode, to_documents

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.utils.logging import logger
    from datatrove.utils.typeshelper import StatHints
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"cleaner.datatrove_step needs datatrove ({error}); "
        "install it with: pip install 'dw-clean[datatrove]'"
    ) from error

DEFAULT_PREFIX = "dw_"


class DWCleanStep(PipelineStep):  # type: ignore[misc]  # datatrove is untyped
    """Clean DW page dumps in a datatrove pipeline (see the module docstring)."""

    name = "🧹 dw-clean"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        *,
        metadata_prefix: str = DEFAULT_PREFIX,
        keep_empty: bool = False,
        keep_gallery: bool = False,
        url_key: str | None = "url",
    ) -> None:
        super().__init__()
        self.metadata_prefix = metadata_prefix
        self.keep_empty = keep_empty
        self.keep_gallery = keep_gallery
        self.url_key = url_key

    def records(self, doc: DatatroveDocument) -> list[dict[str, Any]]:
        """The dw-clean records of one document (one per page); raises `Rejected`."""
        # The bytes a local run would read from a UTF-8 file of this text, so
        # the same checks (binary, empty, mojibake) apply. A lone surrogate
        # (JSON cut inside an emoji, read into a parquet file) is replaced
        # first, as the library does for a str: kept as bytes, it made the
        # page invalid UTF-8, decoded as cp1252 into mojibake.
        text, replaced = without_lone_surrogates(doc.text)
        decoded = decode(text.encode("utf-8"))
        url = doc.metadata.get(self.url_key) if self.url_key else None
        # Every input form, as a local run reads a file of it (HTML, markdown,
        # a metadata header), with the url and settings for each.
        documents = to_documents(
            decoded.text,
            source=str(doc.id),
            encoding=decoded.encoding,
            warnings=[*decoded.warnings, *([WARN_SURROGATES_REPLACED] if replaced else [])],
            url=url if isinstance(url, str) and url else None,
            keep_gallery=self.keep_gallery,
        )
        records = []
        for item in documents:
            if isinstance(item, Document):
                records.append(item.to_dict())
            else:  # one bad record among several (a JSON Lines line): count it
                self.stat_update(StatHints.dropped, f"dropped_{getattr(item, 'reason', 'error')}")
        return records

    def apply(
        self, doc: DatatroveDocument, record: dict[str, Any], index: int
    ) -> DatatroveDocument:
        """`doc` carrying `record`; for a text's extra records, a copy with the
        record's own source as its id (`ID#2`: JSON Lines line 2), which the
        record names in `source` (ids counted 1, 2... apart from it said `ID#1`
        for the record of line 2)."""
        if index:
            source = record.get("source")
            own = isinstance(source, str) and source.startswith(f"{doc.id}#")
            doc = DatatroveDocument(text="", id=source if own else f"{doc.id}#{index}",
                                    media=list(doc.media), metadata=dict(doc.metadata))
        doc.text = record["text"]
        prefix = self.metadata_prefix
        doc.metadata.update({prefix + key: value for key, value in record.items()
                             if key != "text"})
        return doc

    def _cleaned(self, doc: DatatroveDocument) -> list[DatatroveDocument]:
        """The document cleaned (usually one), none when it is dropped (and counted).

        Several when the text holds several records (JSON Lines, once input
        forms are detected: the same `to_documents` call as a local run).
        """
        try:
            with self.track_time():
                records = self.records(doc)
        except Rejected as rejected:
            self.stat_update(StatHints.dropped, f"dropped_{rejected.reason.value}")
            return []
        except Exception as error:  # a cleaner bug must not stop a pipeline
            logger.warning(f"dw-clean failed on document {doc.id}: {error!r}")
            self.stat_update(StatHints.dropped, "dropped_error")
            return []
        cleaned = []
        for index, record in enumerate(records):
            for category, count in record["removed"].items():
                self.stat_update(f"removed_{category}", value=count)
            if not record["text"].strip() and not self.keep_empty:
                self.stat_update(StatHints.dropped, "dropped_empty_text")
                continue
            cleaned.append(self.apply(doc, record, index))
        return cleaned

    def run(
        self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1
    ) -> Iterator[DatatroveDocument]:
        for doc in data or ():
            self.stat_update(StatHints.total)
            for cleaned in self._cleaned(doc):
                self.stat_update(StatHints.forwarded)
                self.update_doc_stats(cleaned)
                yield cleaned


__all__ = ["DEFAULT_PREFIX", "DWCleanStep"]
