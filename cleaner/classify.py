"""Decide, line by line, what is article text and what is chrome.

The page is walked in passes. The first reads the rule tables (phrases that are
chrome wherever they stand); the later ones read the page's structure: where
the title and date sit, which line an image credit belongs to, where the
related-content section starts. Each pass only labels lines that are still
undecided, so the earlier, more specific evidence wins. What is left at the end
is the article. Every label carries the rule that set it, for `explain`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import regex

from cleaner.dates import (
    MAX_DATE_LINE_CHARS,
    is_relative_date_line,
    is_time_line,
    parse_date_line,
)
from cleaner.document import Image, Media
from cleaner.lazy import compiled_on_first_use
from cleaner.leaked_code import bracket_depth, could_be_code, is_block_entry, is_code
from cleaner.lines import (
    CLAUSE_END,
    SENTENCE_END,
    Line,
    ends_a_sentence,
    has_sentence_break,
    make_line,
    split_sentences,
    structural_words,
)
from cleaner.rules import (
    END_LINE,
    END_PREFIX,
    NAME_PUNCTUATION,
    Rule,
    RuleSet,
    default_ruleset,
    fold_colons,
)
from cleaner.unwrap import DOUBLE_SPACED

# Categories of kept lines; every other category is removed from `text`.
BODY = "body"
HEADING = "heading"
KEPT = frozenset({BODY, HEADING})

# A heading is short: longer lines are paragraphs even without a full stop.
MAX_HEADING_WORDS = 14
# Image alt text and captions are at most a couple of sentences.
MAX_ALT_WORDS = 40
MAX_CREDIT_WORDS = 12
MAX_SECTION_WORDS = 4
# Closing marks after which a short line is usually a quoted sentence or a
# bracketed note ("(Archivbild)"), a paragraph of its own: no headline, and a
# heading only when it is one whole quotation (`_ends_like_a_heading`).
_CLOSING_MARKS = ('"', "”", "“", "»", "«", "'", "’", "‘", "」", "』", ")")
# How far a title may stand before its date line, in non-blank lines.
TITLE_LOOKBACK = 3

# Universal line shapes, the same in every language.
_HAS_DIGIT = re.compile(r"\d")
_DURATION = regex.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})")
_PERMALINK = regex.compile(r"https?://p\.dw\.com/p/[\w-]+/?")
_URL_ONLY = regex.compile(r"(?:https?://|www\.)\S+")
# What a text browser writes in place of an embedded frame (a YouTube player,
# a tracking frame): lynx "IFRAME: https://www.youtube.com/embed/..." (the
# URL after a link number "[2]" when it lists links), links "IFrame". Words of
# the browser, not of the page, in every language; no article says them alone.
_FRAME_PLACEHOLDER = regex.compile(r"IFRAME:(?:\s+(?:\[\d+\])?\S+)?|IFrame")
# The page's own <title>: "Headline | Section | DW | 19.01.2020" (old layout),
# "Headline – DW – 30.01.2024" (new layout).
_HTML_TITLE = regex.compile(
    r"(?P<title>.+?)\s*(?:\|[^|]*)*[|–-]\s*DW\s*[|–-]\s*(?P<date>\d{1,2}\.\d{1,2}\.\d{4})"
)
# Closing initials with agencies: "mg/cmk (AFP, Reuters, dpa)", "hb/dk (dpa,rtr,afp)".
# The rule of the closing initials ("cwo/fab (dpa, afp)"), which end the article.
CLOSING_INITIALS_RULE = "structure:closing_initials"
_CLOSING_INITIALS = regex.compile(
    r"(?P<initials>\p{Ll}{1,5}(?:\s?/\s?\p{L}{1,5}){1,9})\.?\s*(?:[(（](?P<agencies>[^()（）]{1,80})[)）])?\.?"
)
# DW's copyright line, the last line of every page in every language ("© 2024
# Deutsche Welle", often with the footer's links glued on: "© 2024 Deutsche
# WelleDatenschutzImpressum"). It is footer chrome wherever it stands, also
# where no footer heading or closing initials came before it (a language
# without a footer table, a scrape that kept the article and this line).
# "© DW/A. Smith" is a photo credit, not the site's notice: no "/" after DW;
# "Fotograf: © Java" names no DW and does not start with the sign.
_DW_COPYRIGHT = regex.compile(
    r"""©\s*
        (?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?   # the year, or a range of years
        (?:Deutsche\s*Welle|DW(?![\p{L}\p{N}/]))""",
    flags=regex.VERBOSE,
)
# Agencies alone in brackets at the end of an article: "(dpa, AFP)".
_AGENCIES_ONLY = regex.compile(r"[(（](?P<agencies>[^()（）]{2,80})[)）]\.?")
# Old-layout image: alt text with the credit in brackets on one line.
_ALT_WITH_CREDIT = regex.compile(r"(?P<alt>[^()]{3,300}?)\s*\((?P<credit>[^()]{2,100})\)")
# Credits name agencies and photo archives; a person's name is a credit too
# when it is in the brackets of an alt-text line (then it has lower case).
# A picture that is no agency's is credited to whoever lent it: "Photo:
# courtesy of the artist", "Bild: privat" / "Image: private".
_CREDIT_WORDS = regex.compile(
    r"/|picture[ -]?alliance|\bdpa\b|\bAFP\b|\bAP\b|Reuters|Getty|imago|\bDW\b|Wikipedia|"
    r"public domain|Creative Commons|\bCC\b|Xinhua|TASS|EPA|\bUPI\b|Zuma|Sputnik|Anadolu|"
    r"NurPhoto|SOPA|Bildagentur|\bcourtesy\b|\bprivate?\b",
    flags=regex.IGNORECASE,
)
_MARKUP = regex.compile(
    r"</?[a-zA-Z][^<>]{0,200}>|\{\{.*\}\}|^\s*(?:var|let|const|function)\b.*[;{]\s*$"
    r"|pym\.|document\.|window\.|googletag|\bfunction\s*\("
)
# Letters glued without a space where a renderer joined two elements:
# "PolitikRussische Föderation" is the section "Politik" and a topic.
_GLUED = regex.compile(r"(?<=\p{Ll})(?=\p{Lu})")
_NAME_TOKEN = regex.compile(r"[\p{Lu}][\p{L}\p{M}'’.-]*")
# Chinese has no capitals to tell a name by: a Chinese name is two to four Han
# characters (王伟, 欧阳娜娜); a foreign one is transliterated with a dot
# between its parts (安娜·彼得罗娃). A byline holds a few, between "、" or "，".
_CJK_NAME = r"(?:\p{Han}{1,8}(?:[·・‧]\p{Han}{1,8}){1,3}|\p{Han}{2,4})"
_CJK_NAMES = regex.compile(rf"{_CJK_NAME}(?:\s*[、，,/]\s*{_CJK_NAME}){{0,3}}")


# `object` under a name of this module: the compiled build (mypyc) looks the
# annotation up among the module's names, where builtins are not.
LabelValue = object


class Label(NamedTuple):
    # A NamedTuple for the same reason as `Line`: a page sets hundreds of labels.
    category: str
    rule: str
    # What the line contributes to the record: a title, an ISO date, an Image...
    value: LabelValue = None

    @property
    def kept(self) -> bool:
        return self.category in KEPT


@dataclass(slots=True)
class Page:
    lines: list[Line]
    labels: list[Label | None]
    rules: RuleSet
    keep_gallery: bool = False
    title_index: int | None = None
    end_index: int = 0
    # Lines matched by a table, before structure decided (for `explain`).
    table_rules: dict[int, Rule] = field(default_factory=dict)
    # Lines of leaked code that leave a bracket open (`label_code_blocks`).
    code_openers: list[int] = field(default_factory=list)
    # A hard-wrapped dump's lines are joined before they are read, and a
    # double-spaced page's blank lines dropped: how many input lines each of
    # the page's lines stands for (for `explain`), and which layout that was
    # (`cleaner.unwrap.Layout.kind`; the glued-headline rule reads it).
    input_spans: list[int] | None = None
    input_layout: str = ""
    # Where lines were joined (a hard-wrapped dump, a page cut at inline
    # elements), how many of the input's lines of text each line was joined
    # from: what `removed` counts (`cleaner.unwrap.Layout.parts`).
    input_parts: list[int] | None = None

    def set(self, index: int, category: str, rule: str, value: object = None) -> None:
        self.labels[index] = _new_label(Label, (category, rule, value))

    def free(self, index: int) -> bool:
        return self.labels[index] is None and bool(self.lines[index].text)

    def prev_nonblank(self, index: int) -> int | None:
        for i in range(index - 1, -1, -1):
            if not self.lines[i].blank:
                return i
        return None

    def next_nonblank(self, index: int, stop: int | None = None) -> int | None:
        stop = len(self.lines) if stop is None else stop
        for i in range(index + 1, stop):
            if not self.lines[i].blank:
                return i
        return None

    def adjacent_above(self, index: int) -> int | None:
        """The line directly above, when no blank line separates the two."""
        if index > 0 and not self.lines[index - 1].blank:
            return index - 1
        return None


_new_label = tuple.__new__


def _free_indices(page: Page, start: int, stop: int) -> list[int]:
    """Indices of the undecided non-blank lines in [start, stop), in one sweep
    (passes that only look at free lines skip the rest without a call each)."""
    labels, lines = page.labels, page.lines
    return [i for i in range(start, stop) if labels[i] is None and not lines[i].blank]


# --- pass 1: the rule tables and universal line shapes -----------------------


def _prefix_match(line: Line, rules: RuleSet) -> tuple[Rule, str] | None:
    # A label that is the whole line may end a sentence: "This live blog is
    # now closed." is the phrase "This live blog is now closed".
    key, text = line.key.rstrip("."), line.text
    if key.partition(" ")[0] not in rules.prefix_first_words:
        glued = _unspaced_label_glued(key, text, rules)
        if glued is None:
            return None
        key, text = glued
    words = key.split(" ", rules.max_prefix_words)
    for count in range(min(len(words), rules.max_prefix_words), 0, -1):
        rule = rules.prefixes.get(" ".join(words[:count]))
        if rule is not None:
            # Word boundaries of the key, in the line's own letters.
            spaced = text.replace(" :", ":") if " :" in text else text
            rest = spaced.split(" ", count)[count] if len(words) > count else ""
            return rule, rest.strip()
    return None


def _unspaced_label_glued(key: str, text: str, rules: RuleSet) -> tuple[str, str] | None:
    """Key and text of "图像来源：dpa" as if written "图像来源： dpa".

    Chinese text puts no space after its (fullwidth) colon, so a label of the
    tables is glued to its value and the line's first word is no prefix. Only
    a label in an unspaced script is parted so: in the spaced scripts
    "Foto:dpa" is not how DW writes a credit, and their lines stay as they are.
    """
    first = key.partition(" ")[0]
    colon = first.find(":")
    if colon <= 0 or first[: colon + 1] not in rules.prefix_first_words:
        return None
    if not _ENDS_UNSPACED.search(first[:colon]):
        return None
    text_colon = fold_colons(text).find(":")
    if text_colon < 0:
        return None
    return (
        f"{key[: colon + 1]} {key[colon + 1 :]}",
        f"{text[: text_colon + 1]} {text[text_colon + 1 :]}",
    )


def clock_seconds(text: str) -> int | None:
    """Seconds of a player's clock duration: "02:17" or "1:02:17"."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        return None
    hours = int(match.group(1) or 0)
    return hours * 3600 + int(match.group(2)) * 60 + int(match.group(3))


def split_names(text: str, rules: RuleSet | None = None) -> list[str]:
    """The names of a byline or agency list, in order ("A, B and C" -> A, B, C)."""
    separator = (rules or default_ruleset()).name_separator
    return [name.strip(" .") for name in separator.split(text) if name.strip(" .")]


def looks_like_names(text: str, rules: RuleSet | None = None) -> bool:
    """A byline: one or a few capitalised names, nothing else."""
    if not text.isascii() and _CJK_NAMES.fullmatch(text):
        return True
    joiners = (rules or default_ruleset()).name_joiners
    tokens = text.replace(",", " , ").split()
    if not 2 <= len(tokens) <= 12 or text.endswith(SENTENCE_END[:4]) or ":" in text:
        return False
    names = [t for t in tokens if t not in NAME_PUNCTUATION and t.casefold() not in joiners]
    return len(names) >= 2 and all(_NAME_TOKEN.fullmatch(t) for t in names)


def _prefix_value(rule: Rule, rest: str, rules: RuleSet, line: Line) -> tuple[bool, object]:
    """Whether a prefix match really is that chrome, and the value it carries.

    A prefix is matched by a line's first words, and an article's sentence may
    start with them ("By Friday, ...", "Updated figures show ...", "Print media
    have ..."): what follows the prefix must look like what the chrome carries.
    """
    category = rule.category
    words = structural_words(rest)
    if category == "image_credit":
        return 0 < words <= MAX_CREDIT_WORDS and _reads_like_a_credit_line(rest, rules), rest
    if category in ("video", "audio"):
        return (not rest or clock_seconds(rest) is not None), clock_seconds(rest)
    if category == "authors":
        return _reads_like_names(rest, rules), split_names(rest, rules)
    if category == "date":
        found = parse_date_line(rest, rules)
        return found is not None, found
    if category == "permalink":
        # A label with its URL, or alone: the URL on the next line (where
        # every text node gets a line of its own, BeautifulSoup's text).
        return (not rest or bool(_URL_ONLY.fullmatch(rest))), rest or None
    if category == "editors":
        # Names ("M-A. Pioerron"), or a short phrase that ends there.
        return 0 < words <= 20 and (
            looks_like_names(rest, rules) or not _goes_on_as_a_sentence(rest, rules)
        ), rest
    if category == "notes":
        # A note reads as a whole: "Adaption aus dem Russischen: Markian Ostaptschuk".
        return 0 < words <= 40 and not _goes_on_as_a_sentence(rest, rules), line.text
    if category == "updated":
        return words <= 20 and _reads_like_an_update_time(rest, rules), rest
    if not fold_colons(rule.phrase).rstrip().endswith(":"):
        # A button's or a list's label without a colon ("Print", "Keywords",
        # "Read more") is also a sentence's first word.
        return words <= 25 and _reads_like_a_label_tail(rest, rules), None
    return words <= 25, None


# Lower-case words in a row that make a clause of running text ("the talks
# had collapsed", "has become a symbol of"): names, credits and keywords have
# capitals or separators between their lower-case words ("Ursula von der
# Leyen", "picture alliance/dpa", "pinot noir, red wine").
CLAUSE_WORDS = 4
# A keyword of a "Keywords"/"Schlagwörter" list: "Krieg in der Ukraine",
# 'Luiz Inácio "Lula" da Silva'.
MAX_KEYWORD_WORDS = 6
# Lower-case particles in a row inside a name: "Ursula von der Leyen".
MAX_NAME_PARTICLES = 2
# Punctuation alone after a prefix ("Print |", "Updated —") is no value. (A full
# stop that ends the line is no part of the key a prefix is matched in:
# `_prefix_match`.)
_ONLY_PUNCTUATION = regex.compile(r"[\p{P}\s]*")
# Quotes and brackets that may open a word.
_OPENING_QUOTES = "\"'“„‘«»‹(["


def _lowercase_run(text: str) -> int:
    """The most words in a row of `text` that start with a lower-case letter
    (none in a script without case)."""
    longest = run = 0
    for word in text.split():
        run = run + 1 if word.lstrip(_OPENING_QUOTES)[:1].islower() else 0
        longest = max(longest, run)
    return longest


def _goes_on_as_a_sentence(rest: str, rules: RuleSet) -> bool:
    """Whether a note's or editor's text goes on as an article's sentence: a
    second sentence, or a clause after a comma ("Adapted from an earlier plan,
    the new proposal keeps ..."). A note's own comma leads to a name or a
    relative clause ("..., der im Mai 2021 zum ersten Mal veröffentlicht wurde").

    What a note quotes is one item of it: the title of the original ('Der
    Artikel wurde aus dem englischen Original "Can Trump sell the MAGA crowd
    on soccer?" adaptiert.', „Was wissen wir? Eine Bilanz“) ends no sentence of
    the note, and its commas open no clause. Nor does a credit that the note
    goes on with ("Adaption aus dem Englischen: Anna Schmidt. Redaktion: Jan
    Meier") make it an article's text.
    """
    rest = without_quotations(rest)
    if has_sentence_break(rest, rules.abbreviations):
        _, *more = split_sentences(rest, rules.abbreviations)
        if not all(_is_a_credit(sentence, rules) for sentence in more):
            return True
    return any(_lowercase_run(part) >= CLAUSE_WORDS for part in rest.split(",")[1:])


# A credit line's label: "Redaktion", "Mitarbeit", "Translation".
MAX_CREDIT_LABEL_WORDS = 3


def _is_a_credit(sentence: str, rules: RuleSet) -> bool:
    """A short label, a colon and names: "Redaktion: Jan Meier"."""
    label, colon, names = fold_colons(sentence).partition(":")
    return (
        bool(colon)
        and 0 < structural_words(label) <= MAX_CREDIT_LABEL_WORDS
        and not label[:1].islower()
        and _reads_like_names(names.strip().removesuffix("."), rules)
    )


def _reads_like_names(rest: str, rules: RuleSet) -> bool:
    """A byline's names after its label: "Ben Knight", "Julia Hitz (eg)",
    "Julia Vergin; Clare Roth", not "Friday, the talks had collapsed."."""
    if looks_like_names(rest, rules):
        return True
    if not (0 < structural_words(rest) <= 6 and rest[:1].isupper()):
        return False
    if _HAS_DIGIT.search(rest) or ends_a_sentence(rest, rules.abbreviations):
        return False
    # Each name ends with a capitalised surname, and is not a day or a month
    # ("By Friday", "By May 2024"); a note in brackets is no name.
    for name in split_names(_BRACKETED.sub(" ", rest), rules):
        words = name.split()
        if not words or words[-1][:1].islower() or _lowercase_run(name) > MAX_NAME_PARTICLES:
            return False
        if all(word.casefold() in rules.weekdays or word.casefold() in rules.months
               for word in words):
            return False
    return True


_BRACKETED = regex.compile(r"[(（\[][^()（）\[\]]*[)）\]]")


def _reads_like_a_credit_line(rest: str, rules: RuleSet) -> bool:
    """A credit after "Image:"/"Foto:": an agency, a photographer, not a sentence
    ("Photo: the lignite mine at Garzweiler has become a symbol ...")."""
    if ends_a_sentence(rest, rules.abbreviations):
        return False
    return _reads_like_credit(rest, rules) or _lowercase_run(rest) < CLAUSE_WORDS


def _reads_like_an_update_time(rest: str, rules: RuleSet) -> bool:
    """A live blog's status after "Updated"/"Last updated": nothing, or when."""
    return (
        _ONLY_PUNCTUATION.fullmatch(rest) is not None
        or parse_date_line(rest, rules) is not None
        or is_relative_date_line(rest, rules)
        or is_time_line(rest, rules)
    )


def _reads_like_a_label_tail(rest: str, rules: RuleSet) -> bool:
    """What follows a label without a colon: nothing, a button's or teaser's
    title ("Print this page"), or a keyword list ("wine, frühburgunder, Ahr,"),
    not the rest of a sentence ("media have covered the debate ...")."""
    if _ONLY_PUNCTUATION.fullmatch(rest) is not None:
        return True
    if ends_a_sentence(rest, rules.abbreviations) or has_sentence_break(rest, rules.abbreviations):
        return False
    keywords = [part for part in rest.split(",") if part.strip()]
    if len(keywords) >= 2 and all(structural_words(k) <= MAX_KEYWORD_WORDS for k in keywords):
        return True
    return not rest[:1].islower() and structural_words(rest) <= MAX_HEADING_WORDS


# Chrome that a [prefix] label opens is short: a longer line is not looked up.
# (A note with the title it quotes runs to about 25 words.)
MAX_PREFIX_LINE_WORDS = 30


# What the tables and universal shapes make of one line: the rule that matched
# (for `explain`) and the label. Both judge the line alone.
TableOutcome = tuple[Rule | None, Label | None]
_NOTHING: TableOutcome = (None, None)


def label_by_tables(page: Page) -> None:
    """Pass 1: the rule tables, then the universal shapes, line by line.

    A line's outcome depends on the line and the rules alone, and DW chrome
    repeats line for line from page to page, so outcomes are remembered per
    raw line in the rule set (cleaner/memo.py). Recurring lines are labelled
    in one sweep; the new ones (the article, mostly) are judged after it.
    """
    rules = page.rules
    known = rules.table_memo.values
    lines, labels, table_rules = page.lines, page.labels, page.table_rules
    new: list[int] = []
    for i, line in enumerate(lines):
        if line.blank:
            continue
        outcome = known.get(line.raw)
        if outcome is None:
            outcome = rules.table_memo.recall(line.raw)
        if outcome is None:
            new.append(i)
            continue
        rule, label = outcome
        if rule is not None:
            table_rules[i] = rule
        if label is not None:
            labels[i] = label
    if not new:
        return
    contains = _contains_phrases_in(rules, [lines[i] for i in new])
    for i in new:
        line = lines[i]
        rule, label = outcome = _table_outcome(line, rules, contains)
        if label is _CODE_OPENS_BLOCK:
            # Not remembered: it is judged again on every page it is on, and
            # listed there, so that no page without one searches its labels.
            page.code_openers.append(i)
        else:
            rules.table_memo.remember(line.raw, outcome)
        if rule is not None:
            table_rules[i] = rule
        if label is not None:
            labels[i] = label


def _contains_phrases_in(rules: RuleSet, lines: list[Line]) -> list[tuple[str, Rule]]:
    # "Contains" phrases are looked for in the lines once; each line is then
    # searched only for the few (usually none) that occur at all.
    keys = "\n".join(line.key for line in lines)
    return [(phrase, rule) for phrase, rule in rules.contains if phrase in keys]


def _table_outcome(
    line: Line, rules: RuleSet, contains: list[tuple[str, Rule]]
) -> TableOutcome:
    key = line.key
    rule = rules.lines.get(key)
    if rule is not None:
        return rule, _new_label(Label, (_category(rule), rule.id, None))
    if line.words <= MAX_PREFIX_LINE_WORDS:
        found = _prefix_match(line, rules)
        if found is not None:
            rule, rest = found
            ok, value = _prefix_value(rule, rest, rules, line)
            if ok:
                return rule, _new_label(Label, (_category(rule), rule.id, value))
    for phrase, rule in contains:
        if phrase in key and _banner_sized(line, phrase) and not _quotes(key, phrase):
            return rule, _new_label(Label, (_category(rule), rule.id, None))
    label = _universal_label(line, rules)
    return _NOTHING if label is None else (None, label)


# A [contains] phrase is the fixed part of a banner sentence whose tail varies
# (the language's name in "DW.COM has chosen English as your language
# setting.", a "more information" sentence after the cookie notice, the
# neighbouring widget a renderer glued on). The fixed part is at least a
# quarter of such a line, in words: in the fixtures' chrome it is a third or
# more (4 words of 13, 9 of 23). An article paragraph that quotes the phrase
# ('a sign reads "Sign up here for the cleanup crews", and by noon ...'), or
# a page flattened to one line, is many times longer than the phrase, and is
# not chrome for it.
CONTAINS_LINE_PER_PHRASE_WORDS = 4


# Marks that open a quotation, in DW's languages ("…", „…“, «…», »…«, '…').
_QUOTATION_MARKS = frozenset("\"“„«»‹›‘'‚「『")


def _quotes(key: str, phrase: str) -> bool:
    """Does a line quote a [contains] phrase (a quotation mark right before it)?

    A banner or prompt says its words; an article quotes them: a paragraph
    short enough for a prompt, 'The sign on the door read: "Sign up here."',
    is text.
    """
    at = key.find(phrase)
    while at > 0:
        if key[:at].rstrip()[-1:] in _QUOTATION_MARKS:
            return True
        at = key.find(phrase, at + 1)
    return False


def _banner_sized(line: Line, phrase: str) -> bool:
    """Whether a line holding a [contains] phrase is short enough to be that chrome."""
    return line.words <= CONTAINS_LINE_PER_PHRASE_WORDS * structural_words(phrase)


# Table categories name the chrome; a few map onto record categories.
_RECORD_CATEGORY = {"image_credit": "image", "authors": "byline", "live": "live"}


def _category(rule: Rule) -> str:
    return _RECORD_CATEGORY.get(rule.category, rule.category)


def _universal_label(line: Line, rules: RuleSet) -> Label | None:
    # Each shape is tried only when a cheap test says it could be that shape.
    text = line.text
    short = line.words <= 8
    if line.words <= 2 and ":" in text and (seconds := clock_seconds(text)) is not None:
        return Label("duration", "structure:duration", seconds)
    if text[0] == "©" and _DW_COPYRIGHT.match(text):
        return Label("footer", "structure:dw_copyright")
    if line.words == 1 and "p.dw.com" in text and _PERMALINK.fullmatch(text):
        return Label("permalink", "structure:permalink_url", text)
    if line.words == 1 and _URL_ONLY.fullmatch(text):
        return Label("markup", "structure:bare_url")
    if line.words <= 2 and text[0] == "I" and _FRAME_PLACEHOLDER.fullmatch(text):
        return Label("markup", "structure:frame_placeholder")
    if text[-1].isdigit() and "DW" in text and (match := _HTML_TITLE.fullmatch(text)):
        return Label("title", "structure:html_title", HtmlTitle(match["title"], match["date"]))
    if short and "/" in text and (match := _CLOSING_INITIALS.fullmatch(text)):
        agencies = split_names(match["agencies"] or "", rules)
        authors = [a.strip() for a in match["initials"].split("/")]
        return Label("byline", CLOSING_INITIALS_RULE, (authors, agencies))
    if (
        short
        and text.startswith(("(", "（"))
        and (match := _AGENCIES_ONLY.fullmatch(text))
        and _is_agency_list(match["agencies"])
    ):
        agency_names = split_names(match["agencies"], rules)
        return Label("byline", "structure:closing_agencies", ([], agency_names))
    # Script, style or JSON (cleaner/leaked_code.py). A line of them that
    # reads as prose by its length (JSON-LD with the headline in it, the
    # site's state object) has a brace; an article's paragraph rarely does.
    # (Before _MARKUP, which knows `var x = {` too, but not that it opens a block.)
    if (not line.is_prose or "{" in text) and could_be_code(text) and is_code(text, line.words):
        return _CODE_OPENS_BLOCK if bracket_depth(text) > 0 else _CODE_LINE
    if not line.is_prose and _could_be_markup(text) and _MARKUP.search(text):
        return Label("markup", "structure:markup")
    return None


_CODE_LINE = Label("markup", "structure:code")
# A code line that leaves a bracket open (`DW_PLAYER.localization = {`): the
# lines down to the one that closes it are code too (`label_code_blocks`).
_CODE_OPENS_BLOCK = Label("markup", "structure:code_block")
_CODE_IN_BLOCK = Label("markup", "structure:code_block_entry")
# An object literal or array leaked whole is a few dozen lines (DW's player
# strings are 16); a bracket still open further down is no block of ours.
MAX_CODE_BLOCK_LINES = 200


def _could_be_markup(text: str) -> bool:
    # Cheap test first: what each alternative of _MARKUP cannot match without.
    return (
        ("<" in text and ">" in text)
        or "{{" in text
        or "function" in text
        or "pym." in text
        or "document." in text
        or "window." in text
        or "googletag" in text
        or text.startswith(("var", "let", "const"))
    )


def _is_agency_list(text: str) -> bool:
    parts = split_names(text)
    return bool(parts) and all(len(p) <= 12 and " " not in p for p in parts)


def label_code_blocks(page: Page) -> None:
    """The entries of an object literal or array between its opening and
    closing lines (`rewind: "Back 10 seconds",` between
    `DW_PLAYER.localization = {` and `};`): alone, such a line is a key and
    a quotation, a caption or a heading by its shape."""
    for opening in page.code_openers:
        _label_code_block(page, opening)


def _label_code_block(page: Page, opening: int) -> None:
    """Label the free lines of the block opened at `opening` as markup, when
    every line down to the one that closes its brackets is code or an entry
    of one; a line of text on the way means the brackets were no block."""
    lines, labels = page.lines, page.labels
    depth = bracket_depth(lines[opening].text)
    entries = []
    for i in range(opening + 1, min(opening + 1 + MAX_CODE_BLOCK_LINES, len(lines))):
        line, label = lines[i], labels[i]
        if line.blank:
            continue
        if label is None and is_block_entry(line.text):
            entries.append(i)
        elif label is None or label.category != "markup":
            return
        depth += bracket_depth(line.text)
        if depth <= 0:
            for entry in entries:
                labels[entry] = _CODE_IN_BLOCK
            return


# --- pass 2: where the article starts and ends --------------------------------


def first_prose(page: Page) -> int | None:
    for i, line in enumerate(page.lines):
        if page.labels[i] is None and line.is_prose:
            return i
    return None


def find_end(page: Page, after: int) -> int:
    """The first related/footer heading after the article has begun."""
    table_rules, labels = page.table_rules, page.labels
    # (No table matched on a page classified again without the tables.)
    if not table_rules:
        return len(labels)
    for i in range(after + 1, len(labels)):
        rule = table_rules.get(i)
        if rule is not None and labels[i] is not None and rule.section in (END_LINE, END_PREFIX):
            return i
    return len(labels)


# --- pass 3: images, videos, audios ------------------------------------------


def _has_colon(text: str) -> bool:
    return ":" in text or "：" in text


def _glued_credit(line: Line, rules: RuleSet) -> tuple[str, str] | None:
    """Split "...Sergey LavrovImage: Reuters" into caption and credit."""
    if not _has_colon(line.text) or not _credit_prefix_before_a_colon(line.text, rules):
        return None
    lowered = fold_colons(line.text.casefold())
    # Where the labels found end: a shorter label ending at the same colon is
    # the tail of the longer one (Hausa "hoto:" in "Photo:"), not glued to a
    # caption's last letter.
    label_ends: set[int] = set()
    for prefix in rules.credit_prefixes:  # longest first
        pos = lowered.rfind(prefix, max(0, len(lowered) - 160))
        if pos < 0 or pos + len(prefix) in label_ends:
            continue
        label_ends.add(pos + len(prefix))
        if pos == 0:
            continue
        glued = not lowered[pos - 1].isspace()
        credit = line.text[pos + len(prefix) :].strip()
        # Separated by a space, "Bild:" may be prose ("ein klares Bild: Freunde
        # waren ..."): then the prefix must be capitalised and the rest must
        # read like a credit (an agency, an archive, a photographer/agency).
        if not glued and not (line.text[pos].isupper() and _reads_like_credit(credit, rules)):
            continue
        if 0 < structural_words(credit) <= MAX_CREDIT_WORDS:
            return line.text[:pos].rstrip(), credit
    return None


def _credit_prefix_before_a_colon(text: str, rules: RuleSet) -> bool:
    """Cheap test first: does a credit prefix end at one of the line's colons?
    (One C call per colon instead of a search per prefix. No false negatives:
    every prefix ends with ":" (a rule-table test checks it), the window is
    as long as the longest prefix, and casefolding never shortens text.)"""
    if not rules.credit_prefixes:
        return False
    longest = len(rules.credit_prefixes[0])  # sorted longest first
    text = fold_colons(text)
    start = 0
    while (colon := text.find(":", start)) >= 0:
        window = text[max(0, colon + 1 - longest) : colon + 1].casefold()
        if window.endswith(rules.credit_prefixes):
            return True
        start = colon + 1
    return False


# `inscript -i` writes an image's alt text on a line of its own, in square
# brackets: "[Russland Parlamentswahlen Wahlkommission]". An article's
# paragraph is never one bracketed phrase alone (an editor's insertion
# "[in Syria]" stands inside a sentence), so the shape marks alt text.
_BRACKETED = regex.compile(r"\[([^\[\]]*\p{L}[^\[\]]*)\]")


def bracketed_alt(text: str) -> str | None:
    """The alt text of a line that is wholly one bracketed phrase, or None."""
    # (The ends first: the pattern is tried only on the rare line they fit.)
    if not (text.startswith("[") and text.endswith("]")):
        return None
    match = _BRACKETED.fullmatch(text)
    return match[1].strip() if match is not None else None


def _alt_text(line: Line) -> str:
    """A line's text as an image's alt: without the brackets `inscript -i` adds."""
    alt = bracketed_alt(line.text)
    return line.text if alt is None else alt


def _alt_candidate(page: Page, index: int | None) -> bool:
    if index is None or not page.free(index):
        return False
    line = page.lines[index]
    return line.words <= MAX_ALT_WORDS and not line.is_prose


def label_images(page: Page, stop: int) -> None:
    rules = page.rules
    lines, labels = page.lines, page.labels
    # The lines this pass can label, in one sweep: image lines of the tables,
    # and undecided lines with a colon (a glued credit has one). Labels are
    # read again below: labelling one line can decide a later candidate.
    candidates = [
        i
        for i in range(stop)
        # (The colon test inline: a call per line of every page cost 10 us a page.)
        if ((found := labels[i]) is None and (":" in (text := lines[i].text) or "：" in text))
        or (found is not None and found.category == "image")
    ]
    # Credited images with a blank line right above them: their alt line may
    # stand across it (see `_pair_alts_across_blank_lines`).
    apart: list[int] = []
    for i in candidates:
        line = lines[i]
        label = labels[i]
        if label is not None and label.category == "image" and label.rule.endswith("image_credit"):
            above = page.adjacent_above(i)
            alt: str | None = None
            caption: str | None = None
            if _alt_candidate(page, above):
                assert above is not None
                alt = _alt_text(page.lines[above])
                page.set(above, "image", "structure:alt_above_credit")
            _label_ad_below_image(page, i)
            page.set(
                i, "image", label.rule, Image(alt=alt, caption=caption, credit=str(label.value))
            )
            if alt is None and above is None:
                apart.append(i)
        elif label is None and not line.blank:
            glued = _glued_credit(line, rules) or _credit_after_unknown_label(page, i)
            if glued is None:
                continue
            caption, credit = glued
            above = page.adjacent_above(i)
            alt = None
            if _alt_candidate(page, above):
                assert above is not None
                alt = _alt_text(page.lines[above])
                page.set(above, "image", "structure:alt_above_caption")
            _label_ad_below_image(page, i)
            page.set(
                i,
                "image",
                "structure:caption_with_credit",
                Image(alt=alt, caption=caption or None, credit=credit),
            )
            if alt is None and above is None:
                apart.append(i)
    _pair_alts_across_blank_lines(page, apart)


def _pair_alts_across_blank_lines(page: Page, images: list[int]) -> None:
    """The alt lines that a renderer set apart from their credited caption
    (or bare credit) by a blank line: "<alt>", "", "<caption>Bild: <credit>".

    An alt line and a subheading above a captioned picture look alike (a few
    words, no sentence's end), and a dump without alt text has the
    subheading where the alt line would be. So the line across the blank is
    taken for alt text only where it is marked as such (in the brackets of
    `inscript -i`), or on a page that shows it writes alt lines so: its main
    picture, right under the permalink (where the new layout has no
    subheading), has an alt-like line above its caption. A page without that
    proof keeps unmarked lines.
    """
    alts = [_alt_across_blank_lines(page, i) for i in images]
    proven = any(alt is not None and _under_the_permalink(page, alt) for alt in alts)
    for image_line, alt in zip(images, alts, strict=True):
        label = page.labels[image_line]
        if alt is None or label is None or not isinstance(label.value, Image):
            continue
        line = page.lines[alt]
        if not (proven or bracketed_alt(line.text) is not None):
            continue
        image = label.value
        page.set(alt, "image", "structure:alt_apart_from_caption")
        page.set(
            image_line,
            "image",
            label.rule,
            Image(alt=_alt_text(line), caption=image.caption, credit=image.credit),
        )


def _alt_across_blank_lines(page: Page, index: int) -> int | None:
    """The undecided alt-like line above `index` past blank lines (a few
    words, no sentence's end, no colon; or any bracketed alt), or None."""
    above = page.prev_nonblank(index)
    if above is None or not _alt_candidate(page, above):
        return None
    line = page.lines[above]
    if _is_alt_line(line) or bracketed_alt(line.text) is not None:
        return above
    return None


def _under_the_permalink(page: Page, index: int) -> bool:
    above = page.prev_nonblank(index)
    label = page.labels[above] if above is not None else None
    return label is not None and label.category == "permalink"


# A caption's credit label that no table knows, glued to the caption's last
# word in a spaced script ("...al parlamentoScatto: dpa"): the capitalised
# word after a lower-case letter.
_GLUED_LABEL = regex.compile(r"(?<=\p{Ll})\p{Lu}\p{Ll}+$")
# ...or after a Chinese caption, where nothing shows where the label begins.
_ENDS_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]$")


