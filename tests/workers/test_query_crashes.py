"""A query that brings its worker down gets a documented error, and a client that keeps
doing it is held off.

Query workers run with a memory limit (``ASCF_QUERY_MEMORY``): a query that grows past
it is stopped and answered 503 ``query-memory``. A worker that crashes anyway is
answered 503 ``query-crashed``, never 500. Either way the worker is replaced, which
costs a fresh copy of the store; so after ``ASCF_QUERY_CRASH_LIMIT`` such crashes, a
client's queries are refused with 429 and ``Retry-After`` for a while, while other
clients are served as before.

The servers are real `ascf-graph serve` processes; each test sends its queries from
its own loopback address (the whole 127.0.0.0/8 is loopback), so crash counts do not
leak between tests.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ascf_graph.core.settings import Settings
from tests.support.processes import children, wait_for
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import clone_settings

SMALL = "ASK { ?s a <https://w3id.org/ascf/def/FocusArea> }"
#: Deep enough to overflow the engine's stack (about 3,000 levels do).
TOO_DEEP = "SELECT * " + "{" * 20_000 + "}" * 20_000


def doubled(times: int) -> str:
    """A ten-character string doubled ``times`` times, each step kept in a binding."""
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(times))
    return f'SELECT ?n WHERE {{ BIND("abcdefghij" AS ?a0) {binds} BIND(STRLEN(?a{times}) AS ?n) }}'


#: 640 MiB at the last step, about 2 GB all told: past a 1 GiB limit, within the machine's.
TOO_BIG = doubled(26)


QUERY_PROCESS = b"ascf_graph.workers.query_process"


def query_process_arguments(worker: int) -> list[bytes] | None:
    """The worker's command line once it runs the query process (until then, between its
    fork and its exec, it still shows the server's)."""
    arguments = Path(f"/proc/{worker}/cmdline").read_bytes().split(b"\0")
    return arguments if QUERY_PROCESS in arguments else None


def takes_turns_to_copy(worker: int) -> bool:
    """Whether a query worker was started to copy the store only in turn with others."""
    arguments = wait_for(lambda: query_process_arguments(worker), "the worker's exec")
    assert isinstance(arguments, list)
    return arguments[arguments.index(QUERY_PROCESS) + 3] == b"1"


def client(address: str) -> httpx.Client:
    """An HTTP client whose requests come from ``address`` (on loopback)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@pytest.fixture(scope="module")
def capped(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One query worker with 1 GiB of address space; crashes not counted."""
    settings = clone_settings(built, tmp_path_factory.mktemp("capped"))
    with running_server(
        settings,
        ASCF_QUERY_WORKERS="1",
        ASCF_QUERY_MEMORY="1GiB",
        ASCF_QUERY_CRASH_LIMIT="0",
    ) as process:
        wait_for(lambda: len(children(process.pid)) == 1, "the query worker starts")
        yield process


def test_a_query_past_the_memory_limit_is_stopped_with_query_memory(
    capped: ServerProcess,
) -> None:
    (worker,) = children(capped.pid)
    with client("127.0.0.1") as http:
        answer = http.get(f"{capped.url}/sparql", params={"query": TOO_BIG})
        assert answer.status_code == 503
        assert answer.json()["code"] == "query-memory"
        assert "ASCF_QUERY_MEMORY" in answer.json()["message"]

        (fresh,) = wait_for(
            lambda: children(capped.pid) - {worker}, "a fresh worker replaces the dead one"
        )
        assert takes_turns_to_copy(fresh), "a replacement copies the store in turn"
        assert http.get(f"{capped.url}/health").status_code == 200

        def answered() -> httpx.Response | None:
            """The modest query's answer; None while the fresh worker still copies the
            store and the endpoint says so (503 ``endpoint-busy``, with ``Retry-After``)."""
            got = http.get(f"{capped.url}/sparql", params={"query": doubled(10), "format": "csv"})
            busy = got.status_code == 503 and got.json().get("code") == "endpoint-busy"
            return None if busy else got

        modest = wait_for(answered, "the fresh worker answers")
        assert modest.status_code == 200, modest.text
        assert modest.text.split() == ["n", str(10 * 2**10)]


def test_a_memory_limit_too_small_for_a_worker_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match=r"ASCF_QUERY_MEMORY must be 0 .* or at least"):
        Settings(query_memory="300MB")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fragile(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One query worker, the nesting check opened wide so that a query can crash the
    engine, and a client held off after two crashes within ten minutes."""
    settings = clone_settings(built, tmp_path_factory.mktemp("fragile"))
    with running_server(
        settings,
        ASCF_QUERY_WORKERS="1",
        ASCF_QUERY_MAX_DEPTH="1000000",
        ASCF_QUERY_CRASH_LIMIT="2",
        ASCF_QUERY_CRASH_WINDOW="600",
    ) as process:
        wait_for(lambda: len(children(process.pid)) == 1, "the query worker starts")
        yield process


def crash(http: httpx.Client, server: ServerProcess) -> httpx.Response:
    """Send the query that crashes the engine; wait until its worker is replaced."""
    workers = children(server.pid)
    answer = http.post(
        f"{server.url}/sparql",
        content=TOO_DEEP,
        headers={"Content-Type": "application/sparql-query"},
    )
    wait_for(
        lambda: len(children(server.pid) - workers) == 1, "a fresh worker replaces the dead one"
    )
    return answer


def test_a_worker_that_crashes_is_answered_503_query_crashed(fragile: ServerProcess) -> None:
    with client("127.0.0.3") as http:
        answer = crash(http, fragile)
        assert answer.status_code == 503
        assert answer.json()["code"] == "query-crashed"
        assert answer.headers["Retry-After"] == "1"
        assert http.get(f"{fragile.url}/sparql", params={"query": SMALL}).status_code == 200


def test_a_client_that_keeps_crashing_workers_is_held_off(fragile: ServerProcess) -> None:
    with client("127.0.0.4") as attacker, client("127.0.0.5") as bystander:
        assert [crash(attacker, fragile).status_code for _ in range(2)] == [503, 503]

        refused = attacker.get(f"{fragile.url}/sparql", params={"query": SMALL})
        assert refused.status_code == 429
        assert refused.json()["code"] == "too-many-crashes"
        assert 1 <= int(refused.headers["Retry-After"]) <= 600
        workers = children(fragile.pid)
        again = attacker.post(
            f"{fragile.url}/sparql",
            content=TOO_DEEP,
            headers={"Content-Type": "application/sparql-query"},
        )
        assert again.status_code == 429
        assert children(fragile.pid) == workers, "the refused query reached no worker"

        served = bystander.get(f"{fragile.url}/sparql", params={"query": SMALL})
        assert served.status_code == 200
        assert served.json()["boolean"] is True
