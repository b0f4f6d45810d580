"""GET /sparql without a query: the SPARQL 1.1 Service Description for machines, the query
editor for browsers."""

import warnings

import httpx
import pytest
import rdflib
from rdflib.namespace import RDF

from ascf_graph.store.embedded import EmbeddedStore

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def description(
    server: str, accept: str = "text/turtle", rdflib_format: str = "turtle"
) -> rdflib.Graph:
    answer = httpx.get(f"{server}/sparql", headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == accept
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return rdflib.Graph().parse(data=answer.content, format=rdflib_format)


def test_the_service_and_what_it_speaks(server: str) -> None:
    graph = description(server)
    endpoint = rdflib.URIRef(f"{server}/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (endpoint, SD.feature, SD.BasicFederatedQuery) not in graph  # empty allow-list
    formats = set(graph.objects(endpoint, SD.resultFormat))
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["JSON-LD"],
        FORMATS.RDF_XML,
        FORMATS["N-Triples"],
    } <= formats


def test_the_default_dataset_lists_every_named_graph_with_its_size(
    server: str, store: EmbeddedStore
) -> None:
    graph = description(server)
    endpoint = rdflib.URIRef(f"{server}/sparql")
    dataset = graph.value(endpoint, SD.defaultDataset)
    sizes = {
        str(graph.value(named, SD.name)): int(
            graph.value(graph.value(named, SD.graph), VOID.triples)
        )
        for named in graph.objects(dataset, SD.namedGraph)
    }
    assert sizes == store.graph_sizes()
    assert int(graph.value(dataset, VOID.triples)) == sum(sizes.values())
    default_graph = graph.value(dataset, SD.defaultGraph)
    assert int(graph.value(default_graph, VOID.triples)) == sum(sizes.values())


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_the_description_in_other_rdf_formats(server: str, accept: str, rdflib_format: str) -> None:
    turtle = description(server)
    other = description(server, accept, rdflib_format)
    assert len(other) == len(turtle)
    assert set(other.objects(None, SD.name)) == set(turtle.objects(None, SD.name))


def test_without_accept_the_description_is_turtle(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", headers={"Accept": "*/*"})
    assert answer.headers["content-type"].startswith("text/turtle")
    by_format = httpx.get(
        f"{server}/sparql", params={"format": "jsonld"}, headers={"Accept": BROWSER}
    )
    assert by_format.headers["content-type"].startswith("application/ld+json")


def test_the_description_has_an_etag(server: str) -> None:
    first = httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    again = httpx.get(
        f"{server}/sparql",
        headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


def test_a_browser_gets_the_query_editor(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", headers={"Accept": BROWSER})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    # by path: a page never builds a URL from the request's Host header
    assert 'src="/sparql/editor/yasgui.min.js"' in answer.text
    assert "framework_tree" in answer.text
    assert "PREFIX" not in answer.text.split("<script")[0]  # prefixes travel as data, not markup


def test_the_editor_assets_are_served_locally(server: str) -> None:
    script = httpx.get(f"{server}/sparql/editor/yasgui.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) > 100_000
    style = httpx.get(f"{server}/sparql/editor/yasgui.min.css")
    assert style.headers["content-type"].startswith("text/css")
    missing = httpx.get(f"{server}/sparql/editor/..%2F..%2Fsettings.py")
    assert missing.status_code == 404
    assert httpx.get(f"{server}/sparql/editor/package.json").status_code == 404