def _credit_after_unknown_label(page: Page, index: int) -> tuple[str, str] | None:
    """The new layout's caption with its credit glued on, in a language whose
    table has no credit label: "<caption><label>: <credit>", right under the
    image's alt line, where the credit names an agency or an archive.

    In a spaced script the label is the capitalised word glued to the
    caption's end, and is cut off; in Chinese it stays at the caption's end,
    since nothing tells where the caption ends and the label begins (a label
    the tables know, "图像来源：", is cut off by `_glued_credit`).
    """
    line = page.lines[index]
    if line.words > MAX_ALT_WORDS or not _alt_candidate(page, page.adjacent_above(index)):
        return None
    return split_unknown_credit_label(line.text)


def split_unknown_credit_label(text: str) -> tuple[str, str] | None:
    """("caption", "credit") of "<caption><label>: <credit>" where the label is
    in no table, or None: the credit after the last colon names an agency or
    an archive, and the label is glued to the caption's end (see
    `_credit_after_unknown_label`, which asks the alt line above it too)."""
    colon = max(text.rfind(":"), text.rfind("："))
    if colon < 0:
        return None
    credit = text[colon + 1 :].strip()
    # (Over twice as many spaces as a credit has words: no credit, in any script.)
    if credit.count(" ") >= 2 * MAX_CREDIT_WORDS:
        return None
    head = text[:colon]
    if not 0 < structural_words(credit) <= MAX_CREDIT_WORDS or not _CREDIT_WORDS.search(credit):
        return None
    if (label := _GLUED_LABEL.search(head)) is not None:
        return head[: label.start()], credit
    if _ENDS_UNSPACED.search(head):
        return head, credit
    return None


