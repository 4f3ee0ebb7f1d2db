"""Guess the ISO 639-1 language of the kept article text.

DW publishes in about 30 known languages, and the rule tables already list
each one's most frequent function words. Counting those in the first few
hundred words tells DW's languages apart in well under 0.1 ms per page, where a
general language identifier (py3langid: ~0.5 ms a call and 0.7 s to load its
model in every worker) would cost more than the whole cleaning. Scripts used by
a single DW language (Han, Devanagari, ...) decide on their own when the
stopwords say nothing, and the page URL (`dw.com/<code>/...`) is the last resort.
"""

from __future__ import annotations

import re

import regex

from cleaner.rules import RuleSet

# Enough words to be sure, few enough to stay cheap on long pages.
SAMPLE_WORDS = 400
SAMPLE_CHARS = 2500
# A language needs this many stopword hits, and a lead over the runner-up.
MIN_HITS = 3
# The first few lines usually settle it, at a quarter of the cost: a language
# with this many hits there and this lead over the runner-up is not read on.
# (Close calls, such as Spanish and Portuguese sharing "de", "a", "que", go on
# to the whole sample.)
FIRST_LOOK_CHARS = 600
DECISIVE_HITS = 12
DECISIVE_LEAD = 3

# Runs of letters (stdlib re: several times faster than `regex` here).
_WORD = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> list[str]:
    """`_WORD.findall(text)`, about twice as fast on running text.

    Whitespace ends every run of letters, so the runs are those of each
    whitespace-separated token, in order. A token of letters only (most of
    them) is one run as it stands, and so is one between punctuation once
    stripped of it; only the others (digits, apostrophes inside a word,
    combining marks) go through the pattern.
    """
    words: list[str] = []
    findall = _WORD.findall
    for token in text.split():
        if token.isalpha():
            words.append(token)
            continue
        # Most other tokens are a word between punctuation ("Berlin,",
        # "«Nein»"): stripped of it (no punctuation here is part of a run), the
        # word stands alone, without the pattern (0.5 us a token).
        core = token.strip(_WORD_PUNCTUATION)
        if core.isalpha():
            words.append(core)
        elif core:
            words += findall(core)
    return words


# Punctuation around words in DW's languages (none of it a letter or digit).
_WORD_PUNCTUATION = ".,;:!?\"'()[]«»„“”‘’‹›-–—…"

_URL_LANGUAGE = regex.compile(r"dw\.com/(?P<code>[a-z]{2})(?:-[a-z]{2,4})?/")

# Scripts that only one DW language writes in: (script pattern, language).
_SCRIPT_LANGUAGES = (
    (regex.compile(r"\p{Han}"), "zh"),
    (regex.compile(r"\p{Devanagari}"), "hi"),
    (regex.compile(r"\p{Bengali}"), "bn"),
    (regex.compile(r"\p{Ethiopic}"), "am"),
    (regex.compile(r"\p{Greek}"), "el"),
)


def language_from_url(url: str | None) -> str | None:
    if not url:
        return None
    match = _URL_LANGUAGE.search(url)
    return match["code"] if match else None


def _stopword_votes(sample: str, stopwords: dict[str, tuple[str, ...]]) -> list[tuple[str, int]]:
    """Languages by their stopword hits in `sample`, most first (ties by code)."""
    votes: dict[str, int] = {}
    words = words_of(sample.casefold())[:SAMPLE_WORDS]
    # filter() runs in C: only the (few) stopwords reach the Python loop.
    for word in filter(stopwords.__contains__, words):
        for code in stopwords[word]:
            votes[code] = votes.get(code, 0) + 1
    return sorted(votes.items(), key=lambda item: (-item[1], item[0]))


def _leader(ranked: list[tuple[str, int]]) -> tuple[str, int, int]:
    """The leading language, its hits and the runner-up's (no votes: "", 0, 0)."""
    if not ranked:
        return "", 0, 0
    return ranked[0][0], ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0


def detect_language(
    text: str, rules: RuleSet, url: str | None = None, *, first_look: int = FIRST_LOOK_CHARS
) -> str | None:
    """The language of `text`; `first_look=0` always reads the whole sample."""
    stopwords = rules.stopwords
    if first_look and len(text) > first_look:
        best, hits, runner_up = _leader(_stopword_votes(text[:first_look], stopwords))
        if hits >= DECISIVE_HITS and hits >= DECISIVE_LEAD * runner_up:
            return best
    best, hits, runner_up = _leader(_stopword_votes(text[:SAMPLE_CHARS], stopwords))
    if hits >= MIN_HITS and hits > runner_up:
        return best
    sample = text[:2000]
    for pattern, code in _SCRIPT_LANGUAGES:
        if pattern.search(sample):
            return code
    return language_from_url(url)
