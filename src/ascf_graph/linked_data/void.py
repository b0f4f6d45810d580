"""The dataset described with VoID and DCAT, at ``/.well-known/void`` (VoID 7.2).

Everything is counted from the store as it is: triples per named graph,
entities per class, triples per property, and link sets, i.e. the statements
whose object lies in another dataset (``OWL:sameAs``, ``SKOS:*Match``,
``dct:subject``, ``ascf:wikidataItem``), grouped by property and by the
other dataset's namespace. The dumps, the SPARQL endpoint, the search and
the JSON-LD context are listed as ways in.
"""

import re
from collections.abc import Iterator
from datetime import datetime

import pyoxigraph as ox

from ascf_graph.core.namespaces import OWL, PREFIXES, SKOS
from ascf_graph.linked_data.dumps import available_dumps
from ascf_graph.store.base import Store

VOID, DCAT, DCT, RDF, XSD, FOAF, SD, RDFS = (
    PREFIXES[p] for p in ("void", "dcat", "dct", "rdf", "xsd", "foaf", "sd", "rdfs")
)

_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"

# What each graph says of its own terms of use: the licence and rights its header node
# (an owl:Ontology, a skos:ConceptScheme, a void:Linkset, or the graph itself described
# as a void:Dataset) states.
_GRAPH_TERMS = f"""
SELECT DISTINCT ?g ?p ?o WHERE {{
  VALUES ?type {{
    <{OWL}Ontology> <{SKOS}ConceptScheme> <http://rdfs.org/ns/void#Linkset>
    <http://rdfs.org/ns/void#Dataset>
  }}
  VALUES ?p {{ <http://purl.org/dc/terms/license> <http://purl.org/dc/terms/rights> }}
  GRAPH ?g {{ ?header a ?type ; ?p ?o }}
  FILTER(?type != <http://rdfs.org/ns/void#Dataset> || ?header = ?g)
}}
"""
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
_TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
_OUTWARD = """
SELECT ?p ?o WHERE { ?s ?p ?o . FILTER(isIRI(?s) && isIRI(?o) && ?p != <%s>) }
""" % (RDF + "type")

_TITLE = "ASEAN Smart Cities Framework graph"
_DESCRIPTION = (
    "The ASEAN Smart Cities Framework (2018) as an OWL ontology and a SKOS concept scheme, "
    "with the ASEAN Smart Cities Network's member cities and the projects of its 2025 "
    "monitoring report."
)


def void_location(base_iri: str) -> str:
    """The IRI of the VoID document."""
    return base_iri + ".well-known/void"


def dataset_iri(base_iri: str) -> str:
    """The IRI of the dataset the VoID document describes."""
    return void_location(base_iri) + "#dataset"


def describe_dataset(
    store: Store, base_iri: str, *, modified: datetime, license_iri: str | None
) -> list[ox.Triple]:
    """VoID and DCAT statements about the whole dataset."""
    return list(_statements(store, base_iri, modified, license_iri))


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _say(subject: ox.NamedNode | ox.BlankNode, predicate: str, value: object) -> ox.Triple:
    return ox.Triple(subject, _iri(predicate), value)  # type: ignore[arg-type]


def _statements(
    store: Store, base_iri: str, modified: datetime, license_iri: str | None
) -> Iterator[ox.Triple]:
    dataset = _iri(dataset_iri(base_iri))
    yield from _header(base_iri, dataset, modified, license_iri)
    totals = next(iter(store.query(_TOTALS)))
    yield _say(dataset, VOID + "triples", _integer(totals["triples"].value))
    yield _say(dataset, VOID + "distinctSubjects", _integer(totals["subjects"].value))
    yield _say(dataset, VOID + "distinctObjects", _integer(totals["objects"].value))
    yield from _distributions(store, base_iri, dataset)
    yield from _partitions(store, base_iri, dataset)
    yield from _linksets(store, base_iri, dataset)


def _header(
    base_iri: str, dataset: ox.NamedNode, modified: datetime, license_iri: str | None
) -> Iterator[ox.Triple]:
    """The document, the dataset's title and licence, and the ways into it."""
    document = _iri(void_location(base_iri))
    yield _say(document, RDF + "type", _iri(VOID + "DatasetDescription"))
    yield _say(document, FOAF + "primaryTopic", dataset)
    yield _say(document, DCT + "title", ox.Literal(f"A description of the {_TITLE}", language="en"))
    yield _say(dataset, RDF + "type", _iri(VOID + "Dataset"))
    yield _say(dataset, RDF + "type", _iri(DCAT + "Dataset"))
    yield _say(dataset, DCT + "title", ox.Literal(_TITLE, language="en"))
    yield _say(dataset, DCT + "description", ox.Literal(_DESCRIPTION, language="en"))
    yield _say(dataset, DCT + "modified", _datetime(modified))
    if license_iri:
        yield _say(dataset, DCT + "license", _iri(license_iri))
    yield _say(dataset, VOID + "uriSpace", ox.Literal(base_iri + "id/"))
    yield _say(dataset, VOID + "vocabulary", _iri(base_iri + "def/"))
    for name in ("skos", "dct", "org", "owl", "rdfs", "prov"):
        yield _say(dataset, VOID + "vocabulary", _iri(PREFIXES[name]))
    yield _say(dataset, VOID + "rootResource", _iri(base_iri + "id/framework"))
    yield _say(dataset, VOID + "exampleResource", _iri(base_iri + "id/focus-area/civic-and-social"))
    yield _say(dataset, VOID + "sparqlEndpoint", _iri(base_iri + "sparql"))
    yield _say(dataset, VOID + "uriLookupEndpoint", _iri(base_iri + "search?q="))
    yield _say(dataset, RDFS + "seeAlso", _iri(base_iri + "context.jsonld"))


