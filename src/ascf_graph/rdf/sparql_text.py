"""What a SPARQL request is, read from its text before the engine sees it.

The endpoint must know a few things about a request before it runs it: its
form (to negotiate a results format and an ETag), whether it is an update (to
refuse it), which endpoints it calls with ``SERVICE`` (the engine would fetch
them), whether it names its own dataset with ``FROM``, whether its answer
can change without the data changing (``RAND()``, ``NOW()``...), and how
deeply its brackets nest (the engine's parser and evaluator recurse once per
level: a few thousand levels overflow their stack and kill the process).

This is lexical, not a parse: comments, string literals and IRIs are masked
first, so a keyword is found only where the grammar can have one. The engine
still parses every query; this module only has to never miss a keyword
(a false alarm is a refusal, never a hole).

It runs on every request, in the server's event loop, so it is written to
be cheap on an ordinary query of a few hundred characters: keywords are
looked for in a copy with ASCII letters lowered (the engine reads keywords
case-insensitively in ASCII only: ``ſelect`` is not ``SELECT`` to it), by
patterns that start with the keyword's letters rather than with a
look-behind (which ``re`` would try at every offset), and the ``SERVICE``
readings only when the word is there at all.
"""

import bisect
import heapq
import re
import string
from dataclasses import dataclass
from typing import Literal

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
QUERY_FORMS: tuple[QueryForm, ...] = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)
NONDETERMINISTIC_FUNCTIONS = ("RAND", "NOW", "UUID", "STRUUID", "BNODE")

# Lexemes inside which keywords mean nothing. IRIREF is the grammar's own
# token; a backslash outside strings only starts a prefixed name's escape
# (``ex:a\#b``), which must not be taken for a comment.
# (The look-ahead lets ``re`` skip to the next such character instead of trying each
# alternative at every offset.)
_LEXEME = re.compile(
    r"""
      (?=[\#"'<\\])
    (?:
      (?P<comment>\#[^\n\r]*)
    | (?P<string>
          \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        | '''(?:[^'\\]|\\.|'(?!''))*'''
        | "(?:[^"\\\n\r]|\\.)*"
        | '(?:[^'\\\n\r]|\\.)*'
      )
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<escape>\\.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_NOT_NEWLINE = re.compile(r"[^\n]")


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold(text: str) -> str:
    """``text`` with its ASCII letters lowered and nothing else changed (offsets stay put).

    >>> fold("SeLeCT ſ İ")
    'select ſ İ'
    """
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def _words(words: tuple[str, ...]) -> str:
    """An alternation of ``words`` (lowered), each standing where the grammar can have a
    keyword: not after a name's, variable's or prefix's character. The look-behind comes
    after the word, so that ``re`` looks only where a word's letters are."""
    return "|".join(rf"{word.lower()}(?<![\w?$:]{word.lower()})" for word in words)


def _keyword(words: tuple[str, ...]) -> re.Pattern[str]:
    """A keyword in folded text (:func:`fold`): not part of a name, variable or prefix."""
    return re.compile(rf"(?:{_words(words)})(?![\w:-])")


_OPERATION = _keyword(QUERY_FORMS + UPDATE_KEYWORDS)
_FROM = _keyword(("FROM",))
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)
_NONDETERMINISTIC = re.compile(rf"(?:{_words(NONDETERMINISTIC_FUNCTIONS)})\s*\(")
_PREFIX_DECLARATION = re.compile(r"(?<![\w?$:])PREFIX\s+([^\s:]*):\s*(<_*>)", re.IGNORECASE)
_WRITTEN_SERVICE = re.compile(  # a call: SERVICE [SILENT] <iri>|?var|prefixed:name {
    r"(?<![\w?$:])SERVICE\s+(?:SILENT\s+)?"
    r"(?:<(?P<iri>[^<>\s]*)>|(?P<other>[?$]\w+|[^\s{<:]*:[^\s{<]*))\s*\{",
    re.IGNORECASE,
)
_SERVICE_TARGET = re.compile(
    r"\s*(?:SILENT(?![\w:-])\s*)?(?P<target><_*>|[?$]\w+|[^\s{]*)", re.IGNORECASE
)


