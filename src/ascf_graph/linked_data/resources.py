"""Dereferencing: the description of the resource a URI names (its addresses are
:mod:`ascf_graph.linked_data.addresses`).

A description holds the resource's own statements (asserted and inferred, in
every graph), the statements of the blank nodes it reaches, the labels and
types of everything it links to and of the properties it uses, the
statements that point at it (one page of them at a time), and the
document's own metadata. Every query binds the resource through
``substitutions``; nothing from the request is pasted into query text.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from ascf_graph.core.namespaces import (
    DCT,
    DEFAULT_BASE_IRI,
    FOAF,
    HYDRA,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
    XSD,
    graph_iri,
)
from ascf_graph.linked_data.addresses import JSONLD, DocumentFormat, Target
from ascf_graph.rdf.formats import serialize_graph
from ascf_graph.rdf.terms import RDF_TYPE, RDFS_LABEL
from ascf_graph.store.base import Store
from ascf_graph.store.reads import is_skolem, statements_with_blank_nodes

INBOUND_PAGE_SIZE = 100

# -- descriptions -------------------------------------------------------------


#: The properties whose values name a thing on a page.
LABEL_PROPERTIES = tuple(
    ox.NamedNode(iri)
    for iri in (f"{RDFS}label", f"{SKOS}prefLabel", f"{SKOS}notation", f"{DCT}title")
)
_LABELS = f"VALUES ?labelProperty {{ {' '.join(str(p) for p in LABEL_PROPERTIES)} }}"


#: Statements of the given predicates about the given nodes (``Store.statements`` or a cache).
NodeFacts = Callable[[Iterable[ox.NamedNode], tuple[ox.NamedNode, ...]], list[ox.Triple]]


class SharedNodeFacts:
    """Labels and types of the nodes many descriptions name (framework concepts, cities,
    properties), read from the store once per generation.

    Made for one store generation and dropped with it (the caller keeps it in a
    generation-keyed cache). It stops learning at ``max_nodes`` entries and only
    ever adds, so threads rendering descriptions at once may share it unlocked.
    """

    def __init__(self, store: Store, max_nodes: int = 50_000) -> None:
        self._store, self._max_nodes = store, max_nodes
        self._known: dict[tuple[ox.NamedNode, tuple[ox.NamedNode, ...]], list[ox.Triple]] = {}

    def __call__(
        self, nodes: Iterable[ox.NamedNode], predicates: tuple[ox.NamedNode, ...]
    ) -> list[ox.Triple]:
        """The statements of ``predicates`` about ``nodes``."""
        wanted = list(dict.fromkeys(nodes))
        answer = {node: self._known.get((node, predicates)) for node in wanted}
        missing = [node for node, known in answer.items() if known is None]
        if missing:
            found: dict[ox.NamedNode, list[ox.Triple]] = {node: [] for node in missing}
            for triple in self._store.statements(subjects=missing, predicates=predicates):
                found[triple.subject].append(triple)  # type: ignore[index]
            answer.update(found)
            if len(self._known) + len(found) <= self._max_nodes:
                self._known.update(((node, predicates), found[node]) for node in missing)
        return [triple for triples in answer.values() for triple in triples or ()]


def read_from(store: Store) -> NodeFacts:
    """Node facts read straight from ``store``, no cache."""
    return lambda nodes, predicates: store.statements(subjects=nodes, predicates=predicates)


# SELECT, not ASK: Virtuoso refuses a trailing VALUES (how a remote store binds) after ASK.
_LABELS_AND_TYPE = (*LABEL_PROPERTIES, RDF_TYPE)

_GRAPH_LINK_LABELS = f"""
SELECT DISTINCT ?graph ?o ?labelProperty ?label WHERE {{
  GRAPH ?graph {{ ?s ?p ?o }} FILTER(isIRI(?o))
  ?o ?labelProperty ?label . {_LABELS}
}}
"""
_GRAPH_LINK_LABELS_TRIPLES = (("o", "labelProperty", "label"),)


@dataclass(frozen=True)
class Description:
    """What one document says about its resource."""

    target: Target
    triples: tuple[ox.Triple, ...]
    page: int = 1
    pages: int = 1
    inbound: int = 0

    @property
    def document_iri(self) -> str:
        """This page's IRI (the generic document, with ``?page=`` past the first)."""
        return self.target.document_iri(self.page)


def exists(store: Store, target: Target) -> bool:
    """Whether the store says anything about the target (retired concepts included)."""
    return store.is_subject(ox.NamedNode(target.iri))


