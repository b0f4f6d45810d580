"""Named graphs and the ontology's version IRI dereference, over a real server.

``{base}graph/{name}`` answers 303 to ``/doc/graph/{name}`` in the format
asked for; every RDF format holds exactly the triples a SPARQL ``CONSTRUCT``
over that graph gives on the same server; the HTML page names the graph,
its size and its downloads. A submission's graph shows its provenance and
keeps dereferencing after it is retracted. ``{base}def/{version}`` answers
like ``{base}def`` for the current version and 404 for any other, while
term documents keep working.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL

from ascf_graph.core.settings import Settings
from ascf_graph.stewards.credentials import TokenStore
from tests.support.published import BASE
from tests.support.rdf_documents import RDF_FORMATS, parse
from tests.support.servers import serving
from tests.support.stores import REPO, clone_settings

VALID = (REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl").read_bytes()
JSON = {"Accept": "application/json"}
#: Graphs of each role: the largest, the ontology (OWL blank nodes), the reasoner's,
#: data with blank nodes (memberships), shapes (property shapes are blank nodes).
GRAPHS = ["framework", "def", "inferred", "data/ascn-cities", "shapes/city"]
ACCEPTS = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/n-triples": "nt",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "html",
    "*/*": "html",
    "text/turtle;q=0.5, application/ld+json": "jsonld",
}


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as shared:
        yield shared


def constructed(client: httpx.Client, graph: str) -> rdflib.Graph:
    """The graph's triples as the SPARQL endpoint of the same server gives them."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert answer.status_code == 200, answer.text
    return parse(answer.content, "nt")


