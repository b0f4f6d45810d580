"""SHACL validation with reports a data steward can act on.

The data graph is what the steward sent, plus what the store already says
about the nodes it describes (the data is judged as it will read once it is
in, beside the store's other graphs: a second population for a city the
store describes breaks ``sh:maxCount 1``), plus the types the store knows
for every IRI either of those mentions: so ``sh:class`` checks a focus area
against the real framework concepts, and a project may point at a city
described earlier, without loading the whole store into pyshacl. The shapes
come from ``graph/shapes/*``. pyshacl never follows ``owl:imports`` here.
"""

import contextlib
import ctypes
import json
import logging
import os
import signal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

import pyoxigraph as ox
import pyshacl
import rdflib
from pyshacl import shape as pyshacl_shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from rdflib.namespace import SH

from ascf_graph.core.graph_names import GraphRole, graph_role
from ascf_graph.core.namespaces import PREFIXES, graph_iri
from ascf_graph.rdf.io import to_rdflib_graph, to_rdflib_term
from ascf_graph.rdf.terms import RDF_TYPE, RDFS_SUBCLASS_OF
from ascf_graph.shacl.fixes import suggest_fix
from ascf_graph.shacl.prepared_queries import PreparedQueries, PreparingGraph
from ascf_graph.store.base import Store
from ascf_graph.store.reads import statements_with_blank_nodes

log = logging.getLogger(__name__)

