"""Limits that hold under load: the time limit stops the work and frees its CPU while other
queries are answered, big answers stream without being held in memory, and a client that
leaves stops its query.

The servers here are real `ascf-graph serve` processes; worker processes are found
through /proc, and the time limit is checked as the client's own deadline, never by
measuring how long something took.
"""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from ascf_graph.core.settings import Settings
from tests.support.processes import busy_worker, children, cpu_ticks, resident_memory_kib, wait_for
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import clone_settings

TIME_LIMIT = 3.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = "ASK { ?s a <https://w3id.org/ascf/def/FocusArea> }"


@pytest.fixture(scope="module")
def limited(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a short time limit and two query workers."""
    settings = clone_settings(built, tmp_path_factory.mktemp("limited"))
    with running_server(
        settings, ASCF_QUERY_TIMEOUT=str(TIME_LIMIT), ASCF_QUERY_WORKERS="2"
    ) as process:
        wait_for(lambda: len(children(process.pid)) == 2, "two query workers start")
        yield process


def test_a_runaway_query_is_stopped_while_a_small_one_is_answered(
    limited: ServerProcess,
) -> None:
    outcome: dict[str, httpx.Response] = {}

    def run_away() -> None:
        # The client's deadline is the acceptance criterion: the error within limit + 2 s.
        outcome["runaway"] = httpx.get(
            f"{limited.url}/sparql",
            params={"query": RUNAWAY},
            timeout=httpx.Timeout(TIME_LIMIT + 2.0),
        )

    runaway = threading.Thread(target=run_away)
    runaway.start()
    worker = wait_for(lambda: busy_worker(limited), "the runaway query starts burning CPU")

    small = httpx.get(f"{limited.url}/sparql", params={"query": SMALL})
    assert small.status_code == 200
    assert small.json()["boolean"] is True
    assert runaway.is_alive(), "the small query was answered while the runaway one ran"

    runaway.join()
    answer = outcome["runaway"]
    assert answer.status_code == 503
    assert answer.json()["code"] == "query-timeout"
    assert "ASCF_QUERY_TIMEOUT" in answer.json()["message"]

    assert worker not in children(limited.pid), "the runaway query's worker was killed"
    assert cpu_ticks(worker) == 0
    wait_for(lambda: len(children(limited.pid)) == 2, "a fresh worker replaces the killed one")
    again = httpx.get(f"{limited.url}/sparql", params={"query": SMALL})
    assert again.status_code == 200


def both_workers_burning(server: ServerProcess) -> bool:
    """Whether both of ``server``'s workers are using CPU right now."""
    before = {pid: cpu_ticks(pid) for pid in children(server.pid)}
    time.sleep(0.3)
    return sum(cpu_ticks(pid) - ticks >= 3 for pid, ticks in before.items()) == 2


def run_away_on_both_workers(
    server: ServerProcess,
) -> tuple[list[threading.Thread], list[httpx.Response]]:
    """Two runaway queries in flight, one per worker; their threads and (later) answers."""
    outcomes: list[httpx.Response] = []

    def run_away() -> None:
        outcomes.append(
            httpx.get(
                f"{server.url}/sparql",
                params={"query": RUNAWAY, "format": "csv"},
                timeout=httpx.Timeout(TIME_LIMIT + 2.0),
            )
        )

    threads = [threading.Thread(target=run_away) for _ in range(2)]
    for thread in threads:
        thread.start()
    wait_for(lambda: both_workers_burning(server), "both workers evaluate at the same time")
    return threads, outcomes


def test_two_queries_run_at_once_on_two_workers(limited: ServerProcess) -> None:
    threads, outcomes = run_away_on_both_workers(limited)
    for thread in threads:
        thread.join()
    assert [o.status_code for o in outcomes] == [503, 503]
    wait_for(lambda: len(children(limited.pid)) == 2, "both workers are replaced")


def test_a_document_does_not_wait_behind_long_queries(limited: ServerProcess) -> None:
    """Query workers render documents, but when every one is busy with a long query, a
    document is rendered in the server instead of waiting for one."""
    threads, _ = run_away_on_both_workers(limited)
    document = httpx.get(f"{limited.url}/doc/city/da-nang.nt", timeout=TIME_LIMIT + 2.0)
    assert document.status_code == 200
    assert b"<https://w3id.org/ascf/id/city/da-nang>" in document.content
    assert all(thread.is_alive() for thread in threads), "answered while both queries ran"
    for thread in threads:
        thread.join()
    wait_for(lambda: len(children(limited.pid)) == 2, "both workers are replaced")


def test_a_client_that_leaves_stops_its_query(limited: ServerProcess) -> None:
    # An endless-looking answer: a cross product streamed as it is produced.
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    workers = children(limited.pid)
    with httpx.stream(
        "GET", f"{limited.url}/sparql", params={"query": query, "format": "tsv"}
    ) as answer:
        assert answer.status_code == 200
        assert "content-length" not in answer.headers
        first = next(answer.iter_bytes())
        assert first.startswith(b"?a\t?b\t?c")
    wait_for(lambda: children(limited.pid) != workers, "the abandoned query's worker is replaced")
    wait_for(lambda: len(children(limited.pid)) == 2, "the pool is whole again")


def test_a_million_rows_stream_without_being_held_in_memory(served: ServerProcess) -> None:
    values = " ".join(f'"value-{i:04d}-{"x" * 40}"' for i in range(1000))
    query = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    before = resident_memory_kib(served.pid)
    largest = before
    lines = size = 0
    with httpx.stream(
        "POST",
        f"{served.url}/sparql",
        content=query,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
        timeout=120,
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers.get("transfer-encoding") == "chunked"
        for chunk in answer.iter_bytes():
            lines += chunk.count(b"\n")
            size += len(chunk)
            if lines % 50_000 < chunk.count(b"\n"):  # now and then, while it streams
                largest = max(largest, resident_memory_kib(served.pid))
    assert lines == 1_000_000 + 1
    assert size > 100 * 1024 * 1024
    growth_kib = largest - before
    assert growth_kib * 1024 < size / 10, f"the server grew by {growth_kib} KiB while streaming"
