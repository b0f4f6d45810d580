"""The constraint components pyshacl uses here: its own, made to do less per value node.

pyshacl finds the component of each constraint parameter in a map that it keeps in
its shape module (:func:`ascf_graph.shacl.pyshacl_runs.check` gives it
:func:`components`). Two changes, neither of which changes a report graph:

**``sh:property`` and ``sh:or`` are evaluated for all their value nodes at once.**
pyshacl 0.40 checks a node shape's property shapes, and the members of an
``sh:or``, one value node at a time: for each focus node and each of its
property shapes (101,000 times for the SHACL bench's 100k submission), it
reads the shape's parameters from the shapes graph again and builds each
constraint component anew. Here the same shapes are asked once for all the
value nodes, which pyshacl's ``Shape.validate`` takes as a list (it then
checks each node on its own, as the SHACL spec has it: a node's results depend
only on that node and the data). pyshacl's check of that submission, in one
process, took 5.4-6.3 s; 3.3-3.7 s with property shapes asked at once, 2.6-3.4 s
with ``sh:or`` members too. Only where that gives pyshacl's answer:

- a property shape's results name its focus nodes, so the results of one call
  for all the nodes are those of the calls for each. Whether the shape
  conforms is the same when no shape below it has a severity the run allows
  (:func:`_batch_keeps_conformance`; below a Warning shape that conforms
  whatever its results, one node's results beside another's failure would
  fail it). Otherwise, where a value node recurs under two focus nodes
  (pyshacl reports it twice), and in a run that stops a shape's check at its
  first failing constraint (``abort_on_first``), the nodes are asked one by one;
- an ``sh:or`` is asked at once only when every member only constrains the
  value node itself (a datatype, a node kind, a class...:
  :func:`_constrains_the_node_only`): then a member's results name exactly the
  nodes that fail it. A member with a path, a nested shape or a component of
  the shapes graph's own may report other nodes, or conform with results, so
  such an ``sh:or`` is asked node by node. Every member is asked for every
  node, as pyshacl does, so a member that cannot be evaluated raises here too
  (where two could, not always the same one first).

**No result is written out as text.** pyshacl words each result for its text
report (the shapes and nodes written with prefixes), which
:func:`ascf_graph.shacl.pyshacl_runs.check` never reads: the service words
results from the report graph. That text is left empty, and the check of that
submission takes 1.9-2.2 s instead of 2.6-3.4 s.

``tests/shacl/test_pyshacl_components.py`` checks the W3C SHACL core suite, the
examples, cases a review built against an earlier version of these components,
generated ``sh:or`` shapes and generated nested shapes of every kind, both ways, result
by result (the generator of nested shapes found no other difference in 11,500 more
cases but three where both ways raised, not the same error first).
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import rdflib
from pyshacl.constraints.core.logical_constraints import OrConstraintComponent
from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
from pyshacl.errors import ReportableRuntimeError
from rdflib.namespace import RDF, RDFS, SH

#: What pyshacl returns for a shape or a constraint: conforms, and its results, each
#: (text, result node, the result's triples).
_Report = tuple[str, Any, list[tuple[Any, Any, Any]]]


class PropertiesAtOnce(PropertyConstraintComponent):
    """``sh:property``: each property shape checked once for all the value nodes, where that
    gives pyshacl's answer (:func:`_batch_keeps_conformance`)."""

    def _evaluate_property_shape(
        self,
        executor: Any,
        prop_shape: Any,
        target_graph: Any,
        focus_value_nodes: dict[Any, set[Any]],
        potentially_recursive: Any,
        _evaluation_path: list[Any],
    ) -> tuple[bool, list[_Report]]:
        """Whether the value nodes fail ``prop_shape``, and the results, as pyshacl's
        per-node loop gives them."""
        values = [value for values in focus_value_nodes.values() for value in values]
        found = self.shape.get_other_shape(prop_shape)
        recursive = bool(potentially_recursive) and found in potentially_recursive
        shared = len(set(values)) < len(values)  # a value node of several focus nodes
        unusual = recursive or not found or not found.is_property_shape or _stops_early(executor)
        if unusual or shared or not _batch_keeps_conformance(self.shape.sg, prop_shape, executor):
            return super()._evaluate_property_shape(
                executor,
                prop_shape,
                target_graph,
                focus_value_nodes,
                potentially_recursive,
                _evaluation_path,
            )
        conforms, reports = found.validate(
            executor, target_graph, focus=values, _evaluation_path=_evaluation_path[:]
        )
        return not conforms, reports


