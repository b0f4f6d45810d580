"""Dereferencing: from a URI to the description of the resource it names.

The URI contract (``shared/DESIGN.md``) names things under ``{base}id/`` and
``{base}def``; the documents about them live under ``{base}doc/``:

| thing | URI | its document |
|---|---|---|
| framework element, city, project... | ``{base}id/{kind}/{slug}`` | ``{base}doc/{kind}/{slug}`` |
| the framework | ``{base}id/framework`` | ``{base}doc/framework`` |
| the ontology | ``{base}def`` | ``{base}doc/def`` (HTML: its documentation) |
| an ontology term | ``{base}def/{Term}`` | ``{base}doc/def/{Term}`` |
| a named graph | ``{base}graph/{name}`` | ``{base}doc/graph/{name}`` (its triples) |

Each document comes as ``.html``, ``.ttl``, ``.jsonld``, ``.rdf`` and ``.nt``;
without an extension, the ``Accept`` header chooses.

A description holds the resource's own statements (asserted and inferred, in
every graph), the statements of the blank nodes it reaches, the labels and
types of everything it links to and of the properties it uses, the
statements that point at it (one page of them at a time), and the
document's own metadata. Every query binds the resource through
``substitutions``; nothing from the request is pasted into query text.
"""

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from ascf_graph.core.conneg import negotiate
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
from ascf_graph.rdf.formats import RdfSyntax, find_syntax, serialize_graph, syntax_named
from ascf_graph.rdf.terms import RDF_TYPE, RDFS_LABEL
from ascf_graph.store.base import Store
from ascf_graph.store.reads import is_skolem, statements_with_blank_nodes

INBOUND_PAGE_SIZE = 100

_SEGMENT = re.compile(r"^[A-Za-z0-9_~-]+$")
#: Where named graphs live under the base: ``{base}graph/{name}``.
GRAPH_PATH = "graph/"


# -- formats ------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFormat:
    """One representation of a document: HTML, or an RDF syntax."""

    extension: str
    media_type: str
    label: str
    syntax: RdfSyntax | None

    @property
    def is_html(self) -> bool:
        """Whether this is the page for people."""
        return self.syntax is None


HTML = DocumentFormat("html", "text/html", "HTML", None)
#: The RDF syntaxes a document comes in, under their extensions in :mod:`ascf_graph.rdf.formats`.
DOCUMENT_SYNTAXES = ("turtle", "jsonld", "rdfxml", "ntriples")
FORMATS: tuple[DocumentFormat, ...] = (
    HTML,
    *(
        DocumentFormat(s.extension, s.media_type, s.label, s)
        for s in map(syntax_named, DOCUMENT_SYNTAXES)
    ),
)
RDF_FORMATS = tuple(f for f in FORMATS if not f.is_html)
_JSONLD = next(f for f in FORMATS if f.extension == "jsonld")


def format_for_extension(extension: str) -> DocumentFormat | None:
    """The format a document's extension names, if it names one.

    Only each format's own extension is part of a document's address
    (``.rdf``, not ``.owl``: one URL per document); :func:`document_format_named`
    takes every name.

    >>> format_for_extension("jsonld").media_type
    'application/ld+json'
    >>> format_for_extension("png") is None
    True
    """
    return next((f for f in FORMATS if f.extension == extension), None)


def document_format_named(name: str) -> DocumentFormat | None:
    """The document format ``name`` names: ``html``, or any name, alias or media type of
    a document's RDF syntax in :mod:`ascf_graph.rdf.formats`.

    >>> document_format_named("turtle").extension, document_format_named("owl").extension
    ('ttl', 'rdf')
    >>> document_format_named("trig") is None
    True
    """
    key = name.split(";", 1)[0].strip().lower()
    if key in (HTML.extension, HTML.media_type):
        return HTML
    syntax = find_syntax(key)
    return next((f for f in RDF_FORMATS if f.syntax == syntax), None)


def negotiate_format(
    accept: str | None, formats: tuple[DocumentFormat, ...] = FORMATS
) -> DocumentFormat | None:
    """The format the ``Accept`` header prefers (q-values honoured; ties go to HTML first).

    >>> negotiate_format("text/turtle;q=0.5, application/ld+json").extension
    'jsonld'
    >>> negotiate_format("text/html,application/xhtml+xml,*/*;q=0.8").extension
    'html'
    >>> negotiate_format("image/png") is None
    True
    """
    chosen = negotiate(accept, [f.media_type for f in formats])
    return next((f for f in formats if f.media_type == chosen), None)


