"""The per-language rule tables (`cleaner/rules/<code>.toml`) and months.json are well-formed.

The tables are data that the cleaner trusts: a typo in a category name, a stray
top-level key or a phrase claimed by two categories would silently change what
is removed. These tests read the files directly (not through the loader), so a
broken table fails here with its file name rather than somewhere in the cleaner.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from cleaner.language import FIRST_LOOK_CHARS, detect_language
from cleaner.rules import TABLE_KEYS, default_ruleset

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "cleaner" / "rules"
TABLES = sorted(RULES.glob("*.toml"))

TOP_LEVEL_KEYS = set(TABLE_KEYS)
SECTIONS = {"line", "prefix", "contains", "end_line", "end_prefix"}
CATEGORIES = {
    "skip_links", "navigation", "banner", "ads", "share", "video", "audio", "live",
    "image_credit", "related", "authors", "editors", "notes", "permalink", "date",
    "updated", "footer",
}  # fmt: skip
# The loader keeps one index per kind of match: whole lines ([line] and
# [end_line]), prefixes ([prefix] and [end_prefix]) and substrings ([contains]).
# Within one kind the first table to claim a phrase wins, so two claims on the
# same phrase would make the result depend on file names.
KIND = {
    "line": "whole line",
    "end_line": "whole line",
    "prefix": "prefix",
    "end_prefix": "prefix",
    "contains": "contains",
}

# DW's language services (dw.com/<code>/): every table must be one of them, and
# months.json must cover all of them.
DW_LANGUAGES = {
    "am", "ar", "bg", "bn", "bs", "de", "el", "en", "es", "fa", "fr", "ha", "hi", "hr",
    "id", "mk", "pl", "ps", "pt", "ro", "ru", "sq", "sr", "sw", "tr", "uk", "ur", "zh",
}  # fmt: skip

# Known problems in tables owned by someone else, reported to their owner. Each
# entry must still be a problem (checked below), so fixing one is noticed and
# the entry is removed, like a strict xfail.
KNOWN_CASE_DUPLICATES: dict[str, str] = {}
KNOWN_CONFLICTS: set[tuple[str, str]] = set()


def normalise(phrase: str) -> str:
    """The form the cleaner compares phrases in (cleaner.rules.normalise_phrase)."""
    return " ".join(phrase.split()).casefold()


def load(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def phrase_lists(table: dict[str, Any]) -> list[tuple[str, str, list[Any]]]:
    return [
        (section, category, phrases)
        for section in sorted(SECTIONS & table.keys())
        for category, phrases in table[section].items()
    ]


def test_there_are_tables() -> None:
    assert len(TABLES) >= 3, TABLES
    assert (RULES / "en.toml") in TABLES


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.stem)
def test_table_schema(path: Path) -> None:
    table = load(path)
    unknown = table.keys() - TOP_LEVEL_KEYS - SECTIONS
    assert not unknown, f"{path.name}: unknown top-level keys {sorted(unknown)}"
    assert table.get("code") == path.stem, f"{path.name}: code must equal the file name"
    assert path.stem in DW_LANGUAGES, f"{path.name}: not a DW language code"
    assert isinstance(table.get("name"), str)
    assert table["name"].strip(), f"{path.name}: empty name"

    optional = (
        "relative_date_words", "name_joiners", "abbreviations", "section_names",
        "capitalised_pronouns", "unfinished_words",
    )
    for key in ("stopwords", "date_words", *optional):
        # The optional lists: not every table needs them.
        words = table.get(key, [] if key in optional else None)
        assert isinstance(words, list), f"{path.name}: {key} must be a list"
        assert all(isinstance(w, str) and w.strip() == w and w for w in words), (
            f"{path.name}: {key} must be non-empty strings without surrounding space"
        )
        dupes = [w for w, n in Counter(w.casefold() for w in words).items() if n > 1]
        assert not dupes, f"{path.name}: duplicate {key} {dupes}"
    assert table["stopwords"], f"{path.name}: stopwords must not be empty"

    for section in SECTIONS & table.keys():
        assert isinstance(table[section], dict), f"{path.name}: [{section}] must be a table"
        for category, phrases in table[section].items():
            where = f"{path.name} [{section}] {category}"
            assert category in CATEGORIES, f"{where}: unknown category"
            assert isinstance(phrases, list), f"{where}: must be a list"
            assert phrases, f"{where}: empty list (drop the key instead)"
            for phrase in phrases:
                assert isinstance(phrase, str), f"{where}: {phrase!r} is not a string"
                assert phrase.strip(), f"{where}: empty phrase"
                # Lines are compared after whitespace is collapsed, so a phrase
                # with double or surrounding spaces could never match.
                assert phrase == " ".join(phrase.split()), f"{where}: {phrase!r} has odd spaces"
            dupes = [p for p, n in Counter(phrases).items() if n > 1]
            assert not dupes, f"{where}: duplicate phrases {dupes}"


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.stem)
def test_no_duplicates_after_casefolding(path: Path) -> None:
    """Matching is case-insensitive, so "Top stories" and "TOP STORIES" are one phrase."""
    table = load(path)
    found = []
    for section, category, phrases in phrase_lists(table):
        counts = Counter(normalise(p) for p in phrases)
        found += [f"[{section}] {category}: {p!r}" for p, n in counts.items() if n > 1]
    if path.stem in KNOWN_CASE_DUPLICATES:
        assert found, f"{path.name} is fixed: remove it from KNOWN_CASE_DUPLICATES"
        pytest.xfail(KNOWN_CASE_DUPLICATES[path.stem])
    assert not found, f"{path.name}: {found}"


def claims() -> dict[tuple[str, str], set[tuple[str, str, str]]]:
    """(kind, normalised phrase) -> {(section, category, table)} over all tables."""
    claimed: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)
    for path in TABLES:
        for section, category, phrases in phrase_lists(load(path)):
            for phrase in phrases:
                claimed[(KIND[section], normalise(phrase))].add((section, category, path.stem))
    return claimed


def test_no_phrase_in_two_categories() -> None:
    """A phrase may be repeated across languages, but only for the same category."""
    conflicts = {
        key: sorted(owners)
        for key, owners in claims().items()
        if len({(section, category) for section, category, _ in owners}) > 1
    }
    new = {key: owners for key, owners in conflicts.items() if key not in KNOWN_CONFLICTS}
    assert not new, "phrases claimed by two categories:\n" + "\n".join(
        f"  {kind} {phrase!r}: {owners}" for (kind, phrase), owners in sorted(new.items())
    )
    fixed = KNOWN_CONFLICTS - conflicts.keys()
    assert not fixed, f"fixed, remove from KNOWN_CONFLICTS: {sorted(fixed)}"


def test_end_phrases_only_open_related_or_footer() -> None:
    """[end_line] and [end_prefix] cut the page from that line on: only headings belong there."""
    for path in TABLES:
        table = load(path)
        for section in ("end_line", "end_prefix"):
            assert set(table.get(section, {})) <= {"related", "footer"}, (path.name, section)


def test_image_credit_prefixes_end_with_a_colon() -> None:
    """Glued captions ("...Sergey LavrovImage: Reuters") are found from the
    line's colons (classify._credit_prefix_before_a_colon)."""
    prefixes = default_ruleset().credit_prefixes
    assert prefixes and all(prefix.endswith(":") for prefix in prefixes)


