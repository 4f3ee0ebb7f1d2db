"""Script, style sheets and structured data that leaked into a page's text.

A renderer that takes an HTML page's text nodes without leaving out <script>
and <style> (lxml's `text_content()`, a DOM's `textContent`) puts their
contents among the article's lines: JavaScript statements and object literals
(`DW_PLAYER.localization = {` ... `};`), JSON-LD (`{"@context": ...}`), CSS
rules (`.nav-btn{margin:10px;}/*!sc*/`). The policy removes them as `markup`.

A line is code when it has one of the shapes below AND enough of code's
punctuation for its length. The shapes are anchored where they can be (a line
that starts with a closing brace, an assignment to a dotted name) so that a
sentence that happens to hold a brace or a semicolon matches none; the
punctuation density keeps a long paragraph that quotes a snippet of code
("the page sets {display: none} for ...") as text, since prose has a
handful of such marks in dozens of words and code several per word.
"""

from __future__ import annotations

import regex

from cleaner.lazy import compiled_on_first_use

# Marks of code, counted for the density test (`_dense_enough`): braces,
# statement ends, assignments and JSON's `"key":`. (Not brackets or quotes,
# which prose has.)
# At least one mark per this many words: the sparsest code line of the
# corpus dumps (a CSS @font-face rule with its font names) has one per three;
# a German paragraph with two semicolons in thirty words has one per fifteen.
WORDS_PER_CODE_MARK = 4

# A CSS declaration block: "{", a property ("margin", "-webkit-transform",
# a custom "--link-color"), ":" and a value ended by ";" or "}".
_CSS_DECLARATION = compiled_on_first_use(r"\{\s*-{0,2}[a-zA-Z][\w-]*\s*:[^{};]*[;}]")
# A JSON object or array opening the line: `{"@context":`, `[{"id":`,
# `[["de", 1],`. (Not `[[`, `[{` alone: markdown's nested links and pandoc's
# attributes, `[[Kontakt]{.sc-gicCDI`, open so.)
_JSON_START = compiled_on_first_use(
    r"""\{\s*["'][^"']*["']\s*:|\[\s*\{\s*["']|\[\s*\[\s*["'\d]"""
)
# An assignment to a script's name: `DW_PLAYER.localization = {`,
# `window.dataLayer = [`, `j=d.createElement(s)`. The name must look like
# code (dotted, indexed, with "_" or "$", camelCase, or after var/let/const):
# a headline such as "Bildung = Zukunft" has a plain word there.
_ASSIGNMENT = compiled_on_first_use(
    r"""(?:(?:var|let|const)\s+[A-Za-z_$][\w$]*
        |[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[[^\]]*\])+
        |[\w$]*[_$][\w$]*
        |[a-z][a-z\d]*[A-Z][\w$]*
        |[a-z])
       \s*(?:[-+*/|&]|\|\||&&|\?\?)?=(?![=>])""",
    flags=regex.VERBOSE,
)
# A method call with nothing between object, name and bracket, in a line that
# ends a statement: `f.parentNode.insertBefore(j,f);`.
_METHOD_CALL = compiled_on_first_use(r"[\w$\])]\.[A-Za-z_$][\w$]*\(")
# A statement of control flow or a function opening the line: `if(!x) {`,
# `(function(w,d){`, `!function(){`.
_STATEMENT = compiled_on_first_use(
    r"(?:if|for|while|switch|catch)\s*\(|[(!]?function\s*[\w$]*\s*\("
)
_STATEMENT_FIRST = frozenset("ifwsc(!")
# What the line may begin with when it closes a block: `};`, `})(window);`,
# `]`, `],`. No sentence begins with a closing brace.
_CLOSING = compiled_on_first_use(r"\}|\][\s\]});,]*$")

# The brackets whose depth a block of code is followed by.
_OPENERS = "{[("
_CLOSERS = "}])"


def could_be_code(text: str) -> bool:
    """The cheap test before `is_code`: a character that every shape needs.

    An "=" in a link's query string ("?s=510544&p=...", which markdown dumps
    and tracking pixels have on many lines) is no assignment: such a line is
    judged only when it ends a statement. (`text` is non-empty: blank lines
    are never judged.)"""
    return (
        "{" in text
        or "}" in text
        or text[-1] == ";"
        or text[0] == "]"
        or ("=" in text and "://" not in text)
    )


def is_code(text: str, words: int) -> bool:
    """Whether a line of `words` words is script, style or JSON (see the module)."""
    if not _dense_enough(text, words):
        return False
    # The anchored shapes are tried only on the first characters they allow.
    first = text[0]
    if first in "}]" and _CLOSING().match(text):
        return True
    if first in "{[" and _JSON_START().match(text):
        return True
    if first in _STATEMENT_FIRST and _STATEMENT().match(text):
        return True
    if "{" in text and _CSS_DECLARATION().search(text):
        return True
    if "=" in text and _ASSIGNMENT().match(text):
        return True
    return _ends_a_statement(text) and _METHOD_CALL().search(text) is not None


def _dense_enough(text: str, words: int) -> bool:
    # (Counted one by one: a generator over _CODE_MARKS costs twice as much.)
    marks = (
        text.count("{") + text.count("}") + text.count(";") + text.count("=") + text.count('":')
    )
    return marks > 0 and marks * WORDS_PER_CODE_MARK >= words


def _ends_a_statement(text: str) -> bool:
    return text.endswith((";", "{", ",", "=", "("))


def opens_a_block(text: str) -> bool:
    """Whether a code line leaves brackets open for the lines below
    (`DW_PLAYER.localization = {`)."""
    return bracket_depth(text) > 0


def bracket_depth(text: str) -> int:
    """Brackets opened minus brackets closed in `text`, outside string literals.

    Quotes are followed as JavaScript and JSON write them: "..." or '...',
    with backslash escapes; a string left open at the line's end is closed
    there (a line is judged alone)."""
    depth = 0
    quote = ""
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
    return depth


# An entry of an object literal or array on a line of its own, as the lines
# between `{` and `};` are: `rewind: "Back 10 seconds",`, `"@type": "Person",`,
# `42,`, `true`. Judged only between a block's opening and closing lines.
_BLOCK_ENTRY = compiled_on_first_use(
    r"""(?:["']?[\w$@-]+["']?\s*:\s*\S   # key: value
        |["'\d\[\]{}-]                   # a literal or a bracket
        |(?:true|false|null)\b)""",
    flags=regex.VERBOSE,
)


def is_block_entry(text: str) -> bool:
    return _BLOCK_ENTRY().match(text) is not None