@dataclass(frozen=True)
class QueryText:
    """A request's text with comments, strings and IRIs masked, offsets unchanged."""

    original: str
    masked: str
    iris: dict[int, str]
    """Each IRI's text (without angle brackets) by the offset of its ``<``."""
    folded: str
    """The original, folded (:func:`fold`)."""
    masked_folded: str
    """The masked text, folded."""

    @classmethod
    def of(cls, text: str) -> "QueryText":
        """Mask ``text``: comments and strings become spaces, IRIs ``<___>``."""
        iris: dict[int, str] = {}

        def mask(match: re.Match[str]) -> str:
            lexeme = match.group()
            if match.lastgroup == "iri":
                iris[match.start()] = lexeme[1:-1]
                return "<" + "_" * (len(lexeme) - 2) + ">"
            if match.lastgroup == "escape":
                return "__"
            return _NOT_NEWLINE.sub(" ", lexeme) if "\n" in lexeme else " " * len(lexeme)

        masked = _LEXEME.sub(mask, text)
        return cls(text, masked, iris, fold(text), fold(masked))


@dataclass(frozen=True)
class QueryShape:
    """What the endpoint needs to know about a request before running it."""

    form: QueryForm | None
    """The query form, or None when the text has none (an update, or not SPARQL)."""
    is_update: bool
    has_dataset: bool
    """Whether the query names its own dataset with ``FROM`` / ``FROM NAMED``."""
    services: tuple[str | None, ...]
    """The endpoints called with ``SERVICE``; None where the target is not a plain IRI."""
    deterministic: bool
    """Whether the same data always gives the same answer (no RAND(), NOW(), SERVICE...)."""
    depth: int
    """How deeply ``( { [`` nest, outside strings, comments and IRIs (see :func:`nesting_depth`)."""


def analyse(text: str, *, depth_limit: int | None = None) -> QueryShape:
    """Read a request's form, dataset clause, SERVICE targets and determinism.

    With ``depth_limit``, the depth is measured only up to one level past it.

    >>> shape = analyse("PREFIX ex: <http://e/> # SELECT in a comment\\nINSERT DATA { ex:a 'ASK' }")
    >>> shape.form, shape.is_update, shape.has_dataset, shape.deterministic
    (None, True, False, True)
    >>> analyse("select ?s from <http://g/> { ?s ?p 'SERVICE <http://x/>' }").form
    'SELECT'
    >>> analyse("SELECT * { SERVICE SILENT <http://x/sparql> { ?s ?p ?o } }").services
    ('http://x/sparql',)
    >>> analyse("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }").services
    (None,)
    >>> analyse("SELECT (RAND() AS ?r) {}").deterministic
    False
    """
    masked = QueryText.of(text)
    first = _OPERATION.search(masked.masked_folded)
    keyword = first.group().upper() if first else None
    form = keyword if keyword in QUERY_FORMS else None
    services = service_targets(masked) + written_service_targets(masked)
    return QueryShape(
        form=form,  # type: ignore[arg-type]
        is_update=keyword in UPDATE_KEYWORDS,
        has_dataset=in_some_reading(_FROM, masked),
        services=tuple(dict.fromkeys(services)),
        deterministic=not services and not in_some_reading(_NONDETERMINISTIC, masked),
        depth=_depth(masked, depth_limit),
    )


_OPENING, _CLOSING = "({[", ")}]"
# What the depth scan stops at; everything else is read as it is, whatever it means.
_SPECIAL = re.compile(r"""[(){}\[\]<'"\#\\]""")
# The lexemes the scan steps over whole. The IRI is generous (any character but
# the few that surely end one): a lexeme taken for longer than the engine's only
# adds a reading of the text, never removes one.
_SKIPPED = {
    "<": (re.compile(r"<[^<>\"{}|^`\x00-\x20]*>"),),
    '"': (
        re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
        re.compile(r'"(?:[^"\\\n\r]|\\.)*"', re.DOTALL),
    ),
    "'": (
        re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
        re.compile(r"'(?:[^'\\\n\r]|\\.)*'", re.DOTALL),
    ),
}
_LINE_END = re.compile(r"[\n\r]|\Z")  # where a comment ends


