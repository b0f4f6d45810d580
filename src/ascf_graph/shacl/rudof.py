"""A fast SHACL engine for the core shapes: pyrudof (Rust), with pyshacl for the rest.

Optional (the ``bench`` extra installs ``pyrudof``). It gives the same report
as :func:`ascf_graph.shacl.validation.validate` on our shapes, by splitting the work:

- **SPARQL-based targets** (``sh:target [ a sh:SPARQLTarget ; sh:select ... ]``,
  SHACL-AF), which pyrudof does not evaluate, are resolved here with
  pyoxigraph over the data and handed to pyrudof as ``sh:targetNode`` s;
- **core constraints** are checked by pyrudof;
- **SPARQL constraints** (``sh:sparql``): pyrudof finds the same failures but
  does not fill the message templates (``{?value}``), so node shapes that use
  them are left to pyshacl, which checks only those.

Messages are the shapes' ``sh:message`` (pyrudof writes its own words for
some components) and fixes are derived from the shapes as pyshacl's are;
data about the framework's own terms is refused as ``validate`` refuses it;
conformance follows ours: Warnings and Infos do not break it. Data is given
to pyrudof as N-Triples text, never as a path or URL.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD

from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.shacl.reports import (
    SCOPE_COMPONENT,
    SCOPE_SHAPE,
    ValidationReport,
    ValidationResult,
    result_order,
    suggested_fix,
)
from ascf_graph.shacl.scope import add_scope_results, out_of_scope_subjects, scope_message
from ascf_graph.shacl.validation import ValidationContext, validate_checked, with_store_context

_TARGETS = (SH.target, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_LITERAL = re.compile(r'^"(?P<lexical>.*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^(?P<type>\S+))?$', re.S)
_SEVERITY = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}


def rudof_available() -> bool:
    """Whether pyrudof can be imported here."""
    try:
        # Imported here: pyrudof is optional (the rudof engine only).
        import pyrudof  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def validate_fast(data: rdflib.Graph, context: ValidationContext) -> ValidationReport:
    """Validate as :func:`~ascf_graph.shacl.validation.validate` does, core shapes in pyrudof."""
    checked = with_store_context(data, context)
    sparql_shapes = _node_shapes_with_sparql_constraints(context.shapes)
    core = _untargeted(context.shapes, keep=lambda shape: shape not in sparql_shapes)
    blank_targeted = _resolve_sparql_targets(core, checked)
    _wrap_targeted_property_shapes(core)
    graph = _report_graph()
    results = []
    for result, terms in _rudof_results(checked, core):
        results.append(result)
        _add(graph, terms)
    if sparql_shapes or blank_targeted:
        by_pyshacl_only = sparql_shapes | blank_targeted
        rest = _untargeted(context.shapes, keep=lambda shape: shape in by_pyshacl_only)
        by_pyshacl = validate_checked(checked, rest)
        results += by_pyshacl.results
        _merge(graph, by_pyshacl.graph)
    for subject in out_of_scope_subjects(data, context.protected, context.protected_classes):
        results.append(_scope_result(subject))
    if any(r.constraint == SCOPE_COMPONENT for r in results):
        add_scope_results(graph, [r.focus_node for r in results if r.constraint == SCOPE_COMPONENT])
    results.sort(key=result_order)
    root = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    # What SHACL says: a report with any result does not conform (the service's own
    # verdict, that Warnings do not block, is ValidationReport.conforms).
    graph.set((root, SH.conforms, rdflib.Literal(not results, datatype=XSD.boolean)))
    conforms = not any(result.severity == "Violation" for result in results)
    return ValidationReport(conforms=conforms, results=tuple(results), rdf=graph)


def _scope_result(subject: str) -> ValidationResult:
    """The Violation ``validate`` reports for data about a protected ``subject``."""
    return ValidationResult(
        severity="Violation",
        focus_node=subject,
        path=None,
        value=None,
        message=scope_message(subject),
        shape=SCOPE_SHAPE,
        constraint=SCOPE_COMPONENT,
        fix=suggested_fix(rdflib.Graph(), SCOPE_SHAPE, SCOPE_COMPONENT, None),
    )


def _node_shapes_with_sparql_constraints(shapes: rdflib.Graph) -> set[rdflib.term.Node]:
    """Targeted shapes that hold an ``sh:sparql`` constraint, themselves or in a property."""
    found = set()
    for shape in {s for p in _TARGETS for s in shapes.subjects(p, None)}:
        members = [shape, *shapes.objects(shape, SH.property)]
        if any((member, SH.sparql, None) in shapes for member in members):
            found.add(shape)
    return found


def _untargeted(shapes: rdflib.Graph, *, keep: object) -> rdflib.Graph:
    """A copy of ``shapes`` (prefixes too, which fixes are written with) where only the
    shapes ``keep`` accepts have their targets."""
    copy = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] in _TARGETS and not keep(triple[0]):  # type: ignore[operator]
            continue
        copy.add(triple)
    return copy


def _wrap_targeted_property_shapes(shapes: rdflib.Graph) -> None:
    """Give each property shape that has targets of its own a node shape that holds them
    and refers to it: pyrudof does not take targets on property shapes ("not yet
    implemented"), and the results are the same (the property shape is their source)."""
    targeted = {
        shape
        for predicate in _TARGETS
        for shape in shapes.subjects(predicate, None)
        if (shape, RDF.type, SH.PropertyShape) in shapes
    }
    for shape in targeted:
        holder = rdflib.BNode()
        shapes.add((holder, RDF.type, SH.NodeShape))
        shapes.add((holder, SH.property, shape))
        for predicate in _TARGETS:
            for target in list(shapes.objects(shape, predicate)):
                shapes.remove((shape, predicate, target))
                shapes.add((holder, predicate, target))


def _resolve_sparql_targets(shapes: rdflib.Graph, data: rdflib.Graph) -> set[rdflib.term.Node]:
    """Replace each SPARQL-based target with the nodes its query selects in ``data``; the
    shapes whose targets select blank nodes lose them instead and are returned, for
    pyshacl to check: pyrudof does not take a blank node as a target node ("not yet
    implemented")."""
    targets = list(shapes.subject_objects(SH.target))
    if not targets:
        return set()
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    blank_targeted = set()
    for shape, target in targets:
        select = shapes.value(target, SH.select)
        if select is None:
            continue
        prologue = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for owner in shapes.objects(target, SH.prefixes)
            for d in shapes.objects(owner, SH.declare)
        )
        shapes.remove((shape, SH.target, target))
        nodes = [row["this"] for row in store.query(prologue + str(select))]
        if any(isinstance(node, ox.BlankNode) for node in nodes):
            blank_targeted.add(shape)
            continue
        for node in nodes:
            shapes.add((shape, SH.targetNode, _from_ox(node)))
    for shape in blank_targeted:  # its other targets too: pyshacl checks the shape whole
        for predicate in _TARGETS:
            shapes.remove((shape, predicate, None))
    return blank_targeted


