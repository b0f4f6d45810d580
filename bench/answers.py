"""Answers in a form that compares across engines, and the check that they agree.

SELECT answers come as SPARQL JSON results, graphs as N-Triples. Each becomes
a :class:`NormalAnswer`: its rows as tuples of normalised terms, kept in order
when the query orders them, sorted otherwise. What engines may legitimately
write differently is made equal: numbers are compared by value (to 9
significant digits, since ``AVG`` over decimals is computed to different
precisions), ``xsd:string`` is the plain literal, language tags are lower
case, blank nodes are all alike.
"""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    XSD + name
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_SIGNIFICANT = 9

Term = tuple[str, ...]
Row = tuple[Term, ...]
Check = Literal["equal", "document"]
#: Where our linked-data documents live: their statements about themselves (modified,
#: license, pages) are the only ones a peer's equivalent CONSTRUCT cannot give.
DOCUMENTS = "https://w3id.org/ascf/doc/"


class AnswerMismatchError(Exception):
    """A system answered a query differently from the reference."""


class BadAnswerError(Exception):
    """A system's answer could not be read (an error status, or a malformed body)."""


@dataclass(frozen=True)
class NormalAnswer:
    """A query's answer, normalised: variable names and rows."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]

    def difference(self, other: "NormalAnswer", limit: int = 3) -> str:
        """A short account of how ``other`` differs from this answer."""
        if self.variables != other.variables:
            return f"variables {list(self.variables)} vs {list(other.variables)}"
        mine, theirs = set(self.rows), set(other.rows)
        missing = sorted(mine - theirs)[:limit]
        extra = sorted(theirs - mine)[:limit]
        if not missing and not extra:
            return f"same rows in another order or count ({len(self.rows)} vs {len(other.rows)})"
        return f"{len(self.rows)} vs {len(other.rows)} rows; missing {missing}; unexpected {extra}"


def _number(value: str) -> str:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if number.is_nan() or number.is_infinite():
        return str(number)
    if number == 0:
        return "0"
    return f"{number:.{_SIGNIFICANT - 1}e}"


def _literal(value: str, datatype: str | None, language: str | None) -> Term:
    if language:
        return ("literal", value, "@" + language.lower())
    if datatype is None or datatype == XSD + "string":
        return ("literal", value, "")
    if datatype in _NUMERIC:
        return ("number", _number(value), "")
    return ("literal", value, datatype)


def _json_term(term: dict[str, str] | None) -> Term:
    if term is None:
        return ("unbound",)
    kind = term.get("type")
    if kind == "uri":
        return ("iri", term["value"])
    if kind == "bnode":
        return ("bnode",)
    if kind in ("literal", "typed-literal"):
        return _literal(term["value"], term.get("datatype"), term.get("xml:lang"))
    raise BadAnswerError(f"unknown term type {kind!r} in SPARQL JSON results")


def _ox_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.datatype.value, term.language)
    raise BadAnswerError(f"unexpected term {term!r} in a graph answer")


def normalise_select(body: bytes, *, ordered: bool) -> NormalAnswer:
    """Normalise a SPARQL JSON results document (SELECT or ASK)."""
    try:
        document = json.loads(body)
    except ValueError as error:
        raise BadAnswerError(f"not JSON: {error}; body starts {body[:200]!r}") from None
    if "boolean" in document:
        return NormalAnswer(("boolean",), ((("boolean", str(document["boolean"]).lower()),),))
    try:
        variables = tuple(sorted(document["head"]["vars"]))
        bindings = document["results"]["bindings"]
    except (KeyError, TypeError):
        raise BadAnswerError(f"not SPARQL JSON results: {body[:200]!r}") from None
    rows = tuple(tuple(_json_term(binding.get(name)) for name in variables) for binding in bindings)
    return NormalAnswer(variables, rows if ordered else tuple(sorted(rows)))


def normalise_graph(body: bytes) -> NormalAnswer:
    """Normalise an N-Triples graph: its triples, sorted, as rows of three terms."""
    try:
        triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        rows = {(_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)) for t in triples}
    except SyntaxError as error:
        raise BadAnswerError(f"not N-Triples: {error}; body starts {body[:200]!r}") from None
    return NormalAnswer(("subject", "predicate", "object"), tuple(sorted(rows)))


def agrees(reference: NormalAnswer, answer: NormalAnswer, check: Check) -> bool:
    """Whether ``answer`` is right for ``check``: ``equal`` to the reference, or a
    ``document`` that says what the reference says plus only statements about
    documents (subjects under :data:`DOCUMENTS`)."""
    if check == "document":
        rows = {row for row in answer.rows if not _about_a_document(row)}
        return reference.variables == answer.variables and set(reference.rows) == rows
    return reference == answer


def _about_a_document(row: Row) -> bool:
    subject = row[0]
    return subject[0] == "iri" and subject[1].startswith(DOCUMENTS)