Severity = Literal["Violation", "Warning", "Info"]
_SEVERITY_ORDER: dict[str, int] = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One thing wrong with the data, in the words of the shape that found it."""

    severity: Severity
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str | None
    constraint: str
    fix: str = ""


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one data graph."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    #: The ``sh:ValidationReport``: a graph, or its N-Triples as a worker sent them, read
    #: into :attr:`graph` only when asked (a JSON or text report never needs it).
    rdf: rdflib.Graph | bytes = field(repr=False, compare=False)

    @cached_property
    def graph(self) -> rdflib.Graph:
        """The ``sh:ValidationReport`` graph, with our prefixes bound."""
        if isinstance(self.rdf, rdflib.Graph):
            return self.rdf
        graph = to_rdflib_graph(
            quad.triple for quad in ox.parse(self.rdf, format=ox.RdfFormat.N_TRIPLES)
        )
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        return graph

    def count(self, severity: Severity) -> int:
        """How many results have ``severity``."""
        return sum(1 for result in self.results if result.severity == severity)

    def by_focus_node(self) -> dict[str, list[ValidationResult]]:
        """Results grouped under the node they are about, most severe first."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for result in sorted(self.results, key=_sort_key):
            groups[result.focus_node].append(result)
        return dict(groups)

    def summary(self) -> str:
        """One line: conforms or not, with counts by severity."""
        verdict = "conforms" if self.conforms else "does not conform"
        counts = ", ".join(
            f"{self.count(severity)} {severity.lower()}{'s' if self.count(severity) != 1 else ''}"
            for severity in ("Violation", "Warning", "Info")
        )
        return f"{verdict}: {counts}"

    def to_text(self) -> str:
        """A report for people, grouped by focus node."""
        lines = [self.summary()]
        for node, results in self.by_focus_node().items():
            lines.append("")
            lines.append(compact(node))
            for result in results:
                where = f" {compact(result.path)}" if result.path else ""
                lines.append(f"  {result.severity}{where}: {result.message}")
                if result.value is not None:
                    lines.append(f"    value: {compact(result.value)}")
                if result.fix:
                    lines.append(f"    fix: {result.fix}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The summary as JSON: conforms, counts, results grouped by focus node."""
        body = {
            "conforms": self.conforms,
            "counts": {s: self.count(s) for s in ("Violation", "Warning", "Info")},
            "focusNodes": [
                {"focusNode": node, "results": [asdict(r) for r in results]}
                for node, results in self.by_focus_node().items()
            ],
        }
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"

    def to_rdf(self, syntax: str = "turtle") -> str:
        """The standard ``sh:ValidationReport`` in an RDF syntax rdflib writes."""
        return self.graph.serialize(format=syntax)


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
    #: The shapes' SPARQL, parsed once for every validation in this context.
    queries: PreparedQueries = field(default_factory=PreparedQueries, compare=False, repr=False)
    #: What the store says about the data, looked up already (by the server, for a worker
    #: process that checks the data without the store: :func:`store_context`).
    stored: rdflib.Graph | None = field(default=None, compare=False, repr=False)

    @classmethod
    def for_submissions(
        cls,
        store: Store,
        base_iri: str,
        shapes: rdflib.Graph | None = None,
        *,
        superseded: tuple[str, ...] = (),
        queries: PreparedQueries | None = None,
    ) -> "ValidationContext":
        """City and project shapes; references resolved against ``store``; the framework's
        own terms are not the steward's to describe.

        ``shapes`` is :func:`submission_shapes` of the store, when the caller
        already has it (the service keeps it per store generation);
        ``superseded`` names the graph of the version a replacement replaces;
        ``queries`` are the shapes' prepared SPARQL, when the caller keeps them.
        """
        return cls(
            shapes=shapes if shapes is not None else submission_shapes(store, base_iri),
            store=store,
            protected=protected_prefixes(base_iri),
            protected_classes=framework_classes(store, base_iri),
            superseded=superseded,
            queries=queries if queries is not None else PreparedQueries(),
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
            (isinstance(subject, ox.NamedNode) and subject.value.startswith(protected))
            or (predicate == RDF_TYPE and value.value in classes)
            or (predicate in _OX_SCHEME_LINKS and value.value.startswith(protected))
        ):
            out_of_scope.add(_node_name(found[0]))


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
    half in a forked process (:func:`_pyshacl_in_two`)."""
    resolution = _resolved_targets(checked, shapes)
    if resolution is None:
        conforms, report_graph = _pyshacl(checked, shapes, advanced=True)
    elif split and len(resolution[1]) >= SPLIT_AT and (os.cpu_count() or 1) > 1:
        conforms, report_graph = _pyshacl_in_two(checked, *resolution)
    else:  # no SHACL-AF feature left for pyshacl to evaluate
        conforms, report_graph = _pyshacl(checked, _shapes_with(*resolution), advanced=False)
    if out_of_scope:
        conforms = False
        _add_scope_results(report_graph, out_of_scope)
    # pyshacl's graph says sh:conforms false for Warnings alone; ours conforms then.
    root = report_graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    report_graph.set((root, SH.conforms, rdflib.Literal(bool(conforms))))
    results = tuple(_results(report_graph, shapes))
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    return ValidationReport(conforms=bool(conforms), results=results, rdf=report_graph)


_SH_TARGET = SH.target
#: What only pyshacl's advanced mode evaluates, besides SPARQL-based targets.
_ADVANCED_ONLY = tuple(
    rdflib.URIRef(f"{SH}{name}")
    for name in ("rule", "expression", "SPARQLTargetType", "SPARQLFunction", "JSTarget", "js")
)


@dataclass(frozen=True)
class SparqlTargets:
    """The SPARQL-based targets of a shapes graph (SHACL-AF), to be resolved outside pyshacl.

    ``select`` gives, for each shape with such a target, the query texts with their
    prefixes declared (as pyshacl writes them); ``bare`` is the shapes graph without the
    targets. With each target's nodes added to ``bare`` as ``sh:targetNode`` s, pyshacl
    checks the same focus nodes in its core mode, in which it evaluates shapes several
    times faster (its advanced mode looks each shape's constraint parameters up in a list
    that it copies on every evaluation, for every focus node).
    """

    bare: rdflib.Graph
    select: tuple[tuple[rdflib.term.Node, str], ...]


def sparql_targets(shapes: rdflib.Graph) -> SparqlTargets | None:
    """The SPARQL-based targets of ``shapes``; None when the shapes use another SHACL-AF
    feature (rules, node expressions, custom target types), which pyshacl's advanced mode
    must evaluate."""
    for predicate in _ADVANCED_ONLY:
        if next(shapes.triples((None, predicate, None)), None) is not None:
            return None
        if next(shapes.triples((None, rdflib.RDF.type, predicate)), None) is not None:
            return None
    ontologies = set(shapes.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))
    global_declares = {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    select: list[tuple[rdflib.term.Node, str]] = []
    dropped: list[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]] = []
    for shape, target in shapes.subject_objects(_SH_TARGET):
        texts = list(shapes.objects(target, SH.select))
        if (
            set(shapes.objects(target, rdflib.RDF.type)) != {SH.SPARQLTarget}
            or len(texts) != 1
            or not isinstance(texts[0], rdflib.Literal)
        ):
            return None
        declares = set(global_declares)
        for prefixes in shapes.objects(target, SH.prefixes):
            declares |= set(shapes.objects(prefixes, SH.declare))
        declared = ""
        for declare in declares:
            prefix = list(shapes.objects(declare, SH.prefix))
            namespace = list(shapes.objects(declare, SH.namespace))
            if len(prefix) != 1 or len(namespace) != 1:
                return None  # pyshacl refuses these shapes: let it say why
            declared += f"PREFIX {prefix[0]}: <{namespace[0]}>\n"
        select.append((shape, f"{declared}\n{texts[0]}"))
        dropped.append((shape, _SH_TARGET, target))
        dropped.extend(_described(shapes, target))
    if not select:
        return None
    bare = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():
        bare.bind(prefix, namespace)
    skip = set(dropped)
    for triple in shapes:
        if triple not in skip:
            bare.add(triple)
    return SparqlTargets(bare=bare, select=tuple(select))


def _described(
    graph: rdflib.Graph, node: rdflib.term.Node
) -> list[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]:
    """The statements about the blank node ``node`` and the blank nodes they lead to."""
    if not isinstance(node, rdflib.BNode):
        return []
    found = list(graph.triples((node, None, None)))
    for _, _, value in list(found):
        found.extend(_described(graph, value))
    return found


#: How many focus nodes of SPARQL-based targets make a worker check half in a forked process.
SPLIT_AT = 4000
_Targeted = list[tuple[rdflib.term.Node, rdflib.term.Node]]
#: The target predicates pyshacl's core mode reads besides sh:targetNode.
_OTHER_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def _pyshacl(
    checked: rdflib.Graph, shapes: rdflib.Graph, *, advanced: bool
) -> tuple[bool, rdflib.Graph]:
    """pyshacl's verdict and report graph for ``checked`` against ``shapes``."""
    conforms, report_graph, _ = pyshacl.validate(
        checked,
        shacl_graph=shapes,
        inference="none",
        advanced=advanced,
        inplace=True,  # ``checked`` is ours (no shape has rules): no copy, our query()
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
    )
    return bool(conforms), report_graph


def _resolved_targets(
    checked: rdflib.Graph, shapes: rdflib.Graph
) -> tuple[SparqlTargets, _Targeted] | None:
    """The SPARQL-based targets of ``shapes`` and the (shape, node) pairs pyoxigraph finds
    for them in ``checked`` (when it carries its triples in pyoxigraph), or None."""
    if not isinstance(checked, PreparingGraph) or checked.oxigraph is None:
        return None
    targets = checked.queries.kept(shapes, lambda: sparql_targets(shapes))
    if targets is None:
        return None
    found: _Targeted = []
    for shape, text in targets.select:
        try:
            solutions = checked.oxigraph.query(text)
        except SyntaxError:
            return None  # not a query pyoxigraph takes: pyshacl's advanced mode asks rdflib
        if not isinstance(solutions, ox.QuerySolutions) or "this" not in {
            variable.value for variable in solutions.variables
        }:
            return None
        found.extend(
            (shape, to_rdflib_term(solution["this"]))
            for solution in solutions
            if solution["this"] is not None
        )
    return targets, found


def _shapes_with(
    targets: SparqlTargets, found: _Targeted, *, other_targets: bool = True
) -> rdflib.Graph:
    """The shapes without SPARQL-based targets, the ``found`` nodes their ``sh:targetNode`` s;
    without ``other_targets``, no shape targets anything else."""
    resolved = rdflib.Graph()
    for prefix, namespace in targets.bare.namespaces():
        resolved.bind(prefix, namespace)
    if other_targets:
        resolved += targets.bare
    else:
        resolved.addN(
            (*triple, resolved) for triple in targets.bare if triple[1] not in _OTHER_TARGETS
        )
    resolved.addN((shape, SH.targetNode, node, resolved) for shape, node in found)
    return resolved


def _pyshacl_in_two(
    checked: rdflib.Graph, targets: SparqlTargets, found: _Targeted
) -> tuple[bool, rdflib.Graph]:
    """pyshacl's verdict and report on ``checked``, every other node of ``found`` checked in
    a forked process while this one checks the rest and the other targets' nodes.

    pyshacl checks each focus node on its own, so the two reports together are the one
    a single run gives; the child's results join this process's report. A child that
    fails in any way (out of memory, killed) costs only time: its half is checked here.
    The child dies with this process (a worker stopped at the time limit)."""
    shapes_types = set(targets.bare.objects(None, rdflib.RDF.type))
    if shapes_types & {rdflib.RDFS.Class, rdflib.OWL.Class}:  # implicit class targets
        return _pyshacl(checked, _shapes_with(targets, found), advanced=False)
    mine, theirs = found[0::2], found[1::2]
    theirs_shapes = _shapes_with(targets, theirs, other_targets=False)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the forked child; it reports through the pipe)
        status = 1
        try:
            os.close(reading)
            _die_with_parent()
            conforms, report = _pyshacl(checked, theirs_shapes, advanced=False)
            with os.fdopen(writing, "wb") as out:
                out.write(b"1" if conforms else b"0")
                out.write(report.serialize(format="nt", encoding="utf-8"))
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    try:
        conforms, report = _pyshacl(checked, _shapes_with(targets, mine), advanced=False)
        with os.fdopen(reading, "rb") as answer:
            sent = answer.read()
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(reading)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        raise
    _, status = os.waitpid(child, 0)
    if status != 0 or not sent:
        log.warning("a forked validation failed (status %s); its half is checked here", status)
        other_conforms, other = _pyshacl(checked, theirs_shapes, advanced=False)
    else:
        other_conforms = sent[:1] == b"1"
        other = to_rdflib_graph(
            quad.triple for quad in ox.parse(sent[1:], format=ox.RdfFormat.N_TRIPLES)
        )
    root = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    other_root = other.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    for subject, predicate, value in other:
        if subject != other_root:
            report.add((subject, predicate, value))
        elif predicate == SH.result:
            report.add((root, SH.result, value))
    return conforms and other_conforms, report


