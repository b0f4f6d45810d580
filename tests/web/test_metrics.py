"""``GET /metrics``: Prometheus's text format, counters that move as requests are made.

Over real servers on loopback: what ``/metrics`` serves parses with
Prometheus's reference parser (``prometheus-client``); requests are counted
under their route template and status (the fast path's too, and HEADs);
made-up paths add no series; SPARQL evaluations and validations are timed,
answers from the cache counted as hits; a request body being received is
counted as held; worker restarts are counted by cause; and the supervisor's
restarts are reported as ``/health`` reports them.
"""

import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ascf_graph.core.settings import Settings
from tests.support.servers import ServerProcess, running_server, wait_until_up
from tests.support.stores import REPO, clone_settings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
INVALID = (REPO / "tests" / "data" / "validation" / "end-before-start.ttl").read_bytes()


def scrape(url: str) -> Samples:
    """Every sample ``/metrics`` serves now, by name and labels, parsed as Prometheus does."""
    answer = httpx.get(f"{url}/metrics")
    assert answer.status_code == 200
    samples: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels``, 0 if absent."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: Samples, method: str, route: str, status: int) -> float:
    return value(
        samples, "ascf_http_requests_total", method=method, route=route, status=str(status)
    )


def test_metrics_are_served_in_prometheus_text_format(served: ServerProcess) -> None:
    answer = httpx.get(f"{served.url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f.type for f in text_string_to_metric_families(answer.text)}
    assert families == {
        "ascf_http_requests": "counter",
        "ascf_http_request_duration_seconds": "histogram",
        "ascf_sparql_query_duration_seconds": "histogram",
        "ascf_validation_duration_seconds": "histogram",
        "ascf_server_restarts": "counter",
        "ascf_answer_cache_hits": "counter",
        "ascf_answer_cache_misses": "counter",
        "ascf_answer_cache_bytes": "gauge",
        "ascf_query_worker_restarts": "counter",
        "ascf_query_workers_live": "gauge",
        "ascf_input_worker_restarts": "counter",
        "ascf_request_body_bytes_held": "gauge",
        "ascf_open_connections": "gauge",
    }


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("GET", "/id/city/da-nang", "/id/{path:path}", 303),  # the fast path
        ("HEAD", "/id/city/da-nang", "/id/{path:path}", 303),  # HEAD as GET, then the fast path
        ("GET", "/id/city/no-such-city", "/id/{path:path}", 404),  # the fast path, the long way
        ("GET", "/sparql?query=ASK%7B%7D", "/sparql", 200),
        ("GET", "/sparql?query=SELEC", "/sparql", 400),
        ("GET", "/queries", "/queries", 200),  # through the router
        ("HEAD", "/queries", "/queries", 200),  # HEAD as GET, then the router
        ("GET", "/no/such/page", "unmatched", 404),
    ],
)
def test_each_request_is_counted_once_under_its_route_template_and_status(
    served: ServerProcess, method: str, path: str, route: str, status: int
) -> None:
    before = scrape(served.url)
    answer = httpx.request(method, f"{served.url}{path}")
    assert answer.status_code == status
    after = scrape(served.url)
    assert requests(after, method, route, status) - requests(before, method, route, status) == 1
    durations = "ascf_http_request_duration_seconds_count"
    assert (
        value(after, durations, method=method, route=route)
        - value(before, durations, method=method, route=route)
        == 1
    )


def test_made_up_paths_add_no_series(served: ServerProcess) -> None:
    """200 distinct random paths, under a route and under none, leave the number of
    series as it was (but for their own two statuses), and no raw path in any label."""
    for path in ("/id/city/no-such-city", "/no/such/page", "/metrics"):
        httpx.get(f"{served.url}{path}")  # their series exist before counting
    before = scrape(served.url)
    tokens = [uuid.uuid4().hex for _ in range(200)]
    with httpx.Client(base_url=served.url) as client:
        for index, token in enumerate(tokens):
            path = f"/id/city/{token}" if index % 2 else f"/{token}/page"
            assert client.get(path).status_code == 404
    after = scrape(served.url)
    # The series of requests, by route and status; others (a worker replaced after an
    # earlier test's runaway query, say) may come and go meanwhile in this shared server.
    assert {key for key in after if key[0].startswith("ascf_http_")} == {
        key for key in before if key[0].startswith("ascf_http_")
    }
    labels = {value for _, labelset in after for _, value in labelset}
    assert not any(token in label for token in tokens for label in labels)
    assert (
        requests(after, "GET", "unmatched", 404) - requests(before, "GET", "unmatched", 404) == 100
    )


