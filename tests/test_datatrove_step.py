"""DWCleanStep in a real datatrove pipeline gives a local run's records."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document as DatatroveDocument
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep

import cleaner.core
import cleaner.datatrove_step
from cleaner.batch import Options, process_input
from cleaner.datatrove_step import DWCleanStep
from cleaner.inputs import InputRef

ROOT = Path(__file__).resolve().parent.parent
DUMPS = ROOT / "fixtures" / "dumps"
BAD = ROOT / "fixtures" / "bad"

# Nothing but DW chrome: cleaning leaves no text.
ONLY_CHROME = "Skip next section Navigation\n\nNavigation\n\nDW Logo\n\nShare\n\nImprint"
# Text datatrove would carry (JSON strings) but a local run rejects.
WHITESPACE = " \t\r\n  \n"
WITH_NUL = "page\x00with NUL bytes " * 20


# Every input form: text dumps, markdown dumps, HTML pages and trafilatura's
# metadata header (the id's extension helps detection, as a file name does).
FORMS = [
    *sorted(DUMPS.glob("*.txt")),
    *sorted(DUMPS.glob("*.md")),
    *sorted((ROOT / "fixtures" / "html").glob("*.html")),
    *sorted((ROOT / "fixtures" / "front-matter").glob("*.trafilatura-meta.*")),
]


def fixture_pages() -> dict[str, str]:
    """Page id (its path, as a local run's `source`) -> text."""
    pages = {str(path): path.read_text(encoding="utf-8") for path in FORMS}
    for name in ("no-chrome.txt", "truncated.txt", "mojibake.txt"):
        pages[str(BAD / name)] = (BAD / name).read_text(encoding="utf-8")
    return pages


def local_record(source: str, text: str, *, keep_gallery: bool = False) -> dict[str, Any]:
    """What `dw-clean` writes for a UTF-8 file holding `text`."""
    outcome = process_input(
        InputRef(source=source, data=text.encode("utf-8")), Options(keep_gallery=keep_gallery)
    )
    [record] = outcome.documents()
    return record


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in docs),
                    encoding="utf-8")


# datatrove's JsonlReader and JsonlWriter need orjson, from its `io` extra,
# which dw-clean does not depend on: these two stand in for them.


class PagesReader(PipelineStep):
    """Documents from JSON Lines files {"id", "text"}; task `rank` reads every
    `world_size`-th file, as datatrove's disk readers share files out."""

    name = "pages"
    type = "📖 - READER"

    def __init__(self, files: list[str]) -> None:
        super().__init__()
        self.files = files

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        for path in self.files[rank::world_size]:
            with Path(path).open(encoding="utf-8") as handle:
                for line in handle:
                    page = json.loads(line)
                    yield DatatroveDocument(text=page["text"], id=page["id"],
                                            metadata={"file_path": path})


class JsonlOut(PipelineStep):
    """One JSON Lines file per task: {"id", "text", "metadata"}."""

    name = "jsonl out"
    type = "💽 - WRITER"

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        with (Path(self.directory) / f"{rank:05d}.jsonl").open("w", encoding="utf-8") as out:
            for doc in data or ():
                out.write(json.dumps({"id": doc.id, "text": doc.text, "metadata": doc.metadata},
                                     ensure_ascii=False) + "\n")
        yield from ()


def read_output(directory: Path) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                docs[doc["id"]] = doc
    return docs


def test_pipeline_gives_the_local_records(tmp_path: Path) -> None:
    pages = fixture_pages()
    docs = [{"id": source, "text": text} for source, text in pages.items()]
    dropped = {"only-chrome": ONLY_CHROME, "whitespace": WHITESPACE, "nul": WITH_NUL}
    docs += [{"id": doc_id, "text": text} for doc_id, text in dropped.items()]
    raw = tmp_path / "raw"
    raw.mkdir()
    # Two input files, so that both tasks get work.
    write_jsonl(raw / "a.jsonl", docs[::2])
    write_jsonl(raw / "b.jsonl", docs[1::2])

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    # Two tasks in two worker processes: the steps are pickled, as Slurm and
    # Ray executors pickle them.
    LocalPipelineExecutor(
        [PagesReader([str(raw / "a.jsonl"), str(raw / "b.jsonl")]), DWCleanStep(),
         JsonlOut(str(out_dir))],
        tasks=2, workers=2, logging_dir=str(tmp_path / "logs"),
    ).run()

    out = read_output(out_dir)
    assert set(out) == set(pages), "every page kept, every dropped one dropped"
    for source, text in pages.items():
        expected = local_record(source, text)
        doc = out[source]
        assert doc["text"] == expected.pop("text")
        metadata = {key.removeprefix("dw_"): value for key, value in doc["metadata"].items()
                    if key.startswith("dw_")}
        assert metadata == expected
        # The reader's own metadata is still there.
        assert doc["metadata"]["file_path"].endswith(".jsonl")

    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    [step_stats] = [s for s in stats if s["name"].startswith("✂️ - FORMAT: 🧹 dw-clean")]
    # Plain counters are saved as numbers, counters with values as summaries.
    counters = {name: value["total"] if isinstance(value, dict) else value
                for name, value in step_stats["stats"].items()}
    assert counters["total"] == len(docs)
    assert counters["forwarded"] == len(pages)
    assert counters["dropped"] == 3
    assert counters["dropped_empty_text"] == 1
    assert counters["dropped_empty"] == 1
    assert counters["dropped_binary"] == 1
    assert counters["removed_navigation"] > 0


