"""A suggested fix for each validation result, from the constraint that failed.

The shapes' own messages say what is wrong in the project's words; the fix
says what to change, with the numbers, classes and lists the shape declares
(``sh:minCount 1`` becomes "add at least 1 value"). It is derived, so every
shape gets one, including shapes added later.
"""

from collections.abc import Callable

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

Fixer = Callable[[rdflib.Graph, Node, str, str | None], str]

_NODE_KINDS = {
    SH.IRI: "an IRI, e.g. <https://w3id.org/ascf/id/...>",
    SH.Literal: "a literal value (text, number or date)",
    SH.BlankNode: "a blank node [ ... ]",
    SH.BlankNodeOrIRI: "a node (an IRI or [ ... ]), not a literal",
    SH.BlankNodeOrLiteral: "a blank node or a literal, not an IRI",
    SH.IRIOrLiteral: "an IRI or a literal, not a blank node",
}


def suggest_fix(shapes: rdflib.Graph, shape: Node | None, component: str, path: str | None) -> str:
    """What to change so that ``shape``'s ``component`` (e.g. ``MinCountConstraintComponent``)
    holds for the value at ``path`` (an IRI written compactly, or None)."""
    fixer = _FIXERS.get(component)
    where = path or "the node"
    if fixer is None or shape is None:
        return f"Change {where} as the message says."
    return fixer(shapes, shape, where, path)


def _value(shapes: rdflib.Graph, shape: Node, parameter: rdflib.URIRef) -> str:
    value = shapes.value(shape, parameter)
    return _show(shapes, value) if value is not None else "?"


def _show(shapes: rdflib.Graph, node: Node) -> str:
    if isinstance(node, rdflib.URIRef):
        return shapes.namespace_manager.normalizeUri(node)
    return str(node)


def _min_count(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    count = _value(shapes, shape, SH.minCount)
    return f"Add {where}: at least {count} value{'s' if count != '1' else ''}."


def _max_count(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    count = _value(shapes, shape, SH.maxCount)
    if count == "0":
        return f"Remove {where}."
    return f"Keep at most {count} value{'s' if count != '1' else ''} of {where}; remove the others."


#: Classes a steward's own file may add members of (a partner, a budget, a project);
#: members of any other (the framework's concepts, member cities) are never a
#: submission's to declare, so a fix never suggests it.
DECLARABLE_CLASSES = frozenset(
    {"ascf:Organisation", "ascf:MonetaryAmount", "ascf:SmartCityProject", "ascf:CityIndicator"}
)


def _class(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    kind = _value(shapes, shape, SH["class"])
    if kind in DECLARABLE_CLASSES:
        return (
            f"Make {where} the IRI of an existing {kind}: check its spelling, "
            f"or describe it in the same file with `a {kind}`."
        )
    if kind == "ascf:City":
        return (
            f"Make {where} the IRI of a member city: check its spelling against the curated "
            "query members_by_year_joined at /queries (only the network adds member cities)."
        )
    return (
        f"Make {where} the IRI of one of the framework's {kind} concepts: check its spelling "
        "against the framework (/doc/framework); a submission cannot add to the framework."
    )


def _datatype(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    datatype = _value(shapes, shape, SH.datatype)
    return f'Write {where} as a literal of type {datatype}, e.g. "..."^^{datatype}.'


def _in(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    listed = shapes.value(shape, SH["in"])
    options = [_show(shapes, item) for item in Collection(shapes, listed)]
    return f"Replace {where} with one of: {', '.join(options) or 'the listed values'}."


def _pattern(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    return f"Rewrite {where} so that it matches the pattern {_value(shapes, shape, SH.pattern)}."


def _range(word: str, parameter: rdflib.URIRef) -> Fixer:
    def fix(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
        return f"Correct {where}: it must be {word} {_value(shapes, shape, parameter)}."

    return fix


def _compare(word: str, parameter: rdflib.URIRef) -> Fixer:
    def fix(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
        other = _value(shapes, shape, parameter)
        return f"Check {where} and {other}: {where} must be {word} {other} (swapped or mistyped?)."

    return fix


def _node_kind(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    kind = shapes.value(shape, SH.nodeKind)
    return f"Give {where} as {_NODE_KINDS.get(kind, _show(shapes, kind))}."  # type: ignore[arg-type]


def _alternatives(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    return f"Change {where} so that it meets one of the alternatives the message names."


def _sparql(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    return f"Change {where} as the message says; the rule is checked by a query."


def _equals(shapes: rdflib.Graph, shape: Node, where: str, _path: str | None) -> str:
    other = _value(shapes, shape, SH.equals)
    return f"State {where} and {other} with the same values (link both ways)."


_FIXERS: dict[str, Fixer] = {
    "MinCountConstraintComponent": _min_count,
    "MaxCountConstraintComponent": _max_count,
    "ClassConstraintComponent": _class,
    "DatatypeConstraintComponent": _datatype,
    "InConstraintComponent": _in,
    "PatternConstraintComponent": _pattern,
    "MinInclusiveConstraintComponent": _range("at least", SH.minInclusive),
    "MaxInclusiveConstraintComponent": _range("at most", SH.maxInclusive),
    "MinExclusiveConstraintComponent": _range("more than", SH.minExclusive),
    "MaxExclusiveConstraintComponent": _range("less than", SH.maxExclusive),
    "LessThanOrEqualsConstraintComponent": _compare("on or before", SH.lessThanOrEquals),
    "LessThanConstraintComponent": _compare("before", SH.lessThan),
    "NodeKindConstraintComponent": _node_kind,
    "OrConstraintComponent": _alternatives,
    "XoneConstraintComponent": _alternatives,
    "AndConstraintComponent": _alternatives,
    "NodeConstraintComponent": _alternatives,
    "SPARQLConstraintComponent": _sparql,
    "EqualsConstraintComponent": _equals,
}
