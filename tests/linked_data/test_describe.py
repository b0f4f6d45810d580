"""Descriptions, as plain functions over a real store: retired concepts, paging, caching."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from ascf_graph.html import pages as web
from ascf_graph.html.resource_view import build_view
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.generation_cache import GenerationCache

BASE = "https://w3id.org/ascf/"
MOMENT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
RETIRED = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/ascf/id/sub-area/smart-kiosks> a skos:Concept ;
    skos:prefLabel "Smart Kiosks"@en ;
    owl:deprecated true ;
    dct:isReplacedBy <https://w3id.org/ascf/id/sub-area/public-and-municipal-services> .
<https://w3id.org/ascf/id/sub-area/public-and-municipal-services>
    skos:prefLabel "Public and Municipal Services"@en .
"""


def target(path: str) -> addresses.Target:
    found = addresses.target_for_resource(BASE, path)
    assert found is not None
    return found


@pytest.fixture
def retired_store() -> EmbeddedStore:
    quads = ox.parse(RETIRED.encode(), format=ox.RdfFormat.TURTLE)
    graph = ox.NamedNode(BASE + "graph/framework")
    return EmbeddedStore.in_memory(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)


def test_a_retired_concept_still_answers_and_says_what_replaces_it(
    retired_store: EmbeddedStore,
) -> None:
    retired = target("id/sub-area/smart-kiosks")
    assert linked_data.exists(retired_store, retired)
    description = linked_data.describe(retired_store, retired, modified=MOMENT, license_iri=None)
    view = build_view(description)
    assert view.deprecated
    assert [v.text for v in view.replaced_by] == ["Public and Municipal Services"]
    page = web.render_resource(web.environment(), description, license_iri=None)
    assert "This concept is retired" in page
    assert 'href="/doc/sub-area/public-and-municipal-services"' in page


def test_unknown_resources_do_not_exist(retired_store: EmbeddedStore) -> None:
    assert not linked_data.exists(retired_store, target("id/sub-area/nothing"))


def test_inbound_links_are_split_into_pages_without_overlap(store: EmbeddedStore) -> None:
    status = target("id/project-status/ongoing-and-under-planning")
    total = len(linked_data.inbound_links(store, status))
    assert total > 20
    seen: set[ox.Triple] = set()
    pages = linked_data.pages_for(total, page_size=20)
    for page in range(1, pages + 1):
        description = linked_data.describe(
            store, status, modified=MOMENT, license_iri=None, page=page, page_size=20
        )
        inbound = {t for t in description.triples if t.object == ox.NamedNode(status.iri)}
        inbound = {t for t in inbound if isinstance(t.subject, ox.NamedNode)}
        inbound -= {t for t in inbound if t.subject.value.startswith(BASE + "doc/")}
        assert not inbound & seen
        seen |= inbound
    assert len(seen) == total


def test_a_description_carries_its_blank_nodes(store: EmbeddedStore) -> None:
    city = target("id/city/da-nang")
    description = linked_data.describe(store, city, modified=MOMENT, license_iri=None)
    memberships = [
        t.object for t in description.triples if t.predicate.value.endswith("#hasMembership")
    ]
    assert memberships
    assert any(t.subject == memberships[0] for t in description.triples)


SHARING = (
    "id/city/da-nang",  # blank-node memberships
    "id/project-status/ongoing-and-under-planning",  # inbound links from many projects
    "id/focus-area/built-infrastructure",
    "id/framework",
    "def/City",
    "id/city/singapore",
)


def test_shared_node_facts_describe_exactly_what_the_store_says(store: EmbeddedStore) -> None:
    shared = linked_data.SharedNodeFacts(store)
    for path in SHARING * 2:  # the second round is answered from what the first learnt
        described = target(path)
        fresh = linked_data.describe(store, described, modified=MOMENT, license_iri=None)
        via_cache = linked_data.describe(
            store, described, modified=MOMENT, license_iri=None, shared=shared
        )
        assert via_cache == fresh, path


def test_shared_node_facts_stop_learning_when_full_and_stay_right(store: EmbeddedStore) -> None:
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    cities = [t.subject for t in store.statements(objects=[ox.NamedNode(BASE + "def/City")])]
    assert len(cities) > 10
    shared = linked_data.SharedNodeFacts(store, max_nodes=4)
    for round_ in range(2):
        expected = set(store.statements(subjects=cities, predicates=[label]))
        assert set(shared(cities, (label,))) == expected, round_
        assert set(shared(cities[:3], (label,))) == {t for t in expected if t.subject in cities[:3]}


def test_the_cache_keeps_the_two_newest_generations(tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path, grace_seconds=0)
    calls: list[str] = []
    assert cache.memo("g1", "k", lambda: calls.append("g1") or 1) == 1
    assert cache.memo("g1", "k", lambda: calls.append("again") or 2) == 1
    written = cache.file("g1", "dumps/a.txt", lambda p: p.write_text("one"))
    assert written.read_text() == "one"
    assert cache.memo("g2", "k", lambda: calls.append("g2") or 3) == 3
    assert cache.memo("g1", "k", lambda: calls.append("again") or 2) == 1
    assert written.exists()
    assert cache.memo("g3", "k", lambda: calls.append("g3") or 4) == 4
    assert calls == ["g1", "g2", "g3"]
    assert not written.exists(), "an older generation's files are removed once unused"
    assert cache.modified("g3") <= datetime.now(UTC)


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path)

    def fail(path: Path) -> None:
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cache.file("g1", "x.ttl", fail)
    assert [p.name for p in cache.folder("g1").iterdir() if not p.name.startswith(".first")] == []


def test_the_cli_prints_a_description(cli_settings: object) -> None:
    command = [sys.executable, "-m", "ascf_graph", "describe"]
    done = subprocess.run(
        [*command, BASE + "id/sub-area/tourism", "--format", "nt"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    triples = list(ox.parse(done.stdout, format=ox.RdfFormat.N_TRIPLES))
    assert ox.NamedNode(BASE + "id/sub-area/tourism") in {t.subject for t in triples}
    missing = subprocess.run(
        [*command, BASE + "id/sub-area/nowhere"], capture_output=True, check=False
    )
    assert missing.returncode == 2
    assert b"nothing is known" in missing.stderr