# The new layout's ad slot label ("Anzeige", "Advertisement") sits right
# under the first image, with no blank line between: one or two words.
MAX_AD_LABEL_WORDS = 2


def _label_ad_below_image(page: Page, image_line: int) -> None:
    below = image_line + 1
    if below < len(page.lines) and page.free(below):
        line = page.lines[below]
        if line.words <= MAX_AD_LABEL_WORDS and line.is_heading_like:
            page.set(below, "ads", "structure:label_glued_below_image")


def _reads_like_credit(credit: str, rules: RuleSet) -> bool:
    """An agency, an archive, a path of them, or a credit label of any table
    ("Foto: ...", "Image: ...")."""
    if _CREDIT_WORDS.search(credit):
        return True
    lowered = credit.casefold()
    return any(prefix.rstrip(":") in lowered for prefix in rules.credit_prefixes)


def _credit_in_brackets(line: Line, rules: RuleSet) -> tuple[str, str] | None:
    """Old layout: "Tahir Della (picture-alliance/dpa/L. Schwedes)"."""
    if not line.text.endswith(")") or line.words > MAX_ALT_WORDS:
        return None
    match = _ALT_WITH_CREDIT.fullmatch(line.text)
    if not match:
        return None
    alt, credit = match["alt"].strip(), match["credit"].strip()
    if alt.endswith((".", "!", "?", ":", ";", ",")):
        return None
    has_lower = any(ch.islower() for ch in credit)
    if _reads_like_credit(credit, rules) or (has_lower and structural_words(credit) <= 4):
        return alt, credit
    return None


