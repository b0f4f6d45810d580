"""Which queries are lookups: bounded by their shape, so cheap enough to answer in place.

Most queries go to a worker process, which can be stopped at the time limit
and may run out of memory without harming the server. A lookup needs
neither: one triple pattern, with distinct variables, read from an index,
costs the engine a few index seeks before each row it writes, so the rows
an answer may hold bound its work. Such a query can be answered on the
server's event loop with a cap on the answer's bytes
(:mod:`ascf_graph.sparql.in_place`), saving the hop to a worker and back,
which costs more than the lookup itself.

The grammar recognised here is deliberately small, and anything outside it
is simply not a lookup (it goes to a worker, as before)::

    ( PREFIX pname: <iri> | BASE <iri> )*
    ( SELECT ( * | ?var+ ) | ASK ) [WHERE]
    { [VALUES ?var { term }] subject predicate object [.] [VALUES ?var { term }] }
    [LIMIT n]   (SELECT only)

What keeps it bounded: no second pattern (a join may build a hash table of
one side first), no ``FILTER``, ``DISTINCT``, ``ORDER BY``, ``OFFSET`` or
aggregate (each may read every row before writing one), no variable twice
in the pattern (``?s ex:p ?s`` scans every ``ex:p`` to find a few), no
property path, blank node or ``GRAPH``, and a SELECT projects only
variables the pattern or its one-row ``VALUES`` binds, so that no row is
written empty. The engine still parses the query: this only has to never
call something a lookup that is not one.
"""

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
      (?P<space>(?:\s|\#[^\n\r]*)+)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<literal>
          (?:"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
          (?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^<>"{}|^`\\\x00-\x20]*>|[A-Za-z][\w-]*:[\w-]*))?
        | [0-9]+(?![\w.])
      )
    | (?P<var>[?$][A-Za-z0-9_]+(?![\w]))
    | (?P<pname>(?:[A-Za-z][\w-]*)?:[\w-]*(?![\w:]|\.[\w.-]))
    | (?P<word>[A-Za-z]+(?![\w:]))
    | (?P<punct>[{}.*])
    """,
    re.VERBOSE,
)
MAX_LOOKUP_TEXT = 4096
"""A longer text is never taken for a lookup (nor read to find out)."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


class _Reader:
    """The tokens of a text, taken one at a time by the grammar below."""

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._at = 0

    @property
    def done(self) -> bool:
        return self._at == len(self._tokens)

    def take(self, *kinds: str) -> _Token | None:
        """The next token if it is of one of ``kinds``."""
        if self._at < len(self._tokens) and self._tokens[self._at].kind in kinds:
            self._at += 1
            return self._tokens[self._at - 1]
        return None

    def keyword(self, word: str, *, any_case: bool = True) -> bool:
        """Take the next token if it is the keyword ``word`` (in any case unless not
        ``any_case``)."""
        if self._at < len(self._tokens):
            token = self._tokens[self._at]
            text = token.text.upper() if any_case else token.text
            if token.kind == "word" and text == word:
                self._at += 1
                return True
        return False

    def punct(self, char: str) -> bool:
        """Take the next token if it is the punctuation ``char``."""
        token = self._tokens[self._at] if self._at < len(self._tokens) else None
        if token is not None and token.kind == "punct" and token.text == char:
            self._at += 1
            return True
        return False


def is_lookup(text: str) -> bool:
    """Whether ``text`` is a lookup query: one triple pattern, bounded by its shape.

    >>> is_lookup("SELECT ?p ?o WHERE { VALUES ?s { <http://e/a> } ?s ?p ?o }")
    True
    >>> is_lookup("PREFIX ex: <http://e/> ASK { ex:a a ex:City }")
    True
    >>> is_lookup("SELECT ?o { <http://e/a> ?p ?o } LIMIT 10")
    True
    >>> is_lookup("SELECT DISTINCT ?p { ?s ?p ?o }")
    False
    >>> is_lookup("SELECT ?s { ?s <http://e/p> ?s }")
    False
    >>> is_lookup("SELECT ?x { <http://e/a> ?p ?o }")
    False
    """
    if len(text) > MAX_LOOKUP_TEXT:
        return False
    tokens = _tokens(text)
    if tokens is None:
        return False
    try:
        return _query(_Reader(tokens))
    except _NotALookupError:
        return False


def _query(reader: _Reader) -> bool:
    """Read a whole query; whether it is a lookup."""
    if not _prologue(reader):
        return False
    select = reader.keyword("SELECT")
    if select:
        projected = _projection(reader)
        if projected is None:
            return False
    elif reader.keyword("ASK"):
        projected = set()
    else:
        return False
    reader.keyword("WHERE")
    bound = _group(reader)
    if bound is None or not projected <= bound:
        return False
    if select and reader.keyword("LIMIT") and reader.take("literal") is None:
        return False
    return reader.done


def _tokens(text: str) -> list[_Token] | None:
    """The tokens of ``text`` without space and comments; None if some text is none of them."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append(_Token(kind, match.group()))
        position = match.end()
    return tokens


def _prologue(reader: _Reader) -> bool:
    """Read the PREFIX and BASE declarations; False if one is malformed."""
    while True:
        if reader.keyword("PREFIX"):
            name = reader.take("pname")
            if name is None or not name.text.endswith(":") or reader.take("iri") is None:
                return False
        elif reader.keyword("BASE"):
            if reader.take("iri") is None:
                return False
        else:
            return True


def _projection(reader: _Reader) -> set[str] | None:
    """The variables a SELECT projects (empty for ``*``); None if it is not a plain list."""
    if reader.punct("*"):
        return set()
    projected: set[str] = set()
    while (variable := reader.take("var")) is not None:
        projected.add(variable.text[1:])
    return projected or None


def _group(reader: _Reader) -> set[str] | None:
    """Read ``{ [VALUES] pattern [.] [VALUES] }``; the variables it binds, or None."""
    if not reader.punct("{"):
        return None
    values = _values(reader)
    pattern = _pattern(reader)
    if pattern is None:
        return None
    reader.punct(".")
    if values is None:
        values = _values(reader)
    if not reader.punct("}"):
        return None
    return pattern | ({values} if values else set())


def _values(reader: _Reader) -> str | None:
    """Read ``VALUES ?var { term }`` if it comes next; the variable's name."""
    if not reader.keyword("VALUES"):
        return None
    variable = reader.take("var")
    if (
        variable is None
        or not reader.punct("{")
        or reader.take("iri", "pname", "literal") is None
        or not reader.punct("}")
    ):
        raise _NotALookupError
    return variable.text[1:]


def _pattern(reader: _Reader) -> set[str] | None:
    """Read one triple pattern; the variables it binds, or None if it is not one pattern
    with distinct variables."""
    subject = reader.take("iri", "pname", "var")
    predicate = reader.take("iri", "pname", "var") or (
        _Token("iri", "a") if reader.keyword("a", any_case=False) else None
    )
    value = reader.take("iri", "pname", "var", "literal")
    if subject is None or predicate is None or value is None:
        return None
    variables = [t.text[1:] for t in (subject, predicate, value) if t.kind == "var"]
    if len(set(variables)) < len(variables):
        return None
    return set(variables)


class _NotALookupError(Exception):
    """Raised inside the grammar where a form is begun but not finished."""