# Stopwords -------------------------------------------------------------------

# One news-style sentence pair per DW language, written for this test (not DW
# text): each table's stopwords must pick out its own language, including the
# close pairs (Serbian/Croatian/Bosnian, Russian/Ukrainian/Bulgarian/
# Macedonian, Arabic/Persian/Urdu/Pashto) where the words had to be chosen to
# break ties. The corpus pages cover en, de and fr (scripts/evaluate.py).
LANGUAGE_SAMPLES = {
    "es": (
        "El gobierno dijo que también habrá más controles en la frontera, según "
        "fuentes oficiales. Sin embargo, los expertos creen que las medidas no "
        "son suficientes y que hay muy poco tiempo hasta las elecciones."
    ),
    "pt": (
        "O governo disse que também não vai aumentar os impostos, mas a "
        "oposição ainda critica a proposta. Segundo ele, isso já foi discutido "
        "pelo parlamento e há muito tempo que a economia está em crise."
    ),
    "ru": (
        "Правительство заявило, что уже в этом году будет принят новый закон. "
        "Однако эксперты считают, что это только начало, и если реформы не "
        "будут продолжены, ситуация может стать очень сложной."
    ),
    "uk": (
        "Уряд заявив, що вже цього року буде ухвалено новий закон. Але експерти "
        "вважають, що це лише початок, і після виборів ситуація може змінитися, "
        "зокрема щодо економіки."
    ),
    "pl": (
        "Rząd poinformował, że nowa ustawa zostanie przyjęta jeszcze w tym "
        "roku. Według ekspertów jest to jednak dopiero początek, a sytuacja "
        "może się zmienić po wyborach, które są bardzo ważne dla kraju."
    ),
    "tr": (
        "Hükümet, yeni yasanın bu yıl içinde kabul edileceğini açıkladı. Ancak "
        "uzmanlara göre bu sadece bir başlangıç ve seçimlerden sonra durum daha "
        "çok değişebilir. Bakan, ekonomi ile ilgili yeni adımlar atılacağını "
        "söyledi."
    ),
    "id": (
        "Pemerintah mengatakan bahwa undang-undang baru akan disahkan tahun "
        "ini. Namun para ahli menilai hal tersebut baru permulaan dan situasi "
        "bisa berubah setelah pemilu, karena banyak warga yang tidak puas "
        "dengan kebijakan itu."
    ),
    "ar": (
        "وقال المتحدث باسم الحكومة إن القانون الجديد سيتم إقراره هذا العام. لكن "
        "الخبراء يرون أن ذلك مجرد بداية، حيث أن الوضع قد يتغير بعد الانتخابات "
        "التي ستجرى في البلاد."
    ),
    "fa": (
        "سخنگوی دولت گفت که قانون جدید امسال تصویب خواهد شد. اما کارشناسان بر "
        "این باورند که این تنها آغاز راه است و وضعیت پس از انتخابات نیز ممکن "
        "است تغییر کند."
    ),
    "ur": (
        "حکومت کے ترجمان نے کہا کہ نیا قانون اس سال منظور کیا جائے گا۔ تاہم "
        "ماہرین کا کہنا ہے کہ یہ صرف ایک آغاز ہے اور انتخابات کے بعد صورتحال "
        "بھی بدل سکتی ہے۔"
    ),
    "ps": (
        "د حکومت ویاند وویل چې نوی قانون به سږکال تصویب شي. خو کارپوهان وايي چې "
        "دا یوازې پیل دی او له ټاکنو وروسته به وضعیت بدل شي."
    ),
    "sw": (
        "Serikali imesema kwamba sheria mpya itapitishwa mwaka huu. Hata hivyo "
        "wataalamu wanasema hii ni mwanzo tu na hali inaweza kubadilika baada "
        "ya uchaguzi, kwa kuwa wananchi wengi bado hawajaridhika."
    ),
    "ha": (
        "Gwamnatin kasar ta ce za a amince da sabuwar dokar a cikin wannan "
        "shekara. Sai dai masana sun ce wannan somin tabi ne kawai, kuma "
        "lamarin zai iya canzawa bayan zabe, domin jama'a da dama ba su gamsu "
        "ba."
    ),
    "hi": (
        "सरकार ने कहा कि नया कानून इस साल पारित किया जाएगा। हालांकि विशेषज्ञों "
        "का मानना है कि यह केवल शुरुआत है और चुनाव के बाद स्थिति बदल भी सकती "
        "है।"
    ),
    "bn": (
        "সরকার জানিয়েছে এই বছরই নতুন আইন পাস করা হবে। তবে বিশেষজ্ঞরা বলছেন এটি "
        "কেবল শুরু এবং নির্বাচনের পর পরিস্থিতি বদলে যেতে পারে, কারণ অনেক মানুষ "
        "এখন সন্তুষ্ট নন।"
    ),
    "el": (
        "Η κυβέρνηση ανακοίνωσε ότι ο νέος νόμος θα ψηφιστεί φέτος. Ωστόσο οι "
        "ειδικοί θεωρούν ότι αυτό είναι μόνο η αρχή και η κατάσταση μπορεί να "
        "αλλάξει μετά τις εκλογές."
    ),
    "ro": (
        "Guvernul a anunțat că noua lege va fi adoptată încă din acest an. "
        "Potrivit experților, aceasta este însă doar un început, iar situația "
        "se poate schimba după alegeri, care sunt foarte importante pentru "
        "țară."
    ),
    "bg": (
        "Правителството съобщи, че новият закон ще бъде приет още тази година. "
        "Според експертите обаче това е само началото и след изборите "
        "ситуацията може да се промени, защото много хора са недоволни."
    ),
    "sq": (
        "Qeveria tha se ligji i ri do të miratohet këtë vit. Megjithatë "
        "ekspertët besojnë se kjo është vetëm fillimi dhe situata mund të "
        "ndryshojë pas zgjedhjeve, sipas analistëve."
    ),
    "sr": (
        "Vlada je saopštila da će novi zakon biti usvojen još ove godine. "
        "Međutim, stručnjaci smatraju da je to tek početak i da se situacija "
        "posle izbora može promeniti, jer su mnogi građani veoma nezadovoljni, "
        "rekao je analitičar."
    ),
    "sr-cyrl": (
        "Влада је саопштила да ће нови закон бити усвојен још ове године. "
        "Међутим, стручњаци сматрају да је то тек почетак и да се ситуација пре "
        "избора неће променити, због чега је опозиција незадовољна, рекао је "
        "аналитичар."
    ),
    "hr": (
        "Vlada je priopćila da će novi zakon biti usvojen još ove godine. "
        "Međutim, stručnjaci smatraju da je to tek početak i da se situacija "
        "nakon izbora može promijeniti tijekom sljedećih mjeseci, jer su mnogi "
        "građani vrlo nezadovoljni."
    ),
    "bs": (
        "Vlada je saopćila da će novi zakon biti usvojen još ove godine. "
        "Međutim, stručnjaci smatraju da je to tek početak i da se situacija "
        "poslije izbora može promijeniti, kazao je analitičar, jer hiljade "
        "građana nisu zadovoljni."
    ),
    "mk": (
        "Владата соопшти дека новиот закон ќе биде донесен уште оваа година. "
        "Сепак, експертите сметаат дека тоа е само почеток и дека ситуацијата "
        "по изборите може да се промени, бидејќи многу граѓани се незадоволни."
    ),
    "am": (
        "መንግሥት አዲሱ ሕግ በዚህ ዓመት እንደሚጸድቅ ገልጸዋል። ይሁን እንጂ ባለሙያዎች ይህ ጅማሬ ብቻ ነው ብለዋል፤ "
        "ከምርጫው በኋላ ሁኔታው ሊለወጥ እንደሚችል ተናግረዋል።"
    ),
    "zh": (
        "政府表示，新法律将于今年通过。但专家认为，这只是一个开始，选举之后局势可能会发生变化。"
    ),
}