def _die_with_parent() -> None:
    """Have the kernel kill this (forked, single-threaded) process when its parent ends."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


class _Parameters(list):  # type: ignore[type-arg]
    """pyshacl's list of constraint parameters, looked up by hash instead of one by one."""

    def __init__(self, parameters: Iterable[Any]) -> None:
        super().__init__(parameters)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> "_Parameters":  # advanced mode appends SH_expression to its copy
        return _Parameters(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._members = self._members | {item}


def _parameters_by_hash() -> None:
    """Have pyshacl (0.40: ``pyshacl.shape.Shape.validate``) find each shape's constraint
    parameters in a set: it tests every predicate of a shape against the list of the
    ~40 parameters, each ``URIRef.__eq__`` a Python call, once per focus node and shape
    (17 million comparisons, a third of validating 100k triples). pyshacl keeps that list
    in its module's ``CONSTRAINT_PARAMS``, filled on first use; the same parameters, in a
    list whose ``in`` hashes, give the same answers. Another pyshacl, one that does not
    read that attribute, is left as it is."""
    if getattr(pyshacl_shape, "CONSTRAINT_PARAMS", None) is None:
        pyshacl_shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


_parameters_by_hash()


def report_from_graph(graph: rdflib.Graph, shapes: rdflib.Graph | None = None) -> ValidationReport:
    """The :class:`ValidationReport` an ``sh:ValidationReport`` graph describes (a stored one)."""
    conforms = next(graph.objects(None, SH.conforms), None)
    results = tuple(_results(graph, shapes if shapes is not None else rdflib.Graph()))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return ValidationReport(
        conforms=bool(conforms.toPython()) if conforms is not None else not results,
        results=results,
        rdf=graph,
    )


#: The framework kinds under ``{base}id/`` that only ``ontology/`` may describe.
FRAMEWORK_KINDS = (
    "outcome",
    "urban-system",
    "principle",
    "focus-area",
    "sub-area",
    "goal",
    "enabler",
    "solution",
    "country",
    "project-status",
)
#: The node a result about a protected subject names as its source shape.
SCOPE_SHAPE = "https://w3id.org/ascf/def/shapes/SubmissionScope"
SCOPE_COMPONENT = "https://w3id.org/ascf/def/shapes/SubmissionScopeConstraintComponent"


def protected_prefixes(base_iri: str) -> tuple[str, ...]:
    """IRI prefixes of the ontology, the framework's concepts and our graphs.

    >>> "https://w3id.org/ascf/id/focus-area/" in protected_prefixes("https://w3id.org/ascf/")
    True
    """
    kinds = tuple(f"{base_iri}id/{kind}/" for kind in FRAMEWORK_KINDS)
    return (f"{base_iri}def", f"{base_iri}id/framework", f"{base_iri}graph/", *kinds)


#: Statements that place a node in a concept scheme (the framework's, for ours).
_SCHEME_LINKS = (rdflib.SKOS.inScheme, rdflib.SKOS.topConceptOf)
_OX_SCHEME_LINKS = tuple(ox.NamedNode(str(link)) for link in _SCHEME_LINKS)
#: The ontology's classes whose members are the framework's, with their subclasses.
FRAMEWORK_CLASSES = ("FrameworkElement", "Framework", "Country", "ProjectStatus")


def framework_classes(store: Store, base_iri: str) -> tuple[str, ...]:
    """The classes whose members only ``ontology/`` may declare: ``ascf:FrameworkElement``
    (and every subclass the store knows: focus areas, sub-areas...), the framework itself,
    countries and project statuses."""
    found = {f"{base_iri}def/{name}" for name in FRAMEWORK_CLASSES}
    frontier = sorted(found)
    while frontier:
        below = store.statements(
            predicates=[RDFS_SUBCLASS_OF], objects=[ox.NamedNode(iri) for iri in frontier]
        )
        frontier = sorted(
            {t.subject.value for t in below if isinstance(t.subject, ox.NamedNode)} - found
        )
        found.update(frontier)
    return tuple(sorted(found))


def out_of_scope_subjects(
    data: rdflib.Graph, protected: tuple[str, ...], classes: tuple[str, ...] = ()
) -> list[str]:
    """The nodes ``data`` may not describe, sorted: IRIs under a ``protected`` prefix, and
    nodes it declares framework concepts (a member of one of ``classes``, or in a concept
    scheme under a ``protected`` prefix). Blank nodes are named ``_:label``.

    Without the second rule a submission could add its own focus area to the framework
    and link its projects to it: its own ``rdf:type`` satisfies ``sh:class``.
    """
    if not protected:
        return []
    declared = {
        subject for subject, kind in data.subject_objects(rdflib.RDF.type) if str(kind) in classes
    }
    declared |= {
        subject
        for link in _SCHEME_LINKS
        for subject, scheme in data.subject_objects(link)
        if str(scheme).startswith(protected)
    }
    described = {
        subject
        for subject in data.subjects()
        if isinstance(subject, rdflib.URIRef) and str(subject).startswith(protected)
    }
    return sorted(_node_name(node) for node in declared | described)


def _node_name(node: rdflib.term.Node) -> str:
    """An IRI as itself, a blank node as ``_:label``."""
    return f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)


def _named_node(name: str) -> rdflib.term.Node:
    """The node :func:`_node_name` named."""
    return rdflib.BNode(name[2:]) if name.startswith("_:") else rdflib.URIRef(name)


def scope_message(subject: str) -> str:
    """What a result about a protected ``subject`` says to the steward."""
    return (
        f"{subject if subject.startswith('_:') else compact(subject)} is part of the "
        "framework or the ontology, or is declared so here (a framework class, or the "
        "framework's concept scheme), which this project maintains in ontology/; a "
        "submission describes cities, projects and organisations. Remove the statements "
        "about it, or link to the framework's own concepts from your project or city."
    )


def _add_scope_results(report: rdflib.Graph, subjects: list[str]) -> None:
    """Violations for data about the framework's own terms, in the report graph."""
    root = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    for subject in subjects:
        node = rdflib.BNode()
        report.add((root, SH.result, node))
        report.add((node, rdflib.RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, _named_node(subject)))
        report.add((node, SH.resultSeverity, SH.Violation))
        report.add((node, SH.sourceShape, rdflib.URIRef(SCOPE_SHAPE)))
        report.add((node, SH.sourceConstraintComponent, rdflib.URIRef(SCOPE_COMPONENT)))
        report.add((node, SH.resultMessage, rdflib.Literal(scope_message(subject))))


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
    triples = ((_ox_term(subject), None, _ox_term(value)) for subject, _, value in data)
    checked += to_rdflib_graph(store_context(context, triples))
    return checked


