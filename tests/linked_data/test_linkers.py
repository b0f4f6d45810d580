"""Helpers for linkers: search, JSON-LD context, VoID/DCAT, dumps, ontology documentation."""

import gzip
import json
import warnings
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from tests.support.published import BASE, ontology_terms

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as shared:
        yield shared


def search(client: httpx.Client, **params: str) -> list[dict[str, object]]:
    answer = client.get("/search", params=params, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return answer.json()["hits"]


def test_search_is_by_prefix_and_ignores_case(client: httpx.Client) -> None:
    hits = search(client, q="HEAL")
    assert [h["label"] for h in hits[:2]] == ["Health and Well-being", "Healthcare"]
    assert hits[0]["page"] == "/doc/focus-area/health-and-well-being"


def test_search_finds_cities_projects_and_notations(client: httpx.Client) -> None:
    assert search(client, q="da nang")[0]["iri"] == BASE + "id/city/da-nang"
    assert search(client, q="F1.3")[0]["iri"] == BASE + "id/sub-area/tourism"
    assert any(h["kind"] == "project" for h in search(client, q="smart", kind="project"))
    assert all(h["kind"] == "city" for h in search(client, q="s", kind="city"))


def test_search_ranks_exact_before_prefix_before_word(client: httpx.Client) -> None:
    labels = [h["label"] for h in search(client, q="tourism", limit="5")]
    assert labels[0] == "Tourism"
    assert "Tourism Promotion" in labels


def test_search_answers_people_in_html(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "gov"}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/doc/sub-area/governance"' in page.text


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "x", "limit": "0"}, {"q": "x", "limit": "a"}, {"q": "x", "kind": "y"}],
)
def test_bad_search_parameters_are_400(client: httpx.Client, params: dict[str, str]) -> None:
    answer = client.get("/search", params=params, headers={"Accept": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "unusable-input"


def test_the_context_names_every_term_of_the_ontology(client: httpx.Client) -> None:
    answer = client.get("/context.jsonld")
    assert answer.headers["content-type"].startswith("application/ld+json")
    context = answer.json()["@context"]
    ours = [t for t in ontology_terms() if t.startswith(BASE + "def/")]
    assert ours
    missing = [t for t in ours if t[len(BASE + "def/") :] not in context]
    assert not missing


def test_the_context_turns_short_names_into_our_iris(client: httpx.Client) -> None:
    context = client.get("/context.jsonld").json()["@context"]
    document = {
        "@context": context,
        "id": "https://example.org/project/1",
        "type": "SmartCityProject",
        "focusArea": BASE + "id/focus-area/civic-and-social",
        "label": "A project",
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ConjunctiveGraph", category=DeprecationWarning)
        graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    project = rdflib.URIRef("https://example.org/project/1")
    assert (project, RDF.type, rdflib.URIRef(BASE + "def/SmartCityProject")) in graph
    focus_area = rdflib.URIRef(BASE + "id/focus-area/civic-and-social")
    assert (project, rdflib.URIRef(BASE + "def/focusArea"), focus_area) in graph


def test_void_counts_every_graph_and_names_the_dumps(client: httpx.Client) -> None:
    answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    graph = rdflib.Graph().parse(data=answer.content, format="turtle")
    sizes = {
        str(graph.value(subset, SD.name)): int(graph.value(subset, VOID.triples))
        for subset in graph.subjects(SD.name, None)
    }
    health = client.get("/health").json()
    assert sum(sizes.values()) == health["triples"]
    assert len(sizes) == health["graphs"]
    dumps = {str(o) for o in graph.objects(None, VOID.dataDump)}
    assert dumps == {BASE + "dumps/ascf.nq.gz"}
    linksets = list(graph.subjects(RDF.type, VOID.Linkset))
    assert any(
        str(graph.value(ls, VOID.linkPredicate)) == BASE + "def/wikidataItem" for ls in linksets
    )


def test_void_gives_each_graph_the_licence_and_rights_it_states(client: httpx.Client) -> None:
    answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.content, format="turtle")
    subsets = {
        str(graph.value(subset, SD.name)): subset for subset in graph.subjects(SD.name, None)
    }
    licence = {name: graph.value(subset, DCTERMS.license) for name, subset in subsets.items()}
    cc_by = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert licence[BASE + "graph/def"] == cc_by
    assert licence[BASE + "graph/shapes/project"] == rdflib.URIRef(
        "https://www.apache.org/licenses/LICENSE-2.0"
    )
    rights = str(graph.value(subsets[BASE + "graph/framework"], DCTERMS.rights))
    assert "are ASEAN's" in rights
    # The network's data: ASEAN's words, quoted with their citation, under no licence of
    # ours; no data graph states one, as each mixes owners (the GeoNames features carry theirs).
    data = {name: subset for name, subset in subsets.items() if "/graph/data/ascn-" in name}
    assert len(data) == 6
    for name, subset in data.items():
        assert graph.value(subset, DCTERMS.rights) is not None, name
        assert licence[name] is None, name
    projects = subsets[BASE + "graph/data/ascn-projects-2025"]
    assert "ASEAN's" in str(graph.value(projects, DCTERMS.rights))


def test_the_full_dump_holds_every_quad(client: httpx.Client) -> None:
    answer = client.get("/dumps/ascf.nq.gz")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/gzip"
    quads = list(ox.parse(gzip.decompress(answer.content), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == client.get("/health").json()["triples"]
    again = client.get("/dumps/ascf.nq.gz", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


def test_each_graph_has_a_turtle_dump(client: httpx.Client) -> None:
    answer = client.get("/dumps/data/ascn-cities.ttl")
    assert answer.status_code == 200
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.TURTLE))
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=void.content, format="turtle")
    subset = graph.value(None, SD.name, rdflib.URIRef(BASE + "graph/data/ascn-cities"))
    assert len(triples) == int(graph.value(subset, VOID.triples))
    assert client.get("/dumps/../../etc/passwd").status_code == 404
    assert client.get("/dumps/nothing.ttl").json()["code"] == "not-found"


def test_the_ontology_documentation_lists_every_class_and_property(
    client: httpx.Client,
) -> None:
    page = client.get("/doc/def.html")
    assert page.status_code == 200
    terms = ontology_terms()
    assert len(terms) > 50
    missing = [term for term in terms if term not in page.text]
    assert not missing, missing
    assert "Domain" in page.text
    assert "Range" in page.text
    assert 'href="/doc/def/FocusArea"' in page.text or 'href="#FocusArea"' in page.text