def _from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    return rdflib.Literal(
        term.value,
        lang=term.language,
        datatype=None if term.language else rdflib.URIRef(term.datatype.value),
        normalize=False,
    )


@dataclass(frozen=True)
class _Terms:
    """A result's terms as RDF, for the standard report (the result's strings lose them:
    a literal focus node, a blank node shape, a path that is not one property)."""

    focus: rdflib.term.Node
    severity: rdflib.URIRef
    constraint: rdflib.URIRef
    message: str
    shape: rdflib.term.Node | None
    path: rdflib.term.Node | None
    value: rdflib.term.Node | None
    shapes: rdflib.Graph


def _rudof_results(
    data: rdflib.Graph, shapes: rdflib.Graph
) -> Iterable[tuple[ValidationResult, _Terms]]:
    # Imported here: pyrudof is optional (the rudof engine only).
    import pyrudof  # noqa: PLC0415

    engine = pyrudof.Rudof(pyrudof.RudofConfig())
    engine.read_data(
        data.serialize(format="nt", encoding="utf-8").decode("utf-8"),
        format=pyrudof.RDFFormat.NTriples,
        reader_mode=pyrudof.ReaderMode.Strict,
    )
    engine.read_shacl(
        shapes.serialize(format="nt", encoding="utf-8").decode("utf-8"),
        format=pyrudof.ShaclFormat.NTriples,
        reader_mode=pyrudof.ReaderMode.Strict,
    )
    report = engine.validate_shacl()
    literals = _literals(data, shapes)
    for entry in report.violations:
        shape = _node(entry.source_shape)
        # The shape's own sh:path is the result's, whatever pyrudof writes for a path that
        # is not one property (a sequence, an inverse...).
        path = shapes.value(shape, SH.path) if shape is not None else None
        if path is None and entry.path:
            path = _node(entry.path)
        value = _written_term(entry.value, literals) if entry.value else None
        focus = _written_term(entry.focus_node, literals) or rdflib.Literal(entry.focus_node)
        message = shapes.value(shape, SH.message) if shape is not None else None
        component = str(entry.constraint_component)
        constraint = component.removeprefix(str(SH))
        severity = _severity(str(entry.severity))
        text = str(message) if message else (entry.message or "").strip('"')
        result = ValidationResult(
            severity=str(severity).removeprefix(str(SH)),  # type: ignore[arg-type]
            focus_node=str(focus),
            path=str(path) if isinstance(path, rdflib.URIRef) else None,
            value=str(value) if value is not None else None,
            message=text,
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
            constraint=constraint,
            fix=suggested_fix(shapes, shape, constraint, path),
        )
        terms = _Terms(focus, severity, _component(constraint), text, shape, path, value, shapes)
        yield result, terms