def store_context(
    context: ValidationContext, data: Iterable[ox.Triple | tuple[Any, Any, Any]]
) -> list[ox.Triple]:
    """What the context's store says that checking ``data`` needs: its statements about
    every IRI ``data`` describes (uses as subject) and the blank nodes that leads to, then
    ``?x rdf:type ?class`` for every IRI either uses, in any graph but the superseded ones.

    IRIs under a ``protected`` prefix are not looked up as subjects: data may not
    describe them at all (:func:`out_of_scope_subjects`), and the framework's concepts
    have many statements no submission shape reads.
    """
    if context.store is None:
        return []
    described: set[str] = set()
    mentioned: set[str] = set()
    for subject, _, value in data:
        if isinstance(subject, ox.NamedNode):
            mentioned.add(subject.value)
            if not subject.value.startswith(context.protected):
                described.add(subject.value)
        if isinstance(value, ox.NamedNode):
            mentioned.add(value.value)
    found = statements_with_blank_nodes(
        context.store,
        [ox.NamedNode(iri) for iri in sorted(described)],
        outside=context.superseded,
    )
    for triple in found:
        mentioned.update(
            term.value for term in (triple.subject, triple.object) if isinstance(term, ox.NamedNode)
        )
    types = context.store.statements(
        subjects=[ox.NamedNode(iri) for iri in sorted(mentioned)],
        predicates=[RDF_TYPE],
        outside=context.superseded,
    )
    return found + types


