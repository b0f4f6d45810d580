"""ETags, 304s, the answer cache, and what a write (a new build published under the
running server) does to them."""

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ascf_graph.build.pipeline import build
from ascf_graph.core.settings import Settings
from tests.support.processes import children, cpu_ticks, wait_for
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import copy_content

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FRESH = "ASK { ?thing <http://www.w3.org/2000/01/rdf-schema#label> 'a fresh answer' }"
LABELS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?focusArea ?label WHERE {
  ?focusArea a <https://w3id.org/ascf/def/FocusArea> ; skos:prefLabel ?label
} ORDER BY ?label
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A private copy of the project's content, built (without HermiT) into its own folder."""
    settings = copy_content(tmp_path_factory.mktemp("caching"))
    build(settings, reasoner=False)
    return settings


@pytest.fixture(scope="module")
def caching(content: Settings) -> Iterator[ServerProcess]:
    """A server over that store, with a short time limit and two workers."""
    with running_server(content, ASCF_QUERY_TIMEOUT="3", ASCF_QUERY_WORKERS="2") as process:
        wait_for(lambda: len(children(process.pid)) == 2, "two query workers start")
        yield process


def get(server: ServerProcess, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.url}/sparql", params={"query": query}, headers=headers)


def test_every_answer_has_an_etag_and_a_cache_policy(caching: ServerProcess) -> None:
    answer = get(caching, LABELS)
    assert answer.status_code == 200
    assert answer.headers["etag"].startswith('W/"')
    assert answer.headers["cache-control"] == "public, no-cache"
    assert "Accept" in answer.headers["vary"]


def test_if_none_match_gives_304_without_a_body(caching: ServerProcess) -> None:
    first = get(caching, LABELS)
    again = get(caching, LABELS, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    listed = get(caching, LABELS, **{"If-None-Match": f'"other", {first.headers["etag"]}'})
    assert listed.status_code == 304


def test_a_post_gets_the_answer_whatever_its_if_none_match(caching: ServerProcess) -> None:
    """304 answers GET and HEAD only (RFC 9110, 13.1.2)."""
    etag = get(caching, LABELS).headers["etag"]
    for body in ({"data": {"query": LABELS}}, {"content": LABELS}):
        kind = {} if "data" in body else {"Content-Type": "application/sparql-query"}
        answer = httpx.post(
            f"{caching.url}/sparql", headers={"If-None-Match": etag, **kind}, **body
        )
        assert answer.status_code == 200
        assert answer.headers["etag"] == etag
        assert answer.json()["results"]["bindings"]


def test_a_stale_etag_gets_the_answer(caching: ServerProcess) -> None:
    answer = get(caching, LABELS, **{"If-None-Match": 'W/"not-this-one"'})
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"]


def test_the_etag_depends_on_query_format_and_dataset(caching: ServerProcess) -> None:
    tags = {
        get(caching, LABELS).headers["etag"],
        get(caching, LABELS, Accept="text/csv").headers["etag"],
        get(caching, LABELS + " LIMIT 2").headers["etag"],
        httpx.get(
            f"{caching.url}/sparql",
            params={"query": LABELS, "default-graph-uri": "https://w3id.org/ascf/graph/framework"},
        ).headers["etag"],
    }
    assert len(tags) == 4


def test_an_answer_that_can_change_by_itself_is_never_cached(caching: ServerProcess) -> None:
    answer = get(caching, "SELECT (RAND() AS ?r) (NOW() AS ?t) WHERE {}")
    assert answer.status_code == 200
    assert "etag" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"
    assert get(caching, "SELECT (RAND() AS ?r) WHERE {}").json() != answer.json()


def test_a_repeated_query_is_answered_from_the_cache_while_every_worker_is_busy(
    caching: ServerProcess,
) -> None:
    first = get(caching, LABELS, Accept="application/sparql-results+xml")
    assert first.status_code == 200

    outcomes: list[int] = []

    def occupy_a_worker() -> None:
        answer = httpx.get(
            f"{caching.url}/sparql", params={"query": RUNAWAY}, timeout=httpx.Timeout(10)
        )
        outcomes.append(answer.status_code)

    threads = [threading.Thread(target=occupy_a_worker) for _ in range(2)]
    for thread in threads:
        thread.start()

    def both_busy() -> bool:
        before = {pid: cpu_ticks(pid) for pid in children(caching.pid)}
        threading.Event().wait(0.3)
        return sum(cpu_ticks(pid) - ticks >= 3 for pid, ticks in before.items()) == 2

    wait_for(both_busy, "both workers are busy with runaway queries")
    cached = get(caching, LABELS, Accept="application/sparql-results+xml")
    assert all(thread.is_alive() for thread in threads), "answered while both workers were busy"
    assert cached.status_code == 200
    assert cached.content == first.content
    for thread in threads:
        thread.join()
    assert outcomes == [503, 503]
    wait_for(lambda: len(children(caching.pid)) == 2, "the workers are replaced")


def test_after_a_write_the_etag_changes_and_the_fresh_answer_is_returned(
    caching: ServerProcess, content: Settings
) -> None:
    before = get(caching, FRESH)
    assert before.json()["boolean"] is False
    sizes_before = httpx.get(f"{caching.url}/health").json()

    extra = Path(content.instance_dir) / "zz-fresh.ttl"
    extra.write_text(
        "<https://w3id.org/ascf/id/test/fresh> "
        "<http://www.w3.org/2000/01/rdf-schema#label> 'a fresh answer' .\n",
        encoding="utf-8",
    )
    build(content, reasoner=False)  # publishes a new store under the running server

    after = get(caching, FRESH, **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["boolean"] is True

    health = httpx.get(f"{caching.url}/health").json()
    assert health["generation"] != sizes_before["generation"]
    assert health["triples"] == sizes_before["triples"] + 1
    description = httpx.get(f"{caching.url}/sparql", headers={"Accept": "text/turtle"}).text
    assert "https://w3id.org/ascf/graph/data/zz-fresh" in description
