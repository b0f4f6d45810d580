"""One registry of the RDF syntaxes and SPARQL results formats, and one way to write a graph.

Every place that names a format (the CLI's ``--format``, ``/sparql?format=`` and
``Accept``, ``/doc/...{ext}``, an upload's ``Content-Type`` or file name, a
report's ``?format=``) looks it up here, so a name means the same everywhere:

- ``turtle`` (``ttl``, ``n3``): ``text/turtle``; also ``application/x-turtle``,
  ``text/n3``. Prefixes.
- ``ntriples`` (``nt``, ``n-triples``): ``application/n-triples``; also ``text/plain``.
- ``jsonld`` (``json-ld``, ``json``): ``application/ld+json``; also ``application/json``.
- ``rdfxml`` (``rdf``, ``xml``, ``owl``, ``rdf+xml``): ``application/rdf+xml``; also
  ``application/xml``, ``text/xml``. Prefixes.
- ``trig``: ``application/trig``; also ``application/x-trig``. Quads, prefixes.
- ``nquads`` (``nq``, ``n-quads``): ``application/n-quads``. Quads.

The first other name is the file extension (``.ttl``; ``jsonld`` and ``trig``
are their own); every
name is also accepted as an extension (``city.owl`` is RDF/XML). Alternates
are understood when sent and never used to label an answer.

SPARQL results (for SELECT and ASK) are ``json`` (``sparql-results+json``,
``application/sparql-results+json``, also ``application/json``), ``xml``
(``sparql-results+xml``, ``application/sparql-results+xml``, also
``application/xml`` and ``text/xml``), ``csv`` (``text/csv``) and ``tsv``
(``text/tab-separated-values``). Where a name could be either (``json``,
``xml``), the kind of answer decides: results for SELECT and ASK, a graph
for CONSTRUCT and DESCRIBE.

Turtle is N3 without its rules and formulae, so ``n3`` is read and written as
Turtle; ``owl`` is the usual extension of an ontology in RDF/XML.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar, overload

import pyoxigraph as ox

from ascf_graph.core.errors import UnsupportedFormatError


class _Negotiated:
    """What a format shows content negotiation: its own media type and the alternates."""

    name: str
    media_type: str
    alternate_media_types: tuple[str, ...]

    @property
    def media_types(self) -> tuple[str, ...]:
        """Its media type first, then the alternates clients send."""
        return (self.media_type, *self.alternate_media_types)


_Format = TypeVar("_Format", bound=_Negotiated)


@dataclass(frozen=True)
class RdfSyntax(_Negotiated):
    """One RDF serialization: how we name it, parse it and serve it."""

    name: str
    media_type: str
    extension: str
    oxigraph: ox.RdfFormat
    rdflib_name: str
    label: str = ""
    aliases: tuple[str, ...] = ()
    """Other names for it, file extensions among them (``owl``, ``n3``...)."""
    alternate_media_types: tuple[str, ...] = field(default=(), repr=False)
    """Media types clients send for it besides :attr:`media_type` (never used to label)."""
    quads: bool = False
    """Whether it holds graph names (TriG, N-Quads): triples are written in the default graph."""
    prefixed: bool = False
    """Whether it abbreviates IRIs with prefixes (Turtle, TriG, RDF/XML)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it answers to: its name, its extension and its aliases."""
        return (self.name, self.extension, *self.aliases)


SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax(
        "turtle",
        "text/turtle",
        "ttl",
        ox.RdfFormat.TURTLE,
        "turtle",
        "Turtle",
        aliases=("n3",),  # Turtle is N3 without its rules and formulae
        alternate_media_types=("application/x-turtle", "text/n3"),
        prefixed=True,
    ),
    RdfSyntax(
        "ntriples",
        "application/n-triples",
        "nt",
        ox.RdfFormat.N_TRIPLES,
        "nt",
        "N-Triples",
        aliases=("n-triples",),
        alternate_media_types=("text/plain",),  # N-Triples' media type before RDF 1.1
    ),
    RdfSyntax(
        "jsonld",
        "application/ld+json",
        "jsonld",
        ox.RdfFormat.JSON_LD,
        "json-ld",
        "JSON-LD",
        aliases=("json-ld", "json"),
        alternate_media_types=("application/json",),
    ),
    RdfSyntax(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        ox.RdfFormat.RDF_XML,
        "xml",
        "RDF/XML",
        aliases=("xml", "owl", "rdf+xml"),
        alternate_media_types=("application/xml", "text/xml"),
        prefixed=True,
    ),
    RdfSyntax(
        "trig",
        "application/trig",
        "trig",
        ox.RdfFormat.TRIG,
        "trig",
        "TriG",
        alternate_media_types=("application/x-trig",),
        quads=True,
        prefixed=True,
    ),
    RdfSyntax(
        "nquads",
        "application/n-quads",
        "nq",
        ox.RdfFormat.N_QUADS,
        "nquads",
        "N-Quads",
        aliases=("n-quads",),
        quads=True,
    ),
)


@dataclass(frozen=True)
class ResultsSyntax(_Negotiated):
    """A SPARQL results serialization (for SELECT and ASK answers)."""

    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat
    label: str = ""
    aliases: tuple[str, ...] = ()
    alternate_media_types: tuple[str, ...] = field(default=(), repr=False)
    """Media types clients send for it besides :attr:`media_type` (never used to label)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it answers to."""
        return (self.name, *self.aliases)


RESULTS_SYNTAXES: tuple[ResultsSyntax, ...] = (
    ResultsSyntax(
        "json",
        "application/sparql-results+json",
        ox.QueryResultsFormat.JSON,
        "SPARQL JSON",
        aliases=("sparql-results+json",),
        alternate_media_types=("application/json",),
    ),
    ResultsSyntax(
        "xml",
        "application/sparql-results+xml",
        ox.QueryResultsFormat.XML,
        "SPARQL XML",
        aliases=("sparql-results+xml",),
        alternate_media_types=("application/xml", "text/xml"),
    ),
    ResultsSyntax("csv", "text/csv", ox.QueryResultsFormat.CSV, "CSV"),
    ResultsSyntax("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, "TSV"),
)


def _key(value: str) -> str:
    """A name or media type as looked up: trimmed, lower case, parameters dropped."""
    return value.split(";", 1)[0].strip().lower()


def find_syntax(value: str) -> RdfSyntax | None:
    """The RDF syntax a name, alias, extension or media type names, if any.

    >>> find_syntax("owl").name, find_syntax("JSON").name, find_syntax("n3").name
    ('rdfxml', 'jsonld', 'turtle')
    >>> find_syntax("text/plain; charset=utf-8").name
    'ntriples'
    >>> find_syntax("csv") is None
    True
    """
    key = _key(value)
    return next((s for s in SYNTAXES if key in s.names or key in s.media_types), None)


def syntax_named(name: str) -> RdfSyntax:
    """The syntax called ``name`` (``turtle``, ``ttl``, ``jsonld``, ``owl``...) or a media type.

    >>> syntax_named("application/rdf+xml").extension
    'rdf'
    >>> syntax_named("png")
    Traceback (most recent call last):
    ...
    ascf_graph.core.errors.UnsupportedFormatError: unknown RDF format 'png'; use one of \
