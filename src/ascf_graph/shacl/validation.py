"""SHACL validation with reports a data steward can act on.

The data graph is what the steward sent, plus what the store already says
about the nodes it describes (the data is judged as it will read once it is
in, beside the store's other graphs: a second population for a city the
store describes breaks ``sh:maxCount 1``), plus the types the store knows
for every IRI either of those mentions: so ``sh:class`` checks a focus area
against the real framework concepts, and a project may point at a city
described earlier, without loading the whole store into pyshacl. The shapes
come from ``graph/shapes/*``. pyshacl never follows ``owl:imports`` here.

How pyshacl is run is :mod:`ascf_graph.shacl.pyshacl_runs`; what data may not
describe, :mod:`ascf_graph.shacl.scope`; the report, :mod:`ascf_graph.shacl.reports`.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from ascf_graph.core.graph_names import GraphRole, graph_role
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, PREFIXES, graph_iri
from ascf_graph.rdf.io import to_rdflib_graph, to_rdflib_term
from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.rdf.turtle import to_oxigraph_triples
from ascf_graph.shacl.prepared_queries import PreparedQueries, PreparingGraph
from ascf_graph.shacl.reports import ValidationReport, results_in
from ascf_graph.shacl.scope import (
    OX_SCHEME_LINKS,
    add_scope_results,
    framework_classes,
    is_protected,
    node_name,
    out_of_scope_subjects,
    protected_prefixes,
)
from ascf_graph.store.base import Store
from ascf_graph.store.corrections import overridden
from ascf_graph.store.reads import statements_with_blank_nodes

#: The stem of the shapes file that checks the framework itself, not stewards' data.
FRAMEWORK_SHAPES = "framework"


@dataclass(frozen=True)
class ValidationContext:
    """The shapes data is checked against, and where to look up what it refers to.

    With a ``store``, every IRI the data mentions is looked up there and its
    types are added to the graph pyshacl checks, so ``sh:class`` sees that
    ``.../focus-area/civic-and-social`` is an ``ascf:FocusArea`` or that a
    city described last year is an ``ascf:City`` (types include the inferred
    superclasses). pyshacl's own ``ont_graph`` is not used: it copies only
    OWL/RDFS axioms and ``owl:NamedIndividual`` s, not the framework's concepts.

    The store's statements about every node the data describes are checked
    together with the data (:func:`store_context`), except those only
    the ``superseded`` graphs hold: a new version of a submission replaces
    its graph, so the version it replaces does not count against it.
    """

    shapes: rdflib.Graph
    store: Store | None = None
    #: IRI prefixes a steward's data may not describe (the framework, the ontology).
    protected: tuple[str, ...] = ()
    #: Named graphs the data will replace, whose statements are no longer the store's.
    superseded: tuple[str, ...] = ()
    #: Classes whose members only ontology/ may declare (:func:`framework_classes`).
    protected_classes: tuple[str, ...] = ()
    #: The graphs' base IRI, which tells shipped graphs from submissions' (corrections).
    base_iri: str = ""
    #: The shapes' SPARQL, parsed once for every validation in this context.
    queries: PreparedQueries = field(default_factory=PreparedQueries, compare=False, repr=False)
    #: What the store says about the data, looked up already (by the server, for a worker
    #: process that checks the data without the store: :func:`store_context`).
    stored: rdflib.Graph | None = field(default=None, compare=False, repr=False)
    #: A read-only copy of ``store`` on disk (:mod:`ascf_graph.store.snapshots`) that an
    #: input worker opens to look up what the store says about the data itself, so that
    #: the server never reads the data (None: there is none to give).
    snapshot: str | None = field(default=None, compare=False)
    #: Whether the caller needs the ``sh:ValidationReport`` itself, not only its results:
    #: an input worker writes it out and sends it only then (a JSON, text or HTML answer
    #: reads the results).
    report_rdf: bool = field(default=True, compare=False)

    @classmethod
    def for_submissions(
        cls,
        store: Store,
        base_iri: str,
        shapes: rdflib.Graph | None = None,
        *,
        superseded: tuple[str, ...] = (),
        queries: PreparedQueries | None = None,
        snapshot: str | None = None,
        report_rdf: bool = True,
    ) -> "ValidationContext":
        """City and project shapes; references resolved against ``store``; the framework's
        own terms are not the steward's to describe.

        ``shapes`` is :func:`submission_shapes` of the store, when the caller
        already has it (the service keeps it per store generation);
        ``superseded`` names the graph of the version a replacement replaces;
        ``queries`` are the shapes' prepared SPARQL, when the caller keeps them;
        ``snapshot``, a read-only copy of the store a worker may open; ``report_rdf``,
        whether the report's RDF is wanted, not only its results.
        """
        return cls(
            shapes=shapes if shapes is not None else submission_shapes(store, base_iri),
            store=store,
            protected=protected_prefixes(base_iri),
            protected_classes=framework_classes(store, base_iri),
            superseded=superseded,
            base_iri=base_iri,
            queries=queries if queries is not None else PreparedQueries(),
            snapshot=snapshot,
            report_rdf=report_rdf,
        )

    @classmethod
    def for_build(cls, store: Store, base_iri: str) -> "ValidationContext":
        """Every shape, the framework's integrity too; the data is the whole build."""
        return cls(shapes=_shapes(store, base_iri, include_framework=True))


