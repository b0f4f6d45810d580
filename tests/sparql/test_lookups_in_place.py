"""Lookups are answered in the server itself, with the answer a worker would give.

A lookup (one triple pattern, bounded by its shape) skips the hop to a
worker: it is evaluated on the server's own handle of the embedded store,
writing into a buffer capped at ``ASCF_LOOKUP_IN_PLACE_BYTES``. These tests
check that it is the same answer, that an answer too large for the cap, a
write landing meanwhile and an engine error all go to the runner as before,
and, on a real server, that lookups are counted as answered in place.
"""

import json
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest

from ascf_graph.core.errors import QuerySyntaxError
from ascf_graph.html.results_table import render_table
from ascf_graph.sparql import in_place
from ascf_graph.sparql.jobs import QueryJob
from ascf_graph.sparql.runners import ThreadRunner
from ascf_graph.sparql.service import Answer, QueryRequest, QueryService
from ascf_graph.store.answer_cache import AnswerCache
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.embedded import EmbeddedStore

pytestmark = pytest.mark.anyio

DA_NANG = "https://w3id.org/ascf/id/city/da-nang"
LOOKUP = f"SELECT ?p ?o WHERE {{ VALUES ?s {{ <{DA_NANG}> }} ?s ?p ?o }}"
NOT_A_LOOKUP = f"SELECT ?p ?o WHERE {{ <{DA_NANG}> ?p ?o FILTER(true) }}"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
WRITE = GraphChange(
    append={
        "https://w3id.org/ascf/graph/submission/test": [
            ox.Triple(ox.NamedNode(DA_NANG), ox.NamedNode(LABEL), ox.Literal("written meanwhile"))
        ]
    }
)


def service(in_place_bytes: int) -> QueryService:
    return QueryService(
        ThreadRunner(30),
        AnswerCache(1024 * 1024),
        render_table=render_table,
        service_allow_list=[],
        buffer_bytes=1024 * 1024,
        max_table_bytes=1024 * 1024,
        max_age=0,
        in_place_bytes=in_place_bytes,
    )


async def ask(service: QueryService, store: EmbeddedStore, text: str = LOOKUP) -> Answer:
    request = QueryRequest(text=text, formats=("json",))
    return await service.answer(store, request, scope="sparql")


def rows(body: bytes) -> list[str]:
    """The answer's rows, comparable whatever order the engine wrote them in."""
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(json.dumps(row, sort_keys=True) for row in bindings)


async def test_a_lookup_is_answered_in_place_as_the_runner_answers_it(
    store: EmbeddedStore,
) -> None:
    in_place_service, runner_service = service(64 * 1024), service(0)
    answered_in_place = await ask(in_place_service, store)
    answered_by_runner = await ask(runner_service, store)
    assert in_place_service.answered_in_place == 1
    assert runner_service.answered_in_place == 0
    assert rows(answered_in_place.body) == rows(answered_by_runner.body)
    assert len(rows(answered_in_place.body)) > 5
    assert answered_in_place.headers["ETag"] == answered_by_runner.headers["ETag"]
    assert answered_in_place.media_type == answered_by_runner.media_type


async def test_an_in_place_answer_is_cached_and_revalidated(store: EmbeddedStore) -> None:
    in_place_service = service(64 * 1024)
    first = await ask(in_place_service, store)
    again = await ask(in_place_service, store)
    assert again.body == first.body
    assert in_place_service.answered_in_place == 1, "the second came from the cache"
    revalidated = await in_place_service.answer(
        store,
        QueryRequest(text=LOOKUP, formats=("json",), if_none_match=first.headers["ETag"]),
        scope="sparql",
    )
    assert revalidated.status == 304


async def test_an_answer_larger_than_the_cap_goes_to_the_runner_whole(
    store: EmbeddedStore,
) -> None:
    small_cap = service(200)
    answer = await ask(small_cap, store)
    assert small_cap.answered_in_place == 0
    assert len(answer.body) > 200
    assert rows(answer.body) == rows((await ask(service(0), store)).body)


async def test_what_is_not_a_lookup_goes_to_the_runner(store: EmbeddedStore) -> None:
    in_place_service = service(64 * 1024)
    answer = await ask(in_place_service, store, NOT_A_LOOKUP)
    assert in_place_service.answered_in_place == 0
    assert rows(answer.body) == rows((await ask(service(0), store)).body)


async def test_a_write_landing_during_the_lookup_sends_it_to_the_runner(
    private_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer would hold data of a generation other than the one read before it."""
    evaluate = in_place.evaluate

    def write_then_evaluate(store: ox.Store, job: QueryJob, output: object) -> None:
        private_store.apply(WRITE)
        monkeypatch.setattr(in_place, "evaluate", evaluate)
        evaluate(store, job, output)  # type: ignore[arg-type]

    monkeypatch.setattr(in_place, "evaluate", write_then_evaluate)
    in_place_service = service(64 * 1024)
    raced = await ask(in_place_service, private_store)
    assert in_place_service.answered_in_place == 0
    assert "written meanwhile" in raced.body.decode()

    # the runner's threads cannot tell which generation they read either: no name
    assert "ETag" not in raced.headers
    settled_service = service(64 * 1024)
    settled = await ask(settled_service, private_store)
    assert settled_service.answered_in_place == 1, "no write meanwhile"
    assert rows(settled.body) == rows(raced.body)
    by_runner = await ask(service(0), private_store)
    assert settled.headers["ETag"] == by_runner.headers["ETag"], "named by the written generation"


async def test_an_engine_error_in_a_lookup_is_worded_by_the_runner(store: EmbeddedStore) -> None:
    undeclared_prefix = "SELECT ?o WHERE { ex:a ?p ?o }"
    for in_place_bytes in (64 * 1024, 0):
        with pytest.raises(QuerySyntaxError, match="SPARQL syntax error"):
            await ask(service(in_place_bytes), store, undeclared_prefix)


def lookups_in_place(server: str) -> float:
    metrics = httpx.get(f"{server}/metrics").text
    for line in metrics.splitlines():
        if line.startswith("ascf_sparql_lookups_in_place_total"):
            return float(line.split()[-1])
    raise AssertionError("ascf_sparql_lookups_in_place_total is not in /metrics")


def test_a_real_server_answers_lookups_in_place_and_counts_them(server: str) -> None:
    def get(text: str) -> httpx.Response:
        url = f"{server}/sparql?{urlencode({'query': text})}"
        return httpx.get(url, headers={"Accept": "application/sparql-results+json"})

    before = lookups_in_place(server)
    # a comment makes each text new to the answer cache
    looked_up = get(f"{LOOKUP} # in place {before}")
    assert lookups_in_place(server) == before + 1
    by_worker = get(f"{NOT_A_LOOKUP} # by a worker {before}")
    assert lookups_in_place(server) == before + 1
    assert looked_up.status_code == by_worker.status_code == 200
    assert rows(looked_up.content) == rows(by_worker.content)
    assert looked_up.headers["Content-Type"] == by_worker.headers["Content-Type"]
    revalidated = httpx.get(
        looked_up.request.url,
        headers={
            "Accept": "application/sparql-results+json",
            "If-None-Match": looked_up.headers["ETag"],
        },
    )
    assert revalidated.status_code == 304