def label_old_images(page: Page, start: int, stop: int) -> None:
    lines, labels = page.lines, page.labels
    # Only a line that ends with ")" can hold a credit in brackets: the test
    # inline spares a call per paragraph. (A blank line ends with nothing.)
    candidates = [
        i for i in range(start, stop) if labels[i] is None and lines[i].text.endswith(")")
    ]
    for i in candidates:
        if not page.free(i):  # labelled as a caption since the list was made
            continue
        found = _credit_in_brackets(page.lines[i], page.rules)
        if found is None:
            continue
        alt, credit = found
        caption = None
        below = page.next_nonblank(i, stop)
        if below is not None and page.free(below):
            line = page.lines[below]
            if line.is_heading_like and line.words <= 25 and not line.is_prose:
                caption = line.text
                page.set(below, "image", "structure:caption_below_alt")
        page.set(
            i, "image", "structure:alt_with_credit", Image(alt=alt, caption=caption, credit=credit)
        )


def label_bracketed_alts(page: Page, start: int, stop: int) -> None:
    """The alt lines of `inscript -i` ("[alt text]") in the article, with the
    caption below them, if any, and a credit in the alt's own brackets
    ("[Tahir Della (picture-alliance/dpa/L. Schwedes)]", the old layout).

    Credited captions of the new layout took theirs in `label_images`. In a
    gallery the line below is the gallery's (labelled before): no caption.
    """
    lines, labels = page.lines, page.labels
    for i in range(start, stop):
        text = lines[i].text
        # The ends first: one test per line on most pages, where none fits.
        if not (text.endswith("]") and text.startswith("[")) or labels[i] is not None:
            continue
        alt = bracketed_alt(text)
        if alt is None or structural_words(alt) > MAX_ALT_WORDS:
            continue
        credit = None
        found = _credit_in_brackets(make_line(alt), page.rules)
        if found is not None:
            alt, credit = found
        caption = None
        below = page.next_nonblank(i, stop)
        if below is not None and _caption_below_bracketed_alt(page, below, i, stop):
            caption = lines[below].text
            page.set(below, "image", "structure:caption_below_bracketed_alt")
        image = Image(alt=alt, caption=caption, credit=credit)
        page.set(i, "image", "structure:bracketed_alt", image)