def test_an_evaluated_query_is_timed_and_a_cached_answer_counted_as_a_hit(
    served: ServerProcess,
) -> None:
    query = f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 # {uuid.uuid4()}"  # never seen before
    evaluated = "ascf_sparql_query_duration_seconds_count"
    before = scrape(served.url)
    assert httpx.get(f"{served.url}/sparql", params={"query": query}).status_code == 200
    once = scrape(served.url)
    assert httpx.get(f"{served.url}/sparql", params={"query": query}).status_code == 200
    twice = scrape(served.url)
    assert value(once, evaluated, outcome="ok") - value(before, evaluated, outcome="ok") == 1
    assert value(twice, evaluated, outcome="ok") == value(once, evaluated, outcome="ok")
    hits, misses = "ascf_answer_cache_hits_total", "ascf_answer_cache_misses_total"
    assert value(once, misses, cache="sparql") - value(before, misses, cache="sparql") == 1
    assert value(twice, hits, cache="sparql") - value(once, hits, cache="sparql") == 1


def test_a_validation_is_timed_by_its_outcome(served: ServerProcess) -> None:
    count = "ascf_validation_duration_seconds_count"
    before = scrape(served.url)
    answer = httpx.post(
        f"{served.url}/validate",
        content=INVALID,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200
    assert answer.json()["conforms"] is False
    after = scrape(served.url)
    assert (
        value(after, count, outcome="violations") - value(before, count, outcome="violations") == 1
    )
    assert value(after, count, outcome="conforms") == value(before, count, outcome="conforms")


def test_a_body_being_received_is_counted_as_held_until_its_client_leaves(
    served: ServerProcess,
) -> None:
    held = "ascf_request_body_bytes_held"
    address = urlsplit(served.url)
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100000\r\n\r\nSELECT * WHERE {"
        )
        during = scrape(served.url)
        assert value(during, held) >= 100_000
        assert value(during, "ascf_open_connections") >= 2  # that one and the scrape's
    deadline = time.monotonic() + 10
    while value(scrape(served.url), held) >= 100_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert value(scrape(served.url), held) < 100_000


@pytest.fixture(scope="module")
def strict(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose queries may run 1 s and whose data checks 1 ms: each limit is hit."""
    settings = clone_settings(built, tmp_path_factory.mktemp("strict"))
    with running_server(
        settings, ASCF_QUERY_TIMEOUT="1", ASCF_VALIDATION_TIMEOUT="0.001"
    ) as server:
        yield server


def test_a_query_worker_stopped_at_the_time_limit_is_counted_by_its_cause(
    strict: ServerProcess,
) -> None:
    restarts = "ascf_query_worker_restarts_total"
    before = scrape(strict.url)
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answer = httpx.get(f"{strict.url}/sparql", params={"query": endless}, timeout=30)
    assert (answer.status_code, answer.json()["code"]) == (503, "query-timeout")
    after = scrape(strict.url)
    assert value(after, restarts, cause="timeout") - value(before, restarts, cause="timeout") == 1
    assert value(after, restarts, cause="crash") == value(before, restarts, cause="crash")


def test_an_input_worker_stopped_at_the_time_limit_is_counted_by_its_cause(
    strict: ServerProcess,
) -> None:
    restarts = "ascf_input_worker_restarts_total"
    before = scrape(strict.url)
    large = "\n".join(
        f"<https://example.org/t{n}> <https://example.org/p> {n} ." for n in range(20_000)
    ).encode()
    answer = httpx.post(
        f"{strict.url}/validate",
        content=large,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )
    assert (answer.status_code, answer.json()["code"]) == (422, "validation-timeout")
    after = scrape(strict.url)
    assert value(after, restarts, cause="timeout") - value(before, restarts, cause="timeout") == 1


def test_the_supervisors_restarts_are_reported_by_cause_as_health_reports_them(
    built: Settings, tmp_path: Path
) -> None:
    with running_server(clone_settings(built, tmp_path)) as server:
        assert value(scrape(server.url), "ascf_server_restarts_total", cause="sigkill") == 0
        first = server.pid
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server.pid == first and time.monotonic() < deadline:
            time.sleep(0.05)
        wait_until_up(f"{server.url}/health", server.process)
        assert httpx.get(f"{server.url}/health").json()["restarts"] == 1
        samples = scrape(server.url)
        assert value(samples, "ascf_server_restarts_total", cause="sigkill") == 1
        assert value(samples, "ascf_server_restarts_total") == 0  # never without its cause