@pytest.mark.parametrize("sample", sorted(LANGUAGE_SAMPLES))
def test_stopwords_identify_the_language(sample: str) -> None:
    code = sample.split("-", maxsplit=1)[0]
    assert detect_language(LANGUAGE_SAMPLES[sample], default_ruleset()) == code


def test_the_first_look_agrees_with_the_whole_sample_on_real_pages() -> None:
    # The early decision is a shortcut, not a second opinion: on every fixture
    # page, cleaned or raw, it must name the language the whole sample names.
    from cleaner.formats import clean_any  # noqa: PLC0415

    rules = default_ruleset()
    pages = [path for folder in ("dumps", "examples", "pages")
             for path in sorted((ROOT / "fixtures" / folder).iterdir())
             if path.suffix in {".txt", ".md"}]  # fmt: skip
    long_texts = 0
    for path in pages:
        raw = path.read_text(encoding="utf-8")
        for text in (raw, clean_any(raw, source=str(path)).text):
            early = detect_language(text, rules)
            assert early == detect_language(text, rules, first_look=0), path.name
            long_texts += len(text) > 2 * FIRST_LOOK_CHARS
    assert long_texts > 50  # texts the first look applies to, not only short ones


def test_every_language_has_a_sample() -> None:
    assert {sample.split("-", maxsplit=1)[0] for sample in LANGUAGE_SAMPLES} | {
        "en",
        "de",
        "fr",
    } >= {path.stem for path in TABLES}