def _caption_below_bracketed_alt(page: Page, below: int, alt: int, stop: int) -> bool:
    # As under an unmarked alt line (`label_alt_caption_pairs`): a short line,
    # at most one short sentence, that opens no list.
    line = page.lines[below]
    return (
        page.free(below)
        and bracketed_alt(line.text) is None
        and _is_caption_line(line, page.lines[alt], sentences=True)
        and not _opens_a_run_of_short_lines(page, below, stop)
    )


# The bullets inscriptis puts before list items, level by level ("*", "+",
# "o", "-"); a list item is indented like a caption, but is no caption.
_INDENTED_LIST_BULLETS = frozenset({"*", "+", "o", "-", "•"})


def _indent(line: Line) -> int:
    return len(line.raw) - len(line.raw.lstrip())


def label_indented_captions(page: Page, start: int, stop: int) -> None:
    """Captions that a renderer set apart by indentation alone.

    inscriptis lays a page out by its HTML nesting: each block is indented
    two columns deeper than the block it sits in, and it leaves out image alt
    text. In the old layout the article's paragraphs and subheadings are the
    children of one block (all at one indentation), and an image's caption is
    a child of the picture's block inside it: one line, deeper than the
    paragraph above it, on its own at that depth. Without its alt line above
    it, the caption read as a subheading (or as the alt text of the real
    subheading below it).

    Only on a page whose paragraphs are indented: a dump whose paragraphs
    start in the first column (w3m, pandoc) indents block quotes and lists,
    not captions.
    """
    lines = page.lines
    # Most dumps indent no paragraph: one sweep for an indented one spares
    # the depths of every line. (A loop, not any() over a generator: this
    # runs on every page, twice.)
    for line in lines[start:stop]:
        if line.is_prose and line.raw[:1].isspace():
            break
    else:
        return
    article = _free_indices(page, start, stop)
    depths = Counter(_indent(lines[i]) for i in article if lines[i].is_prose)
    if not depths:
        return
    # The most common depth of the article's paragraphs (the shallowest on a tie).
    body_depth = min(depths, key=lambda depth: (-depths[depth], depth))
    if body_depth == 0:
        return
    for i in article:
        line = page.lines[i]
        depth = _indent(line)
        above = page.prev_nonblank(i)
        below = page.next_nonblank(i)
        if (
            depth == body_depth
            or above is None
            or _indent(page.lines[above]) >= depth
            or (below is not None and _indent(page.lines[below]) == depth)
            or line.is_prose
            or line.words > MAX_CAPTION_WORDS
            or line.text.endswith(":")
            or line.raw.split(maxsplit=1)[0] in _INDENTED_LIST_BULLETS
        ):
            continue
        page.set(
            i,
            "image",
            "structure:indented_caption",
            Image(alt=None, caption=line.text, credit=None),
        )


def label_alt_caption_pairs(page: Page, start: int, stop: int) -> None:
    """Old layout without visible credits: an alt line, then its caption.

    A heading is followed by its paragraph; an image's alt text (a few words,
    no punctuation) is followed by a caption: one short sentence at most, often
    without a full stop, sometimes the alt text again.

    A caption with a full stop reads as well as a one-sentence paragraph, and
    its alt line as the subheading above it ("A long road" / "The first
    petitions were filed in 2004."). Such a pair is an image only on a page
    that shows its images otherwise: a credit, or a pair whose caption has no
    full stop (DW's captions mostly have none).
    """
    _label_alt_caption_pairs(page, start, stop, sentence_captions=False)
    if _shows_images(page, start, stop):
        _label_alt_caption_pairs(page, start, stop, sentence_captions=True)


def _shows_images(page: Page, start: int, stop: int) -> bool:
    """Whether the article holds an image found by other evidence than a
    caption with a full stop."""
    return any(
        label is not None and label.category == "image" for label in page.labels[start:stop]
    )


def _label_alt_caption_pairs(page: Page, start: int, stop: int, *, sentence_captions: bool) -> None:
    lines = page.lines
    free = _free_indices(page, start, stop)
    # A paragraph is no alt line (too long, or it ends a sentence): it pairs
    # only as the twin of the line below, which must be free, so is the next
    # line of `free` (labels are only added by this pass). Most free lines are
    # paragraphs: this spares them the loop below.
    last = len(free) - 1
    candidates = [
        i
        for position, i in enumerate(free)
        if not lines[i].is_prose
        or (position < last and lines[free[position + 1]].key == lines[i].key)
    ]
    for i in candidates:
        if not page.free(i):  # labelled as a caption since the list was made
            continue
        below = page.next_nonblank(i, stop)
        twin = below is not None and page.lines[below].key == page.lines[i].key
        if not (twin or _is_alt_line(page.lines[i])):
            continue
        above = page.prev_nonblank(i)
        if below is None or above is None or not page.free(below):
            continue
        if not (page.lines[above].is_prose or twin):
            continue
        if _introduces_list(page.lines[above]):
            continue
        if not _is_caption_line(page.lines[below], page.lines[i], sentences=sentence_captions):
            continue
        if _opens_a_run_of_short_lines(page, below, stop):
            continue
        image = Image(alt=page.lines[i].text, caption=page.lines[below].text, credit=None)
        page.set(i, "image", "structure:alt_line_before_caption", image)
        page.set(below, "image", "structure:caption_below_alt_line")




def _ends_unfinished(text: str) -> bool:
    """Whether `text` ends on a letter, a mark or a digit, not as a sentence
    ends in any of DW's scripts (a Hindi "।", an Amharic "።", a Chinese "。"
    or a closing quote are punctuation). (A pattern anchored at the end is
    tried at every position of the line: 3 us a line against 0.1.)"""
    last = text[-1:]
    return last.isalnum() or (last != "" and unicodedata.category(last)[0] in "LMN")

# A sentence's end inside a line, closing quotes or brackets after it
# ('... steps." Freedom fighters'), and more words after that: the line may
# hold the end of one sentence and the start of another. A full stop after a
# digit counts too: it is an ordinal ("24. April") as often as a sentence's
# end ("zwischen 20 und 30. Die"), and a paragraph must not be taken for a
# caption.
_SENTENCE_ENDS_INSIDE = regex.compile(r"[.!?…。！？؟۔।።][\"'\p{Pf}\p{Pe}]*\s+\S")


def label_long_unpunctuated_captions(page: Page, start: int, stop: int) -> None:
    """A caption that a dump keeps without its alt line or credit.

    trafilatura keeps an old-layout caption that is long enough to pass for a
    paragraph as a bare line between the paragraphs ("Libanon-Expertin Lina
    Khatib ist scheidende Direktorin des Middle East Programme des in London
    ansässigen Chatham House und neue Direktorin des SOAS Middle East
    Institute"). Its shape gives it away: too long for a subheading, yet
    without a sentence's end, and one clause (no sentence ends inside it),
    standing alone between two paragraphs. An article's own paragraph ends
    with its full stop; one that does not (a list item, a sentence cut off)
    has a list or a colon around it, not prose on both sides.
    """
    labels, lines = page.labels, page.lines
    for i in range(start, stop):
        line = lines[i]
        # Length first: most lines are shorter or longer, and a blank one has no words.
        if not (MAX_HEADING_WORDS < line.words <= MAX_CAPTION_WORDS) or labels[i] is not None:
            continue
        if not _ends_unfinished(line.text) or _SENTENCE_ENDS_INSIDE.search(line.text):
            continue
        # A caption describes the picture; a line opening with a quotation
        # quotes someone, as DW's subheadings often do.
        if line.text[0] in _QUOTATION_CLOSERS:
            continue
        above = page.prev_nonblank(i)
        below = page.next_nonblank(i, stop)
        if above is None or below is None:
            continue
        if not (page.lines[above].is_prose and page.lines[below].is_prose):
            continue
        if _introduces_list(page.lines[above]):
            continue
        page.set(
            i,
            "image",
            "structure:unpunctuated_caption",
            Image(alt=None, caption=line.text, credit=None),
        )


# Alt text is a handful of keywords, or a caption-length description; captions
# are one short sentence. A caption with a full stop could be a short paragraph,
# so then the alt line above it must be keyword-short.
MAX_ALT_LINE_WORDS = 20
MAX_ALT_KEYWORDS = 12
MAX_CAPTION_WORDS = 30
MAX_CAPTION_SENTENCE_WORDS = 20
# Short lines after a caption candidate that make it part of a list instead
# (a subheading and a one-line paragraph may follow a real caption).
RUN_OF_SHORT_LINES = 3
_INNER_SENTENCE_END = regex.compile(r"[.!?…]\s+\p{Lu}")


def _introduces_list(line: Line) -> bool:
    # A paragraph that ends with a colon announces what follows it: a list's
    # items or a quotation, read on as the article. DW sets its images
    # between whole paragraphs, so short lines after a colon are no image.
    return line.text.endswith(":")


def is_list_label(paragraph: str) -> bool:
    """A list's label, not a paragraph of prose: a short line of words that
    ends with a colon ("Das Wichtigste in Kürze:", "Ausgangslage:"). (A colon
    alone is what a renderer left of a "Read more: ..." teaser link.)"""
    return (
        paragraph.endswith(":")
        and structural_words(paragraph) <= MAX_HEADING_WORDS
        and any(char.isalnum() for char in paragraph)
    )


def _opens_a_run_of_short_lines(page: Page, caption: int, stop: int) -> bool:
    """Whether three more undecided short lines, not sentences, follow the caption candidate.

    An image's alt and caption stand alone between paragraphs: after them
    comes prose, or a subheading and then prose. Short lines that go on
    are a list or a menu. Read as pairs, they would be taken two at a time,
    each fixed-point pass finding the next pair now standing after prose: a
    list's items would become images, and a long list would cost a pass per
    two items.
    """
    index = caption
    for _ in range(RUN_OF_SHORT_LINES):
        following = page.next_nonblank(index, stop)
        if following is None or not _short_and_free(page, following):
            return False
        index = following
    return True


