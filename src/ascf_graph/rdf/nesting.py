"""How deeply a document nests, measured before a parser sees it.

pyoxigraph's parsers recurse on nesting, in native code: a JSON-LD document
of a few thousand nested objects, or Turtle with some tens of thousands of
nested RDF 1.2 triple terms, overflows their stack and kills the process,
and deeply nested RDF/XML or JSON-LD parses in quadratic time. Real data
nests a handful of levels (a project's address, a list of partners), so a
document that nests deeper than a limit is refused with a clear error before
it is parsed. The scans run in the worker that parses
(:mod:`ascf_graph.workers.input_process`), never on the server's event loop, and each
is one forward pass: no input makes them go back over what they read.

What counts as a level, by syntax:

- JSON-LD: ``{`` and ``[`` outside strings; and a JSON-LD context whose terms
  are defined through one another (``"t2": "t1:x"``, ``"t1": "t0:x"``...):
  the processor expands such a chain recursively, so its length counts too;
- Turtle, TriG: ``[`` ``(`` ``{`` and ``<<`` (or ``<<(``, one level)
  outside strings, IRIs, comments and backslash escapes;
- N-Triples, N-Quads: ``<<`` (or ``<<(``) alone, likewise: their grammar
  has no other brackets (one in a literal is data, and anywhere else the
  parser refuses it without nesting), so a document without ``<<`` is not
  scanned at all;
- RDF/XML: elements inside elements (comments, CDATA, declarations and
  quoted attribute values aside).

A closing bracket with nothing open is not allowed to hide the levels after
it: depth never goes below zero.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from ascf_graph.core.errors import TooDeeplyNestedError

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]', re.DOTALL)
_UCHAR = rb"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
    rb'|"(?:[^"\\\n\r]|\\.)*"?'
    rb"|'(?:[^'\\\n\r]|\\.)*'?"
    rb"|<(?:[^<>\"{}|^`\\\x00-\x20]|" + _UCHAR + rb")*>"
    rb"|\\."
    rb"|#[^\n\r]*"
    rb"|<<\(?|\)?>>|[\[({]|[\])}]",
    re.DOTALL,
)
# No alternative runs past the next "<" unless it can end at the end of the data, so the
# scan never reads the same bytes twice (XML allows no "<" inside a tag or its attributes).
_XML_TOKENS = re.compile(
    rb"<!--.*?(?:-->|\Z)"
    rb"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    rb"|<[?!][^<>]*>?"
    rb"|<(?P<end>/?)(?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*?(?P<empty>/?)>",
    re.DOTALL,
)

_OPENERS = frozenset((b"[", b"{", b"(", b"<<", b"<<("))
_CLOSERS = frozenset((b"]", b"}", b")", b">>", b")>>"))
_TRIPLE_TERM_OPENERS = frozenset((b"<<", b"<<("))
_TRIPLE_TERM_CLOSERS = frozenset((b">>", b")>>"))
#: The syntaxes whose only nesting is RDF 1.2's triple terms.
_LINE_SYNTAXES = frozenset(("ntriples", "nquads"))


def check_nesting(data: bytes, syntax: str, *, limit: int, source: str) -> None:
    """Raise :class:`TooDeeplyNestedError` if ``data`` (in the syntax named ``syntax``:
    ``jsonld``, ``rdfxml``, or one of the Turtle family) nests deeper than ``limit``.

    >>> check_nesting(b'{"@id": "urn:a", "urn:p": {"urn:q": "[{not nesting}]"}}', "jsonld",
    ...               limit=2, source="up")
    >>> check_nesting(b'{"urn:p": {"urn:p": {"urn:p": 1}}}', "jsonld", limit=2, source="up")
    Traceback (most recent call last):
    ...
    ascf_graph.core.errors.TooDeeplyNestedError: up nests more than the 2 levels deep accepted ...
    """
    if nesting_depth(data, syntax, stop_above=limit) > limit:
        raise TooDeeplyNestedError(
            f"{source} nests more than the {limit} levels deep accepted "
            "(ASCF_MAX_NESTING); data about cities and projects nests a few levels: "
            "flatten it, for example by giving nested nodes IRIs of their own"
        )
    if syntax == "jsonld" and context_chain(data) > limit:
        raise TooDeeplyNestedError(
            f"{source} has a JSON-LD context whose terms are defined through more than "
            f"{limit} other terms in a row (ASCF_MAX_NESTING); define each term by its "
            "full IRI or through a prefix that is"
        )


def nesting_depth(data: bytes, syntax: str, *, stop_above: int | None = None) -> int:
    """The deepest level ``data`` reaches, or a depth past ``stop_above`` once one is seen
    (the scan stops there).

    >>> nesting_depth(b'<urn:a> <urn:p> << <urn:a> <urn:p> ( "(" <urn:o> ) >> .', "turtle")
    2
    >>> nesting_depth(b'<r><a x="/>"><b/></a><!-- <c><d><e> --></r>', "rdfxml")
    2
    >>> nesting_depth(b'ex:a\\\\) ex:p ( ( ) ) .', "turtle")
    2
    >>> nesting_depth(b'<urn:a> <urn:p> "[[(" .', "ntriples")
    0
    """
    if syntax != "rdfxml" and _cannot_exceed(data, syntax, stop_above):
        return 0
    deepest = depth = 0
    for step in _steps(data, syntax):
        depth = max(0, depth + step)
        if depth > deepest:
            deepest = depth
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


def _steps(data: bytes, syntax: str) -> Iterator[int]:
    """+1 for each level opened, -1 for each closed, in order."""
    if syntax == "rdfxml":
        for found in _XML_TOKENS.finditer(data):
            empty = found.group("empty")
            if empty is None:  # a comment, CDATA section or declaration
                continue
            if found.group("end"):
                yield -1
            elif not empty:
                yield 1
        return
    tokens = _JSON_TOKENS if syntax == "jsonld" else _TURTLE_TOKENS
    openers, closers = (
        (_TRIPLE_TERM_OPENERS, _TRIPLE_TERM_CLOSERS)
        if syntax in _LINE_SYNTAXES
        else (_OPENERS, _CLOSERS)
    )
    for found in tokens.finditer(data):
        token = found.group()
        if token in openers:
            yield 1
        elif token in closers:
            yield -1


def _cannot_exceed(data: bytes, syntax: str, limit: int | None) -> bool:
    """Whether ``data`` has too few opening characters to nest past ``limit`` (a fast count
    that spares most documents the scan).

    >>> _cannot_exceed(b'<urn:a> <urn:p> "((([[[" .', "ntriples", 2)
    True
    >>> _cannot_exceed(b'<urn:a> <urn:p> "((([[[" .', "turtle", 2)
    False
    """
    if limit is None:
        return False
    openers = data.count(b"<<")
    if syntax not in _LINE_SYNTAXES:
        openers += data.count(b"[") + data.count(b"{") + data.count(b"(")
    return openers <= limit


def context_chain(data: bytes) -> int:
    """The longest chain of JSON-LD context terms defined through one another in ``data``
    (0 when it is not JSON, which the parser will say). Call it on documents whose nesting
    was checked: Python's JSON reader recurses too.

    >>> context_chain(b'{"@context": {"a": "http://e/", "b": "a:x", "c": {"@id": "b:y"}}}')
    2
    """
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return 0
    return max((_longest_chain(context) for context in _contexts(document)), default=0)


def _contexts(value: Any) -> Iterator[dict[str, Any]]:
    """Every context object in a JSON-LD document (embedded and scoped ones too)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if key == "@context":
                    contexts = inner if isinstance(inner, list) else [inner]
                    yield from (c for c in contexts if isinstance(c, dict))
                pending.append(inner)


def _longest_chain(context: dict[str, Any]) -> int:
    """The longest run of terms of ``context`` each defined through the next."""
    through: dict[str, str] = {}
    for term, definition in context.items():
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if isinstance(iri, str) and ":" in iri:
            prefix = iri.split(":", 1)[0]
            if prefix in context and prefix != term:
                through[term] = prefix
    lengths: dict[str, int] = {}
    for start in through:
        path: list[str] = []
        term = start
        while term in through and term not in lengths and term not in path:
            path.append(term)
            term = through[term]
        known = lengths.get(term, 0)
        for step in reversed(path):
            known += 1
            lengths[step] = known
    return max(lengths.values(), default=0)
