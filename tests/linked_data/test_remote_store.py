"""Linked data from a remote store (Oxigraph server, Virtuoso) answers as from the embedded one.

The remote store holds blank nodes as skolem IRIs; descriptions follow them
and write them back as blank nodes (compared here without their labels).
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from ascf_graph.build.pipeline import build
from ascf_graph.core.namespaces import GENID_PATH
from ascf_graph.core.settings import Settings
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.rdf_documents import RDF_FORMATS
from tests.support.rdf_documents import parse as rdflib_graph
from tests.support.servers import serving
from tests.support.stores import REPO

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/ascf/"
NT = addresses.format_for_extension("nt")
JSON = {"Accept": "application/json"}
SAMPLES = [
    ("id/focus-area/civic-and-social", 1),
    ("id/city/da-nang", 1),
    ("id/project/bangkok-bang-sue-smart-city", 1),
    ("id/sub-area/tourism", 1),
    ("def/sourceParagraph", 1),
    ("id/project-status/ongoing-and-under-planning", 2),
]


@pytest.fixture(scope="module")
def plain_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The content built as the remote one is (no reasoner), on the embedded store."""
    settings = Settings(content_dir=REPO, data_dir=tmp_path_factory.mktemp("plain") / "store")
    build(settings, reasoner=False, validate_content=False)  # the shared build validated it
    store = EmbeddedStore.open(settings.data_dir)
    yield store
    store.close()


def statements(body: str) -> set[str]:
    """The N-Triples lines, less blank node labels and the modification time."""
    return {
        line
        for line in body.splitlines()
        if line and "_:" not in line and "/terms/modified>" not in line
    }


def figure_counts(html: str) -> list[str]:
    """The project counts the home page's figure shows, in order."""
    return re.findall(r'<span class="count">([^<]*)</span>', html)


def test_descriptions_are_the_same_from_a_remote_store(
    remote_settings: Settings,
    plain_store: EmbeddedStore,
    server: str,
    tmp_path: Path,
) -> None:
    environment = {
        "ASCF_STORE_URL": str(remote_settings.store_url),
        "ASCF_STORE_UPDATE_URL": str(remote_settings.store_update_url),
        "ASCF_DATA_DIR": str(tmp_path / "cache"),
    }
    moment = datetime.now(UTC)
    with serving(environment) as remote, httpx.Client(timeout=30) as client:
        for path, page in SAMPLES:
            target = addresses.target_for_resource(BASE, path)
            assert target is not None
            answer = client.get(remote + target.document_url(NT, page))
            assert answer.status_code == 200, (path, answer.text[:500])
            expected = linked_data.describe(
                plain_store, target, modified=moment, license_iri=None, page=page
            )
            body = linked_data.serialize(expected.triples, NT, BASE).decode()
            licence = {line for line in statements(answer.text) if "/terms/license>" in line}
            assert statements(answer.text) - licence == statements(body), path
        see_other = client.get(remote + "/id/city/da-nang", headers={"Accept": "text/html"})
        assert see_other.status_code == 303
        page_html = client.get(remote + see_other.headers["location"])
        assert "Da Nang" in page_html.text
        home, embedded_home = client.get(remote + "/"), client.get(server + "/")
        assert home.status_code == 200
        assert figure_counts(home.text) == figure_counts(embedded_home.text)
        hits = client.get(remote + "/search", params={"q": "heal"}, headers=JSON).json()["hits"]
        assert hits[0]["label"] == "Health and Well-being"


REMOTE_GRAPHS = ("def", "data/ascn-cities", "inferred")
GRAPH_CONSTRUCT = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


def constructed_remotely(endpoint: str, graph: str) -> rdflib.Graph:
    """The graph's triples as the remote server's own CONSTRUCT gives them in Turtle,
    skolem IRIs back as blank nodes."""
    answer = httpx.post(
        endpoint,
        data={"query": GRAPH_CONSTRUCT.format(graph=graph)},
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:300]
    skolem = BASE + GENID_PATH

    def term(node: rdflib.term.Node) -> rdflib.term.Node:
        if isinstance(node, rdflib.URIRef) and str(node).startswith(skolem):
            return rdflib.BNode(str(node)[len(skolem) :])
        return node

    graph_read = rdflib.Graph()
    for triple in rdflib_graph(answer.content, "turtle"):
        graph_read.add(tuple(term(node) for node in triple))  # type: ignore[arg-type]
    return graph_read


def test_named_graphs_and_the_version_iri_dereference_from_a_remote_store(
    remote_settings: Settings,
    tmp_path: Path,
) -> None:
    """Each graph's document holds the graph's triples as the remote store's own CONSTRUCT
    gives them (skolem IRIs written back as blank nodes), in every RDF format."""
    query_url = str(remote_settings.store_url)
    environment = {
        "ASCF_STORE_URL": str(remote_settings.store_url),
        "ASCF_STORE_UPDATE_URL": str(remote_settings.store_update_url),
        "ASCF_DATA_DIR": str(tmp_path / "cache"),
    }
    with serving(environment) as remote, httpx.Client(base_url=remote, timeout=30) as client:
        for name in REMOTE_GRAPHS:
            expected = constructed_remotely(query_url, f"{BASE}graph/{name}")
            assert len(expected) > 0, name
            see_other = client.get(f"/graph/{name}", headers={"Accept": "text/turtle"})
            assert see_other.status_code == 303, name
            assert see_other.headers["location"] == f"/doc/graph/{name}.ttl"
            for extension, (_, rdflib_format) in RDF_FORMATS.items():
                document = client.get(f"/doc/graph/{name}.{extension}")
                assert document.status_code == 200, (name, extension, document.text[:300])
                assert isomorphic(rdflib_graph(document.content, rdflib_format), expected), name
        missing = client.get("/graph/no-such-graph", headers=JSON)
        assert missing.status_code == 404
        assert missing.json()["code"] == "not-found"
        current = client.get("/def/9.9.9", headers=JSON).json()["message"].split("version is ")[1]
        number = current.split(",")[0]
        assert client.get(f"/def/{number}", headers={"Accept": "text/turtle"}).status_code == 303