# months.json ---------------------------------------------------------------

MONTHS_JSON = RULES / "months.json"
GENERATED_WITH_BABEL = "2.18.0"


@pytest.fixture(scope="module")
def months() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MONTHS_JSON.read_text(encoding="utf-8"))
    return data


def test_months_json_shape(months: dict[str, Any]) -> None:
    assert set(months) == {"months", "weekdays", "by_language", "ambiguous"}
    assert set(months["by_language"]) == DW_LANGUAGES
    assert {path.stem for path in TABLES} <= set(months["by_language"])
    assert all(1 <= n <= 12 for n in months["months"].values())
    for code, names in months["by_language"].items():
        assert len(set(names["months"].values())) == 12, f"{code}: not all 12 months"
        assert names["weekdays"], code
    # Names are stored casefolded, as lines are compared.
    assert all(name == name.casefold() for name in months["months"])
    assert all(day == day.casefold() for day in months["weekdays"])


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("september", 9),  # en
        ("sept.", 9),  # fr abbreviation, with its dot
        ("januar", 1),  # de
        ("märz", 3),
        ("septembre", 9),  # fr
        ("марта", 3),  # ru genitive, as in "3 марта 2022 г."
        ("март", 3),  # ru nominative
        ("мар.", 3),
        ("мар", 3),  # the same abbreviation without its dot
        ("septiembre", 9),  # es
        ("março", 3),  # pt
        ("ağustos", 8),  # tr
        ("μαρτίου", 3),  # el genitive
        ("三月", 3),  # zh
        ("مارس", 3),  # ar
    ],
)
def test_month_names(months: dict[str, Any], name: str, number: int) -> None:
    assert months["months"][name] == number


def test_ambiguous_names_are_left_out(months: dict[str, Any]) -> None:
    # Croatian "listopad" is October, Polish "listopad" is November.
    assert "listopad" in months["ambiguous"]
    assert "listopad" not in months["months"]
    assert months["by_language"]["hr"]["months"]["listopad"] == 10
    assert months["by_language"]["pl"]["months"]["listopad"] == 11
    assert not set(months["ambiguous"]) & months["months"].keys()


def test_weekdays(months: dict[str, Any]) -> None:
    for day in ("monday", "montag", "lundi", "понедельник", "pzt", "星期一"):
        assert day in months["weekdays"], day


def test_months_json_is_up_to_date() -> None:
    """months.json is what scripts/gen_months.py makes from the installed CLDR data."""
    babel = pytest.importorskip("babel")
    # Another babel ships other CLDR data, and names do change between CLDR
    # releases: then regenerate on purpose and update this pin, don't fail CI.
    if babel.__version__ != GENERATED_WITH_BABEL:
        pytest.skip(f"months.json was made with babel {GENERATED_WITH_BABEL}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_months.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