def _literals(*graphs: rdflib.Graph) -> dict[str, rdflib.Literal]:
    """The literals of ``graphs`` by lexical form (the first of each), to tell which one a
    result names where pyrudof writes it bare (``true``, ``2002-10-09T12:00:00``)."""
    found: dict[str, rdflib.Literal] = {}
    for graph in graphs:
        for term in graph.objects():
            if isinstance(term, rdflib.Literal):
                found.setdefault(str(term), term)
    return found


def _written_term(text: str, literals: dict[str, rdflib.Literal]) -> rdflib.term.Node | None:
    """A term as pyrudof writes it; one written bare, with no scheme, is the literal of that
    lexical form the data or shapes hold."""
    bare = text.strip()
    if bare in literals and not bare.startswith(('"', "<", "_:")) and ":" not in bare.split("T")[0]:
        return literals[bare]
    return _term(text)


def _severity(written: str) -> rdflib.URIRef:
    """A severity as pyrudof writes it: ``Violation``, or ``Severity(<iri>)`` for a shape's
    own."""
    if written in ("Violation", "Warning", "Info"):
        return SH[written]
    return rdflib.URIRef(written.removeprefix("Severity(").removesuffix(")").strip("<>"))


def _node(text: str | None) -> rdflib.term.Node | None:
    """An IRI or blank node as pyrudof writes it (bare, or in angle brackets)."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("_:"):
        return rdflib.BNode(text[2:])
    if text.startswith("<") and text.endswith(">"):
        return rdflib.URIRef(text[1:-1])
    if text.startswith("("):
        return rdflib.BNode()
    return rdflib.URIRef(_expand(text))


def _term(text: str) -> rdflib.term.Node | None:
    """A value as pyrudof writes it: an IRI, a blank node, or a literal with ``^^``/``@``."""
    match = _LITERAL.match(text.strip())
    if not match:
        return _node(text)
    lexical = match["lexical"].replace('\\"', '"').replace("\\\\", "\\")
    if match["lang"]:
        return rdflib.Literal(lexical, lang=match["lang"])
    datatype = match["type"]
    if datatype:
        datatype = datatype[1:-1] if datatype.startswith("<") else _expand(datatype)
    return rdflib.Literal(  # as written: "2011-01-01"^^xsd:dateTime is not 2011-01-01T00:00:00
        lexical, datatype=rdflib.URIRef(datatype) if datatype else None, normalize=False
    )


def _expand(name: str) -> str:
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def _component(constraint: str) -> rdflib.URIRef:
    """A constraint component as results name it: SHACL's by local name, ours by IRI."""
    return rdflib.URIRef(constraint) if ":" in constraint else SH[constraint]


def _report_graph() -> rdflib.Graph:
    """An empty ``sh:ValidationReport``, our prefixes bound."""
    graph = rdflib.Graph()
    graph.add((rdflib.BNode(), RDF.type, SH.ValidationReport))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _add(graph: rdflib.Graph, terms: _Terms) -> None:
    """Add a result to the report ``graph``, a path or shape that is a blank node with the
    statements that make it up."""
    root = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    node = rdflib.BNode()
    graph.add((root, SH.result, node))
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, terms.focus))
    graph.add((node, SH.resultSeverity, terms.severity))
    graph.add((node, SH.resultMessage, rdflib.Literal(terms.message)))
    graph.add((node, SH.sourceConstraintComponent, terms.constraint))
    for predicate, term in ((SH.resultPath, terms.path), (SH.sourceShape, terms.shape)):
        if term is not None:
            graph.add((node, predicate, term))
            _copy_structure(term, terms.shapes, graph)
    if terms.value is not None:
        graph.add((node, SH.value, terms.value))


def _copy_structure(node: rdflib.term.Node, source: rdflib.Graph, target: rdflib.Graph) -> None:
    """The statements about blank node ``node`` in ``source``, and those of the blank
    nodes they reach, into ``target``."""
    pending, seen = [node], set()
    while pending:
        current = pending.pop()
        if not isinstance(current, rdflib.BNode) or current in seen:
            continue
        seen.add(current)
        is_list = (current, RDF.first, None) in source  # a sequence path: its list alone
        for predicate, value in source.predicate_objects(current):
            if is_list and predicate not in (RDF.first, RDF.rest):
                continue
            target.add((current, predicate, value))
            pending.append(value)


def _merge(graph: rdflib.Graph, other: rdflib.Graph) -> None:
    """The results of the report ``other`` (and what they refer to) into the report ``graph``."""
    root = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    other_root = other.value(predicate=RDF.type, object=SH.ValidationReport)
    for result in other.objects(other_root, SH.result):
        graph.add((root, SH.result, result))
        _copy_structure(result, other, graph)
