"""Reads that follow a resource's blank nodes, on any store.

A description, and the context a SHACL check takes from the store, need the
statements about some subjects together with those about the blank nodes
they lead to. On a remote store blank nodes arrive as skolem IRIs
(``.../.well-known/genid/...``), which are followed the same way.
"""

from collections.abc import Collection, Iterable

import pyoxigraph as ox

from ascf_graph.core.namespaces import GENID_PATH
from ascf_graph.store.base import Store

#: How many levels of blank nodes a read follows from its subjects.
MAX_BLANK_DEPTH = 8

_GENID = "/" + GENID_PATH


def is_skolem(term: object) -> bool:
    """Whether ``term`` is a skolem IRI, a remote store's name for a blank node."""
    return isinstance(term, ox.NamedNode) and _GENID in term.value


def statements_with_blank_nodes(
    store: Store, subjects: Iterable[ox.NamedNode], *, outside: Collection[str] = ()
) -> list[ox.Triple]:
    """The statements about ``subjects`` and, breadth first, about the blank nodes they lead
    to (a remote store's skolem IRIs too), in any graph but the ones ``outside`` names."""
    frontier: list[ox.NamedNode | ox.BlankNode] = list(dict.fromkeys(subjects))
    seen: set[object] = set(frontier)
    found: list[ox.Triple] = []
    for _ in range(MAX_BLANK_DEPTH):
        if not frontier:
            break
        level = store.statements(subjects=frontier, outside=outside)
        found += level
        frontier = [
            t.object
            for t in level
            if (isinstance(t.object, ox.BlankNode) or is_skolem(t.object)) and t.object not in seen
        ]
        seen.update(frontier)
    return found