def pages_for(links: int, page_size: int = INBOUND_PAGE_SIZE) -> int:
    """How many pages ``links`` inbound links fill (at least one)."""
    return max(1, math.ceil(links / page_size))


def page_out_of_range(target: Target, pages: int, page: int) -> str:
    """Why ``page`` of the target's document does not exist.

    >>> page_out_of_range(Target("https://w3id.org/ascf/", "id/city/hue"), 1, 4)
    '/doc/city/hue has 1 page of inbound links, not 4'
    """
    plural = "s" if pages > 1 else ""
    return f"{target.document_url()} has {pages} page{plural} of inbound links, not {page}"


def inbound_links(store: Store, target: Target) -> list[ox.Triple]:
    """The statements pointing at the target from an IRI other than itself (skolem IRIs
    left out), in page order: by property, then subject."""
    node = ox.NamedNode(target.iri)
    links = {
        triple
        for triple in store.statements(objects=[node])
        if isinstance(triple.subject, ox.NamedNode)
        and triple.subject != node
        and not is_skolem(triple.subject)
    }
    return sorted(links, key=lambda t: (t.predicate.value, t.subject.value))


def describe(
    store: Store,
    target: Target,
    *,
    modified: datetime,
    license_iri: str | None,
    page: int = 1,
    page_size: int = INBOUND_PAGE_SIZE,
    links: list[ox.Triple] | None = None,
    shared: NodeFacts | None = None,
) -> Description:
    """The description of ``target`` (page ``page`` of its inbound links).

    The caller has checked that the target exists and that the page is in
    range; ``links`` are its :func:`inbound_links` if the caller has them;
    ``shared`` reads the labels and types of nodes many descriptions name
    (a :class:`SharedNodeFacts`; default: straight from the store).
    """
    shared = shared or read_from(store)
    node = ox.NamedNode(target.iri)
    triples: dict[ox.Triple, None] = {}
    if target.is_ontology:
        ontology_graph = graph_iri(target.base_iri, "def")
        triples.update(dict.fromkeys(store.graph_triples(ontology_graph)))
        bindings = {"graph": ox.NamedNode(ontology_graph)}
        rows = store.query(_GRAPH_LINK_LABELS, substitutions=bindings)
        triples.update(dict.fromkeys(_triples(rows, _GRAPH_LINK_LABELS_TRIPLES)))
        links = []
    else:
        _add_outbound(store, node, triples, shared)
        links = inbound_links(store, target) if links is None else links
    pages = pages_for(len(links), page_size)
    if links:
        shown = links[(page - 1) * page_size : page * page_size]
        triples.update(dict.fromkeys(_with_context(store, target, shown, shared)))
    description = Description(target, (), page, pages, len(links))
    triples.update(dict.fromkeys(_metadata(description, modified, license_iri)))
    return Description(
        target, tuple(sorted(triples, key=_reading_order(node))), page, pages, len(links)
    )


def _reading_order(node: ox.NamedNode) -> Callable[[ox.Triple], tuple[object, ...]]:
    """Sort key: the resource's statements first, then blank nodes, then the rest by subject."""

    def key(triple: ox.Triple) -> tuple[object, ...]:
        subject = triple.subject
        rank = 0 if subject == node else 1 if isinstance(subject, ox.BlankNode) else 2
        return (
            rank,
            subject.value,
            triple.predicate.value != RDF + "type",
            triple.predicate.value,
            str(triple.object),
        )

    return key


def _add_outbound(
    store: Store, node: ox.NamedNode, triples: dict[ox.Triple, None], shared: NodeFacts
) -> None:
    """The node's statements and its blank nodes', with labels and types of what they name
    and the labels of the properties they use.

    Blank nodes are followed breadth first (memberships, budgets, OWL class
    expressions and their lists). A remote store holds them as skolem IRIs
    (``{base}.well-known/genid/``); those are followed the same way and
    written back as blank nodes, so a description reads the same from either
    store.
    """
    found = statements_with_blank_nodes(store, [node])
    named = {
        t.object for t in found if isinstance(t.object, ox.NamedNode) and not is_skolem(t.object)
    } - {node}
    found += shared(named, _LABELS_AND_TYPE)
    found += shared({t.predicate for t in found}, (RDFS_LABEL,))
    triples.update(dict.fromkeys(deskolemise(t) for t in found))


TriplePattern = tuple[str, str, str]


