"""What a person reads on a resource's page, taken from its description alone.

The page shows nothing the description does not say, so the HTML and the
RDF formats of one document always agree (the page embeds the description as
JSON-LD too). This module turns the description's triples into plain
dataclasses that the templates lay out: heading, definition, source,
breadcrumbs, alignments, a table of the other statements with every link
labelled, and the statements that point here grouped by property. An IRI
whose scheme could run script (``javascript:``...) is shown as text, never
as a link (see :mod:`ascf_graph.html.safe_links`).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ascf_graph.core.kinds import KINDS, kind_label, kind_of
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.html.safe_links import safe_href
from ascf_graph.linked_data.addresses import local_path
from ascf_graph.linked_data.resources import Description

RDF, RDFS, SKOS, DCT, OWL = (PREFIXES[p] for p in ("rdf", "rdfs", "skos", "dct", "owl"))
TYPE = RDF + "type"
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCT + "title")
DEFINITION_PROPERTIES = (SKOS + "definition", DCT + "description")
NOTE_PROPERTIES = (SKOS + "scopeNote", SKOS + "note", SKOS + "editorialNote", RDFS + "comment")

#: Properties that link a resource to the same or a similar thing elsewhere.
ALIGNMENT_PROPERTIES = (
    OWL + "sameAs",
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
    SKOS + "relatedMatch",
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MAX_NESTING = 4


@dataclass(frozen=True)
class Value:
    """One value of a statement: a link with a label, or a literal."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str | None = None
    """A language tag, a datatype, or (for inbound projects) the city."""
    external: bool = False
    nested: tuple["Row", ...] = ()


@dataclass(frozen=True)
class Row:
    """One property and its values."""

    property_iri: str
    label: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class InboundGroup:
    """Resources that point here through one property."""

    label: str
    property_iri: str
    values: tuple[Value, ...]


@dataclass
class ResourceView:
    """Everything the resource template shows."""

    iri: str
    title: str
    kind: str | None
    kind_label: str
    notation: str | None = None
    definitions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_paragraphs: list[str] = field(default_factory=list)
    sources: list[Value] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: list[Value] = field(default_factory=list)
    breadcrumbs: list[Value] = field(default_factory=list)
    alignments: list[Row] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    inbound: list[InboundGroup] = field(default_factory=list)
    inbound_total: int = 0
    page: int = 1
    pages: int = 1


class _Graph:
    """A small index over a description's triples."""

    def __init__(self, triples: tuple[ox.Triple, ...]) -> None:
        self.out: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.out[t.subject][t.predicate.value].append(t.object)
            self.into[t.object][t.predicate.value].append(t.subject)

    def values(self, subject: object, predicate: str) -> list[object]:
        return self.out.get(subject, {}).get(predicate, [])

    def first_literal(self, subject: object, predicates: tuple[str, ...]) -> str | None:
        for predicate in predicates:
            texts = sorted(v.value for v in self.values(subject, predicate) if _is_literal(v))
            if texts:
                return texts[0]
        return None


def _is_literal(term: object) -> bool:
    return isinstance(term, ox.Literal)


def humanise(iri: str) -> str:
    """A readable name for an IRI without a label: its local name, split.

    >>> humanise("http://www.w3.org/2004/02/skos/core#exactMatch")
    'exact match'
    >>> humanise("http://purl.org/dc/terms/isReplacedBy")
    'is replaced by'
    """
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return _CAMEL.sub(" ", local).replace("-", " ").replace("_", " ").lower() or iri


def build_view(description: Description) -> ResourceView:
    """The page model of a description."""
    base = description.target.base_iri
    graph = _Graph(description.triples)
    node = ox.NamedNode(description.target.iri)
    kind = kind_of(node.value, base)
    view = ResourceView(
        iri=node.value,
        title=_label(graph, node, base),
        kind=kind,
        kind_label=_kind_label(graph, node, kind, base),
        notation=graph.first_literal(node, (SKOS + "notation",)),
        inbound_total=description.inbound,
        page=description.page,
        pages=description.pages,
    )
    view.definitions = _literals(graph, node, DEFINITION_PROPERTIES)
    view.notes = _literals(graph, node, NOTE_PROPERTIES)
    view.source_paragraphs = _literals(graph, node, (base + "def/sourceParagraph",))
    view.sources = [_value(graph, o, base) for o in graph.values(node, DCT + "source")]
    view.deprecated = any(
        _is_literal(v) and v.value in ("true", "1") for v in graph.values(node, OWL + "deprecated")
    )
    view.replaced_by = [_value(graph, o, base) for o in graph.values(node, DCT + "isReplacedBy")]
    view.breadcrumbs = _breadcrumbs(graph, node, kind, base)
    shown = {
        *LABEL_PROPERTIES,
        *DEFINITION_PROPERTIES,
        *NOTE_PROPERTIES,
        SKOS + "notation",
        base + "def/sourceParagraph",
        DCT + "source",
        OWL + "deprecated",
        DCT + "isReplacedBy",
    }
    rows = _rows(graph, node, base, exclude=shown)
    view.alignments = [r for r in rows if r.property_iri in ALIGNMENT_PROPERTIES]
    view.rows = _without_repeats([r for r in rows if r.property_iri not in ALIGNMENT_PROPERTIES])
    view.inbound = _inbound(graph, node, base, rows)
    return view


