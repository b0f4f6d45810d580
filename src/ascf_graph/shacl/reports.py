"""A validation's outcome as a steward reads it: results with their fixes, and the
``sh:ValidationReport`` they come from."""

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Literal

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.rdf.io import to_rdflib_graph, to_rdflib_term
from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.shacl.fixes import suggest_fix

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
    #: into :attr:`graph` only when asked (a JSON or text report never needs it); None when
    #: the validation was asked for the results only (:attr:`ValidationContext.report_rdf`).
    rdf: rdflib.Graph | bytes | None = field(repr=False, compare=False)

    @cached_property
    def graph(self) -> rdflib.Graph:
        """The ``sh:ValidationReport`` graph, with our prefixes bound."""
        if isinstance(self.rdf, rdflib.Graph):
            return self.rdf
        if self.rdf is None:
            raise ValueError("this validation was asked for its results, not its RDF report")
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
        for result in sorted(self.results, key=result_order):
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

    def as_dict(self) -> dict[str, object]:
        """The summary: conforms, counts, results grouped by focus node."""
        return {
            "conforms": self.conforms,
            "counts": {s: self.count(s) for s in ("Violation", "Warning", "Info")},
            "focusNodes": [
                {"focusNode": node, "results": [asdict(r) for r in results]}
                for node, results in self.by_focus_node().items()
            ],
        }

    def to_json(self) -> str:
        """The summary (:meth:`as_dict`) as JSON."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_rdf(self, syntax: str = "turtle") -> str:
        """The standard ``sh:ValidationReport`` in an RDF syntax rdflib writes."""
        return self.graph.serialize(format=syntax)


#: The node a result about a protected subject names as its source shape.
SCOPE_SHAPE = "https://w3id.org/ascf/def/shapes/SubmissionScope"
SCOPE_COMPONENT = "https://w3id.org/ascf/def/shapes/SubmissionScopeConstraintComponent"


def report_from_graph(graph: rdflib.Graph, shapes: rdflib.Graph | None = None) -> ValidationReport:
    """The :class:`ValidationReport` an ``sh:ValidationReport`` graph describes (a stored one);
    its verdict is the service's: no Violation (the graph's ``sh:conforms`` is SHACL's, false
    for any result)."""
    results = tuple(results_in(graph, shapes if shapes is not None else rdflib.Graph()))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return ValidationReport(
        conforms=not any(result.severity == "Violation" for result in results),
        results=results,
        rdf=graph,
    )


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


def results_in(report: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
    """The results of the ``sh:ValidationReport`` graph ``report``, in :func:`result_order`, with
    the fixes ``shapes`` suggest."""
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
    return sorted(found, key=result_order)


def suggested_fix(shapes: rdflib.Graph, shape: object, constraint: str, path: object) -> str:
    """The fix of a result of ``shape`` (a node of ``shapes``) for ``constraint`` at ``path``."""
    if constraint == SCOPE_COMPONENT:
        return "Remove the statements about this framework term from your data."
    where = compact(str(path)) if isinstance(path, rdflib.URIRef) else None
    return suggest_fix(shapes, shape, constraint, where)  # type: ignore[arg-type]


def result_order(result: ValidationResult) -> tuple[int, str, str, str]:
    """Most severe first, then by focus node, path and message."""
    return (
        _SEVERITY_ORDER.get(result.severity, len(_SEVERITY_ORDER)),  # a shape's own severity last
        result.focus_node,
        result.path or "",
        result.message,
    )


def result_triples(
    root: ox.NamedNode | ox.BlankNode, extra: Iterable[ValidationResult]
) -> list[ox.Triple]:
    """The ``sh:ValidationResult`` s of ``extra`` under ``root``, with fresh blank nodes (a
    focus node named ``_:label`` is that blank node)."""
    sh = str(SH)
    triples = []
    for result in extra:
        node = ox.BlankNode()
        triples += [
            ox.Triple(root, ox.NamedNode(f"{sh}result"), node),
            ox.Triple(node, RDF_TYPE, ox.NamedNode(f"{sh}ValidationResult")),
            ox.Triple(node, ox.NamedNode(f"{sh}focusNode"), _named(result.focus_node)),
            ox.Triple(
                node, ox.NamedNode(f"{sh}resultSeverity"), ox.NamedNode(f"{sh}{result.severity}")
            ),
            ox.Triple(node, ox.NamedNode(f"{sh}sourceShape"), ox.NamedNode(str(result.shape))),
            ox.Triple(
                node,
                ox.NamedNode(f"{sh}sourceConstraintComponent"),
                ox.NamedNode(result.constraint),
            ),
            ox.Triple(node, ox.NamedNode(f"{sh}resultMessage"), ox.Literal(result.message)),
        ]
        if result.path:
            triples.append(
                ox.Triple(node, ox.NamedNode(f"{sh}resultPath"), ox.NamedNode(result.path))
            )
        if result.value is not None:
            triples.append(ox.Triple(node, ox.NamedNode(f"{sh}value"), _value(result.value)))
    return triples


_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", re.IGNORECASE)


def _value(text: str) -> ox.NamedNode | ox.Literal:
    """A result's value: an IRI where the text is one, else the text as a literal (a point,
    a number as written)."""
    return ox.NamedNode(text) if _IRI.match(text) else ox.Literal(text)


def report_of(results: Sequence[ValidationResult]) -> ValidationReport:
    """A report of ``results`` alone (found outside the shapes), its ``sh:ValidationReport``
    written from them; it conforms when none is a Violation."""
    root = ox.BlankNode()
    sh = str(SH)
    triples = [
        ox.Triple(root, RDF_TYPE, ox.NamedNode(f"{sh}ValidationReport")),
        ox.Triple(root, ox.NamedNode(f"{sh}conforms"), ox.Literal(not results)),
        *result_triples(root, results),
    ]
    return ValidationReport(
        conforms=not any(result.severity == "Violation" for result in results),
        results=tuple(sorted(results, key=result_order)),
        rdf=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
    )


def _named(name: str) -> ox.NamedNode | ox.BlankNode:
    """An IRI, or the blank node ``_:label`` names."""
    return ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name)


def with_results(report: ValidationReport, extra: Sequence[ValidationResult]) -> ValidationReport:
    """``report`` with the results of checks made outside SHACL added, to its
    ``sh:ValidationReport`` too: appended to the N-Triples a worker sent, without reading
    them into a graph. A Violation among them makes the data not conform."""
    if not extra:
        return report
    conforms = report.conforms and all(result.severity != "Violation" for result in extra)
    results = tuple(sorted((*report.results, *extra), key=result_order))
    if report.rdf is None:
        return ValidationReport(conforms=conforms, results=results, rdf=None)
    if isinstance(report.rdf, rdflib.Graph):
        root = report.rdf.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
        for triple in result_triples(ox.NamedNode("urn:root"), extra):
            report.rdf.add(
                tuple(root if t == ox.NamedNode("urn:root") else to_rdflib_term(t) for t in triple)  # type: ignore[arg-type]
            )
        report.rdf.set((root, SH.conforms, rdflib.Literal(False)))
        return ValidationReport(conforms=conforms, results=results, rdf=report.rdf)
    found = _REPORT_ROOT.search(report.rdf)
    if found is None:
        raise ValueError("the report's N-Triples have no sh:ValidationReport")
    root = ox.BlankNode(found[1].decode("ascii")) if found[1] else ox.NamedNode(found[2].decode())
    added = ox.serialize(result_triples(root, extra), format=ox.RdfFormat.N_TRIPLES)
    said = ox.serialize(  # SHACL's verdict: a report with a result does not conform
        [ox.Triple(root, ox.NamedNode(f"{SH}conforms"), ox.Literal(value)) for value in (True,)],
        format=ox.RdfFormat.N_TRIPLES,
    )
    unsaid = said.replace(b'"true"', b'"false"')
    rdf = report.rdf.replace(said, unsaid) + added
    return ValidationReport(conforms=conforms, results=results, rdf=rdf)


_REPORT_ROOT = re.compile(
    rb"^(?:_:(\S+)|<([^>]+)>) <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> "
    rb"<http://www\.w3\.org/ns/shacl#ValidationReport> \.$",
    re.MULTILINE,
)
