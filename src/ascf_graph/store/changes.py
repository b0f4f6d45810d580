"""One atomic change to named graphs, and the single SPARQL Update that carries it.

The write path (submissions) never edits a graph triple by triple: it says
which graphs get new contents, which get triples appended and which go, and a
:class:`~ascf_graph.store.base.Store` applies all of that in one transaction
together with a new generation marker.

The update text is written by pyoxigraph, never pasted from user input: every
IRI is a validated ``NamedNode`` and the triples are serialized as N-Triples
by the engine, which escapes literals; N-Triples lines are valid SPARQL.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass(frozen=True)
class GraphChange:
    """Edits to named graphs that must happen together or not at all.

    ``replace`` gives graphs their complete new contents, ``append`` adds
    triples to graphs (created if missing), ``drop`` removes graphs and
    ``remove`` takes triples out of graphs (first: a triple both removed and
    appended stays). A graph may appear in ``replace`` or ``drop``, not both.
    Removed triples have no blank node (SPARQL cannot name one to delete).
    """

    replace: Mapping[str, Sequence[ox.Triple]] = field(default_factory=dict)
    append: Mapping[str, Sequence[ox.Triple]] = field(default_factory=dict)
    drop: Sequence[str] = ()
    remove: Mapping[str, Sequence[ox.Triple]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        both = set(self.replace) & set(self.drop)
        if both:
            raise ValueError(f"graphs both replaced and dropped: {sorted(both)}")
        for graph, triples in self.remove.items():
            for triple in triples:
                if isinstance(triple.subject, ox.BlankNode) or isinstance(
                    triple.object, ox.BlankNode
                ):
                    raise ValueError(f"a blank node cannot be removed from {graph}: {triple}")

    @property
    def triples(self) -> int:
        """How many triples the change writes."""
        return sum(len(t) for t in self.replace.values()) + sum(
            len(t) for t in self.append.values()
        )


def as_sparql_update(
    change: GraphChange, *, marker: tuple[str, ox.Triple] | None = None, data_block: bool = True
) -> str:
    """The change (and an optional generation ``marker``: graph and its one triple) as one
    SPARQL Update request.

    With ``data_block`` the triples go into ``INSERT DATA``; without, into an
    ``INSERT {...} WHERE {}`` template (for servers such as Virtuoso that refuse
    blank nodes in ``INSERT DATA``). Either way a blank node label stands for
    one fresh node across all graphs of the request, so blank nodes of one
    submission never merge with another's.

    >>> a, p = ox.NamedNode("urn:a"), ox.NamedNode("urn:p")
    >>> said = ox.Triple(a, p, ox.Literal('say "x"'))
    >>> print(as_sparql_update(GraphChange(replace={"urn:g": [said]}, drop=["urn:old"])))
    DROP SILENT GRAPH <urn:old> ;
    DROP SILENT GRAPH <urn:g> ;
    INSERT DATA {
    GRAPH <urn:g> {
    <urn:a> <urn:p> "say \\"x\\"" .
    }
    }
    """
    removals = [
        f"GRAPH {ox.NamedNode(name)} {{\n{_ntriples(triples)}}}"
        for name, triples in change.remove.items()
        if triples
    ]
    operations = ["DELETE DATA {\n" + "\n".join(removals) + "\n}"] if removals else []
    operations += [f"DROP SILENT GRAPH {ox.NamedNode(name)}" for name in change.drop]
    operations += [f"DROP SILENT GRAPH {ox.NamedNode(name)}" for name in change.replace]
    writes: list[tuple[str, Iterable[ox.Triple]]] = [
        *change.replace.items(),
        *change.append.items(),
    ]
    if marker is not None:
        graph, triple = marker
        operations.append(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
        writes.append((graph, [triple]))
    blocks = [
        f"GRAPH {ox.NamedNode(name)} {{\n{_ntriples(triples)}}}"
        for name, triples in writes
        if triples
    ]
    if blocks:
        body = "\n".join(blocks)
        operations.append(
            f"INSERT DATA {{\n{body}\n}}" if data_block else f"INSERT {{\n{body}\n}} WHERE {{}}"
        )
    return " ;\n".join(operations)


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