def _short_and_free(page: Page, index: int) -> bool:
    # Short and without a sentence's end: a menu entry or a list item. (A
    # subheading followed by a one-sentence paragraph is not a run.)
    return page.free(index) and _is_alt_line(page.lines[index])


def _is_alt_line(line: Line) -> bool:
    return 0 < line.words <= MAX_ALT_LINE_WORDS and not line.text.endswith((*SENTENCE_END, ":"))


def _is_caption_line(line: Line, alt: Line, *, sentences: bool) -> bool:
    """Whether `line` can be the caption under `alt`: without a full stop, or
    (`sentences`) one short sentence under a keyword-short alt line."""
    if line.key == alt.key:
        return True
    if line.words > MAX_CAPTION_WORDS or line.text.endswith(("?", ":", "!")):
        return False
    if not line.text.endswith(SENTENCE_END):
        return True
    return (
        sentences
        and alt.words <= MAX_ALT_KEYWORDS
        and line.words <= MAX_CAPTION_SENTENCE_WORDS
        and not _INNER_SENTENCE_END.search(line.text)
    )


# The categories of the table labels that open a media block.
_MEDIA_CATEGORIES = frozenset({"duration", "video", "audio"})


def label_media(page: Page, stop: int) -> None:
    """Video and audio blocks: title line, duration, browser notice."""
    labels = page.labels
    for i in range(stop):
        label = labels[i]
        # (One test for the many labels of other categories.)
        if label is None or label.category not in _MEDIA_CATEGORIES:
            continue
        if label.category == "duration":
            _label_duration_block(page, i, stop, label)
        elif label.category in ("video", "audio") and label.rule.endswith(
            ":prefix:" + label.category
        ):
            _label_watch_block(page, i, stop, label)
        elif label.category in ("video", "audio") and label.rule.endswith(
            ":line:" + label.category
        ):
            _label_titled_notice(page, i, label.category)


def _label_duration_block(page: Page, i: int, stop: int, label: Label) -> None:
    kind = None
    j = i
    for _ in range(3):
        nxt = page.next_nonblank(j, stop)
        if nxt is None:
            break
        nlabel = page.labels[nxt]
        if nlabel is not None and nlabel.category in ("video", "audio"):
            kind = nlabel.category
            break
        j = nxt
    if kind is None and (_untabled_notice(page, i, stop) or _titled_bare_duration(page, i, stop)):
        kind = "video"
    if kind is None:
        # A bare time without a player notice: a live-blog entry time.
        page.set(i, "live", "structure:time_line")
        return
    title = None
    above = page.prev_nonblank(i)
    if above is not None and page.free(above) and page.lines[above].is_heading_like:
        title = page.lines[above].text
        page.set(above, kind, f"structure:{kind}_title")
    page.set(
        i,
        kind,
        f"structure:{kind}_duration",
        Media(title=title, duration_s=label.value if isinstance(label.value, int) else None),
    )


# A player's fallback notice is one short sentence ("Your browser does not
# support the video element.").
MAX_NOTICE_WORDS = 12

# What the story's sentences have and a player's notice has not: the notice
# is the same generic sentence about the browser on every page, so it names
# no one, gives no figure and quotes nobody. A scrape that lost the notice
# (a browser-like reader skips the <video>'s fallback) puts the first
# paragraph under the duration, and a short one would pass for the notice;
# these marks keep "Today Nadezhdin is the only anti-war candidate." as text.
# (Casing only helps in scripts that have it; in the others the figure and
# quote marks, and the notice's length limit, are what is left. German
# capitalises every noun, so a German notice must be in de.toml, as DW's
# are.)
# conflicts: a notice naming "JavaScript" or "Adobe Flash" would be kept as
# text, but those notices run past MAX_NOTICE_WORDS anyway.
_STORY_MARKS = regex.compile(
    r"""
      (?<!\p{L})\p{Nd}     # a figure (not the 5 of "HTML5")
    | [\"“”„«»]            # a quotation
    """,
    flags=regex.VERBOSE,
)
# A capitalised word after the first is a name, unless the language
# capitalises a pronoun (`RuleSet.capitalised_pronouns`).
_CAPITALISED_WORD = regex.compile(r"\s[\"'“”„«»‹›(]*(\p{Lu}\p{Ll}+)")


def _tells_the_story(text: str, rules: RuleSet) -> bool:
    if _STORY_MARKS.search(text) or has_sentence_break(text):
        return True
    return any(word not in rules.capitalised_pronouns for word in _CAPITALISED_WORD.findall(text))


def _untabled_notice(page: Page, i: int, stop: int) -> bool:
    """A player notice in a language without a table: one short, generic
    sentence right after the duration, under a title line. A live blog's
    entry time is followed by the entry's heading instead, which ends without
    a full stop."""
    above = page.prev_nonblank(i)
    below = page.next_nonblank(i, stop)
    if above is None or below is None or not page.free(below) or not page.free(above):
        return False
    notice = page.lines[below]
    if not page.lines[above].is_heading_like or notice.is_heading_like:
        return False
    if notice.words >= MAX_NOTICE_WORDS or not notice.text.endswith(SENTENCE_END):
        return False
    if _tells_the_story(notice.text, page.rules):
        return False
    page.set(below, "video", "structure:notice_below_duration")
    return True


def _titled_bare_duration(page: Page, i: int, stop: int) -> bool:
    """A player with its notice left out: a scraper that reads the page as a
    browser shows it (the notice is the <video>'s fallback, which a browser
    does not show) keeps the title and the duration alone. The title is a
    short heading-like line right above, and a paragraph (long, or one short
    sentence) goes on below; a
    live blog's entry time is followed by the entry's heading instead, and
    stands under the previous entry's paragraph, not under a short line."""
    above = page.prev_nonblank(i)
    below = page.next_nonblank(i, stop)
    if above is None or below is None or not page.free(above) or not page.free(below):
        return False
    title = page.lines[above]
    return (
        title.is_heading_like
        and not title.is_prose
        and title.words <= MAX_HEADING_WORDS
        and _ends_like_a_heading(title.text)
        and _is_paragraph(page.lines[below])
    )


def _is_paragraph(line: Line) -> bool:
    # Prose, or a short sentence standing as a paragraph of its own: a full
    # stop makes it no heading (`Line.is_heading_like`).
    return line.is_prose or (not line.is_heading_like and line.text.endswith(SENTENCE_END))


def _label_titled_notice(page: Page, i: int, kind: str) -> None:
    """New layout without a duration: the player's headline, then the notice."""
    above = page.prev_nonblank(i)
    if above is None or not page.free(above) or not page.lines[above].is_heading_like:
        return
    title = page.lines[above].text
    page.set(above, kind, f"structure:{kind}_title")
    page.set(i, kind, f"structure:{kind}_notice", Media(title=title, duration_s=None))


def _label_watch_block(page: Page, i: int, stop: int, label: Label) -> None:
    """Old layout: "Watch video 02:17", then share widgets and the title twice."""
    kind = label.category
    title = None
    j = i
    while (nxt := page.next_nonblank(j, stop)) is not None:
        line = page.lines[nxt]
        nlabel = page.labels[nxt]
        if nlabel is None:
            if line.is_prose or not line.is_heading_like:
                break
            title = title or line.text
            page.set(nxt, kind, f"structure:{kind}_block")
        elif nlabel.category in ("share", "permalink", kind):
            page.set(nxt, kind, f"structure:{kind}_block")
        elif nlabel.category != "markup":
            # The player's script that a renderer let in (its strings,
            # `DW_PLAYER.localization = {...}`) is no part of the block but
            # stands inside it: it is passed over, and stays markup.
            break
        j = nxt
    duration = label.value if isinstance(label.value, int) else None
    page.set(i, kind, label.rule, Media(title=title, duration_s=duration))


# --- pass 4: title, date, byline, section -------------------------------------


def _date_anchor(page: Page, stop: int) -> int | None:
    prose_seen = 0
    lines, labels = page.lines, page.labels
    # Line by line, not over `_free_indices`: the search ends at the second
    # paragraph, near the top, and listing the whole page's free lines first
    # cost 7 us a page.
    for i in range(stop):
        if labels[i] is not None:  # (most lines above the article are)
            continue
        line = lines[i]
        if line.blank:
            continue
        if (
            len(line.text) <= MAX_DATE_LINE_CHARS
            and _HAS_DIGIT.search(line.text)
            and (
                parse_date_line(line.text, page.rules)
                or is_relative_date_line(line.text, page.rules)
            )
        ):
            return i
        if line.is_prose:
            prose_seen += 1
            if prose_seen >= 2:
                return None
    return None


@dataclass(frozen=True, slots=True)
class HtmlTitle:
    """The page's own <title> line: a fallback for the title and the date."""

    title: str
    date: str | None


def _title_from_html_title(page: Page, stop: int) -> bool:
    """Whether the page has a <title> line; the line below that repeats it is
    the title, unless the page's title is known already (a markdown page's
    first heading): a related item of the same name further down (an old
    layout's "Audios et vidéos sur le sujet") was taken for a second title,
    and the lead above it for navigation."""
    if page.title_index is not None:
        return any(
            label is not None and isinstance(label.value, HtmlTitle)
            for label in page.labels[:stop]
        )
    for i in range(stop):
        label = page.labels[i]
        if label is None or not isinstance(label.value, HtmlTitle):
            continue
        wanted = _comparable(label.value.title)
        # Neither quotes nor case folding change a line's words: lines of
        # another length are not compared (most of them are paragraphs).
        words = structural_words(wanted) if wanted else 0
        for j in range(i + 1, stop):
            line = page.lines[j]
            if line.words == words and page.free(j) and _comparable(line.text) == wanted:
                page.set(j, "title", "structure:title_matches_html_title", line.text)
                page.title_index = j
                break
        return True
    return False