def validate(data: rdflib.Graph, context: ValidationContext) -> ValidationReport:
    """Validate ``data`` against the context's shapes; Warnings do not break conformance
    (the report's ``sh:conforms`` says so too)."""
    out_of_scope = out_of_scope_subjects(data, context.protected, context.protected_classes)
    return validate_checked(with_store_context(data, context), context.shapes, out_of_scope)


def validate_ntriples(data: bytes, stored: bytes, context: ValidationContext) -> ValidationReport:
    """:func:`validate` of the N-Triples ``data`` with ``stored`` (what the store says about
    it, :func:`store_context`) as the context's ``stored``, as an input worker is sent them.

    The graph pyshacl checks is built once from both documents (no graph of the data
    alone, then a copy), and the same triples are loaded into pyoxigraph, which answers
    the shapes' SPARQL-based targets (:class:`PreparingGraph`); the report is the same.
    Blank node labels are kept, so the report names the data's.
    """
    oxigraph = ox.Store()
    checked = PreparingGraph(context.queries, oxigraph)
    out_of_scope: set[str] = set()
    for document, is_data in ((data, True), (stored, False)):
        if not document:
            continue
        oxigraph.load(document, format=ox.RdfFormat.N_TRIPLES)
        _add_ntriples(checked, document, context if is_data else None, out_of_scope)
    return validate_checked(checked, context.shapes, sorted(out_of_scope), split=True)


def _add_ntriples(
    graph: rdflib.Graph,
    document: bytes,
    context: ValidationContext | None,
    out_of_scope: set[str],
) -> None:
    """Add the triples of the N-Triples ``document`` to ``graph``; with a ``context``,
    collect the names of the nodes they may not describe, as :func:`out_of_scope_subjects`
    finds them."""
    terms: dict[object, rdflib.term.Node] = {}
    protected = context.protected if context is not None and context.protected else None
    classes = set(context.protected_classes) if protected and context is not None else set()
    add = graph.store.add
    for quad in ox.parse(document, format=ox.RdfFormat.N_TRIPLES):
        subject, predicate, value = quad.subject, quad.predicate, quad.object
        found = []
        for term in (subject, predicate, value):
            node = terms.get(term)
            if node is None:
                node = terms[term] = to_rdflib_term(term)
            found.append(node)
        add((found[0], found[1], found[2]), graph, quoted=False)
        if protected is None:
            continue
        if (
            (isinstance(subject, ox.NamedNode) and is_protected(subject.value, protected))
            or (predicate == RDF_TYPE and value.value in classes)
            or (predicate in OX_SCHEME_LINKS and is_protected(value.value, protected))
        ):
            out_of_scope.add(node_name(found[0]))


def validate_checked(
    checked: PreparingGraph,
    shapes: rdflib.Graph,
    out_of_scope: list[str] | None = None,
    *,
    split: bool = False,
) -> ValidationReport:
    """Validate a graph :func:`with_store_context` made (pyshacl checks it in place) against
    ``shapes``; ``out_of_scope`` names nodes to report as the framework's own. With
    ``split`` (an input worker, whose process is its own), many focus nodes are checked
    half in a forked process (:func:`ascf_graph.shacl.pyshacl_runs.check`)."""
    # Imported here: pyshacl takes a tenth of a second to import, and the server process,
    # which hands validations to its input workers, must start fast without it.
    from ascf_graph.shacl.pyshacl_runs import check  # noqa: PLC0415

    conforms, report_graph = check(checked, shapes, split=split)
    if out_of_scope:
        conforms = False
        add_scope_results(report_graph, out_of_scope)
    # The graph says what SHACL says: any result, a Warning too, and it does not conform
    # (pyshacl with allow_warnings says true for Warnings alone). The service's verdict,
    # that only Violations block, is the ValidationReport's ``conforms``.
    root = report_graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    has_results = (root, SH.result, None) in report_graph
    report_graph.set((root, SH.conforms, rdflib.Literal(not has_results)))
    results = tuple(results_in(report_graph, shapes))
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    return ValidationReport(conforms=bool(conforms), results=results, rdf=report_graph)