def nesting_depth(text: QueryText, limit: int | None = None) -> int:
    """The deepest nesting of ``( { [`` the engine can read in ``text``.

    Lexing SPARQL depends on where the parser is: ``<`` opens an IRI where a term
    is expected and is "less than" in an expression, so ``1<2&&((1))>0`` is an IRI
    to one reading and two levels of brackets to the other, and a quote or ``#``
    inside what one reading takes for an IRI starts a string or a comment in the
    other, shifting everything after it. The engine's parser backtracks, so it may
    try every reading. This scan therefore follows every reading at once (at each
    ``<`` both the IRI and the operator) and returns the deepest nesting over all of
    them: brackets in strings and comments are not counted, brackets in IRIs are
    (by the operator reading). A real IRI holding brackets can only be over-counted: a refusal,
    never a hole. Readings that reach the same offset are merged, keeping the
    deepest open count (what follows can only nest deeper from a deeper start),
    so the scan stays linear in practice.

    A closing bracket with nothing open counts as nothing (the parser refuses the
    text anyway). With ``limit``, the scan stops at the first level past it and
    returns ``limit + 1``: a refusal need not read the rest.

    >>> nesting_depth(QueryText.of("SELECT * { ?s ?p '{{{' FILTER((?o > 1)) } # ((("))
    3
    >>> nesting_depth(QueryText.of("ASK { FILTER(1<2&&" + "(" * 5 + "1" + ")" * 5 + ">0) }"))
    7
    >>> nesting_depth(QueryText.of("ASK {" + "(" * 5000), limit=100)
    101
    """
    source = text.original
    # Open brackets at each special character some reading has reached, not yet read.
    pending: dict[int, int] = {}
    waiting: list[int] = []
    deepest = 0

    def arrive(offset: int, open_brackets: int) -> None:
        special = _SPECIAL.search(source, offset)
        if special is None:
            return
        offset = special.start()
        if offset not in pending:
            heapq.heappush(waiting, offset)
            pending[offset] = open_brackets
        elif open_brackets > pending[offset]:
            pending[offset] = open_brackets

    arrive(0, 0)
    line_ends = [match.end() for match in _LINE_END.finditer(source)]
    # Readings that keep opening strings over the same text could make the scan
    # quadratic; past this much lexeme text, count every opening bracket instead.
    scanned, budget = 0, 4 * len(source) + 10_000
    while waiting:
        position = heapq.heappop(waiting)
        depth = pending.pop(position)
        character = source[position]
        if character in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    return deepest
            arrive(position + 1, depth)
        elif character in _CLOSING:
            arrive(position + 1, max(0, depth - 1))
        elif character == "\\":
            arrive(position + 2, depth)  # only a name's escape, outside IRIs and strings
        elif character == "#":
            arrive(line_ends[bisect.bisect_right(line_ends, position)], depth)
        else:
            if character == "<":
                arrive(position + 1, depth)
            for lexeme in _SKIPPED[character]:
                match = lexeme.match(source, position)
                if match is not None:
                    arrive(match.end(), depth)
                    scanned += match.end() - position
            if scanned > budget:
                return _every_opening(source, limit)
    return deepest


def _depth(text: QueryText, limit: int | None) -> int:
    """:func:`nesting_depth`, unless the text has no more opening brackets than ``limit``:
    then their count, which no reading can exceed (every query of an ordinary size)."""
    if limit is not None and (openings := _count_openings(text.original)) <= limit:
        return openings
    return nesting_depth(text, limit)


def _every_opening(source: str, limit: int | None) -> int:
    """How many ``( { [`` ``source`` has anywhere: more than any reading can nest."""
    openings = _count_openings(source)
    return openings if limit is None else min(openings, limit + 1)


def _count_openings(source: str) -> int:
    return sum(source.count(bracket) for bracket in _OPENING)


def service_targets(text: QueryText) -> tuple[str | None, ...]:
    """The IRIs of every ``SERVICE`` call, prefixed names expanded; None if not resolvable."""
    if "service" not in text.folded:
        return ()
    prefixes = {
        match.group(1): text.iris[match.start(2)]
        for match in _PREFIX_DECLARATION.finditer(text.masked)
    }
    targets: list[str | None] = []
    for keyword in _SERVICE.finditer(text.masked):
        target = _SERVICE_TARGET.match(text.masked, keyword.end())
        token = target.group("target") if target else ""
        if target is not None and token.startswith("<"):
            targets.append(text.iris[target.start("target")])
        elif target is not None:
            original = text.original[target.start("target") : target.end("target")]
            targets.append(_expand(original, prefixes))
        else:
            targets.append(None)
    return tuple(targets)


