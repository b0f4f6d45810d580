"""Named graphs as documents: which graphs a ``{base}graph/{name}`` IRI may name, and their
triples written out in an RDF format.

A graph's document holds exactly the graph's triples, nothing added, so that
what ``/doc/graph/{name}.ttl`` gives is what ``CONSTRUCT { ?s ?p ?o } WHERE
{ GRAPH <g> { ?s ?p ?o } }`` gives. It is written as a stream from the
store's indexes where the store can hand them out lazily (the embedded one),
straight into a file the caller serves; a remote store's skolem IRIs are
written back as the blank nodes they stand for, as descriptions do.

The graphs that dereference are the ones the store holds (the generation
marker's ``graph/system`` aside), and a retracted submission's graph: it is
empty, but the provenance graph still records it, and a published IRI never
disappears.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ascf_graph.core.graph_names import PROVENANCE, GraphRole, graph_role
from ascf_graph.core.namespaces import PREFIXES, graph_iri
from ascf_graph.linked_data.addresses import DocumentFormat
from ascf_graph.linked_data.resources import deskolemise, prefixes_for
from ascf_graph.rdf.formats import serialize_graph
from ascf_graph.store.base import Store

#: What each kind of graph holds, as a person reads it.
ROLE_DESCRIPTIONS: dict[GraphRole, str] = {
    GraphRole.ONTOLOGY: "Ontology terms or framework concepts, loaded from ontology/ by the build.",
    GraphRole.SHAPES: "SHACL shapes that submissions are validated against.",
    GraphRole.DATA: "Instance data shipped with the project (data/).",
    GraphRole.INFERRED: "What the build's reasoning added to the asserted graphs.",
    GraphRole.SUBMISSION: "A data steward's accepted submission (its current version).",
    GraphRole.SUBMISSION_INFERRED: (
        "What the build's rules conclude from a steward's submission (its current version), "
        "such as a project's focus areas from its sub-areas."
    ),
    GraphRole.PROVENANCE: "Provenance of submissions (PROV-O), or one version's validation report.",
    GraphRole.SYSTEM: "The store's generation marker.",
    GraphRole.OTHER: "A named graph of the store.",
}

# SELECT, not ASK: a remote store binds by VALUES, which Virtuoso refuses after ASK.
_RECORDED_SUBMISSION = f"""
SELECT ?id WHERE {{ GRAPH ?provenance {{ ?graph <{PREFIXES["dct"]}identifier> ?id }} }} LIMIT 1
"""


def is_published(store: Store, base_iri: str, graph: str, sizes: dict[str, int]) -> bool:
    """Whether ``graph`` dereferences: the store holds it (``sizes`` is the store's
    :meth:`~ascf_graph.store.base.Store.graph_sizes`), or it is a submission the provenance
    graph records (retracted submissions keep their IRI, with no triples)."""
    if graph in sizes:
        return True
    if graph_role(graph, base_iri) is not GraphRole.SUBMISSION:
        return False
    bindings = {
        "graph": ox.NamedNode(graph),
        "provenance": ox.NamedNode(graph_iri(base_iri, PROVENANCE)),
    }
    return any(True for _ in store.query(_RECORDED_SUBMISSION, substitutions=bindings))


def graph_triples(store: Store, graph: str) -> Iterator[ox.Triple]:
    """The triples of ``graph``, one at a time, skolem IRIs back as blank nodes."""
    return (deskolemise(triple) for triple in store.iter_graph_triples(graph))


def namespaces_used(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace starts an IRI of the triples, read in one pass.

    >>> label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    >>> triple = ox.Triple(ox.NamedNode("urn:x"), label, ox.Literal("x"))
    >>> namespaces_used([triple], {"rdfs": label.value[:-5], "owl": "urn:owl#"})
    {'rdfs': 'http://www.w3.org/2000/01/rdf-schema#'}
    """
    unused = dict(prefixes)
    for triple in triples:
        iris = [term.value for term in triple if isinstance(term, ox.NamedNode)]
        if isinstance(triple.object, ox.Literal):
            iris.append(triple.object.datatype.value)
        for name, namespace in list(unused.items()):
            if any(iri.startswith(namespace) for iri in iris):
                del unused[name]
        if not unused:
            break
    return {name: namespace for name, namespace in prefixes.items() if name not in unused}


def write_graph_document(
    store: Store, base_iri: str, graph: str, fmt: DocumentFormat, destination: Path
) -> None:
    """Write the triples of ``graph`` in ``fmt`` (an RDF format) to ``destination``.

    The triples are streamed from the store into the file; Turtle and RDF/XML
    first read them once more to declare only the prefixes they use.
    """
    if fmt.syntax is None:
        raise ValueError("a graph's HTML page is rendered, not serialized")
    prefixes = None
    if fmt.syntax.prefixed:
        prefixes = namespaces_used(graph_triples(store, graph), prefixes_for(base_iri))
    serialize_graph(graph_triples(store, graph), fmt.syntax, prefixes=prefixes, output=destination)
