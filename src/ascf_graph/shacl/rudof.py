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
from ascf_graph.shacl.scope import out_of_scope_subjects, scope_message
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
    _resolve_sparql_targets(core, checked)
    results = list(_rudof_results(checked, core))
    if sparql_shapes:
        rest = _untargeted(context.shapes, keep=lambda shape: shape in sparql_shapes)
        results += validate_checked(checked, rest).results
    results += [
        _scope_result(s)
        for s in out_of_scope_subjects(data, context.protected, context.protected_classes)
    ]
    results.sort(key=result_order)
    conforms = not any(result.severity == "Violation" for result in results)
    return ValidationReport(
        conforms=conforms, results=tuple(results), rdf=_report_graph(conforms, results)
    )


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


def _resolve_sparql_targets(shapes: rdflib.Graph, data: rdflib.Graph) -> None:
    """Replace each SPARQL-based target with the nodes its query selects in ``data``."""
    targets = list(shapes.subject_objects(SH.target))
    if not targets:
        return
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
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
        for row in store.query(prologue + str(select)):
            node = row["this"]
            shapes.add((shape, SH.targetNode, _from_ox(node)))


def _from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    return rdflib.Literal(
        term.value,
        lang=term.language,
        datatype=None if term.language else rdflib.URIRef(term.datatype.value),
    )


def _rudof_results(data: rdflib.Graph, shapes: rdflib.Graph) -> Iterable[ValidationResult]:
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
    for entry in report.violations:
        shape = _node(entry.source_shape)
        path = _node(entry.path) if entry.path else None
        value = _term(entry.value) if entry.value else None
        message = shapes.value(shape, SH.message) if shape is not None else None
        constraint = str(entry.constraint_component).removeprefix(str(SH))
        yield ValidationResult(
            severity=str(entry.severity),  # type: ignore[arg-type]
            focus_node=str(_node(entry.focus_node) or entry.focus_node),
            path=str(path) if isinstance(path, rdflib.URIRef) else None,
            value=str(value) if value is not None else None,
            message=str(message) if message else (entry.message or "").strip('"'),
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
            constraint=constraint,
            fix=suggested_fix(shapes, shape, constraint, path),
        )


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
    return rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype) if datatype else None)


def _expand(name: str) -> str:
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def _component(constraint: str) -> rdflib.URIRef:
    """A constraint component as results name it: SHACL's by local name, ours by IRI."""
    return rdflib.URIRef(constraint) if ":" in constraint else SH[constraint]


def _report_graph(conforms: bool, results: list[ValidationResult]) -> rdflib.Graph:
    """A standard ``sh:ValidationReport`` for the results."""
    graph = rdflib.Graph()
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(conforms, datatype=XSD.boolean)))
    for result in results:
        node = rdflib.BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, rdflib.URIRef(result.focus_node)))
        graph.add((node, SH.resultSeverity, _SEVERITY[result.severity]))
        graph.add((node, SH.resultMessage, rdflib.Literal(result.message)))
        graph.add((node, SH.sourceConstraintComponent, _component(result.constraint)))
        if result.path:
            graph.add((node, SH.resultPath, rdflib.URIRef(result.path)))
        if result.shape:
            graph.add((node, SH.sourceShape, rdflib.URIRef(result.shape)))
        if result.value is not None:
            graph.add((node, SH.value, rdflib.Literal(result.value)))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph
