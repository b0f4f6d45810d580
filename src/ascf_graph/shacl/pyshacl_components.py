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
with ``sh:or`` members too. The results are the same, one by one:

- a property shape's results name its focus nodes, so the results of one call
  for all the nodes are those of the calls for each (where a value node recurs
  under two focus nodes, pyshacl would report it twice: it is then asked node
  by node, as before; so is every node of a run that stops a shape's check at
  its first failing constraint, ``abort_on_first``);
- a node conforms to an ``sh:or`` member unless a result for it has a severity
  that the run does not allow, which is how ``Shape.validate`` decides that a
  shape with results still conforms (``allow_warnings``, ``allow_infos``); the
  ``sh:or`` results themselves are made for each focus and value node in
  pyshacl's order.

**No result is written out as text.** pyshacl words each result for its text
report (the shapes and nodes written with prefixes), which
:func:`ascf_graph.shacl.pyshacl_runs.check` never reads: the service words
results from the report graph. That text is left empty, and the check of that
submission takes 1.9-2.2 s instead of 2.6-3.4 s.

The W3C SHACL core suite (``tests/shacl/test_w3c_core.py``) and every example,
checked both ways (``tests/shacl/test_pyshacl_components.py``), show it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import rdflib
from pyshacl.constraints.core.logical_constraints import OrConstraintComponent
from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
from pyshacl.errors import ReportableRuntimeError
from rdflib.namespace import SH

#: What pyshacl returns for a shape or a constraint: conforms, and its results, each
#: (text, result node, the result's triples).
_Report = tuple[str, Any, list[tuple[Any, Any, Any]]]


class PropertiesAtOnce(PropertyConstraintComponent):
    """``sh:property``: each property shape checked once for all the value nodes."""

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
        unusual = recursive or not found or not found.is_property_shape
        if unusual or shared or _stops_early(executor):
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
    """``sh:or``: each member checked once for the value nodes no member has passed yet."""

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
        if _stops_early(executor):
            return super()._evaluate_or_constraint(
                executor, or_c, target_graph, focus_value_nodes, _evaluation_path
            )
        members = self._members(or_c)
        if not members:
            return False, []
        allowed = _allowed_severities(executor)
        remaining = {value for values in focus_value_nodes.values() for value in values}
        for member in members:
            if not remaining:
                break
            conforms, reports = member.validate(
                executor, target_graph, focus=list(remaining), _evaluation_path=_evaluation_path[:]
            )
            failed = set() if conforms else _failed_focus_nodes(reports, allowed)
            remaining &= failed
        reports = [
            self.make_v_result(target_graph, focus, value_node=value)
            for focus, values in focus_value_nodes.items()
            for value in values
            if value in remaining
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


def _failed_focus_nodes(reports: Iterable[_Report], allowed: frozenset[Any]) -> set[Any]:
    """The focus nodes of ``reports`` that a result of a severity not ``allowed`` names:
    those that do not conform to the shape that gave them."""
    failed = set()
    for _, result, triples in reports:
        severity = next((o for s, p, o in triples if s == result and p == SH.resultSeverity), None)
        # pyshacl: a result without a severity fails a shape only in a run that allows none.
        if (severity in allowed) if severity is not None else bool(allowed):
            continue
        for subject, predicate, value in triples:
            if subject == result and predicate == SH.focusNode:
                failed.add(value[1] if isinstance(value, tuple) else value)
    return failed


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
