"""How pyshacl checks a graph: SPARQL-based targets resolved by pyoxigraph, so that
pyshacl runs in its faster core mode; many focus nodes checked half in a forked
process; pyshacl's constraint parameters looked up by hash, and constraint
components of ours that do less per value node."""

import contextlib
import logging
import os
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from pyshacl import shape as pyshacl_shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from rdflib.namespace import SH

from ascf_graph.core.processes import die_with_parent
from ascf_graph.rdf.io import to_rdflib_graph, to_rdflib_term
from ascf_graph.shacl.prepared_queries import PreparingGraph
from ascf_graph.shacl.pyshacl_components import components

log = logging.getLogger(__name__)


def check(
    checked: rdflib.Graph, shapes: rdflib.Graph, *, split: bool = False
) -> tuple[bool, rdflib.Graph]:
    """pyshacl's verdict and report graph for ``checked`` (checked in place) against
    ``shapes``. With ``split`` (an input worker, whose process is its own), many focus
    nodes are checked in part in a forked process (:func:`_pyshacl_in_two`)."""
    resolution = _resolved_targets(checked, shapes)
    if resolution is None:
        return _pyshacl(checked, shapes, advanced=True)
    if split and len(resolution[1]) >= SPLIT_AT and (os.cpu_count() or 1) > 1:
        return _pyshacl_in_two(checked, *resolution)
    # No SHACL-AF feature left for pyshacl to evaluate.
    return _pyshacl(checked, _shapes_with(*resolution), advanced=False)


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
    """pyshacl's verdict and report on ``checked``, part of the nodes of ``found`` checked
    in a forked process while this one checks the rest and the other targets' nodes
    (:func:`_split` shares them out so that both take about as long).

    pyshacl checks each focus node on its own, so the two reports together are the one
    a single run gives; the child's results join this process's report. A child that
    fails in any way (out of memory, killed) costs only time: its half is checked here.
    The child dies with this process (a worker stopped at the time limit)."""
    shapes_types = set(targets.bare.objects(None, rdflib.RDF.type))
    if shapes_types & {rdflib.RDFS.Class, rdflib.OWL.Class}:  # implicit class targets
        return _pyshacl(checked, _shapes_with(targets, found), advanced=False)
    mine, theirs = _split(found, _other_focus_nodes(checked, targets.bare))
    theirs_shapes = _shapes_with(targets, theirs, other_targets=False)
    reading, writing = os.pipe()
    parent = os.getpid()
    child = os.fork()
    if child == 0:  # pragma: no cover (the forked child; it reports through the pipe)
        status = 1
        try:
            os.close(reading)
            die_with_parent(parent)
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


def _split(found: _Targeted, others: int) -> tuple[_Targeted, _Targeted]:
    """``found`` cut in two, for this process and the forked one, so that both take about as
    long: this one checks the ``others`` focus nodes of the other targets too, so the forked
    one takes more of ``found`` (all of it, past a point), as many as leave both with the
    same count of focus nodes (a node of either kind costs about the same: 0.094 ms in
    both processes, 0.77 s for each half of the SHACL bench's 100k submission). Its nodes
    are spread over ``found``, so that each shape's nodes are shared between the two.

    >>> nodes = [("shape", n) for n in range(10)]
    >>> [[node for _, node in half] for half in _split(nodes, others=0)]
    [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    >>> [len(half) for half in _split(nodes, others=4)], [len(half) for half in _split(nodes, 99)]
    ([3, 7], [0, 10])
    """
    count = len(found)
    theirs_count = min(count, round((count + others) / 2))
    mine: _Targeted = []
    theirs: _Targeted = []
    for index, pair in enumerate(found):
        takes = (index + 1) * theirs_count // count > index * theirs_count // count
        (theirs if takes else mine).append(pair)
    return mine, theirs


def _other_focus_nodes(checked: rdflib.Graph, bare: rdflib.Graph) -> int:
    """About how many focus nodes, shape by shape, the targets of ``bare`` other than the
    SPARQL-based ones give in ``checked`` (instances of a ``sh:targetClass`` not counting
    its subclasses': what the split needs is a measure, not the exact set)."""
    count = 0
    for kind in _OTHER_TARGETS:
        for value in bare.objects(None, kind):
            if kind == SH.targetNode:
                count += 1
            elif kind == SH.targetClass:
                count += sum(1 for _ in checked.subjects(rdflib.RDF.type, value))
            elif kind == SH.targetSubjectsOf:
                count += len(set(checked.subjects(value, None)))
            else:
                count += len(set(checked.objects(None, value)))
    return count


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


def _use_our_constraint_parameters() -> None:
    """Have pyshacl (0.40: ``pyshacl.shape.Shape.validate``) find each shape's constraint
    parameters in a set, and use our constraint components, which do less per value node
    (:mod:`ascf_graph.shacl.pyshacl_components`).

    pyshacl tests every predicate of a shape against the list of the ~40 parameters, each
    ``URIRef.__eq__`` a Python call, once per focus node and shape (17 million comparisons,
    a third of validating 100k triples). It keeps that list, and the constraint component
    of each parameter, in its module's ``CONSTRAINT_PARAMS``, filled on first use; the same
    parameters, in a list whose ``in`` hashes, give the same answers. Another pyshacl, one
    that does not read that attribute, is left as it is."""
    if getattr(pyshacl_shape, "CONSTRAINT_PARAMS", None) is None:
        pyshacl_shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            components(CONSTRAINT_PARAMETERS_MAP),
        )


_use_our_constraint_parameters()
