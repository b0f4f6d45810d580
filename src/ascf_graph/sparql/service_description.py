"""The endpoint's SPARQL 1.1 Service Description, with VoID statistics of its dataset.

What ``GET /sparql`` without a query answers to machines: an ``sd:Service``
with its endpoint, language, result formats and features, and the default
dataset: the default graph (the union of all graphs) and each named graph,
each with its number of triples (``void:triples``).
"""

import pyoxigraph as ox

from ascf_graph.core.namespaces import SD, VOID, W3C_FORMATS
from ascf_graph.rdf.terms import RDF_TYPE, XSD_INTEGER
from ascf_graph.sparql.answer_formats import GRAPH_FORMATS, RESULTS_FORMATS

DESCRIPTION_PREFIXES = {"sd": SD, "void": VOID, "formats": W3C_FORMATS}

# W3C's IRIs for the formats (https://www.w3.org/ns/formats/), by our format names.
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "trig": "TriG",
    "nquads": "N-Quads",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def describe_service(
    endpoint: str, graph_sizes: dict[str, int], *, federation: bool
) -> list[ox.Triple]:
    """The service description of ``endpoint`` serving graphs of these sizes.

    ``federation`` says whether some SERVICE endpoints are allowed
    (``sd:BasicFederatedQuery``).
    """
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default_graph = ox.NamedNode(endpoint + "#default-graph")
    total = sum(graph_sizes.values())
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            _sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(dataset, _void("sparqlEndpoint"), service),
        ox.Triple(dataset, _void("triples"), _count(total)),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, _void("triples"), _count(total)),
    ]
    if federation:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    for answer_format in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        iri = ox.NamedNode(W3C_FORMATS + _FORMAT_IRIS[answer_format.name])
        triples.append(ox.Triple(service, _sd("resultFormat"), iri))
    for name, size in sorted(graph_sizes.items()):
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(graph, _void("triples"), _count(size)),
        ]
    return _grouped_by_subject(triples)


def _grouped_by_subject(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with each subject's together (Turtle then writes each subject once)."""
    first_seen: dict[object, int] = {}
    for triple in triples:
        first_seen.setdefault(triple.subject, len(first_seen))
    return sorted(triples, key=lambda triple: first_seen[triple.subject])
