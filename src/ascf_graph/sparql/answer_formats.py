"""Which format an answer goes out in: by ``format=`` or by ``Accept`` (q-values honoured).

SELECT and ASK answers are SPARQL results (JSON, XML, CSV, TSV, and an HTML
table for browsers); CONSTRUCT and
DESCRIBE answers are graphs (Turtle, N-Triples, JSON-LD, RDF/XML, TriG,
N-Quads). Names, aliases and media types are those of
:mod:`ascf_graph.rdf.formats`: the media types that clients send for the same
thing (``application/json``, ``text/xml``...) are understood, in ``Accept`` and
in ``format=``; the answer is always labelled with the format's registered
media type.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import NotAcceptableError, UnsupportedFormatError
from ascf_graph.rdf.formats import RESULTS_SYNTAXES, SYNTAXES, find_results_syntax, find_syntax
from ascf_graph.rdf.sparql_text import QueryForm

AnswerKind = Literal["results", "graph"]


@dataclass(frozen=True)
class AnswerFormat:
    """A format an answer can be written in."""

    name: str
    media_type: str
    kind: AnswerKind


RESULTS_FORMATS: tuple[AnswerFormat, ...] = tuple(
    AnswerFormat(s.name, s.media_type, "results") for s in RESULTS_SYNTAXES
)
GRAPH_FORMATS: tuple[AnswerFormat, ...] = tuple(
    AnswerFormat(s.name, s.media_type, "graph") for s in SYNTAXES
)
HTML_TABLE = AnswerFormat("html", "text/html", "results")
"""A SELECT or ASK answer as a page for people; our last choice, so only browsers get it."""

_ACCEPT_ALIASES: dict[AnswerKind, dict[str, str]] = {
    "results": {m: s.name for s in RESULTS_SYNTAXES for m in s.alternate_media_types},
    "graph": {m: s.name for s in SYNTAXES for m in s.alternate_media_types},
}
"""The media types understood in ``Accept`` besides the registered ones, and what they name."""


def answer_kind(form: QueryForm) -> AnswerKind:
    """SPARQL results for SELECT and ASK, a graph for CONSTRUCT and DESCRIBE."""
    return "results" if form in ("SELECT", "ASK") else "graph"


def formats_for(kind: AnswerKind) -> tuple[AnswerFormat, ...]:
    """Every format an answer of ``kind`` can be written in, our preference first."""
    return (*RESULTS_FORMATS, HTML_TABLE) if kind == "results" else GRAPH_FORMATS


def choose_format(kind: AnswerKind, requested: Sequence[str], accept: str | None) -> AnswerFormat:
    """The format to answer in: ``format=`` values (``requested``) win over ``accept``.

    The first ``format=`` value that can carry the answer is taken (SPARQLWrapper
    sends a name and a media type, e.g. ``format=tsv&format=text/tab-separated-values``).

    >>> choose_format("results", [], "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> choose_format("graph", ["json"], None).media_type
    'application/ld+json'
    >>> choose_format("graph", ["rdf+xml", "application/rdf+xml"], None).name
    'rdfxml'
    >>> choose_format("results", [], "text/turtle")
    Traceback (most recent call last):
    ...
    ascf_graph.core.errors.NotAcceptableError: cannot answer a SELECT or ASK query in text/turtle; \
it comes as application/sparql-results+json, application/sparql-results+xml, text/csv, \
text/tab-separated-values, text/html
    """
    offered = formats_for(kind)
    if requested:
        return _first_named(kind, requested)
    by_media_type = {f.media_type: f for f in offered}
    aliases = _ACCEPT_ALIASES[kind]
    chosen = negotiate(accept, [*by_media_type, *aliases])
    if chosen is None:
        raise NotAcceptableError(
            f"cannot answer {_describe(kind)} in {accept}; it comes as " + ", ".join(by_media_type)
        )
    if chosen in aliases:
        return next(f for f in offered if f.name == aliases[chosen])
    return by_media_type[chosen]


def _first_named(kind: AnswerKind, requested: Sequence[str]) -> AnswerFormat:
    """The first format the ``format=`` values name that can carry an answer of ``kind``."""
    for value in requested:
        found = _named(kind, value)
        if found is not None:
            return found
    other: AnswerKind = "graph" if kind == "results" else "results"
    if any(_named(other, value) for value in requested):
        raise NotAcceptableError(
            f"format {', '.join(requested)} cannot carry {_describe(kind)}; use one of "
            + ", ".join(f.name for f in formats_for(kind))
        )
    known = ", ".join(f.name for f in (*RESULTS_FORMATS, HTML_TABLE, *GRAPH_FORMATS))
    raise UnsupportedFormatError(f"unknown format {', '.join(requested)}; use one of {known}")


def _named(kind: AnswerKind, value: str) -> AnswerFormat | None:
    """The format of ``kind`` a ``format=`` value names (a name, alias or media type)."""
    key = value.split(";", 1)[0].strip().lower()  # a media type's parameters do not matter
    if kind == "results" and key in (HTML_TABLE.name, HTML_TABLE.media_type):
        return HTML_TABLE
    found = find_results_syntax(key) if kind == "results" else find_syntax(key)
    if found is None:
        return None
    return next(f for f in formats_for(kind) if f.name == found.name)


def _describe(kind: AnswerKind) -> str:
    return "a SELECT or ASK query" if kind == "results" else "a CONSTRUCT or DESCRIBE query"