def _distributions(store: Store, base_iri: str, dataset: ox.NamedNode) -> Iterator[ox.Triple]:
    """The dumps, as void:dataDump and dcat:Distribution."""
    for dump in available_dumps(store, base_iri):
        url = _iri(base_iri + "dumps/" + dump.name)
        if dump.graph is None:
            yield _say(dataset, VOID + "dataDump", url)
        distribution = _iri(void_location(base_iri) + "#dump-" + _fragment(dump.name))
        yield _say(dataset, DCAT + "distribution", distribution)
        yield _say(distribution, RDF + "type", _iri(DCAT + "Distribution"))
        yield _say(distribution, DCAT + "downloadURL", url)
        yield _say(distribution, DCAT + "mediaType", ox.Literal(dump.media_type))
        if dump.encoding:
            yield _say(distribution, DCAT + "compressFormat", ox.Literal("application/gzip"))
        if dump.graph:
            yield _say(distribution, DCT + "title", ox.Literal(f"The graph <{dump.graph}>"))


def _partitions(store: Store, base_iri: str, dataset: ox.NamedNode) -> Iterator[ox.Triple]:
    """Triples per named graph, entities per class, triples per property."""
    classes = list(store.query(_CLASSES))
    properties = list(store.query(_PROPERTIES))
    yield _say(dataset, VOID + "classes", _integer(len(classes)))
    yield _say(dataset, VOID + "properties", _integer(len(properties)))
    terms: dict[str, list[tuple[str, ox.NamedNode | ox.Literal]]] = {}
    for row in store.query(_GRAPH_TERMS):
        terms.setdefault(row["g"].value, []).append((row["p"].value, row["o"]))
    for graph, size in store.graph_sizes().items():
        subset = _iri(void_location(base_iri) + "#graph-" + _fragment(graph))
        yield _say(dataset, VOID + "subset", subset)
        yield _say(subset, RDF + "type", _iri(VOID + "Dataset"))
        yield _say(subset, SD + "name", _iri(graph))
        yield _say(subset, VOID + "triples", _integer(size))
        for predicate, value in sorted(terms.get(graph, []), key=str):
            yield _say(subset, predicate, value)  # its own licence and rights
    for row in sorted(classes, key=lambda r: r["class"].value):
        if not isinstance(row["class"], ox.NamedNode):
            continue
        partition = ox.BlankNode()
        yield _say(dataset, VOID + "classPartition", partition)
        yield _say(partition, VOID + "class", row["class"])
        yield _say(partition, VOID + "entities", _integer(row["n"].value))
    for row in sorted(properties, key=lambda r: r["p"].value):
        partition = ox.BlankNode()
        yield _say(dataset, VOID + "propertyPartition", partition)
        yield _say(partition, VOID + "property", row["p"])
        yield _say(partition, VOID + "triples", _integer(row["n"].value))


def linking_properties(base_iri: str) -> frozenset[str]:
    """The properties whose statements count as links to other datasets."""
    matches = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
    return frozenset(
        [OWL + "sameAs", DCT + "subject", base_iri + "def/wikidataItem"]
        + [SKOS + name for name in matches]
    )


def _linksets(store: Store, base_iri: str, dataset: ox.NamedNode) -> Iterator[ox.Triple]:
    """One void:Linkset per (linking property, other dataset's namespace)."""
    counts: dict[tuple[str, str], int] = {}
    linking = linking_properties(base_iri)
    for row in store.query(_OUTWARD):
        target = row["o"].value
        if target.startswith(base_iri) or row["p"].value not in linking:
            continue
        key = (row["p"].value, _namespace(target))
        counts[key] = counts.get(key, 0) + 1
    for (predicate, namespace), count in sorted(counts.items()):
        name = _fragment(f"{re.split('[#/]', predicate)[-1]}-{namespace}")
        linkset = ox.NamedNode(void_location(base_iri) + "#linkset-" + name)
        other = ox.NamedNode(void_location(base_iri) + "#target-" + _fragment(namespace))
        yield ox.Triple(dataset, ox.NamedNode(VOID + "subset"), linkset)
        yield ox.Triple(linkset, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Linkset"))
        yield ox.Triple(linkset, ox.NamedNode(VOID + "linkPredicate"), ox.NamedNode(predicate))
        yield ox.Triple(linkset, ox.NamedNode(VOID + "subjectsTarget"), dataset)
        yield ox.Triple(linkset, ox.NamedNode(VOID + "objectsTarget"), other)
        yield ox.Triple(linkset, ox.NamedNode(VOID + "triples"), _integer(count))
        yield ox.Triple(other, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset"))
        yield ox.Triple(other, ox.NamedNode(VOID + "uriSpace"), ox.Literal(namespace))


def _namespace(iri: str) -> str:
    """The namespace of an IRI: up to its last ``#`` or ``/``.

    >>> _namespace("http://www.wikidata.org/entity/Q1")
    'http://www.wikidata.org/entity/'
    """
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _fragment(text: str) -> str:
    """A fragment identifier made from ``text``.

    >>> _fragment("https://w3id.org/ascf/graph/data/ascn-cities")
    'w3id.org-ascf-graph-data-ascn-cities'
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "-", re.sub(r"^[a-z]+://", "", text)).strip("-")


def _integer(value: object) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _datetime(moment: datetime) -> ox.Literal:
    return ox.Literal(
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=ox.NamedNode(XSD + "dateTime")
    )