turtle, ntriples, jsonld, rdfxml, trig, nquads
    """
    return _found(find_syntax(name), SYNTAXES, f"unknown RDF format {name!r}")


def syntax_for_media_type(media_type: str) -> RdfSyntax | None:
    """The RDF syntax of a media type (its own or an alternate; parameters ignored).

    >>> syntax_for_media_type("application/json").name
    'jsonld'
    >>> syntax_for_media_type("ttl") is None
    True
    """
    return _with_media_type(SYNTAXES, media_type)


def syntax_for_path(path: Path) -> RdfSyntax:
    """The syntax a file's extension names (``.ttl``, ``.jsonld``, ``.rdf``, ``.owl``...)."""
    extension = path.suffix.lstrip(".").lower()
    if not extension:
        raise UnsupportedFormatError(f"{path}: no file extension; name the format with --format")
    return syntax_named(extension)


def find_results_syntax(value: str) -> ResultsSyntax | None:
    """The SPARQL results syntax a name, alias or media type names, if any.

    >>> find_results_syntax("application/json").name, find_results_syntax("text/xml").name
    ('json', 'xml')
    >>> find_results_syntax("turtle") is None
    True
    """
    key = _key(value)
    return next((s for s in RESULTS_SYNTAXES if key in s.names or key in s.media_types), None)


def results_syntax_named(name: str) -> ResultsSyntax:
    """The results syntax called ``name`` (``json``, ``csv``...) or with that media type."""
    return _found(find_results_syntax(name), RESULTS_SYNTAXES, f"unknown results format {name!r}")


def results_syntax_for_media_type(media_type: str) -> ResultsSyntax | None:
    """The results syntax of a media type (its own or an alternate; parameters ignored)."""
    return _with_media_type(RESULTS_SYNTAXES, media_type)


def _found(found: _Format | None, table: Iterable[_Format], problem: str) -> _Format:
    """``found``, or an :class:`UnsupportedFormatError` saying ``problem`` and the names."""
    if found is None:
        known = ", ".join(s.name for s in table)
        raise UnsupportedFormatError(f"{problem}; use one of {known}")
    return found


def _with_media_type(table: Iterable[_Format], media_type: str) -> _Format | None:
    """The format of ``table`` with ``media_type`` as its own or an alternate."""
    key = _key(media_type)
    return next((s for s in table if key in s.media_types), None)


GraphStatements = Iterable[ox.Triple] | Iterable[ox.Quad]


@overload
def serialize_graph(
    triples: GraphStatements,
    syntax: RdfSyntax,
    *,
    prefixes: Mapping[str, str] | None = None,
    output: None = None,
) -> bytes: ...


@overload
def serialize_graph(
    triples: GraphStatements,
    syntax: RdfSyntax,
    *,
    prefixes: Mapping[str, str] | None = None,
    output: BinaryIO | Path,
) -> None: ...


def serialize_graph(
    triples: GraphStatements,
    syntax: RdfSyntax,
    *,
    prefixes: Mapping[str, str] | None = None,
    output: BinaryIO | Path | None = None,
) -> bytes | None:
    """Write a graph in ``syntax``: returned as bytes, or into ``output`` (a file or path).

    Triples go into the default graph of TriG and N-Quads; ``prefixes`` are used only
    by the syntaxes that abbreviate IRIs.

    >>> a = ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
    >>> serialize_graph([a], syntax_named("nq"), prefixes={"e": "http://e/"})
    b'<http://e/a> <http://e/p> "x" .\\n'
    >>> print(serialize_graph([a], syntax_named("ttl"), prefixes={"e": "http://e/"}).decode())
    @prefix e: <http://e/> .
    e:a e:p "x" .
    <BLANKLINE>
    """
    statements: Iterable[ox.Triple] | Iterable[ox.Quad] = triples
    if syntax.quads:
        statements = (
            t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object)
            for t in triples
        )
    options: dict[str, object] = {}
    if syntax.prefixed and prefixes is not None:
        options["prefixes"] = dict(prefixes)
    target = str(output) if isinstance(output, Path) else output
    return ox.serialize(statements, target, syntax.oxigraph, **options)