def _label(graph: _Graph, term: object, base: str) -> str:
    text = graph.first_literal(term, LABEL_PROPERTIES)
    if text:
        return text
    if isinstance(term, ox.NamedNode):
        return compact(term.value) if not term.value.startswith(base) else term.value[len(base) :]
    return "(unnamed)"


def compact(iri: str) -> str:
    """A prefixed name for an IRI in a namespace we know, else the IRI itself.

    >>> compact("http://www.w3.org/2001/XMLSchema#gYear"), compact("https://asean.org/")
    ('xsd:gYear', 'https://asean.org/')
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and prefix != "id":
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _kind_label(graph: _Graph, node: ox.NamedNode, kind: str | None, base: str) -> str:
    if kind in KINDS:
        return kind_label(kind)
    types = sorted(
        (t for t in graph.values(node, TYPE) if isinstance(t, ox.NamedNode)),
        key=lambda t: (not t.value.startswith(base), t.value),
    )
    if types:
        return _label(graph, types[0], base)
    return kind_label(kind)


def _literals(graph: _Graph, node: object, predicates: tuple[str, ...]) -> list[str]:
    return [
        value.value
        for predicate in predicates
        for value in sorted(graph.values(node, predicate), key=str)
        if _is_literal(value)
    ]


def _value(graph: _Graph, term: object, base: str, depth: int = 0) -> Value:
    if isinstance(term, ox.Literal):
        note = None
        if not term.language and not term.datatype.value.endswith("#string"):
            note = compact(term.datatype.value)
        return Value(term.value, note=note)
    if isinstance(term, ox.BlankNode):
        nested = tuple(_rows(graph, term, base, exclude=set(), depth=depth + 1))
        return Value(_label(graph, term, base) if depth < _MAX_NESTING else "…", nested=nested)
    href = local_path(term.value, base)
    return Value(
        _label(graph, term, base),
        href=href or safe_href(term.value),
        iri=term.value,
        external=href is None,
    )


def _property_label(graph: _Graph, predicate: str, base: str) -> str:
    if predicate == TYPE:
        return "type"
    return graph.first_literal(ox.NamedNode(predicate), LABEL_PROPERTIES) or humanise(predicate)


def _rows(
    graph: _Graph, subject: object, base: str, *, exclude: set[str], depth: int = 0
) -> list[Row]:
    rows = []
    for predicate, objects in graph.out.get(subject, {}).items():
        if predicate in exclude or depth > _MAX_NESTING:
            continue
        values = sorted(
            {_value(graph, o, base, depth): None for o in objects},
            key=lambda v: (v.text.casefold(), v.iri or ""),
        )
        rows.append(Row(predicate, _property_label(graph, predicate, base), tuple(values)))
    rows.sort(key=lambda r: (r.property_iri != TYPE, not r.property_iri.startswith(base), r.label))
    return rows


def _without_repeats(rows: list[Row]) -> list[Row]:
    """Drop SKOS hierarchy values that a more specific property already shows."""
    generic = {SKOS + "broader", SKOS + "narrower"}
    elsewhere = {v.iri for r in rows if r.property_iri not in generic for v in r.values}
    kept = []
    for row in rows:
        if row.property_iri not in generic:
            kept.append(row)
            continue
        values = tuple(v for v in row.values if v.iri not in elsewhere)
        if values:
            kept.append(Row(row.property_iri, row.label, values))
    return kept


def _breadcrumbs(graph: _Graph, node: ox.NamedNode, kind: str | None, base: str) -> list[Value]:
    """Home, the framework for its concepts, then the resource's parent, if it has one."""
    crumbs = [Value("Home", href="/")]
    parents_by_kind = {"project": base + "def/city", "city": base + "def/country"}
    if kind in KINDS and KINDS[kind].framework and kind != "framework":
        crumbs.append(Value("Framework", href=local_path(base + "id/framework", base)))
        parent_property = SKOS + "broader"
    elif node.value.startswith(base + "def/"):
        crumbs.append(Value("Ontology", href=local_path(base + "def", base)))
        parent_property = None
    else:
        parent_property = parents_by_kind.get(kind or "")
    if parent_property:
        parents = [p for p in graph.values(node, parent_property) if isinstance(p, ox.NamedNode)]
        crumbs.extend(_value(graph, p, base) for p in sorted(parents, key=str)[:1])
    return crumbs


def _inbound(graph: _Graph, node: ox.NamedNode, base: str, rows: list[Row]) -> list[InboundGroup]:
    """What points here, less what the page already lists among its own statements."""
    linked = {v.iri for r in rows for v in r.values}
    groups = []
    city = base + "def/city"
    for predicate, subjects in sorted(graph.into.get(node, {}).items()):
        values = []
        for subject in subjects:
            if not isinstance(subject, ox.NamedNode) or subject.value in linked:
                continue
            value = _value(graph, subject, base)
            cities = [c for c in graph.values(subject, city) if isinstance(c, ox.NamedNode)]
            if cities and predicate != city:
                value = Value(
                    value.text, value.href, value.iri, note=_label(graph, cities[0], base)
                )
            values.append(value)
        if predicate == PREFIXES["foaf"] + "primaryTopic" or not values:
            continue
        values.sort(key=lambda v: (v.text.casefold(), v.iri or ""))
        groups.append(
            InboundGroup(_property_label(graph, predicate, base), predicate, tuple(values))
        )
    return groups
