"""Finding, reading and decoding inputs (cleaner/inputs.py)."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.errors import DwCleanError, Reason, Rejected, UsageError
from cleaner.inputs import (
    STDIN_SOURCE,
    InputRef,
    decode,
    discover,
    read_input,
    source_name,
    to_documents,
)

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "fixtures" / "bad"
GERMAN = (
    "Die Bundesregierung prüft die Lage. Größere Maßnahmen – „so der Sprecher“ – seien möglich.\n"
)


def make_tree(tmp_path: Path) -> Path:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "b" / "c.txt").write_text("c\n")
    (tmp_path / "b" / "d.txt.gz").write_bytes(gzip.compress(b"d\n"))
    (tmp_path / "b" / "e.html").write_text("<p>e</p>\n")
    return tmp_path


def sources(refs: list[InputRef], root: Path) -> list[str]:
    return [os.path.relpath(ref.source, root) for ref in refs]


# --- discovery -------------------------------------------------------------


def test_directory_is_walked_recursively_in_sorted_order_with_gz(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    refs = list(discover([str(root)]))
    assert sources(refs, root) == ["a.txt", "b/c.txt", "b/d.txt.gz"]


def test_glob_option_selects_other_names(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    assert sources(list(discover([str(root)], pattern="*.html")), root) == ["b/e.html"]


def test_shell_glob_is_expanded_and_order_of_arguments_kept(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    refs = list(discover([str(root / "b" / "*.txt"), str(root / "a.txt")]))
    assert sources(refs, root) == ["b/c.txt", "a.txt"]


def test_a_glob_reads_like_the_shell_and_finds_each_input_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path)
    (root / "b" / "f").mkdir()
    (root / "b" / "f" / "g.txt").write_text("g\n")
    (root / ".hidden.txt").write_text("h\n")
    (root / ".git").mkdir()
    (root / ".git" / "i.txt").write_text("i\n")

    def found(glob: str) -> list[str]:
        return [ref.source for ref in discover([glob])]

    # Wildcards and `**` skip dot names, as in the shell; `**` also matches no directory.
    assert sources(list(discover([str(root / "**" / "*.txt")])), root) == [
        "a.txt", "b/c.txt", "b/f/g.txt"]
    assert sources(list(discover([str(root / ".*")])), root) == [".hidden.txt", ".git/i.txt"]
    # A file matched is taken as it is, a directory matched is searched for --glob.
    assert sources(list(discover([str(root / "b" / "*")])), root) == [
        "b/c.txt", "b/d.txt.gz", "b/e.html", "b/f/g.txt"]
    assert sources(list(discover([str(root / "*") + "/"])), root) == [  # directories only
        "b/c.txt", "b/d.txt.gz", "b/f/g.txt"]
    # `dir/**` is dir itself and everything below it: each input once (the
    # directory's walk), not the walk and then every match again.
    assert found(str(root / "**")) == found(str(root))
    # Sources keep the path as typed, relative or not, without "./" or a
    # doubled slash (so that --resume knows "./b/c.txt" as "b/c.txt").
    monkeypatch.chdir(root)
    assert found("**/g.txt") == ["b/f/g.txt"]
    assert found("./b/*.txt") == ["b/c.txt"]
    # A file named "-" is no standard input, however it is typed.
    assert source_name("./-") == source_name(".//-") == "./-" != source_name("-")
    assert found(".//b/") == ["b/c.txt", "b/d.txt.gz", "b/f/g.txt"]


def test_unmatched_glob_and_missing_file_become_unreadable_inputs(tmp_path: Path) -> None:
    refs = list(discover([str(tmp_path / "*.nothing"), str(tmp_path / "missing.txt")]))
    assert len(refs) == 2
    for ref in refs:
        with pytest.raises(Rejected) as caught:
            read_input(ref)
        assert caught.value.reason is Reason.UNREADABLE
    with pytest.raises(Rejected, match="no file matches"):
        read_input(refs[0])


def test_links_between_directories_are_followed_until_they_loop(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text(name)
    (tmp_path / "a" / "to-b").symlink_to("../b")
    (tmp_path / "b" / "to-a").symlink_to("../a")
    (tmp_path / "a" / "to-top").symlink_to(tmp_path)
    walked = [(os.path.relpath(ref.source, tmp_path), ref.problem)
              for ref in discover([str(tmp_path)])]
    loop = "symbolic link loop: {} is a directory this walk is already inside"
    assert walked == [
        ("a/a.txt", None),
        ("a/to-b/b.txt", None),
        ("a/to-b/to-a", loop.format("../a")),
        ("a/to-top", loop.format(tmp_path)),
        ("b/b.txt", None),
        ("b/to-a/a.txt", None),
        ("b/to-a/to-b", loop.format("../b")),
        ("b/to-a/to-top", loop.format(tmp_path)),
    ]
    # Also when the walk starts below the directory a link leads back to.
    assert [ref.problem for ref in discover([str(tmp_path / "a")])][-1] == loop.format(tmp_path)


def test_files_from_lists_paths_after_the_arguments(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    listing = tmp_path / "list.txt"
    listing.write_text(f"# comment\n{root / 'b' / 'c.txt'}\n\n{root / 'b'}\n")
    refs = list(discover([str(root / "a.txt")], files_from=str(listing)))
    assert sources(refs, root) == ["a.txt", "b/c.txt", "b/c.txt", "b/d.txt.gz"]


def test_files_from_stdin(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    stdin = io.BytesIO(f"{root / 'a.txt'}\n".encode())
    refs = list(discover([], files_from="-", stdin=stdin))
    assert sources(refs, root) == ["a.txt"]


def test_missing_files_from_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--files-from"):
        list(discover([], files_from=str(tmp_path / "nope.txt")))


def test_dash_reads_stdin_once_with_a_limit() -> None:
    refs = list(discover(["-"], stdin=io.BytesIO(b"x" * 100), max_bytes=10))
    assert refs[0].source == STDIN_SOURCE
    assert refs[0].data is not None and len(refs[0].data) == 11  # limit + 1, not everything
    with pytest.raises(Rejected) as caught:
        read_input(refs[0], max_bytes=10)
    assert caught.value.reason is Reason.TOO_LARGE
    with pytest.raises(UsageError):
        list(discover(["-", "-"], stdin=io.BytesIO(b"x")))


def test_discovery_is_lazy(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    refs = discover([str(root / "a.txt"), str(root / "gone")])
    first = next(refs)
    assert first.source.endswith("a.txt")


# --- reading ---------------------------------------------------------------


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "p.txt.gz"
    path.write_bytes(gzip.compress("Größe\n".encode()))
    assert read_input(InputRef(str(path), str(path))) == "Größe\n".encode()


def test_gzip_of_gzip_is_read_through_both_layers(tmp_path: Path) -> None:
    # A page fetched with Content-Encoding: gzip and saved as .gz; it was
    # rejected as "binary: contains NUL bytes".
    page = (ROOT / "fixtures" / "examples" / "de-new-2024-01-30.txt").read_bytes()
    path = tmp_path / "p.txt.gz"
    path.write_bytes(gzip.compress(gzip.compress(page)))
    assert read_input(InputRef(str(path), str(path))) == page
    path.write_bytes(gzip.compress(gzip.compress(gzip.compress(gzip.compress(page)))))
    with pytest.raises(Rejected, match="gzip data nested") as caught:
        read_input(InputRef(str(path), str(path)))
    assert caught.value.reason is Reason.UNREADABLE


def test_gzip_limit_holds_for_every_layer(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(gzip.compress(b"a\n" * 1_000_000)))
    with pytest.raises(Rejected) as caught:
        read_input(InputRef(str(path), str(path)), max_bytes=100_000)
    assert caught.value.reason is Reason.TOO_LARGE


def test_gzip_limit_is_on_the_decompressed_size(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a\n" * 1_000_000))
    assert path.stat().st_size < 10_000
    with pytest.raises(Rejected) as caught:
        read_input(InputRef(str(path), str(path)), max_bytes=100_000)
    assert caught.value.reason is Reason.TOO_LARGE
    assert "decompress" in caught.value.detail


def test_corrupt_gzip_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt.gz"
    path.write_bytes(gzip.compress(b"hello world\n" * 100)[:40])
    with pytest.raises(Rejected) as caught:
        read_input(InputRef(str(path), str(path)))
    assert caught.value.reason is Reason.UNREADABLE


def test_file_over_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 101)
    with pytest.raises(Rejected) as caught:
        read_input(InputRef(str(path), str(path)), max_bytes=100)
    assert caught.value.reason is Reason.TOO_LARGE
    assert read_input(InputRef(str(path), str(path)), max_bytes=101) == b"x" * 101


def test_a_named_pipe_is_read_whole(tmp_path: Path) -> None:
    # A pipe has no size to go by (process substitution: <(zcat page.gz)).
    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)
    page = b"Skip next section\n\nEin Absatz.\n" * 2000
    writer = threading.Thread(target=fifo.write_bytes, args=(page,))
    writer.start()
    try:
        assert read_input(InputRef(str(fifo), str(fifo)), max_bytes=len(page)) == page
    finally:
        writer.join()


def test_a_file_that_grows_while_read_is_still_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The size is taken before reading; a file appended to meanwhile must
    # still be read whole, up to the limit, and then rejected past it.
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat

    def fstat_then_grow(fd: int) -> os.stat_result:
        status = real_fstat(fd)
        with path.open("ab") as handle:
            handle.write(b"y" * 20)
        return status

    monkeypatch.setattr(os, "fstat", fstat_then_grow)
    assert read_input(InputRef(str(path), str(path)), max_bytes=100) == b"x" * 10 + b"y" * 20
    with pytest.raises(Rejected) as caught:
        read_input(InputRef(str(path), str(path)), max_bytes=45)
    assert caught.value.reason is Reason.TOO_LARGE


def test_broken_symlink_and_directory_are_unreadable(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(Rejected, match="broken symbolic link"):
        read_input(InputRef(str(link), str(link)))
    with pytest.raises(Rejected, match="directory"):
        read_input(InputRef(str(tmp_path), str(tmp_path)))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_walk_rejects_a_named_pipe_and_a_named_one_is_read(tmp_path: Path) -> None:
    # Opening a FIFO waits for a writer: one in a walked tree stalled the run.
    (tmp_path / "a.txt").write_text("A page.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")
    (tmp_path / "c.txt").symlink_to(tmp_path / "b.txt")
    # (A link loop is no pipe: reading it says what it is.)
    (tmp_path / "d.txt").symlink_to("d.txt")
    refs = list(discover([str(tmp_path)]))
    assert [(Path(ref.source).name, ref.problem is None) for ref in refs] == [
        ("a.txt", True), ("b.txt", False), ("c.txt", False), ("d.txt", True)]
    assert refs[1].problem is not None and "named pipe (FIFO), not a file" in refs[1].problem
    # So does a glob; named as an input (`<(zcat pages.gz)` is a pipe) it is read.
    assert [ref.problem is None for ref in discover([str(tmp_path / "*.txt")])] == [
        True, False, False, True]
    [named] = discover([str(tmp_path / "b.txt")])
    assert named.problem is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_files_from_list_rejects_a_named_pipe(tmp_path: Path) -> None:
    # `find -name '*.txt' > list` takes a FIFO as a walk does.
    (tmp_path / "a.txt").write_text("A page.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")
    listing = tmp_path / "list"
    listing.write_text(f"{tmp_path / 'a.txt'}\n{tmp_path / 'b.txt'}\n{tmp_path / 'c.txt'}\n",
                       encoding="utf-8")
    refs = list(discover([], files_from=str(listing)))
    assert [Path(ref.source).name for ref in refs] == ["a.txt", "b.txt", "c.txt"]
    assert refs[0].problem is None and refs[2].problem is None  # c.txt: reading says why
    assert refs[1].problem is not None and "named pipe (FIFO), not a file" in refs[1].problem


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(Rejected) as caught:
        read_input(InputRef(str(path), str(path)))
    assert caught.value.reason is Reason.UNREADABLE


# --- decoding --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (GERMAN.encode(), "utf-8"),
        (codecs.BOM_UTF8 + GERMAN.encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + GERMAN.encode("utf-32-le"), "utf-32"),
        (GERMAN.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected_and_named(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.text == GERMAN
    assert decoded.encoding == encoding
    assert decoded.warnings == ()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "page",
    ["examples/de-new-2024-01-30.txt", "examples/fr-old-2011-elephants.txt",
     "pages/ru-new-layout-constructed.txt", "pages/zh-new-layout-constructed.resiliparse.txt"],
)
def test_utf16_without_a_byte_order_mark_is_decoded_not_taken_for_binary(
    page: str, encoding: str
) -> None:
    # Python's encode("utf-16-le") and .NET's Encoding.Unicode write no BOM;
    # the NUL high bytes of ASCII characters once made such a page "binary".
    text = (ROOT / "fixtures" / page).read_text(encoding="utf-8")
    decoded = decode(text.encode(encoding))
    assert (decoded.text, decoded.encoding) == (text, encoding)


def test_a_few_stray_latin1_bytes_leave_a_utf8_page_utf8() -> None:
    page = (ROOT / "fixtures" / "examples" / "de-new-2024-01-30.txt").read_bytes()
    middle = page.index(b" ", len(page) // 2)
    decoded = decode(page[:middle] + b" caf\xe9 " + page[middle:])
    # Read as cp1251, "für" was "fГјr" all over the page.
    assert decoded.encoding == "utf-8"
    assert decoded.text == page[:middle].decode() + " caf\ufffd " + page[middle:].decode()
    assert decoded.warnings == ("invalid_utf8_replaced",)


def test_a_long_utf8_page_with_a_dozen_broken_characters_stays_utf8() -> None:
    # A scraper that cut multi-byte characters at its chunk boundaries: every
    # 12th two-byte letter lost its second byte. Over eight such bytes, the
    # page was decoded as cp1251 ("wГ¤hrend") without a warning.
    page = (ROOT / "fixtures" / "dumps" / "de-old-2022-01.resiliparse.txt").read_text("utf-8")
    damaged = [i for i, char in enumerate(page) if len(char.encode()) == 2][::12]
    assert len(damaged) > 12
    data = b"".join(
        char.encode()[:1] if i in damaged else char.encode() for i, char in enumerate(page)
    )
    decoded = decode(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text == "".join(
        "\ufffd" if i in damaged else char for i, char in enumerate(page)
    )
    assert decoded.warnings == ("invalid_utf8_replaced",)


def _record(data: bytes, source: str) -> Document:
    decoded = decode(data, name=source)
    (document,) = to_documents(decoded.text, source=source, warnings=decoded.warnings)
    assert isinstance(document, Document)
    return document


def _without_warnings(document: Document) -> dict[str, object]:
    fields = document.to_dict()
    del fields["warnings"]
    return fields


@pytest.mark.parametrize(
    "name", ["en-old-2020-colonial.w3m.txt", "de-new-2024-01-30.pandoc-gfm.md"]
)
def test_nul_bytes_past_the_sniffed_start_are_removed_and_the_record_says_so(name: str) -> None:
    # A file a crash padded with NUL bytes, and stray NULs at line ends (in
    # markdown, a NUL stood for an image and became a space, silently).
    page = (ROOT / "fixtures" / "dumps" / name).read_bytes()
    assert len(page) > 12_000
    lines = page.split(b"\n")
    half = len(lines) // 2
    damaged = b"\n".join(
        line + b"\x00" if number > half and line.strip() else line
        for number, line in enumerate(lines)
    ) + b"\x00" * 4096
    assert b"\x00" not in damaged[:8192]
    original, repaired = _record(page, name), _record(damaged, name)
    assert "\\u0000" not in json.dumps(repaired.to_dict())
    assert _without_warnings(repaired) == _without_warnings(original)
    assert repaired.warnings == [*original.warnings, "control_characters_removed"]


def test_terminal_colours_are_removed_with_their_escape_sequences() -> None:
    # A terminal browser's dump saved with colours on: "\x1b[1m" before a bold
    # title, "\x1b[0m" after it.
    page = (ROOT / "fixtures" / "dumps" / "de-new-2024-01-30.w3m.txt").read_text("utf-8")
    original = _record(page.encode(), "page.txt")
    coloured = page.replace(original.title or "", f"\x1b[1m{original.title}\x1b[0m", 1)
    assert coloured != page
    repaired = _record(coloured.encode(), "page.txt")
    assert repaired.title == original.title
    assert _without_warnings(repaired) == _without_warnings(original)
    assert "control_characters_removed" in repaired.warnings


def test_a_page_without_control_characters_carries_no_such_warning() -> None:
    page = (ROOT / "fixtures" / "dumps" / "de-new-2024-01-30.w3m.txt").read_bytes()
    assert decode(page).warnings == ()


def test_a_nul_in_the_first_bytes_still_makes_the_input_binary() -> None:
    page = (ROOT / "fixtures" / "dumps" / "de-new-2024-01-30.w3m.txt").read_bytes()
    with pytest.raises(Rejected) as caught:
        decode(page[:100] + b"\x00" + page[100:])
    assert caught.value.reason is Reason.BINARY


def test_escaped_control_characters_in_a_json_record_do_not_reach_its_text() -> None:
    # JSON carries any character escaped: "\u0000" is valid in a string, and
    # so is a terminal colour code.
    page = (ROOT / "fixtures" / "dumps" / "de-new-2024-01-30.trafilatura.txt").read_text("utf-8")
    lines = page.split("\n")
    damaged = "\n".join(
        line.replace("e", "e\x00", 1).replace(" ", " \x07", 1) if number % 3 else line
        for number, line in enumerate(lines)
    ).replace("Die", "\x1b[1;31mDie\x1b[0m")
    assert damaged.count("\x00") > 10
    clean_record, damaged_record = (
        to_documents(json.dumps({"text": text}) + "\n", source="r.jsonl")[0]
        for text in (page, damaged)
    )
    assert isinstance(clean_record, Document) and isinstance(damaged_record, Document)
    assert damaged_record.text == clean_record.text
    assert damaged_record.title == clean_record.title
    assert damaged_record.warnings == [*clean_record.warnings, "control_characters_removed"]


def test_a_legacy_page_is_not_taken_for_utf8_with_stray_bytes() -> None:
    # Its few accented letters are lone bytes, with no valid UTF-8 letter to outweigh them.
    decoded = decode("Café, thé et crème brûlée à Paris.\n".encode("cp1252") * 2)
    assert decoded.encoding == "cp1252"
    assert decoded.warnings == ()


def test_latin1_french_is_not_decoded_as_central_european() -> None:
    french = "L'éléphant est très intelligent; à côté des forêts, où vit-il ? Ça dépend.\n" * 3
    decoded = decode(french.encode("latin-1"))
    assert decoded.text == french  # cp1250 would give "trčs" and "ŕ"
    assert decoded.encoding == "cp1252"


# cp1254 and cp1252 differ only where Turkish has ğ ı ş İ and cp1252 Icelandic
# ð ý þ Ý; cp1250 has Croatian đ at one of those bytes.
TURKISH = (
    "Almanya'da yıllık enflasyon oranı ekim ayında yüzde 2,2'ye geriledi. Federal "
    "İstatistik Dairesi'nin açıkladığı verilere göre enerji fiyatlarındaki düşüş "
    "belirleyici oldu. Şirketlerin yatırım kararları ağırlıklı olarak faize bağlı.\n"
) * 3
CROATIAN = (
    "Godišnja stopa inflacije u Njemačkoj pala je u listopadu na 2,2 posto. Međutim, "
    "tvrtke su oprezne, a građani štede više nego prije. Vođe sindikata traže veće plaće.\n"
) * 3
GERMAN_WITH_A_CZECH_NAME = (
    "Die jährliche Inflationsrate in Deutschland ist im Oktober gesunken. Der tschechische "
    "Ökonom Jan Nový sagte, die Lage bleibe schwierig. Für Verbraucher ändert sich wenig.\n"
) * 3


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(TURKISH, "cp1254"), (CROATIAN, "cp1250"), (GERMAN_WITH_A_CZECH_NAME, "cp1252")],
)
def test_legacy_encodings_that_share_bytes_with_cp1252(text: str, encoding: str) -> None:
    decoded = decode(text.encode(encoding))
    assert decoded.text == text  # as cp1252, Turkish "yıllık" would read "yýllýk"
    assert decoded.encoding == encoding


# Short texts, a headline or a one-line JSON record: too few bytes for
# charset_normalizer's statistics, which read the first four as cp1250,
# cp1252 or ISO-8859-2 ("Erdođan ... kazandý", "þehir", "æe", "tysišce"). The
# right code page gives the letters of one language to its words in lower
# case; a wrong one mixes alphabets.
@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Erdoğan seçimi kazandı.", "cp1254"),
        ("Yarın şehir merkezinde büyük gösteri", "cp1254"),
        ("Hrvatska će ući u šengenski prostor.", "cp1250"),
        ("W Warszawie protestowały tysiące ludzi.", "cp1250"),
        ("Molti economisti però ritengono che la regola sia rigida.", "cp1252"),
        # A name's letters are not the language's (QA: one foreign letter
        # made these fit no alphabet, and another code page's reading won).
        ("Der Ökonom Jan Nový sagte, für Verbraucher ändert sich wenig.", "cp1252"),
        ("Pedro Sánchez très critiqué à Madrid", "cp1252"),
        ("Il ministro Wolfgang Schäuble è arrivato a Roma", "cp1252"),
        ("Niemiecki minister Müller przyjechał do Łodzi", "cp1250"),
        ("Miloš Zeman i Andrej Babiš krytykują Brukselę, ale Polska się nie zgadza",
         "iso8859-2"),
    ],
)
def test_a_short_text_is_read_in_the_code_page_of_one_language(text: str, encoding: str) -> None:
    decoded = decode(text.encode(encoding))
    assert (decoded.text, decoded.encoding) == (text, encoding)


POLISH = (
    "Tysiące ludzi stoją w kolejkach. Źródła zbliżone do Kremla twierdzą, że komisja "
    "znajdzie błędy. Ściśle kontrolowany system rzadko dopuszcza konkurencję.\n"
) * 3


@pytest.mark.parametrize("text", [POLISH, CROATIAN])
def test_latin2_is_not_read_as_cp1250(text: str) -> None:
    # QA: ISO-8859-2 (Unix's Latin-2) was read as cp1250 without a warning,
    # "Tysi±ce" and "©ef" for "Tysiące" and "Šef", or rejected.
    decoded = decode(text.encode("iso8859-2"))
    assert (decoded.text, decoded.encoding) == (text, "iso8859-2")
    # The same text in cp1250 stays cp1250.
    assert decode(text.encode("cp1250")).encoding == "cp1250"


@pytest.mark.parametrize("encoding", ["cp437", "cp850", "mac_roman"])
def test_an_unsupported_encoding_is_rejected_not_misread(encoding: str) -> None:
    # QA: a German page in DOS or Mac encoding came out as "W„hrend",
    # "Putin-Ћra" (read as cp1251) or "WŠhrend" (as cp1252), with no warning.
    text = (ROOT / "fixtures" / "examples" / "de-new-2024-01-30.txt").read_text(encoding="utf-8")
    data = text.encode(encoding, errors="replace")
    with pytest.raises(Rejected) as caught:
        decode(data)
    assert caught.value.reason is Reason.ENCODING


def test_chinese_with_latin_words_unspaced_is_not_taken_for_a_misread() -> None:
    # Chinese writes Latin names with no space around them ("对DW表示"): only a
    # Chinese character inside a Latin word ("Fr黨burgunder") marks a misread.
    text = ("北约NATO秘书长对DW表示，G7和EU国家将在5月讨论乌克兰问题。"
            "微软Windows和苹果iPhone的用户也受到影响。\n") * 3
    decoded = decode(text.encode("gb18030"))
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_a_page_misread_as_chinese_is_read_in_its_western_encoding() -> None:
    # charset_normalizer's best guess for this English page with a few
    # German words in cp1252 was GB18030: "Fr黨burgunder" for "Frühburgunder".
    text = (ROOT / "fixtures" / "dumps" / "en-old-2013-uncork.trafilatura-images.txt").read_text(
        encoding="utf-8")
    decoded = decode(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_cyrillic_legacy_encoding() -> None:
    russian = "Министр иностранных дел России заявил, что Москва не наращивает присутствие.\n" * 3
    decoded = decode(russian.encode("cp1251"))
    assert decoded.text == russian
    assert decoded.encoding == "cp1251"


def test_random_high_bytes_are_rejected_not_turned_into_mojibake() -> None:
    with pytest.raises(Rejected) as caught:
        decode((BAD / "undecodable.txt").read_bytes())
    assert caught.value.reason is Reason.ENCODING


def test_bad_utf16_after_a_bom_is_an_encoding_error() -> None:
    with pytest.raises(Rejected) as caught:
        decode(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone surrogate
    assert caught.value.reason is Reason.ENCODING


@pytest.mark.parametrize(
    "data",
    [b"abc\x00def", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", b"\x01\x02\x03\x04 text " * 10],
    ids=["nul", "pdf", "controls"],
)
def test_binary_is_rejected(data: bytes) -> None:
    with pytest.raises(Rejected) as caught:
        decode(data)
    assert caught.value.reason is Reason.BINARY


def test_an_archive_given_by_mistake_is_named_in_the_reject(tmp_path: Path) -> None:
    # The detail was "contains NUL bytes" for a .tar.gz of pages, and the
    # magic bytes (b'PK\\x03\\x04') for a zip: neither says what to do.
    page = ROOT / "fixtures" / "examples" / "de-new-2024-01-30.txt"
    with tarfile.open(tmp_path / "pages.tar.gz", "w:gz") as archive:
        archive.add(page, arcname=page.name)
    with zipfile.ZipFile(tmp_path / "pages.zip", "w") as archive:
        archive.write(page, arcname=page.name)
    (tmp_path / "page.txt.bz2").write_bytes(bz2.compress(page.read_bytes()))
    details = {}
    for name in ("pages.tar.gz", "pages.zip", "page.txt.bz2"):
        ref = InputRef(str(tmp_path / name), str(tmp_path / name))
        with pytest.raises(Rejected) as caught:
            decode(read_input(ref))
        assert caught.value.reason is Reason.BINARY
        details[name] = caught.value.detail
    assert details == {
        "pages.tar.gz": "not text: a tar archive; unpack it first",
        "pages.zip": "not text: a zip archive (or docx, xlsx, epub); unpack it first",
        "page.txt.bz2": "not text: bzip2 data; only gzip is read, decompress it first",
    }


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", codecs.BOM_UTF8 + b"\n"])
def test_empty_is_rejected(data: bytes) -> None:
    with pytest.raises(Rejected) as caught:
        decode(data)
    assert caught.value.reason is Reason.EMPTY


def test_mojibake_is_repaired_with_a_warning() -> None:
    garbled = GERMAN.encode("utf-8").decode("cp1252")
    assert "Ã¼" in garbled
    decoded = decode(garbled.encode("utf-8"))
    assert decoded.text == GERMAN
    assert decoded.warnings == ("mojibake_repaired",)


def test_clean_text_with_typographic_quotes_is_left_alone() -> None:
    text = "„Zitat“ – “quote” — ‘single’ … Ñandú, Øre, Ärger\n"
    decoded = decode(text.encode())
    assert decoded.text == text
    assert decoded.warnings == ()


# --- into the cleaner --------------------------------------------------------


@pytest.mark.parametrize(
    "dump",
    ["dumps/de-old-2023-03-14.w3m.txt", "dumps/de-old-2022-01.html2text-wrapped.txt",
     "dumps/de-new-2024-01-30.pandoc.md", "records/de-scraper-2022.jsonl"],
)
def test_cr_cr_lf_line_ends_read_as_one_line_break(dump: str) -> None:
    # A CRLF file written again in text mode on Windows ends its lines with
    # CR CR LF. Each line was followed by a blank one: a wrapped dump fell
    # apart into one-line paragraphs, JSON Lines records were numbered 1, 3, 5.
    path = ROOT / "fixtures" / dump
    data = path.read_bytes()
    lf = decode(data)
    doubled = decode(data.replace(b"\n", b"\r\r\n"))
    assert doubled.text == lf.text


def test_to_documents_records_encoding_and_warnings() -> None:
    (document,) = to_documents(
        GERMAN, source="x.txt", encoding="cp1252", warnings=("mojibake_repaired",)
    )
    assert document.source == "x.txt"
    assert document.encoding == "cp1252"
    assert "mojibake_repaired" in document.warnings


def test_to_documents_uses_the_given_clean_function() -> None:
    from cleaner.document import Document  # noqa: PLC0415

    seen: list[str] = []

    def fake(text: str, *, source: str | None = None) -> Document:
        seen.append(text)
        return Document(id="x", source=source, url=None, language=None, title=None,
                        date=None, lead=None, text=text)

    (document,) = to_documents("hello", source="s", clean=fake)
    assert seen == ["hello"]
    assert document.text == "hello"


def test_a_nul_separated_list_is_read_with_null_and_refused_clearly_without(
    tmp_path: Path,
) -> None:
    # `find -print0` writes names that may hold a newline or start with `#`,
    # each ended by a NUL byte. Read as lines, the whole list was one "path"
    # rejected as `error (ValueError: embedded null byte)`.
    root = make_tree(tmp_path)
    odd = root / "b" / "line\nbreak.txt"
    hashed = root / "#first.txt"
    odd.write_text("x")
    hashed.write_text("x")
    listing = tmp_path / "list0"
    listing.write_bytes(b"".join(os.fsencode(path) + b"\0"
                                 for path in (root / "a.txt", odd, hashed)))
    refs = list(discover([], files_from=str(listing), null=True))
    assert sources(refs, root) == ["a.txt", "b/line\nbreak.txt", "#first.txt"]
    piped = io.BytesIO(listing.read_bytes())
    assert list(discover([], files_from="-", stdin=piped, null=True)) == refs
    with pytest.raises(UsageError, match=r"list0: line 1 holds a NUL byte.*--null \(-0\)"):
        list(discover([], files_from=str(listing)))


def test_a_gzipped_files_from_list_is_read_like_a_gzipped_input(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    lines = f"{root / 'a.txt'}\r\n\r\n# done\r\n{root / 'b'}\r\n".encode()
    listing = tmp_path / "list.txt.gz"
    listing.write_bytes(gzip.compress(lines))
    expected = ["a.txt", "b/c.txt", "b/d.txt.gz"]
    assert sources(list(discover([], files_from=str(listing))), root) == expected
    piped = io.BytesIO(gzip.compress(lines))
    assert sources(list(discover([], files_from="-", stdin=piped)), root) == expected
    listing.write_bytes(gzip.compress(lines)[:-12])
    with pytest.raises(DwCleanError, match=r"list.txt.gz: corrupt or truncated gzip"):
        list(discover([], files_from=str(listing)))


def test_a_files_from_list_saved_by_windows_tools_gives_its_paths(tmp_path: Path) -> None:
    # Notepad and PowerShell start a UTF-8 list with a byte order mark: the
    # first path was read with it, and rejected as "no such file".
    root = make_tree(tmp_path)
    lines = f"{root / 'a.txt'}\r\n{root / 'b'}\r\n"
    listing = tmp_path / "list.txt"
    listing.write_bytes(codecs.BOM_UTF8 + lines.encode())
    expected = ["a.txt", "b/c.txt", "b/d.txt.gz"]
    assert sources(list(discover([], files_from=str(listing))), root) == expected
    piped = io.BytesIO(codecs.BOM_UTF8 + lines.encode())
    assert sources(list(discover([], files_from="-", stdin=piped)), root) == expected
    # Windows PowerShell's `>` writes UTF-16: not a list that needs --null;
    # nor is one without a byte order mark (QA), as .NET's Encoding.Unicode
    # writes it.
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        listing.write_bytes(lines.encode(encoding))
        with pytest.raises(UsageError, match=r"list.txt is UTF-16 text; save the list as UTF-8"):
            list(discover([], files_from=str(listing)))
    # A list of NUL-terminated one-character names read without --null is
    # not UTF-16 (three names of one character, then a longer one).
    listing.write_bytes(b"a\0b\0c\0dd\0")
    with pytest.raises(UsageError, match=r"needs --null"):
        list(discover([], files_from=str(listing)))


@pytest.mark.parametrize("padding", [1, 4, 4096])
def test_nul_padding_at_the_end_of_a_small_page_is_removed_too(padding: int) -> None:
    # Within the sniffed first 8 kB, a crash's NUL padding made a small page
    # "binary", where a larger page with the same padding was kept.
    page = (ROOT / "fixtures" / "examples" / "000_9910ba9fc400b7a4.txt").read_bytes()
    assert len(page) < 8192
    original, repaired = _record(page, "page.txt"), _record(page + b"\x00" * padding, "page.txt")
    assert _without_warnings(repaired) == _without_warnings(original)
    assert repaired.warnings == [*original.warnings, "control_characters_removed"]


@pytest.mark.parametrize("data", [b"\x00" * 100, b"\n\x00\x00\n" + b"\x00" * 50])
def test_a_file_of_nul_bytes_is_binary(data: bytes) -> None:
    with pytest.raises(Rejected) as caught:
        decode(data)
    assert caught.value.reason is Reason.BINARY


def test_nul_bytes_inside_a_small_page_still_make_it_binary() -> None:
    page = (ROOT / "fixtures" / "examples" / "000_9910ba9fc400b7a4.txt").read_bytes()
    with pytest.raises(Rejected) as caught:
        decode(page[:-10] + b"\x00\x00" + page[-10:] + b"\x00")
    assert caught.value.reason is Reason.BINARY


def test_decode_given_a_str_says_it_takes_bytes() -> None:
    # QA: it failed inside, on bytes.startswith, naming no cause.
    with pytest.raises(TypeError, match="takes the input's bytes, not str"):
        decode("Ein Satz.")  # type: ignore[arg-type]
    assert decode(bytearray(b"Ein Satz.")).text == "Ein Satz."