def test_keep_empty_bare_keys_and_url() -> None:
    url = "https://www.dw.com/en/some-title/a-12345678"
    docs = [
        DatatroveDocument(text=ONLY_CHROME, id="chrome", metadata={"url": url, "language": "xx"}),
    ]
    step = DWCleanStep(keep_empty=True, metadata_prefix="")
    [doc] = list(step.run(iter(docs)))
    assert doc.text == ""
    assert doc.metadata["warnings"] == ["empty_text"]
    # The URL given by the reader decides the record id and is kept as is.
    assert doc.metadata["id"] == "a-12345678"
    assert doc.metadata["url"] == url
    assert doc.metadata["source"] == "chrome"
    # Without a prefix, record fields win over the reader's keys of the same name.
    assert doc.metadata["language"] != "xx"


@pytest.mark.parametrize(
    "path",
    [DUMPS / "de-old-2023-03-14.pandoc.md", ROOT / "fixtures" / "html" / "de-old-2022-01.html",
     ROOT / "fixtures" / "front-matter" / "de-old-2022-01.trafilatura-meta.txt"],
    ids=lambda p: p.name,
)
def test_the_url_and_keep_gallery_reach_every_input_form(path: Path) -> None:
    url = "https://www.dw.com/de/some-title/a-12345678"
    text = path.read_text(encoding="utf-8")
    step = DWCleanStep(keep_gallery=True, metadata_prefix="")
    [doc] = list(step.run(iter([DatatroveDocument(text=text, id=path.name,
                                                  metadata={"url": url})])))
    assert doc.metadata["id"] == "a-12345678"
    assert doc.metadata["url"] == url
    expected = local_record(path.name, text, keep_gallery=True)
    assert doc.text == expected["text"]
    assert doc.metadata["title"] == expected["title"]
    assert doc.metadata["format"] == expected["format"]


def test_cleaner_error_drops_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cleaner.core.clean

    def flaky(text: str, **kwargs: Any) -> Any:
        if "BOOM" in text:
            raise RuntimeError("cleaner bug")
        return real(text, **kwargs)

    monkeypatch.setattr(cleaner.core, "clean", flaky)
    page = (BAD / "no-chrome.txt").read_text(encoding="utf-8")
    docs = [DatatroveDocument(text="BOOM " + page, id="bad"),
            DatatroveDocument(text=page, id="good")]
    step = DWCleanStep()
    assert [doc.id for doc in step.run(iter(docs))] == ["good"]
    assert step.stats["dropped_error"].total == 1


def test_several_records_in_one_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text holding several records (JSON Lines) gives one document each."""
    page = (BAD / "no-chrome.txt").read_text(encoding="utf-8")

    def two(text: str, **kwargs: Any) -> list[Any]:
        return [cleaner.core.clean(text, source="one"), cleaner.core.clean(text, source="two")]

    monkeypatch.setattr(cleaner.datatrove_step, "to_documents", two)
    docs = list(DWCleanStep().run(iter([DatatroveDocument(text=page, id="page",
                                                          metadata={"k": 1})])))
    assert [(d.id, d.metadata["dw_source"], d.metadata["k"]) for d in docs] == [
        ("page", "one", 1), ("page#1", "two", 1)]


def test_the_extra_records_of_a_text_are_named_by_their_source() -> None:
    # QA: the record of line 2 was "page#1", its dw_source "page#2".
    page = (BAD / "no-chrome.txt").read_text(encoding="utf-8")
    lines = "".join(json.dumps({"text": f"{page}\n{n}"}) + "\n" for n in range(3))
    docs = list(DWCleanStep().run(iter([DatatroveDocument(text=lines, id="page")])))
    assert [doc.metadata["dw_source"] for doc in docs] == ["page#1", "page#2", "page#3"]
    assert [doc.id for doc in docs] == ["page", "page#2", "page#3"]


def test_step_pickles_for_slurm_and_ray() -> None:
    step = DWCleanStep(metadata_prefix="x_", keep_gallery=True)
    copy = pickle.loads(pickle.dumps(step))
    assert (copy.metadata_prefix, copy.keep_gallery, copy.keep_empty) == ("x_", True, False)
    assert str(copy) == str(step)


def test_a_lone_surrogate_is_replaced_as_the_library_replaces_it() -> None:
    # QA: kept as bytes (surrogatepass), it made a mostly-ASCII page invalid
    # UTF-8, which the decoder read as cp1252: mojibake around it, and
    # `encoding` cp1252, `mojibake_repaired`, for a str never in cp1252.
    page = (ROOT / "fixtures" / "examples" / "000_9910ba9fc400b7a4.txt").read_text("utf-8")
    at = page.index("NATO is worried") + len("NATO is wo")
    broken = page[:at] + "\ud83d" + page[at:]
    (cleaned,) = DWCleanStep().run([DatatroveDocument(text=broken, id="page")])
    whole = cleaner.core.clean(page[:at] + "\ufffd" + page[at:])
    assert cleaned.text == whole.text
    assert cleaned.metadata["dw_encoding"] == "utf-8"
    assert cleaned.metadata["dw_warnings"] == ["lone_surrogates_replaced"]