_QUOTES = str.maketrans({"′": "'", "’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "„": '"'})


def _comparable(text: str) -> str:
    return " ".join(text.translate(_QUOTES).casefold().split())


def _free_lines_above(page: Page, anchor: int) -> list[int]:
    """Up to two undecided lines above the date, skipping a labelled byline."""
    found: list[int] = []
    i = page.prev_nonblank(anchor)
    while i is not None and len(found) < TITLE_LOOKBACK - 1:
        label = page.labels[i]
        if label is None:
            found.append(i)
        elif label.category != "byline":
            break
        i = page.prev_nonblank(i)
    return found


def _title_repeated(page: Page, stop: int) -> None:
    """A known title's copy on the next line is the title too: a scraper that
    puts "# <title>" above markdown that opens with it. (Before a known title
    stood, it was taken for a title above the date line, or for the line that
    repeats the <title>; a title found already now stands.)"""
    if page.title_index is None:
        return
    wanted = _comparable(page.lines[page.title_index].text)
    following = page.next_nonblank(page.title_index, stop)
    while (
        following is not None
        and page.free(following)
        and _comparable(page.lines[following].text) == wanted
    ):
        page.set(following, "title", "structure:title_repeated", page.lines[following].text)
        following = page.next_nonblank(following, stop)


def label_title(page: Page, stop: int) -> None:
    _title_repeated(page, stop)
    anchor = _date_anchor(page, stop)
    if anchor is not None:
        page.set(
            anchor,
            "date",
            "structure:date_line",
            parse_date_line(page.lines[anchor].text, page.rules),
        )
        candidates = _free_lines_above(page, anchor)
        date_label = (
            candidates[0]
            if candidates and _is_date_label(page.lines[candidates[0]], page.rules)
            else None
        )
        if date_label is not None or _after_closing_initials(page, anchor):
            # The old layout's metadata block under the article ("Datum" /
            # "14.03.2023"): the date is the article's, but what stands above
            # it is the article's end, not its title.
            if date_label is not None:
                page.set(date_label, "date", "structure:date_label")
            if not _title_from_html_title(page, stop):
                _title_before_lead(page, stop)
            return
        if (
            len(candidates) == 2
            and looks_like_names(page.lines[candidates[0]].text, page.rules)
            and page.lines[candidates[1]].is_heading_like
        ):
            byline, title = candidates
            page.set(
                byline,
                "byline",
                "structure:name_above_date",
                split_names(page.lines[byline].text, page.rules),
            )
        elif candidates and page.lines[candidates[0]].is_heading_like:
            title = candidates[0]
        else:
            _title_from_html_title(page, stop)
            return
        if page.title_index is None:
            page.set(title, "title", "structure:title_above_date", page.lines[title].text)
            page.title_index = title
        _byline_below_date(page, anchor, stop)
        return
    if _title_from_html_title(page, stop):
        return
    _title_before_lead(page, stop)


def _after_closing_initials(page: Page, index: int) -> bool:
    """Does line `index` come after the article's closing initials ("cwo/fab
    (dpa, afp)")? (The date search stops at the second paragraph; a dump
    hard-wrapped at 72 columns has no line long enough to count as one, so the
    search can reach the metadata block under the article.)"""
    return any(label is not None and label.rule == CLOSING_INITIALS_RULE
               for label in page.labels[:index])


def _is_date_label(line: Line, rules: RuleSet) -> bool:
    """A line that is nothing but a table's date label ("Datum", "Date:")."""
    rule = rules.prefixes.get(line.key) or rules.prefixes.get(line.key.rstrip(":"))
    return rule is not None and rule.category == "date"


def _byline_below_date(page: Page, anchor: int, stop: int) -> None:
    below = page.next_nonblank(anchor, stop)
    if (
        below is not None
        and page.free(below)
        and looks_like_names(page.lines[below].text, page.rules)
    ):
        after = page.next_nonblank(below, stop)
        if after is not None and page.lines[after].is_prose:
            page.set(
                below,
                "byline",
                "structure:name_below_date",
                split_names(page.lines[below].text, page.rules),
            )


def _title_before_lead(page: Page, stop: int) -> None:
    """No date and no <title>: the heading-like line just above the lead.

    Only on a page that showed chrome above it, or that opens with the
    headline glued to its lead (see `_opens_with_headline`), so that cleaning
    clean text (which starts with its lead) never promotes a paragraph to a
    title.
    """
    lead = first_prose(page)
    if lead is None or lead >= stop or page.title_index is not None:
        return
    above = page.prev_nonblank(lead)
    if above is None or not page.free(above) or not page.lines[above].is_heading_like:
        return
    chrome_above = any(label is not None and not label.kept for label in page.labels[:above])
    if not chrome_above and not _opens_with_headline(page, above, lead):
        return
    page.set(above, "title", "structure:title_above_lead", page.lines[above].text)
    page.title_index = above


def _opens_with_headline(page: Page, first: int, lead: int) -> bool:
    """Does the page open with a headline line, its lead on the very next line?

    trafilatura's text output starts with the article's <h1> where the page
    has it inside the article (DW's new layout), under the kicker when links
    are kept (`--links`), and writes one paragraph a line with no blank line
    between: nothing else (chrome, date) marks the headline.
    """
    line = page.lines[first]
    above = page.prev_nonblank(first)
    return (
        # Glue is the only mark of a headline alone, and a double-spaced page
        # has none: clean text, a blank line between its paragraphs, is one,
        # and so is its kept text when it is classified again (`core.settle`).
        # Its first paragraph stays a paragraph, however short. A kicker (a
        # section name of a few words) atop the headline is a second mark, and
        # clean text never opens with one: readability's and html-text's
        # output, double-spaced, keeps the old layout's kicker and headline.
        (page.input_layout != DOUBLE_SPACED or above is not None)
        and (above is None or (above == first - 1 and _is_kicker_atop(page, above)))
        and lead == first + 1
        and line.words <= MAX_HEADING_WORDS
        # A short quote opening the text is the lead's first paragraph.
        and not line.text.endswith(_CLOSING_MARKS)
        # A headline is one sentence; two are the opening of a paragraph.
        and not has_sentence_break(line.text, page.rules.abbreviations)
    )


def _is_kicker_atop(page: Page, index: int) -> bool:
    """The page's first line, a section name of a few words."""
    line = page.lines[index]
    return (
        page.prev_nonblank(index) is None
        and line.words <= MAX_SECTION_WORDS
        and line.is_heading_like
        and not line.text[:1].isdigit()
    )


def kicker_section(kicker: str, section_names: tuple[str, ...]) -> str:
    """The section a kicker line names: its first part, where a renderer glued
    the section to the topic link beside it ("PolitikRussische Föderation").

    A script without capitals shows no seam ("政治俄罗斯"), nor does a space
    ("Politik Russische Föderation"): there a section name of the tables
    (longest first) that opens the line is the section, when what follows it
    does not go on in lower case (the same word, "Klimawandel", or the
    kicker's next word, "Kultur und Gesellschaft").
    """
    for name in section_names:
        rest = kicker[len(name) :].lstrip()
        if rest and kicker.startswith(name) and not rest[0].islower():
            return name
    return _GLUED.split(kicker, maxsplit=1)[0]


def _section_above_topic(page: Page, kicker: int) -> int | None:
    """The line right above a kicker line, when it is a section name of the
    tables and the kicker is not: the section and its topic link on two lines
    ("Politik" over "Russische Föderation", BeautifulSoup's text)."""
    upper = page.adjacent_above(kicker)
    names = page.rules.section_names
    if upper is None or not page.free(upper) or page.lines[kicker].text in names:
        return None
    return upper if page.lines[upper].text in names else None


def _kicker_gap_allowed(page: Page, title: int) -> int:
    """How many lines above the title the kicker may stand: two (a blank line
    between), or as far as the line under the title stands below it, where a
    renderer puts more blank lines between blocks (BeautifulSoup's
    `get_text("\n")` two)."""
    below = page.next_nonblank(title)
    return max(2, below - title if below is not None else 0)


def label_section_and_head(page: Page) -> None:
    """The kicker above the title is the section; everything above is chrome."""
    title = page.title_index
    if title is None:
        return
    head_end = title
    above = page.prev_nonblank(title)
    if above is not None and page.free(above) and title - above <= _kicker_gap_allowed(page, title):
        line = page.lines[above]
        if line.words <= MAX_SECTION_WORDS and line.is_heading_like and not line.text[:1].isdigit():
            upper = _section_above_topic(page, above)
            if upper is not None:
                page.set(upper, "section", "structure:section_above_topic", page.lines[upper].text)
                page.set(above, "section", "structure:topic_above_title")
                head_end = upper
            else:
                section = kicker_section(line.text, page.rules.section_names)
                page.set(above, "section", "structure:kicker_above_title", section)
                head_end = above
    before_title = _new_label(Label, ("navigation", "structure:before_title", None))
    for i in _free_indices(page, 0, head_end):
        page.labels[i] = before_title


# --- pass 5: galleries, related zone, tail ------------------------------------


def is_kept_gallery_slide(label: Label | None) -> bool:
    """A slide kept in the text by --keep-gallery. Passes over the clean text
    see no gallery around it, so it keeps this label rather than theirs."""
    return label is not None and label.kept and label.rule.startswith(GALLERY_RULE_PREFIX)


# The rules of gallery lines ("structure:gallery_slide_text", ...).
GALLERY_RULE_PREFIX = "structure:gallery"


def label_galleries(page: Page, start: int, stop: int) -> None:
    """Old-layout picture galleries repeat their own title on every slide."""
    lines = page.lines
    keys = [lines[i].key for i in _free_indices(page, start, stop) if lines[i].is_heading_like]
    # A key on three lines leaves at most len(keys) - 2 distinct keys: most
    # pages have fewer repeats than that, and need no count.
    if len(set(keys)) > len(keys) - 2:
        return
    counts = Counter(keys)
    repeated = {key for key, count in counts.items() if count >= 3}
    if not repeated:
        return
    # Kept (--keep-gallery), a slide's heading is a heading of the text, as in
    # the HTML reader; its text is body that also goes to `gallery`.
    heading = HEADING if page.keep_gallery else "gallery"
    category = BODY if page.keep_gallery else "gallery"
    last = None
    for i in range(start, stop):
        if not page.free(i) or page.lines[i].key not in repeated:
            continue
        page.set(i, "gallery", "structure:gallery_title")
        j = i
        nxt = page.next_nonblank(j, stop)
        if nxt is not None and page.free(nxt) and page.lines[nxt].is_heading_like:
            page.set(nxt, heading, "structure:gallery_slide_heading")
            j = nxt
            nxt = page.next_nonblank(j, stop)
        if nxt is not None and page.free(nxt):
            page.set(nxt, category, "structure:gallery_slide_text", page.lines[nxt].text)
            j = nxt
        last = j
    if last is not None:
        nxt = page.next_nonblank(last, stop)
        label = page.labels[nxt] if nxt is not None else None
        if nxt is not None and label is not None and label.category == "byline":
            page.set(nxt, "gallery", "structure:gallery_author")


def label_end_zone(page: Page) -> None:
    lines, labels = page.lines, page.labels
    zone = labels[page.end_index] if page.end_index < len(lines) else None
    category = zone.category if zone is not None else "related"
    # One label for every line of the zone (labels are immutable tuples).
    after_end = _new_label(Label, (category, "structure:after_end_marker", None))
    for i in range(page.end_index, len(lines)):
        label = labels[i]
        if label is None:
            if lines[i].text:
                labels[i] = after_end
        elif isinstance(label.value, (Image, Media)):
            # Teaser images and videos belong to other articles, not this one.
            labels[i] = after_end


def label_after_initials(page: Page) -> None:
    """Teaser titles left between the closing initials and the page end."""
    last = None
    labels = page.labels
    for i in range(page.end_index):
        label = labels[i]
        if label is not None and label.rule == CLOSING_INITIALS_RULE:
            last = i
    if last is None:
        return
    for i in _free_indices(page, last + 1, page.end_index):
        if not page.free(i):  # the date under a date label, labelled with it
            continue
        if _is_date_label(page.lines[i], page.rules) and _label_labelled_date(page, i):
            continue
        if not page.lines[i].is_prose:
            page.set(i, "related", "structure:after_closing_initials")


def _label_labelled_date(page: Page, label_index: int) -> bool:
    """The old layout's metadata block under the article: "Datum" over
    "14.03.2023" is the article's date, where no date stands under its title."""
    below = page.next_nonblank(label_index, page.end_index)
    if below is None or not page.free(below):
        return False
    date = parse_date_line(page.lines[below].text, page.rules)
    if date is None:
        return False
    page.set(label_index, "date", "structure:date_label")
    page.set(below, "date", "structure:date_line", date)
    return True


# Table categories whose label may stand alone on its line, the names it
# introduces on the next: BeautifulSoup's text gives every element a line of
# its own, and the old layout's metadata block under the article ("Autorin/Autor"
# over "Diana Hodali", "Author" over "Ben Knight") is a list of such pairs.
_NAME_LABEL_CATEGORIES = frozenset({"authors", "editors"})


def _names_label(line: Line, rules: RuleSet) -> Rule | None:
    """The rule of a line that is a names label of the tables and nothing else."""
    key = line.key.rstrip(".")
    rule = rules.prefixes.get(key) or rules.prefixes.get(key.rstrip(":"))
    return rule if rule is not None and rule.category in _NAME_LABEL_CATEGORIES else None


def label_names_below_their_label(page: Page) -> None:
    """A byline or editor label alone on its line, the names on the next one.

    Each line is judged alone by the tables, where a label with no names after
    it is no byline ("By" alone is no chrome). With the names right below it,
    it is the label, wherever on the page it stands, and the names are what
    it carries: the same names the tables take from "Autorin/Autor Diana
    Hodali" on one line.
    """
    rules, lines = page.rules, page.lines
    stems = rules.prefix_stems  # (one look-up rules out nearly every short line)
    for i in _free_indices(page, 0, len(lines)):
        line = lines[i]
        # (Not free any more when it is the names of the label above it.)
        if (line.words > MAX_CREDIT_LABEL_WORDS or line.key.rstrip(".:") not in stems
                or not page.free(i)):
            continue
        rule = _names_label(line, rules)
        if rule is None:
            continue
        below = page.next_nonblank(i)
        if below is None or not page.free(below):
            continue
        ok, names = _prefix_value(rule, page.lines[below].text, rules, page.lines[below])
        if ok:
            page.set(i, _category(rule), "structure:names_label")
            page.set(below, _category(rule), "structure:names_below_label", names)


# --- pass 6: what is left is the article --------------------------------------


def label_alt_after_lead(page: Page) -> None:
    """Old layout: the article's main picture sits between lead and body, and
    a text dump keeps only its alt text: a short line without punctuation."""
    if page.title_index is None:
        return
    lead = page.next_nonblank(page.title_index, page.end_index)
    while lead is not None and not page.free(lead):
        lead = page.next_nonblank(lead, page.end_index)
    if lead is None or not page.lines[lead].is_prose:
        return
    alt = page.next_nonblank(lead, page.end_index)
    if alt is None or not page.free(alt) or not _is_alt_line(page.lines[alt]):
        return
    after = page.next_nonblank(alt, page.end_index)
    if after is not None and page.lines[after].is_prose:
        image = Image(alt=page.lines[alt].text, caption=None, credit=None)
        page.set(alt, "image", "structure:alt_after_lead", image)


def label_body(page: Page) -> None:
    lines, labels = page.lines, page.labels
    body = _free_indices(page, 0, len(lines))
    last = len(body) - 1
    in_list = False
    for position, i in enumerate(body):
        line = lines[i]
        short = line.words <= MAX_HEADING_WORDS
        above = lines[body[position - 1]] if position > 0 else None
        # The short lines under a list's label ("Das Wichtigste in Kürze:")
        # are its items, up to the first paragraph: read one by one, an item
        # followed by a longer one looked like a subheading, and a summary of
        # five items gave two or three of them to `headings`.
        in_list = short and (in_list or (above is not None and is_list_label(above.text)))
        is_heading = (
            0 <= position < last
            and (position > 0 or _one_phrase(line.text))
            and short
            and not in_list
            and line.is_heading_like
            and _ends_like_a_heading(line.text)
            and lines[body[position + 1]].words > line.words
            and not (above is not None and _introduces_list(above))
        )
        if is_heading:
            page.set(i, HEADING, "structure:short_line_between_paragraphs", line.text)
        else:
            labels[i] = _REMAINING_TEXT


def _one_phrase(text: str) -> bool:
    """No sentence ends inside the line. A short first paragraph of two
    sentences ("Er scheint sich nicht sicher zu sein. Wie realistisch ist
    ein Sieg?") is a teaser, the lead, not a subheading that opens the text."""
    return not any(f"{mark} " in text for mark in ".!?")


# The label of every paragraph (one tuple: labels are immutable).
_REMAINING_TEXT = Label(BODY, "structure:remaining_text")


# The quotation marks that open a quotation in DW's languages, each with the
# marks that close it: German „…“ and »…«, French and Russian «…», English “…”
# and ‘…’, Chinese 「…」, and the straight ASCII quotes that every renderer
# may put for any of them.
_QUOTATION_CLOSERS = {
    '"': '"',
    "“": "”“",
    "„": "“”",
    "«": "»",
    "»": "«",
    "‘": "’",
    "‚": "‘’",
    "'": "'",
    "「": "」",
    "『": "』",
}
# A quotation: an opening mark at a word's start, up to the first of its
# closing marks that no letter or digit follows (a closing mark before a
# letter is an apostrophe: "'We're tired'").
_NO_LETTER_BEFORE = r"(?<![\p{L}\p{N}])"
_NO_LETTER_AFTER = r"(?![\p{L}\p{N}])"
# (Compiled on first use: about 2.6 ms, for the few lines that open with a
# note's label.)
_QUOTATION = compiled_on_first_use(
    "|".join(
        f"{_NO_LETTER_BEFORE}{regex.escape(opening)}.+?[{regex.escape(closing)}]{_NO_LETTER_AFTER}"
        for opening, closing in _QUOTATION_CLOSERS.items()
    )
)
# What a quotation is read as where only the sentence around it matters: one
# capitalised word, which ends no sentence and is no lower-case clause. (Not
# a single letter: "Q." would be an initial, and its full stop no sentence's
# end.)
_QUOTATION_STANDS_IN = "Quotation"


def without_quotations(text: str) -> str:
    """`text` with each quotation in it read as one word: where a note quotes
    a title, the title's punctuation and length are no part of the note's."""
    if not any(mark in text for mark in _QUOTATION_CLOSERS):
        return text
    return _QUOTATION().sub(_QUOTATION_STANDS_IN, text)


# A sentence's end inside a line, where a new sentence (quoted or not)
# begins; a full stop after a digit is an ordinal ("seit Mitte des 19.
# Jahrhunderts").
_SENTENCE_BREAK_INSIDE = regex.compile(r"(?<!\d)[.!?…]\p{Pf}?\s+[\p{Pi}\p{Ps}\"']?\p{Lu}")


def _ends_like_a_heading(text: str) -> bool:
    """Whether a short line ends as a heading does: with a word, or as a whole
    quotation whose own words end like a heading.

    DW often sets a quote as a subheading ("In Vilnius fühle ich mich wohl",
    in quotes). Such a line is judged by the words inside its quotes, like a
    heading that starts with a letter; a quoted sentence ends with its full
    stop inside the quotes ("Wir sind müde.") and stays a paragraph, and so
    does a line of two quotations or two sentences ('"Nein", sagt er. "Nie"').
    """
    if not text.endswith(_CLOSING_MARKS):
        return True
    closers = _QUOTATION_CLOSERS.get(text[0])
    if closers is None or len(text) < 3 or text[-1] not in closers:
        return False
    inside = text[1:-1].strip()
    return (
        bool(inside)
        and not inside.endswith(CLAUSE_END)
        and not _closes_inside(inside, closers)
        and not _SENTENCE_BREAK_INSIDE.search(inside)
    )


def _closes_inside(inside: str, closers: str) -> bool:
    # A closing mark before a letter is an apostrophe ("'We're tired'"), not
    # the end of the quotation.
    return any(
        char in closers and not inside[i + 1 : i + 2].isalnum() for i, char in enumerate(inside)
    )


def classify(page: Page, *, tables: bool = True) -> Page:
    """Label every line of `page`.

    `tables=False` skips the rule tables and universal shapes. Both judge a
    line alone, so on lines that passed them once unlabelled (the kept lines
    that `core.analyse` classifies again) they would find nothing again.
    """
    everything = len(page.lines)
    if tables:
        label_by_tables(page)
        # (Only the tables' pass finds a block's opening line.)
        label_code_blocks(page)
    label_media(page, everything)
    label_images(page, everything)
    label_title(page, everything)
    start = page.title_index
    page.end_index = find_end(page, start if start is not None else _first_prose_or_top(page))
    label_section_and_head(page)
    start = start or 0
    label_galleries(page, start, page.end_index)
    label_bracketed_alts(page, start, page.end_index)
    label_old_images(page, start, page.end_index)
    label_indented_captions(page, start, page.end_index)
    label_alt_caption_pairs(page, start, page.end_index)
    label_long_unpunctuated_captions(page, start, page.end_index)
    label_alt_after_lead(page)
    label_names_below_their_label(page)
    label_end_zone(page)
    label_after_initials(page)
    label_body(page)
    return page


def _first_prose_or_top(page: Page) -> int:
    lead = first_prose(page)
    return lead if lead is not None else -1