class OrAtOnce(OrConstraintComponent):
    """``sh:or``: each member checked once for all the value nodes, where every member is a
    shape that only constrains the value node itself (:func:`_constrains_the_node_only`)."""

    def _evaluate_or_constraint(
        self,
        executor: Any,
        or_c: Any,
        target_graph: Any,
        focus_value_nodes: dict[Any, set[Any]],
        _evaluation_path: list[Any],
    ) -> tuple[bool, list[_Report]]:
        """Whether a value node conforms to none of the members of ``or_c``, and a result
        for each such focus and value node, in pyshacl's order."""
        members = self._members(or_c)
        graph = self.shape.sg.graph
        if _stops_early(executor) or not all(
            _constrains_the_node_only(graph, member.node) for member in members
        ):
            return super()._evaluate_or_constraint(
                executor, or_c, target_graph, focus_value_nodes, _evaluation_path
            )
        values = list(dict.fromkeys(v for values in focus_value_nodes.values() for v in values))
        failed_every = set(values)
        for member in members:  # every member, for every node, as pyshacl asks them
            conforms, reports = member.validate(
                executor, target_graph, focus=values, _evaluation_path=_evaluation_path[:]
            )
            if conforms:
                failed_every.clear()
            else:
                failed_every &= _focus_nodes(reports)
        reports = [
            self.make_v_result(target_graph, focus, value_node=value)
            for focus, values in focus_value_nodes.items()
            for value in values
            if value in failed_every
        ]
        return bool(reports), reports

    def _members(self, or_c: Any) -> list[Any]:
        """The shapes of the list ``or_c``, as pyshacl finds them (filtered out ones left
        out; a list that is not one, or names no shape, is an error)."""
        shape_graph = self.shape.sg.graph
        listed = set(shape_graph.items(or_c))
        if not listed:
            raise ReportableRuntimeError("The list associated with sh:or is not a valid RDF list.")
        members = []
        for node in listed:
            if self.shape.sg.is_filtered_out_shape(node):
                continue
            member = self.shape.get_other_shape(node)
            if not member:
                raise ReportableRuntimeError(
                    "Shape pointed to by sh:or does not exist or is not a well-formed SHACL Shape."
                )
            if member not in members:
                members.append(member)
        return members


#: Parameters of constraints on the value node itself, whose results name it as their focus
#: node and fail the shape exactly when there are some (pyshacl's core components).
_ON_THE_NODE = frozenset(
    SH[name]
    for name in (
        "class", "datatype", "nodeKind", "minLength", "maxLength", "pattern", "flags",
        "languageIn", "in", "hasValue", "minInclusive", "maxInclusive", "minExclusive",
        "maxExclusive",
    )
)  # fmt: skip
#: What a shape may say besides its constraints without being evaluated.
_ANNOTATIONS = frozenset(
    (RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.severity)
)
#: The parameters whose values are shapes, and those whose values are lists of shapes.
_SHAPE_VALUED = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)


def _constrains_the_node_only(graph: rdflib.Graph, shape: Any) -> bool:
    """Whether ``shape`` says nothing but constraints on the value node itself (a datatype,
    a node kind, a class...), so that its results for a list of nodes name each failing node
    and only those: no path, no nested shape, no SPARQL, no component of the shapes graph's
    own (whose parameter could be any predicate)."""
    return all(
        predicate in _ON_THE_NODE or predicate in _ANNOTATIONS
        for predicate in graph.predicates(shape, None)
    )


def _batch_keeps_conformance(shapes: Any, prop_shape: Any, executor: Any) -> bool:
    """Whether ``prop_shape`` checked for many nodes at once conforms exactly when it
    conforms for each: when no shape below it has a severity the run allows.

    pyshacl decides that a constraint's failure with results of an allowed severity leaves
    its shape conforming by looking at all the results the constraint gave, for all the
    nodes at once. A shape below, of an allowed severity, conforms whatever its results,
    and the property constraint above passes them on: for one node they are harmless, but
    beside another node's failure of that constraint they would make the shape fail."""
    allowed = _allowed_severities(executor)
    if not allowed:
        return True
    below: dict[Any, frozenset[Any]] = shapes.__dict__.setdefault("_ascf_severities_below", {})
    if prop_shape not in below:
        below[prop_shape] = _severities_below(shapes.graph, prop_shape)
    return not below[prop_shape] & allowed


def _severities_below(graph: rdflib.Graph, shape: Any) -> frozenset[Any]:
    """The severities of the shapes that ``shape`` reaches through shape-valued parameters
    (``sh:property``, ``sh:node``, ``sh:or``...), itself left out (sh:Violation unsaid)."""
    found: set[Any] = set()
    seen = {shape}
    waiting = [shape]
    while waiting:
        for nested in _nested_shapes(graph, waiting.pop()):
            if nested not in seen:
                seen.add(nested)
                waiting.append(nested)
                found.add(graph.value(nested, SH.severity) or SH.Violation)
    return frozenset(found)


def _nested_shapes(graph: rdflib.Graph, shape: Any) -> Iterator[Any]:
    """The shapes ``shape`` names as values of shape-valued parameters."""
    for predicate in _SHAPE_VALUED:
        yield from graph.objects(shape, predicate)
    for predicate in _SHAPE_LISTS:
        for listed in graph.objects(shape, predicate):
            yield from graph.items(listed)


def _stops_early(executor: Any) -> bool:
    """Whether the run stops a shape's check at its first failing constraint
    (``abort_on_first``): for all the nodes at once, that would skip the later constraints
    of nodes that passed the first, so such a run is checked node by node."""
    return bool(getattr(executor, "abort_on_first", False))


def _allowed_severities(executor: Any) -> frozenset[rdflib.URIRef]:
    """The severities whose results leave a shape conforming in this run, as
    ``pyshacl.shape.Shape.validate`` reads them from the executor."""
    allowed: set[rdflib.URIRef] = set()
    if executor.allow_infos:
        allowed.add(SH.Info)
    if executor.allow_warnings:
        allowed |= {SH.Info, SH.Warning}
    return frozenset(allowed)


def _focus_nodes(reports: Iterable[_Report]) -> set[Any]:
    """The focus nodes that ``reports`` name."""
    return {
        value[1] if isinstance(value, tuple) else value
        for _, result, triples in reports
        for subject, predicate, value in triples
        if subject == result and predicate == SH.focusNode
    }


def _no_text(*_: object, **__: object) -> str:
    """A result's text for pyshacl's text report: none."""
    return ""


def _without_text(component: type) -> type:
    """``component``, writing no text for its results."""
    return type(component.__name__, (component,), {"make_v_result_description": _no_text})


#: Components evaluated for all their value nodes at once, by their parameter.
AT_ONCE: dict[rdflib.URIRef, type] = {SH.property: PropertiesAtOnce, SH["or"]: OrAtOnce}


def components(pyshacl_components: Mapping[rdflib.URIRef, type]) -> dict[rdflib.URIRef, type]:
    """pyshacl's map of constraint parameters to components, with ours in place: those of
    :data:`AT_ONCE`, and every component writing no text. A component that two parameters
    name (``sh:minInclusive``, say, is one of several) stays one class."""
    made: dict[type, type] = {}
    mapped = {}
    for parameter, component in {**pyshacl_components, **AT_ONCE}.items():
        if component not in made:
            made[component] = _without_text(component)
        mapped[parameter] = made[component]
    return mapped