def with_store_context(data: rdflib.Graph, context: ValidationContext) -> PreparingGraph:
    """The graph the shapes are checked on, a new one: ``data``, and with a store, the store's
    statements about the nodes ``data`` describes and the types of every IRI mentioned
    (:func:`store_context`; or the context's ``stored``, when looked up already)."""
    checked = PreparingGraph(context.queries)
    checked += data
    if context.stored is not None:
        checked += context.stored
        return checked
    if context.store is None:  # ``data`` itself was checked before: its prefixes name terms
        for prefix, namespace in data.namespaces():
            checked.bind(prefix, namespace, override=False)
        return checked
    checked += to_rdflib_graph(store_context(context, to_oxigraph_triples(data)))
    return checked


def store_context(
    context: ValidationContext, data: Collection[ox.Triple | tuple[Any, Any, Any]]
) -> list[ox.Triple]:
    """What the context's store says that checking ``data`` needs: its statements about
    every IRI ``data`` describes (uses as subject) and the blank nodes that leads to, then
    ``?x rdf:type ?class`` (and ``?x ascf:subAreaOf ?focusArea``, which tells a sub-area's
    focus area) for every IRI either uses, in any graph but the superseded ones.

    IRIs under a ``protected`` prefix are not looked up as subjects: data may not
    describe them at all (:func:`out_of_scope_subjects`), and the framework's concepts
    have many statements no submission shape reads. ``data`` is read twice.
    """
    if context.store is None:
        return []
    described: set[str] = set()
    mentioned: set[str] = set()
    for subject, _, value in data:
        if isinstance(subject, ox.NamedNode):
            mentioned.add(subject.value)
            if not is_protected(subject.value, context.protected):
                described.add(subject.value)
        if isinstance(value, ox.NamedNode):
            mentioned.add(value.value)
    found = statements_with_blank_nodes(
        context.store,
        [ox.NamedNode(iri) for iri in sorted(described)],
        outside=context.superseded,
    )
    found = _without_corrected(context, data, found)
    for triple in found:
        mentioned.update(
            term.value for term in (triple.subject, triple.object) if isinstance(term, ox.NamedNode)
        )
    base = context.base_iri or DEFAULT_BASE_IRI
    types = context.store.statements(
        subjects=[ox.NamedNode(iri) for iri in sorted(mentioned)],
        predicates=[RDF_TYPE, ox.NamedNode(f"{base}def/subAreaOf")],
        outside=context.superseded,
    )
    return found + types


def _without_corrected(
    context: ValidationContext,
    data: Iterable[ox.Triple | tuple[Any, Any, Any]],
    found: list[ox.Triple],
) -> list[ox.Triple]:
    """``found`` without the shipped statements ``data`` corrects: once in, its statements
    take precedence over the shipped ones of the properties it sets
    (:mod:`ascf_graph.store.corrections`), so those do not count against it."""
    assert context.store is not None
    touched = {t.subject for t in found if isinstance(t.subject, ox.NamedNode)}
    if not touched or not context.base_iri:
        return found
    setting = [
        triple if isinstance(triple, ox.Triple) else ox.Triple(*triple)
        for triple in data
        if triple[0] in touched
    ]
    shadowed = {quad.triple for quad in overridden(context.store, context.base_iri, setting)}
    if not shadowed:
        return found
    still_said = {
        quad.triple
        for quad in context.store.quads_about({t.subject for t in shadowed})  # type: ignore[misc]
        if quad.triple in shadowed
        and quad.graph_name.value not in context.superseded
        and graph_role(quad.graph_name.value, context.base_iri) is not GraphRole.DATA
    }
    return [t for t in found if t not in shadowed or t in still_said]


def submission_shapes(store: Store, base_iri: str) -> rdflib.Graph:
    """The shapes a steward's data is checked against: every shapes graph in ``store``
    but the framework's own."""
    return _shapes(store, base_iri, include_framework=False)


def _shapes(store: Store, base_iri: str, *, include_framework: bool) -> rdflib.Graph:
    framework = graph_iri(base_iri, f"shapes/{FRAMEWORK_SHAPES}")
    shapes = rdflib.Graph()
    for name in store.graph_sizes():
        if graph_role(name, base_iri) is GraphRole.SHAPES and (
            include_framework or name != framework
        ):
            shapes += _graph_contents(store, name)
    for prefix, namespace in PREFIXES.items():
        shapes.bind(prefix, namespace)
    return shapes


def _graph_contents(store: Store, graph_iri: str) -> rdflib.Graph:
    return to_rdflib_graph(store.graph_triples(graph_iri))