# -- addresses ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A resource that a request names, with where its documents live."""

    base_iri: str
    path: str
    """The resource's path under the base: ``id/city/hue``, ``def/City``, ``def`` or
    ``graph/framework``."""

    @property
    def iri(self) -> str:
        """The resource's IRI."""
        return self.base_iri + self.path

    @property
    def is_ontology(self) -> bool:
        """Whether this is the ontology itself (``{base}def``)."""
        return self.path == "def"

    @property
    def is_graph(self) -> bool:
        """Whether this is a named graph (``{base}graph/{name}``)."""
        return self.path.startswith(GRAPH_PATH)

    @property
    def document_path(self) -> str:
        """The generic document's path, without extension: ``doc/city/hue``."""
        rest = self.path[len("id/") :] if self.path.startswith("id/") else self.path
        return f"doc/{rest}"

    def document_url(self, fmt: DocumentFormat | None = None, page: int = 1) -> str:
        """The document's address on this host (a path), in one format or negotiated."""
        url = "/" + self.document_path + (f".{fmt.extension}" if fmt else "")
        return url + (f"?page={page}" if page > 1 else "")

    def document_iri(self, page: int = 1) -> str:
        """The generic document's IRI under the base, as descriptions name it."""
        return self.base_iri + self.document_url(page=page)[1:]


def target_for_resource(base_iri: str, path: str) -> Target | None:
    """The target of a resource path (``id/...``, ``def`` or ``def/...``), if well formed.

    >>> target_for_resource("https://w3id.org/ascf/", "id/city/hue").iri
    'https://w3id.org/ascf/id/city/hue'
    >>> target_for_resource("https://w3id.org/ascf/", "id/city/hue.ttl") is None
    True
    >>> target_for_resource("https://w3id.org/ascf/", "def/City").document_url()
    '/doc/def/City'
    """
    segments = path.split("/")
    well_placed = (segments[0] == "id" and len(segments) >= 2) or segments[0] == "def"
    if well_placed and all(_SEGMENT.match(segment) for segment in segments):
        return Target(base_iri, path)
    return None


def target_for_graph(base_iri: str, name: str) -> Target | None:
    """The target of the named graph ``{base}graph/{name}``, if ``name`` is well formed.

    >>> target_for_graph("https://w3id.org/ascf/", "data/ascn-cities").document_url()
    '/doc/graph/data/ascn-cities'
    >>> target_for_graph("https://w3id.org/ascf/", "data/../x") is None
    True
    """
    segments = name.split("/")
    if all(_SEGMENT.match(segment) for segment in segments):
        return Target(base_iri, GRAPH_PATH + name)
    return None


def split_extension(path: str) -> tuple[str, DocumentFormat | None] | None:
    """A document path without its extension, and the format the extension names (None: no
    extension); None for an extension no format has.

    >>> split_extension("city/hue.ttl")[1].media_type
    'text/turtle'
    >>> split_extension("city/hue")
    ('city/hue', None)
    >>> split_extension("city/hue.png") is None
    True
    """
    stem, dot, extension = path.rpartition(".")
    if not dot:
        return path, None
    fmt = format_for_extension(extension)
    return None if fmt is None else (stem, fmt)


def graph_target_for_document(
    base_iri: str, path: str
) -> tuple[Target, DocumentFormat | None] | None:
    """The named graph and format a document path under ``doc/graph/`` names, if any.

    >>> target, fmt = graph_target_for_document("https://w3id.org/ascf/", "inferred.nt")
    >>> target.iri, fmt.extension
    ('https://w3id.org/ascf/graph/inferred', 'nt')
    >>> graph_target_for_document("https://w3id.org/ascf/", "inferred.png") is None
    True
    """
    return _with_format(path, lambda stem: target_for_graph(base_iri, stem))


def target_for_document(base_iri: str, path: str) -> tuple[Target, DocumentFormat | None] | None:
    """The target and format a document path (under ``doc/``) names, if any.

    >>> target, fmt = target_for_document("https://w3id.org/ascf/", "focus-area/tourism.ttl")
    >>> target.iri, fmt.media_type
    ('https://w3id.org/ascf/id/focus-area/tourism', 'text/turtle')
    >>> target_for_document("https://w3id.org/ascf/", "def")[0].iri
    'https://w3id.org/ascf/def'
    >>> target_for_document("https://w3id.org/ascf/", "city/hue.png") is None
    True
    """

    def resource(stem: str) -> Target | None:
        named = stem if stem == "def" or stem.startswith("def/") else f"id/{stem}"
        return target_for_resource(base_iri, named)

    return _with_format(path, resource)


def _with_format(
    path: str, target_for: Callable[[str], Target | None]
) -> tuple[Target, DocumentFormat | None] | None:
    """The target of ``path`` less its extension, and the extension's format, if both are
    known."""
    split = split_extension(path)
    if split is None:
        return None
    stem, fmt = split
    target = target_for(stem)
    return (target, fmt) if target else None


def local_path(iri: str, base_iri: str) -> str | None:
    """Where this host serves the page about ``iri``, if it is one of ours.

    >>> local_path("https://w3id.org/ascf/id/city/hue", "https://w3id.org/ascf/")
    '/doc/city/hue'
    >>> local_path("http://www.wikidata.org/entity/Q1", "https://w3id.org/ascf/") is None
    True
    """
    if not iri.startswith(base_iri):
        return None
    target = target_for_resource(base_iri, iri[len(base_iri) :])
    return target.document_url() if target else None


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
    return script_safe_json(serialize(triples, _JSONLD, base_iri))
