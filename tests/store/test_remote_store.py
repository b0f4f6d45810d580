"""The remote backend: real SPARQL servers behind the same Store interface.

The Oxigraph server (the `oxigraph` package from PyPI) and Virtuoso (Debian's
`virtuoso-opensource`), each on a free loopback port: the build publishes to
them, curated queries answer the same rows as on the embedded store, and the
service runs on them unchanged.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ascf_graph.build.pipeline import build
from ascf_graph.core.errors import QuerySyntaxError, StoreUnavailableError
from ascf_graph.core.settings import Settings
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.sparql import run as sparql
from ascf_graph.sparql.curated import CuratedQuery, load_curated
from ascf_graph.store.base import QueryResult, Store
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.remote import RemoteStore
from tests.support.servers import free_port, serving
from tests.support.stores import REPO

BASE = "https://w3id.org/ascf/"
QUERIES = load_curated(REPO / "queries")
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture
def remote(remote_settings: Settings) -> Iterator[RemoteStore]:
    store = RemoteStore(
        str(remote_settings.store_url),
        base_iri=BASE,
        update_url=str(remote_settings.store_update_url),
    )
    yield store
    store.close()


def rows(result: QueryResult) -> list[tuple[str | None, ...]]:
    """The answer as sorted rows of lexical values, in a form both engines agree on.

    SPARQL 1.1 leaves open the order of GROUP_CONCAT, whether it keeps a
    common language tag, and the exact integer type of COUNT; Virtuoso and
    Oxigraph choose differently, so those are normalised here.
    """
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return sorted(
        tuple(_cell(s[n]) for n in names)
        for s in result  # type: ignore[union-attr]
    )


def _cell(term: object) -> str | None:
    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return str(term)
    if term.value == "":
        return None
    for separator in (", ", "; "):
        if separator in term.value:
            return separator.join(sorted(term.value.split(separator)))
    return term.value


def test_the_build_publishes_every_graph_with_the_embedded_counts(
    remote: RemoteStore, store: EmbeddedStore
) -> None:
    remote_sizes = remote.graph_sizes()
    embedded_sizes = store.graph_sizes()
    inferred = f"{BASE}graph/inferred"
    assert remote_sizes.keys() == embedded_sizes.keys()
    for name, size in embedded_sizes.items():
        if name != inferred:  # the embedded fixture was built with HermiT's extra facts
            assert remote_sizes[name] == size, name
    assert remote_sizes[inferred] > 0
    assert not [name for name in remote_sizes if name.startswith("urn:ascf:staging")]


@pytest.mark.parametrize("query", QUERIES.values(), ids=lambda q: q.name)
def test_curated_queries_answer_the_same_rows_remote_and_embedded(
    remote: RemoteStore, store: EmbeddedStore, query: CuratedQuery
) -> None:
    assert rows(sparql.run(remote, query.text)) == rows(sparql.run(store, query.text))
    for parameter in query.parameters:
        example = parameter.description.split("e.g. ")[1].split()[0]
        bound = query.bind({parameter.name: example})
        remote_rows = rows(sparql.run(remote, query.text, substitutions=bound))
        assert remote_rows, f"{query.name} with {parameter.name}={example}"
        assert remote_rows == rows(sparql.run(store, query.text, substitutions=bound))


def test_a_bound_literal_is_data_not_query_text(remote: RemoteStore) -> None:
    hostile = ox.Literal('x" } } ; DROP ALL ; SELECT * { "')
    answer = remote.query("SELECT ?text WHERE { ?s ?p ?text }", substitutions={"text": hostile})
    assert list(answer) == []  # type: ignore[arg-type]
    assert remote.graph_sizes()


def test_a_rebuild_changes_the_generation_and_keeps_submissions(
    remote_settings: Settings, remote: RemoteStore
) -> None:
    submission = ox.NamedNode(f"{BASE}graph/submission/kept")
    remote.update(f"INSERT DATA {{ GRAPH {submission} {{ <urn:a> <urn:b> <urn:c> }} }}")
    before = remote.generation
    build(remote_settings, reasoner=False)
    assert remote.generation != before
    assert remote.graph_sizes()[submission.value] == 1


def test_a_bad_query_names_the_servers_complaint(remote: RemoteStore) -> None:
    with pytest.raises(QuerySyntaxError, match="refused"):
        remote.query("SELECT ?x WHERE { ?x ")


def test_an_unreachable_store_is_a_clear_503() -> None:
    gone = RemoteStore(f"http://127.0.0.1:{free_port()}/query", base_iri=BASE, timeout=2)
    with pytest.raises(StoreUnavailableError, match="cannot be reached") as raised:
        gone.query("ASK {}")
    assert raised.value.status == 503


def test_the_service_answers_sparql_from_the_remote_store(
    remote_settings: Settings, tmp_path: Path
) -> None:
    environment = {
        "ASCF_STORE_URL": str(remote_settings.store_url),
        "ASCF_STORE_UPDATE_URL": str(remote_settings.store_update_url),
        "ASCF_DATA_DIR": str(tmp_path / "none"),
    }
    with serving(environment) as url:
        answer = httpx.get(
            f"{url}/sparql",
            params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{BASE}def/FocusArea> }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"][0]["n"]["value"] == "6"
    assert not (tmp_path / "none").exists()


def test_a_graph_change_is_one_request_with_a_new_generation(remote: RemoteStore) -> None:
    """The stewards' write path on a remote store: replace, append, drop, generation."""
    before = remote.generation
    data, log = "urn:ascf:test:submission", "urn:ascf:test:log"
    subject, link, value = ox.NamedNode("urn:ex:s"), ox.NamedNode("urn:ex:p"), ox.Literal("1")
    budget = ox.BlankNode()
    change = GraphChange(
        replace={data: [ox.Triple(subject, link, budget), ox.Triple(budget, link, value)]},
        append={log: [ox.Triple(subject, link, ox.Literal("written"))]},
    )
    generation = remote.apply(change)
    assert generation != before
    assert remote.generation == generation
    linked = remote.query(
        "SELECT ?g ?s ?p ?v WHERE { GRAPH ?g { ?s ?p ?b . ?b ?p ?v } }",
        substitutions={"g": ox.NamedNode(data), "s": subject, "p": link, "v": value},
    )
    assert len(list(linked)) == 1  # type: ignore[arg-type]
    remote.apply(GraphChange(drop=[data, log]))
    assert not {data, log} & remote.graph_sizes().keys()
    assert remote.generation not in (before, generation)