def written_service_targets(text: QueryText) -> tuple[str | None, ...]:
    """The targets of every ``SERVICE`` call that *some* reading of the text makes.

    Masking reads the text one way, and the engine may read it another: in
    ``BIND(1<2&&'>' AS ?a) SERVICE <http://x/> {...} BIND('x' AS ?b)`` the
    masker takes ``<2&&'>`` for an IRI and the rest for a string, where the
    engine reads a comparison and calls ``http://x/``. So a call counts if it
    stands outside strings and comments in any reading that
    :func:`nesting_depth` follows (:func:`_code_starts`); a call spelled out in
    a string or comment in every reading is not one.

    >>> written_service_targets(QueryText.of("SELECT * { BIND(1<2&&'>' AS ?a) "
    ...     "SERVICE <http://x/> { ?s ?p ?o } BIND('x' AS ?b) }"))
    ('http://x/',)
    >>> written_service_targets(QueryText.of("SELECT * { ?s ?p 'SERVICE <http://x/> {}' }"))
    ()
    """
    if "service" not in text.folded:
        return ()
    calls = list(_WRITTEN_SERVICE.finditer(text.original))
    if not calls:
        return ()
    prefixes = {
        match.group(1): text.iris[match.start(2)]
        for match in _PREFIX_DECLARATION.finditer(text.masked)
    }
    starts = _code_starts(text.original)
    targets: list[str | None] = []
    for call in calls:
        if starts is not None and not _in_code(call.start(), starts, text.original):
            continue
        iri, other = call.group("iri"), call.group("other")
        targets.append(iri if iri is not None else _expand(other, prefixes))
    return tuple(targets)


def in_some_reading(pattern: re.Pattern[str], text: QueryText) -> bool:
    """Whether ``pattern`` (a keyword, a function call, written for folded text: see
    :func:`fold`) stands outside strings and comments
    in some reading of the text, as :func:`written_service_targets` reads calls: the
    masked reading first (nearly always enough), then every reading :func:`nesting_depth`
    follows, for a text that spells the pattern only where the masker saw a string.

    >>> trick = "SELECT (1<2&&'>' AS ?a) FROM <http://g/> WHERE { BIND('x' AS ?b) }"
    >>> masked = QueryText.of(trick).masked_folded
    >>> bool(_FROM.search(masked)), in_some_reading(_FROM, QueryText.of(trick))
    (False, True)
    >>> in_some_reading(_FROM, QueryText.of("SELECT * { ?s ?p 'FROM <http://g/>' }"))
    False
    """
    written = list(pattern.finditer(text.folded))
    if not written:
        return False
    # Left as it is by the masker: code in the masked reading (one scan, no second).
    if any(text.masked_folded[m.start() : m.end()] == m.group() for m in written):
        return True
    starts = _code_starts(text.original)
    return any(starts is None or _in_code(m.start(), starts, text.original) for m in written)


def _in_code(position: int, starts: list[int], source: str) -> bool:
    """Whether ``position`` lies in a stretch some reading reads as code: after a start
    offset and before the next special character."""
    index = bisect.bisect_right(starts, position) - 1
    if index < 0:
        return False
    special = _SPECIAL.search(source, starts[index])
    return special is None or position < special.start()


def _code_starts(source: str) -> list[int] | None:
    """Sorted offsets where some reading goes on reading code (not a string or comment),
    as :func:`nesting_depth` walks them; None past its budget (take it all as code)."""
    seen: set[int] = set()
    waiting = [0]
    line_ends = [match.end() for match in _LINE_END.finditer(source)]
    scanned, budget = 0, 4 * len(source) + 10_000
    while waiting:
        offset = waiting.pop()
        if offset in seen or offset > len(source):
            continue
        seen.add(offset)
        special = _SPECIAL.search(source, offset)
        if special is None:
            continue
        position, character = special.start(), source[special.start()]
        if character in _OPENING or character in _CLOSING:
            waiting.append(position + 1)
        elif character == "\\":
            waiting.append(position + 2)
        elif character == "#":
            waiting.append(line_ends[bisect.bisect_right(line_ends, position)])
        else:
            if character == "<":
                waiting.append(position + 1)
            for lexeme in _SKIPPED[character]:
                match = lexeme.match(source, position)
                if match is not None:
                    waiting.append(match.end())
                    scanned += match.end() - position
            if scanned > budget:
                return None
    return sorted(seen)


def _expand(token: str, prefixes: dict[str, str]) -> str | None:
    """The IRI a prefixed name stands for, or None (a variable, an escape, an unknown prefix)."""
    prefix, colon, local = token.partition(":")
    if not colon or prefix not in prefixes or not re.fullmatch(r"[\w.-]*", local):
        return None
    return prefixes[prefix] + local