def graph_names(client: httpx.Client) -> list[str]:
    """Every named graph under {base}graph/ the server's store holds."""
    answer = client.get(
        "/sparql",
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    iris = [row["g"]["value"] for row in answer.json()["results"]["bindings"]]
    return sorted(
        iri[len(BASE + "graph/") :]
        for iri in iris
        if iri.startswith(BASE + "graph/") and iri != BASE + "graph/system"
    )


def state(client: httpx.Client) -> dict[str, object]:
    """The store's generation and size, as /health reports them."""
    health = client.get("/health").json()
    return {key: health[key] for key in ("generation", "graphs", "triples")}


@pytest.mark.parametrize(("accept", "extension"), ACCEPTS.items())
def test_a_graph_iri_answers_303_to_the_document_in_the_format_asked_for(
    client: httpx.Client, accept: str, extension: str
) -> None:
    answer = client.get("/graph/data/ascn-cities", headers={"Accept": accept})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/doc/graph/data/ascn-cities.{extension}"
    assert "Accept" in answer.headers["vary"]
    links = answer.headers["link"]
    assert '</doc/graph/data/ascn-cities>; rel="describedby"' in links
    assert '</doc/graph/data/ascn-cities.nt>; rel="describedby"' in links


def test_no_acceptable_format_is_303_to_the_generic_document_which_is_406(
    client: httpx.Client,
) -> None:
    see_other = client.get("/graph/inferred", headers={"Accept": "image/png"})
    assert see_other.status_code == 303
    assert see_other.headers["location"] == "/doc/graph/inferred"
    refused = client.get("/doc/graph/inferred", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.json()["code"] == "not-acceptable"


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("extension", RDF_FORMATS)
def test_each_format_holds_exactly_the_graphs_triples(
    client: httpx.Client, name: str, extension: str
) -> None:
    media_type, rdflib_format = RDF_FORMATS[extension]
    answer = client.get(f"/doc/graph/{name}.{extension}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    document = parse(answer.content, rdflib_format)
    expected = constructed(client, BASE + "graph/" + name)
    assert len(expected) > 0
    assert len(document) == len(expected)
    assert isomorphic(document, expected)


def test_every_graph_of_the_store_dereferences_to_its_triples(client: httpx.Client) -> None:
    names = graph_names(client)
    assert {"framework", "def", "inferred", "data/ascn-projects-2025"} <= set(names)
    for name in names:
        see_other = client.get(f"/graph/{name}", headers={"Accept": "application/n-triples"})
        assert see_other.status_code == 303, name
        document = client.get(see_other.headers["location"])
        assert document.status_code == 200, name
        expected = constructed(client, BASE + "graph/" + name)
        assert isomorphic(parse(document.content, "nt"), expected), name


def test_the_negotiated_document_names_its_format_and_varies_on_accept(
    client: httpx.Client,
) -> None:
    answer = client.get("/doc/graph/framework", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["content-location"] == "/doc/graph/framework.ttl"
    assert "Accept" in answer.headers["vary"]
    assert answer.content == client.get("/doc/graph/framework.ttl").content


def test_the_html_page_names_the_graph_its_size_and_its_downloads(client: httpx.Client) -> None:
    size = len(constructed(client, BASE + "graph/framework"))
    page = client.get("/graph/framework", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"<code>{BASE}graph/framework</code>" in page.text
    assert "Named graph" in page.text
    assert f"{size:,} triples" in page.text
    for extension in RDF_FORMATS:
        assert f'href="/doc/graph/framework.{extension}"' in page.text


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "html"])
def test_graph_documents_have_validators_and_answer_304(
    client: httpx.Client, extension: str
) -> None:
    url = f"/doc/graph/inferred.{extension}"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    old = client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


def test_each_format_of_a_graph_has_its_own_etag_and_links_the_others(
    client: httpx.Client,
) -> None:
    tags = {client.get(f"/doc/graph/def.{ext}").headers["etag"] for ext in ("ttl", "nt", "html")}
    assert len(tags) == 3
    links = client.get("/doc/graph/def.ttl").headers["link"]
    assert '</doc/graph/def.nt>; rel="alternate"; type="application/n-triples"' in links
    assert f'<{BASE}graph/def>; rel="describes"' in links


def test_head_on_a_graph_document_is_get_without_the_body(client: httpx.Client) -> None:
    get = client.get("/doc/graph/framework.nt")
    head = client.head("/doc/graph/framework.nt")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


@pytest.mark.parametrize(
    "path",
    [
        "/graph/no-such-graph",
        "/graph/submission/0123456789ab",
        "/graph/system",
        "/graph/",
        "/graph/data/%2E%2E/framework",
        "/doc/graph/no-such-graph.ttl",
        "/doc/graph/no-such-graph",
        "/doc/graph/framework.png",
        "/doc/graph/",
    ],
)
def test_an_unknown_graph_is_404_with_a_json_error_and_changes_nothing(
    client: httpx.Client, path: str
) -> None:
    before = state(client)
    answer = client.get(path, headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == "not-found"
    assert body["message"]
    assert state(client) == before


def test_a_page_past_the_end_is_404_and_a_bad_page_400(client: httpx.Client) -> None:
    assert client.get("/doc/graph/def.ttl", params={"page": "2"}).status_code == 404
    assert client.get("/doc/graph/def.html", params={"page": "x"}).json()["code"] == (
        "unusable-input"
    )


# -- the ontology's version IRI ---------------------------------------------------


def current_version() -> str:
    """The version number of the owl:versionIRI that ontology/def.ttl declares."""
    ontology = rdflib.Graph().parse(REPO / "ontology" / "def.ttl")
    (iri,) = ontology.objects(rdflib.URIRef(BASE + "def"), OWL.versionIRI)
    assert str(iri).startswith(BASE + "def/")
    return str(iri)[len(BASE + "def/") :]


@pytest.mark.parametrize("accept", list(ACCEPTS))
def test_the_version_iri_dereferences_like_the_ontology(client: httpx.Client, accept: str) -> None:
    versioned = client.get(f"/def/{current_version()}", headers={"Accept": accept})
    plain = client.get("/def", headers={"Accept": accept})
    assert versioned.status_code == 303
    assert versioned.headers["location"] == plain.headers["location"]
    assert versioned.headers["location"].startswith("/doc/def")


def test_the_version_iri_leads_to_the_ontology_in_turtle(client: httpx.Client) -> None:
    answer = client.get(
        f"/def/{current_version()}", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert answer.status_code == 200
    ontology = parse(answer.content, "turtle")
    version_iri = rdflib.URIRef(f"{BASE}def/{current_version()}")
    assert (rdflib.URIRef(BASE + "def"), OWL.versionIRI, version_iri) in ontology


@pytest.mark.parametrize("version", ["0.0.1", "1.0.0", "0.1.10", "99.99.99"])  # none kept
def test_another_version_is_404_naming_the_current_one(client: httpx.Client, version: str) -> None:
    answer = client.get(f"/def/{version}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == "not-found"
    assert f"current version is {current_version()}" in body["message"]
    assert f"{BASE}def/{current_version()}" in body["message"]


def test_an_earlier_release_keeps_resolving_to_the_ontology_as_it_was(
    client: httpx.Client,
) -> None:
    assert current_version() != "0.1.0"
    answer = client.get("/def/0.1.0", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    released = parse(answer.content, "turtle")
    version_iri = rdflib.URIRef(f"{BASE}def/0.1.0")
    assert (rdflib.URIRef(BASE + "def"), OWL.versionIRI, version_iri) in released
    assert (rdflib.URIRef(BASE + "def/ProjectRecord"), None, None) not in released
    as_jsonld = client.get("/def/0.1.0", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(parse(as_jsonld.content, "json-ld"), released)
    # The current version says which one it follows.
    current = client.get(
        f"/def/{current_version()}", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert (rdflib.URIRef(BASE + "def"), OWL.priorVersion, version_iri) in parse(
        current.content, "turtle"
    )


@pytest.mark.parametrize("path", ["/def/0.1", "/def/0.1.0.ttl", "/def/v0.1.0", "/def/No.Such"])
def test_what_is_neither_a_version_nor_a_term_is_still_404(client: httpx.Client, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/plain"}).status_code == 404


def test_term_documents_still_work(client: httpx.Client) -> None:
    see_other = client.get("/def/FocusArea", headers={"Accept": "text/turtle"})
    assert see_other.status_code == 303
    assert see_other.headers["location"] == "/doc/def/FocusArea.ttl"
    for extension, (media_type, rdflib_format) in RDF_FORMATS.items():
        answer = client.get(f"/doc/def/FocusArea.{extension}")
        assert answer.status_code == 200
        assert answer.headers["content-type"].split(";")[0] == media_type
        described = parse(answer.content, rdflib_format)
        assert (rdflib.URIRef(BASE + "def/FocusArea"), None, None) in described
    assert client.get("/doc/def/FocusArea.html").status_code == 200


# -- a submission's graph ---------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """A server whose store holds one accepted submission."""

    client: httpx.Client
    token: str
    submission_id: str

    @property
    def graph(self) -> str:
        return f"{BASE}graph/submission/{self.submission_id}"


@pytest.fixture(scope="module")
def submitted(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Submitted]:
    settings = clone_settings(built, tmp_path_factory.mktemp("graph-submission"))
    _, token = TokenStore(settings.credentials_file).create(
        "Da Nang City", "Lan", cities=("da-nang",)
    )
    environment = {
        "ASCF_DATA_DIR": str(settings.data_dir),
        "ASCF_CONTENT_DIR": str(settings.content_dir),
    }
    with serving(environment) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield submit(client, token)


def submit(client: httpx.Client, token: str) -> Submitted:
    """Submit the valid example; the submission it made."""
    answer = client.post(
        "/submissions",
        content=VALID,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
    )
    assert answer.status_code == 201, answer.text
    return Submitted(client, token, answer.json()["submission"]["id"])


def test_a_submissions_graph_dereferences_with_its_provenance(submitted: Submitted) -> None:
    client = submitted.client
    path = f"/graph/submission/{submitted.submission_id}"
    see_other = client.get(path, headers={"Accept": "application/n-triples"})
    assert see_other.status_code == 303
    document = client.get(see_other.headers["location"])
    expected = constructed(client, submitted.graph)
    assert len(expected) > 0
    assert isomorphic(parse(document.content, "nt"), expected)
    page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    assert f"{len(expected):,} triples" in page.text
    assert submitted.submission_id in page.text  # dct:identifier, from the provenance graph
    assert "attributed" in page.text  # prov:wasAttributedTo the organisation


def test_a_validation_report_graph_dereferences(submitted: Submitted) -> None:
    report = f"{BASE}graph/provenance/{submitted.submission_id}/1"
    answer = submitted.client.get(
        f"/doc/graph/provenance/{submitted.submission_id}/1.ttl",
    )
    assert answer.status_code == 200
    assert isomorphic(parse(answer.content, "turtle"), constructed(submitted.client, report))


def test_health_counts_the_store_as_a_write_left_it(submitted: Submitted) -> None:
    # The server answered /health before the submission (it is how the fixture waits for
    # it), so a count kept from then would be stale: sizes are kept per generation.
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != <{BASE}graph/system>) }}"
    )
    answer = submitted.client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    counted = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    health = submitted.client.get("/health").json()
    assert health["triples"] == counted
    assert health["generation"].endswith("+1"), "one write since the build"


def test_a_retracted_submissions_graph_keeps_dereferencing_empty(submitted: Submitted) -> None:
    submitted = submit(submitted.client, submitted.token)  # its own, to retract
    client = submitted.client
    retracted = client.delete(
        f"/submissions/{submitted.submission_id}",
        headers={"Authorization": f"Bearer {submitted.token}"},
    )
    assert retracted.status_code == 200, retracted.text
    assert len(constructed(client, submitted.graph)) == 0
    path = f"/graph/submission/{submitted.submission_id}"
    see_other = client.get(path, headers={"Accept": "text/turtle"})
    assert see_other.status_code == 303
    document = client.get(see_other.headers["location"])
    assert document.status_code == 200
    assert len(parse(document.content, "turtle")) == 0
    page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert "0 triples" in page.text
    assert "invalidated" in page.text  # prov:invalidatedAtTime, from the provenance graph