def _ox_term(term: rdflib.term.Node) -> object:
    """The pyoxigraph IRI or blank node of an rdflib one (other terms are not looked up)."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    return term


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


def compact(iri: str) -> str:
    """``ascf:FocusArea`` for a known namespace, else the IRI in angle brackets.

    >>> compact("https://w3id.org/ascf/def/FocusArea")
    'ascf:FocusArea'
    >>> compact("urn:x")
    '<urn:x>'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    if iri.startswith(("http://", "https://", "urn:")):
        return f"<{iri}>"
    return iri


def _graph_contents(store: Store, graph_iri: str) -> rdflib.Graph:
    return to_rdflib_graph(store.graph_triples(graph_iri))


def _results(report: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
    found = []
    for node in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        messages = [str(m) for m in report.objects(node, SH.resultMessage)]
        shape = report.value(node, SH.sourceShape)
        constraint = str(report.value(node, SH.sourceConstraintComponent)).removeprefix(str(SH))
        found.append(
            ValidationResult(
                severity=str(severity).removeprefix(str(SH)),  # type: ignore[arg-type]
                focus_node=str(report.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                value=str(value) if value is not None else None,
                message=" ".join(messages) or "(the shape gives no message)",
                shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
                constraint=constraint,
                fix=suggested_fix(shapes, shape, constraint, path),
            )
        )
    return sorted(found, key=_sort_key)


def suggested_fix(shapes: rdflib.Graph, shape: object, constraint: str, path: object) -> str:
    """The fix of a result of ``shape`` (a node of ``shapes``) for ``constraint`` at ``path``."""
    if constraint == SCOPE_COMPONENT:
        return "Remove the statements about this framework term from your data."
    where = compact(str(path)) if isinstance(path, rdflib.URIRef) else None
    return suggest_fix(shapes, shape, constraint, where)  # type: ignore[arg-type]


def _sort_key(result: ValidationResult) -> tuple[int, str, str, str]:
    return (_SEVERITY_ORDER[result.severity], result.focus_node, result.path or "", result.message)
