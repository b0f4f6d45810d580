"""The time limit holds on a remote store: the store stops the work itself.

This service stops waiting at ``ASCF_QUERY_TIMEOUT`` and answers 503, but only the
store can stop evaluating. So the store runs with its own limit (Oxigraph
``--timeout-s``, Virtuoso ``MaxQueryExecutionTime``, as in docker-compose.yml and the
fixtures of test_remote_store.py), and whatever way it reports a stopped query becomes
503 ``query-timeout``, never a partial answer.

The runaway query here joins three patterns under a FILTER: Oxigraph 0.5 checks its
cancellation there. (It does not check it inside a COUNT over a bare cross product,
which keeps running past ``--timeout-s``: a limitation of the engine, see
docs/limits-and-security.md.)
"""

import subprocess
import threading
from collections.abc import Iterator

import httpx
import psutil
import pytest

from ascf_graph.core.errors import QueryTimeoutError
from ascf_graph.store.remote import RemoteStore
from tests.support.processes import wait_for
from tests.support.remote_stores import Endpoints, start_oxigraph, start_virtuoso
from tests.support.servers import serving

TIME_LIMIT = 3
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?c + ?f + ?i = -1) }"
COUNT_RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

Server = tuple[subprocess.Popen[bytes], Endpoints]

BASE = "https://w3id.org/ascf/"


def fill(endpoints: Endpoints) -> None:
    """2,000 triples, so that three patterns joined make 8 billion rows."""
    store = RemoteStore(endpoints.query, base_iri=BASE, update_url=endpoints.update)
    try:
        for start in range(0, 2000, 200):  # Virtuoso caps the SQL one update compiles to
            triples = " ".join(
                f"<urn:test:s{i}> <urn:test:p> {i} ." for i in range(start, start + 200)
            )
            store.update(f"INSERT DATA {{ GRAPH <urn:test:g> {{ {triples} }} }}")
    finally:
        store.close()


def cpu_percent(pid: int) -> float:
    """The CPU a process uses over the next half second, in percent of one core."""
    return psutil.Process(pid).cpu_percent(interval=0.5)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An Oxigraph server that stops queries after TIME_LIMIT seconds."""
    process, endpoints = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), TIME_LIMIT)
    try:
        fill(endpoints)
        yield process, endpoints
    finally:
        stop(process)


def test_a_runaway_query_leaves_the_remote_oxigraph_server_idle(oxigraph: Server) -> None:
    process, endpoints = oxigraph
    environment = {
        "ASCF_STORE_URL": endpoints.query,
        "ASCF_STORE_UPDATE_URL": endpoints.update,
        "ASCF_QUERY_TIMEOUT": str(TIME_LIMIT),
    }
    with serving(environment) as url:
        outcome: dict[str, httpx.Response] = {}

        def run_away() -> None:
            outcome["answer"] = httpx.get(
                f"{url}/sparql", params={"query": RUNAWAY}, timeout=TIME_LIMIT + 2
            )

        runaway = threading.Thread(target=run_away)
        runaway.start()
        wait_for(lambda: cpu_percent(process.pid) > 50, "the Oxigraph server evaluates")
        runaway.join()
        answer = outcome["answer"]
        assert answer.status_code == 503
        assert answer.json()["code"] == "query-timeout"
        wait_for(
            lambda: cpu_percent(process.pid) < 5,
            "the Oxigraph server is idle again",
            patience=10,
        )


def test_oxigraph_stopping_a_begun_answer_is_a_timeout(oxigraph: Server) -> None:
    """Oxigraph has sent 200 and the answer's head when its limit strikes: the answer
    then ends with its message instead of the rest, which must not pass for an answer."""
    _, endpoints = oxigraph
    store = RemoteStore(endpoints.query, base_iri=BASE, timeout=30)
    try:
        with pytest.raises(QueryTimeoutError, match="its own time limit"):
            store.query(RUNAWAY)
    finally:
        store.close()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Virtuoso server that stops queries after two seconds, estimating none too costly
    to start (so that the time limits, not the estimate, stop the runaway query)."""
    process, endpoints = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), 2, estimate_limit=0)
    try:
        fill(endpoints)
        yield process, endpoints
    finally:
        stop(process)


@pytest.mark.parametrize(
    ("timeout", "parameter"),
    [(30.0, None), (1.0, "timeout")],
    ids=["MaxQueryExecutionTime", "timeout parameter"],
)
def test_virtuoso_stopping_a_query_is_a_timeout_never_a_partial_answer(
    virtuoso: Server, timeout: float, parameter: str | None
) -> None:
    """Virtuoso answers 500 at its server-wide limit; at the limit sent with the query it
    answers 200 with the rows found so far (an "anytime" query), marked only by a header."""
    process, endpoints = virtuoso
    per_query = {"timeout_parameter": parameter} if parameter else {}
    store = RemoteStore(endpoints.query, base_iri=BASE, timeout=timeout, **per_query)
    try:
        with pytest.raises(QueryTimeoutError, match="its own time limit"):
            store.query(COUNT_RUNAWAY)
    finally:
        store.close()
    wait_for(lambda: cpu_percent(process.pid) < 5, "the Virtuoso server is idle again", 10)