def _triples(
    rows: Iterable[ox.QuerySolution], patterns: tuple[TriplePattern, ...]
) -> list[ox.Triple]:
    """The triples each row makes, in order and once each.

    A pattern position names a variable of the row, or is an IRI (a constant,
    recognised by its scheme); a pattern with an unbound variable makes nothing.
    """
    made: dict[ox.Triple, None] = {}
    for row in rows:
        for pattern in patterns:
            terms = [ox.NamedNode(part) if ":" in part else row[part] for part in pattern]
            if all(term is not None for term in terms):
                made[ox.Triple(*terms)] = None
    return list(made)


def deskolemise(triple: ox.Triple) -> ox.Triple:
    """The triple with skolem IRIs (a remote store's blank nodes) as the blank nodes they
    stand for."""
    if not (is_skolem(triple.subject) or is_skolem(triple.object)):
        return triple

    def term(value: object) -> object:
        return ox.BlankNode(value.value.rsplit("/", 1)[-1]) if is_skolem(value) else value

    return ox.Triple(term(triple.subject), triple.predicate, term(triple.object))  # type: ignore[arg-type]


def _with_context(
    store: Store, target: Target, links: list[ox.Triple], shared: NodeFacts
) -> list[ox.Triple]:
    """The links, with the labels, types and cities of their subjects, the labels of
    those cities and of the links' properties."""
    city = ox.NamedNode(target.base_iri + "def/city")
    subjects = {link.subject for link in links}
    context = store.statements(subjects=subjects, predicates=(*LABEL_PROPERTIES, RDF_TYPE, city))
    cities = {
        t.object for t in context if t.predicate == city and not isinstance(t.object, ox.Literal)
    }
    context += shared(cities, (RDFS_LABEL,))  # type: ignore[arg-type]
    context += shared({link.predicate for link in links}, (RDFS_LABEL,))
    return links + context


def _metadata(
    description: Description, modified: datetime, license_iri: str | None
) -> Iterable[ox.Triple]:
    """The document's statements about itself."""
    document = ox.NamedNode(description.document_iri)
    target = description.target
    yield ox.Triple(document, ox.NamedNode(RDF + "type"), ox.NamedNode(FOAF + "Document"))
    yield ox.Triple(document, ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(target.iri))
    yield ox.Triple(
        document,
        ox.NamedNode(DCT + "modified"),
        ox.Literal(
            modified.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=ox.NamedNode(XSD + "dateTime")
        ),
    )
    if license_iri:
        yield ox.Triple(document, ox.NamedNode(DCT + "license"), ox.NamedNode(license_iri))
    if description.pages > 1:
        yield ox.Triple(document, ox.NamedNode(HYDRA + "totalItems"), _integer(description.inbound))
        if description.page > 1:
            previous = ox.NamedNode(target.document_iri(description.page - 1))
            yield ox.Triple(document, ox.NamedNode(HYDRA + "previous"), previous)
        if description.page < description.pages:
            following = ox.NamedNode(target.document_iri(description.page + 1))
            yield ox.Triple(document, ox.NamedNode(HYDRA + "next"), following)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def prefixes_for(base_iri: str) -> dict[str, str]:
    """The prefixes serializations use, moved onto ``base_iri``.

    ``id:`` is left out: local names with ``/`` would be written escaped.
    """
    return {
        name: base_iri + namespace[len(DEFAULT_BASE_IRI) :]
        if namespace.startswith(DEFAULT_BASE_IRI)
        else namespace
        for name, namespace in PREFIXES.items()
        if name != "id"
    }


def used_prefixes(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace one of the triples' IRIs starts with."""
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    } | {
        triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)
    }
    return {
        name: namespace
        for name, namespace in prefixes.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def serialize(triples: Iterable[ox.Triple], fmt: DocumentFormat, base_iri: str) -> bytes:
    """The triples in an RDF format (Turtle and RDF/XML with the prefixes they use)."""
    if fmt.syntax is None:
        raise ValueError("HTML is rendered from a description, not serialized")
    triples = list(triples)
    prefixes = None
    if fmt.syntax.prefixed:
        prefixes = used_prefixes(triples, prefixes_for(base_iri))
    return serialize_graph(triples, fmt.syntax, prefixes=prefixes)


def script_safe_json(body: bytes) -> str:
    """JSON text that cannot end the ``<script>`` element it is embedded in.

    >>> script_safe_json(b'{"a": "</script>"}')
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    text = body.decode("utf-8")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def embedded_jsonld(triples: tuple[ox.Triple, ...], base_iri: str) -> str:
    """The triples as JSON-LD ready for a ``<script>`` element."""
    return script_safe_json(serialize(triples, JSONLD, base_iri))
