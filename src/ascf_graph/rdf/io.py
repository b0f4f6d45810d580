"""Reading and writing RDF safely: format by name (:mod:`ascf_graph.rdf.formats`),
errors with line and column.

Everything users send is parsed here with pyoxigraph, which never fetches a
URL (JSON-LD remote contexts and RDF/XML external entities are refused), and
converted to rdflib only where rdflib is needed (pyshacl, owlready2 input).
"""

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ascf_graph.core.errors import RdfSyntaxError
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI
from ascf_graph.rdf.formats import RdfSyntax, syntax_for_path
from ascf_graph.rdf.terms import XSD_STRING


def parse_quads(
    data: bytes, syntax: RdfSyntax, *, source: str, base_iri: str | None = None
) -> list[ox.Quad]:
    """Parse ``data`` fully, or raise :class:`RdfSyntaxError` naming line and column.

    Nothing is fetched from the network while parsing:

    >>> from ascf_graph.rdf.formats import syntax_named
    >>> parse_quads(b'{"@context": "http://example.org/c", "@id": "http://e/a"}',
    ...             syntax_named("jsonld"), source="upload")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ascf_graph.core.errors.RdfSyntaxError: upload: No LoadDocumentCallback ... remote contexts
    """
    try:
        return list(ox.parse(data, format=syntax.oxigraph, base_iri=base_iri))
    except SyntaxError as error:
        line, column = _position(error)
        message = str(error.msg if hasattr(error, "msg") else error)
        raise RdfSyntaxError(message, source=source, line=line, column=column) from None
    except ValueError as error:  # e.g. invalid UTF-8
        raise RdfSyntaxError(str(error), source=source) from None


def parse_file(path: Path, *, syntax: RdfSyntax | None = None) -> list[ox.Quad]:
    """Parse one file, its syntax taken from the extension unless given."""
    chosen = syntax or syntax_for_path(path)
    return parse_quads(
        path.read_bytes(), chosen, source=str(path), base_iri=path.resolve().as_uri()
    )


def load_file(store: ox.Store, path: Path, graph: ox.NamedNode) -> None:
    """Load one file into ``graph`` of an in-memory ``store``, in the engine, or raise
    :class:`RdfSyntaxError` naming line and column (``store`` may then hold part of it).

    Nothing is fetched from the network, as with :func:`parse_quads`.
    """
    syntax = syntax_for_path(path)
    try:
        store.bulk_load(
            path=str(path),
            format=syntax.oxigraph,
            base_iri=path.resolve().as_uri(),
            to_graph=graph,
        )
    except SyntaxError as error:
        line, column = _position(error)
        message = str(error.msg if hasattr(error, "msg") else error)
        raise RdfSyntaxError(message, source=str(path), line=line, column=column) from None
    except ValueError as error:
        raise RdfSyntaxError(str(error), source=str(path)) from None


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    """Line and column of a pyoxigraph syntax error, if it knows them."""
    if error.lineno is not None:
        return error.lineno, error.offset
    return None, None


def rebase(quads: Iterable[ox.Quad], base_iri: str) -> Iterator[ox.Quad]:
    """Rewrite IRIs under the default base onto ``base_iri`` (for forks of the graph)."""
    if base_iri == DEFAULT_BASE_IRI:
        yield from quads
        return

    def move(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> object:
        if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE_IRI):
            return ox.NamedNode(base_iri + term.value[len(DEFAULT_BASE_IRI) :])
        return term

    for quad in quads:
        yield ox.Quad(
            move(quad.subject), move(quad.predicate), move(quad.object), move(quad.graph_name)
        )


def to_rdflib_term(term: object) -> rdflib.term.Node:
    """The rdflib equivalent of a pyoxigraph term; a typed literal keeps its lexical form
    (rdflib would write ``"1"^^xsd:boolean`` as ``"true"``, a different RDF term)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING.value:
            return rdflib.Literal(term.value)
        return rdflib.Literal(
            term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False
        )
    raise TypeError(f"no rdflib equivalent for {term!r}")


def to_rdflib_graph(triples: Iterable[ox.Quad | ox.Triple]) -> rdflib.Graph:
    """An rdflib graph of the triples (graph names are dropped)."""
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(
            (
                to_rdflib_term(triple.subject),
                to_rdflib_term(triple.predicate),
                to_rdflib_term(triple.object),
            )
        )
    return graph