@pytest.fixture(scope="module")
def embedded_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The same content built into an embedded store the same way (no reasoner)."""
    settings = Settings(content_dir=REPO, data_dir=tmp_path_factory.mktemp("twin") / "store")
    build(settings, reasoner=False, validate_content=False)  # the shared build validated it
    store = EmbeddedStore.open(settings.data_dir, read_only=True)
    yield store
    store.close()


DESCRIBED = (
    "id/city/kuching",  # ASCN memberships are blank nodes: skolem IRIs on a remote store
    "id/focus-area/built-infrastructure",  # hundreds of inbound links, over several pages
    "id/framework",
    "def/City",
)


@pytest.mark.parametrize("path", DESCRIBED)
def test_a_description_reads_the_same_from_a_remote_store(
    remote: RemoteStore, embedded_twin: EmbeddedStore, path: str
) -> None:
    target = addresses.target_for_resource(BASE, path)
    assert target is not None

    def graph(store: Store) -> rdflib.Graph:
        links = linked_data.inbound_links(store, target)
        pages = linked_data.pages_for(len(links), page_size=20)
        triples = [
            triple
            for page in range(1, pages + 1)
            for triple in linked_data.describe(
                store, target, modified=MOMENT, license_iri=None, page=page, page_size=20
            ).triples
        ]
        return to_rdflib_graph(triples)

    remote_graph, embedded_graph = graph(remote), graph(embedded_twin)
    assert len(embedded_graph) > 10
    # Virtuoso turns a geo:wktLiteral into its own geometry type, its numbers in single
    # precision ("POINT(110.33332824707 1.5499999523163)"): the same point within a
    # metre, not the same literal. Every other statement must be the same.
    remote_points, embedded_points = points(remote_graph), points(embedded_graph)
    assert len(remote_points) == len(embedded_points)
    for got, want in zip(remote_points, embedded_points, strict=True):
        assert got == pytest.approx(want, abs=1e-5)
    assert isomorphic(remote_graph, embedded_graph), path


AS_WKT = rdflib.URIRef("http://www.opengis.net/ont/geosparql#asWKT")


def points(graph: rdflib.Graph) -> list[tuple[float, ...]]:
    """The WKT points of ``graph``, as numbers, taken out of it."""
    found = []
    for triple in list(graph.triples((None, AS_WKT, None))):
        numbers = str(triple[2]).split("(", 1)[1].rstrip(")").split()
        found.append(tuple(float(n) for n in numbers))
        graph.remove(triple)
    return sorted(found)


def test_statements_match_patterns_alike_on_either_store(
    remote: RemoteStore, embedded_twin: EmbeddedStore
) -> None:
    city, a = ox.NamedNode(f"{BASE}def/City"), ox.NamedNode(RDF_TYPE)
    cities = [t.subject for t in embedded_twin.statements(predicates=[a], objects=[city])]
    assert len(cities) > 20
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for store in (remote, embedded_twin):
        assert store.statements(subjects=[]) == []
    assert set(remote.statements(predicates=[a], objects=[city])) == set(
        embedded_twin.statements(predicates=[a], objects=[city])
    )
    many = cities * 3  # repeated, and more than one VALUES block holds
    assert set(remote.statements(subjects=many, predicates=[label])) == set(
        embedded_twin.statements(subjects=many, predicates=[label])
    )
    framework = f"{BASE}graph/framework"
    for asked in (
        {"subjects": many, "predicates": [label, a]},
        {"subjects": many, "predicates": [label, a], "outside": [framework]},
        {"subjects": many, "predicates": []},
        {"predicates": [a], "objects": [city], "outside": [framework]},
    ):
        assert set(remote.statements(**asked)) == set(embedded_twin.statements(**asked)), asked
    assert remote.statements(subjects=many, predicates=[label, a]), "the example finds some"


def test_which_triples_are_stated_is_answered_alike_on_either_store(
    remote: RemoteStore, embedded_twin: EmbeddedStore
) -> None:
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    labelled = embedded_twin.statements(predicates=[label])
    unstated = [ox.Triple(t.subject, t.predicate, ox.Literal("no such label")) for t in labelled]
    asked = labelled + unstated
    assert len(labelled) > 400  # more rows than one VALUES block holds
    cities = next(g for g in embedded_twin.graph_sizes() if g.endswith("/data/ascn-cities"))
    in_cities = set(embedded_twin.graph_triples(cities))
    for store in (remote, embedded_twin):
        assert store.stated(asked) == set(labelled)
        assert store.stated([]) == set()
        assert store.stated(asked, outside=[cities]) == set(labelled) - in_cities
