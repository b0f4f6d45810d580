"""Full dumps of the store: every graph as gzipped N-Quads, and each graph as Turtle.

Dumps are written on first request into the generation's cache folder (see
:mod:`ascf_graph.store.generation_cache`), so a new build or submission gives new
dumps, and until then the same bytes are served again.
"""

import gzip
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ascf_graph.linked_data.resources import prefixes_for, used_prefixes
from ascf_graph.store.base import Store

ALL_QUADS = "ascf.nq.gz"

_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Dump:
    """One downloadable file."""

    name: str
    """Its path under ``/dumps/``: ``ascf.nq.gz`` or ``{graph name}.ttl``."""
    media_type: str
    graph: str | None
    """The graph it holds, or None for all of them."""
    encoding: str | None = None


def available_dumps(store: Store, base_iri: str) -> list[Dump]:
    """The full dump and one Turtle file per named graph under ``{base}graph/``."""
    dumps = [Dump(ALL_QUADS, "application/n-quads", None, "gzip")]
    prefix = base_iri + "graph/"
    for graph in store.graph_sizes():
        if graph.startswith(prefix):
            dumps.append(Dump(graph[len(prefix) :] + ".ttl", "text/turtle", graph))
    return dumps


def find_dump(store: Store, base_iri: str, name: str) -> Dump | None:
    """The dump called ``name``, if there is one."""
    return next((d for d in available_dumps(store, base_iri) if d.name == name), None)


def write_dump(store: Store, base_iri: str, dump: Dump, destination: Path) -> None:
    """Write ``dump`` to ``destination``."""
    if dump.graph is None:
        quads = [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in store.query(_QUADS)]
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        # mtime=0: the same store always gives the same bytes.
        destination.write_bytes(gzip.compress(body, mtime=0))
        return
    triples = store.graph_triples(dump.graph)
    prefixes = used_prefixes(triples, prefixes_for(base_iri))
    destination.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
