"""How deeply a document nests, measured before a parser sees it.

pyoxigraph's parsers recurse on nesting, in native code: a JSON-LD document
of a few thousand nested objects, or Turtle with some tens of thousands of
nested RDF 1.2 triple terms, overflows their stack and kills the process,
and deeply nested RDF/XML or JSON-LD parses in quadratic time. Real data
nests a handful of levels (a project's address, a list of partners), so a
document that nests deeper than a limit is refused with a clear error before
it is parsed. The scan is linear and runs in the worker that parses
(:mod:`ascf_graph.input_worker`), never on the server's event loop.

What counts as a level, by syntax:

- JSON-LD: ``{`` and ``[`` outside strings;
- Turtle, TriG, N-Triples, N-Quads: ``[`` ``(`` ``{`` and ``<<`` (or
  ``<<(``, one level) outside strings, IRIs and comments;
- RDF/XML: elements inside elements (comments, CDATA and declarations aside).
"""

import re
from itertools import accumulate

from ascf_graph.errors import TooDeeplyNestedError

#: Levels that only a document made to hurt the parser reaches.
DEFAULT_MAX_NESTING = 64

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]', re.DOTALL)
_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    rb'|"(?:[^"\\\n\r]|\\.)*"?'
    rb"|'(?:[^'\\\n\r]|\\.)*'?"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*>"
    rb"|#[^\n\r]*"
    rb"|<<\(?|\)?>>|[\[({]|[\])}]",
    re.DOTALL,
)
_XML_SKIPPED = re.compile(rb"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)|<[?!][^>]*>", re.DOTALL)
_XML_TAGS = re.compile(rb"<(/?)[^>]*?(/?)>", re.DOTALL)

_OPENERS = frozenset((b"[", b"{", b"(", b"<<", b"<<("))
_CLOSERS = frozenset((b"]", b"}", b")", b">>", b")>>"))


def check_nesting(data: bytes, syntax: str, *, limit: int, source: str) -> None:
    """Raise :class:`TooDeeplyNestedError` if ``data`` (in the syntax named ``syntax``:
    ``jsonld``, ``rdfxml``, or one of the Turtle family) nests deeper than ``limit``.

    >>> check_nesting(b'{"@id": "urn:a", "urn:p": {"urn:q": "[{not nesting}]"}}', "jsonld",
    ...               limit=2, source="up")
    >>> check_nesting(b'{"urn:p": {"urn:p": {"urn:p": 1}}}', "jsonld", limit=2, source="up")
    Traceback (most recent call last):
    ...
    ascf_graph.errors.TooDeeplyNestedError: up nests more than the 2 levels deep accepted ...
    """
    if nesting_depth(data, syntax, stop_above=limit) > limit:
        raise TooDeeplyNestedError(
            f"{source} nests more than the {limit} levels deep accepted "
            "(ASCF_MAX_NESTING); data about cities and projects nests a few levels: "
            "flatten it, for example by giving nested nodes IRIs of their own"
        )


def nesting_depth(data: bytes, syntax: str, *, stop_above: int | None = None) -> int:
    """The deepest level ``data`` reaches, or a depth past ``stop_above`` once one is seen
    (the scan stops early there).

    >>> nesting_depth(b'<urn:a> <urn:p> << <urn:a> <urn:p> ( "(" <urn:o> ) >> .', "turtle")
    2
    >>> nesting_depth(b'<r><a><b/></a><!-- <c><d><e> --></r>', "rdfxml")
    2
    """
    if syntax == "rdfxml":
        steps = _xml_steps(data)
    else:
        tokens = _JSON_TOKENS if syntax == "jsonld" else _TURTLE_TOKENS
        if _cannot_exceed(data, stop_above):
            return 0
        steps = _bracket_steps(tokens, data)
    deepest = 0
    for depth in accumulate(steps):
        if depth > deepest:
            deepest = depth
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


def _cannot_exceed(data: bytes, limit: int | None) -> bool:
    """Whether ``data`` has too few opening characters to nest past ``limit`` (a fast count
    that spares most documents the scan)."""
    if limit is None:
        return False
    openers = data.count(b"[") + data.count(b"{") + data.count(b"(") + data.count(b"<<")
    return openers <= limit


def _bracket_steps(tokens: re.Pattern[bytes], data: bytes) -> list[int]:
    """+1 for each opening token, -1 for each closing one, in order (strings, IRIs and
    comments skipped)."""
    steps = []
    for found in tokens.finditer(data):
        token = found.group()
        if token in _OPENERS:
            steps.append(1)
        elif token in _CLOSERS:
            steps.append(-1)
    return steps


def _xml_steps(data: bytes) -> list[int]:
    """+1 for each start tag, -1 for each end tag (empty elements, comments, CDATA and
    declarations count nothing)."""
    stripped = _XML_SKIPPED.sub(b"", data)
    steps = []
    for found in _XML_TAGS.finditer(stripped):
        closing, empty = found.group(1), found.group(2)
        if closing:
            steps.append(-1)
        elif not empty:
            steps.append(1)
    return steps
