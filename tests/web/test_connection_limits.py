"""Connections, headers and bodies are bounded: each attack of the open internet gets its
documented answer from a real `ascf-graph serve` on loopback, and /health keeps answering.

Attackers connect from their own loopback addresses (127.0.0.x, all of which reach
the server), so that the per-client caps count them and not the /health probes.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ascf_graph.core.settings import Settings
from tests.support.processes import resident_memory_kib, wait_for
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import clone_settings

pytestmark = pytest.mark.slow

MiB = 1024 * 1024
#: Timeouts short enough to watch them act.
IMPATIENT = {
    "ASCF_HEADER_TIMEOUT": "2",
    "ASCF_BODY_TIMEOUT": "2",
    "ASCF_BODY_DEADLINE": str(BODY_DEADLINE := 5),
    "ASCF_MAX_HEADERS": "50",
    "ASCF_MAX_HEADER_BYTES": str(16 * 1024),
    "ASCF_QUERY_WORKERS": "1",
}
#: Timeouts long enough to hold connections open, and small caps and budget to fill.
CROWDED = {
    "ASCF_HEADER_TIMEOUT": "60",
    "ASCF_BODY_TIMEOUT": "60",
    "ASCF_MAX_CONNECTIONS": "12",
    "ASCF_MAX_CONNECTIONS_PER_CLIENT": "5",
    "ASCF_MAX_BODY_BYTES": str(MiB),
    "ASCF_BODY_MEMORY": str(3 * MiB),
    "ASCF_BODY_MEMORY_PER_CLIENT": str(3 * MiB),  # the total budget is what is filled here
    "ASCF_QUERY_WORKERS": "1",
}
#: How long any answer may take here, attacks or not (generous: the machine is shared).
PATIENCE = 10.0


@pytest.fixture(scope="module")
def impatient(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = clone_settings(built, tmp_path_factory.mktemp("impatient"))
    with running_server(settings, **IMPATIENT) as server:
        yield server.url


@pytest.fixture(scope="module")
def crowded(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    settings = clone_settings(built, tmp_path_factory.mktemp("crowded"))
    with running_server(settings, **CROWDED) as server:
        yield server


def connect(url: str, source: str) -> socket.socket:
    """A raw TCP connection to the server at ``url`` from loopback address ``source``."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    return socket.create_connection(
        (parts.hostname, parts.port), timeout=PATIENCE, source_address=(source, 0)
    )


def answer(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded by PATIENCE)."""
    received = b""
    deadline = time.monotonic() + PATIENCE
    try:
        while time.monotonic() < deadline and (chunk := connection.recv(65536)):
            received += chunk
    except (ConnectionResetError, TimeoutError):  # closed by a reset, or never answered
        pass
    return received


def one_answer(connection: socket.socket) -> bytes:
    """One whole answer (head and its Content-Length of body) on a kept-alive connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536) or b"<closed>"
        assert b"<closed>" not in received
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def status(raw: bytes) -> int:
    """The status code of a raw HTTP answer (0 for none)."""
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def health_answers(url: str) -> bool:
    """Whether /health answers 200 within PATIENCE seconds."""
    return httpx.get(f"{url}/health", timeout=PATIENCE).status_code == 200


def sparql_post(length: int) -> bytes:
    """The start of a POST of a SPARQL query whose body is ``length`` bytes."""
    return (
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: %d\r\n\r\n" % length
    )


def padded_ask(length: int) -> bytes:
    """``ASK {}`` after a comment, ``length`` bytes in all."""
    return b"#" + b"x" * (length - 9) + b"\nASK {}"


@contextmanager
def held_connections(url: str, source: str, count: int, first: bytes = b"") -> Iterator[None]:
    """``count`` connections from ``source`` that send ``first`` and then nothing more."""
    with ExitStack() as stack:
        for _ in range(count):
            connection = stack.enter_context(connect(url, source))
            if first:
                connection.sendall(first)
        time.sleep(0.5)  # the server has accepted and counted them
        yield


# Headers: a deadline, a count, a size


def test_a_slowloris_is_cut_off_with_408_and_health_answers_meanwhile(impatient: str) -> None:
    with connect(impatient, "127.0.0.11") as attacker:
        attacker.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n")
        cut_off = False
        for line in range(20):  # a header line every 0.5 s: 10 s, five times the deadline
            assert health_answers(impatient)
            try:
                attacker.sendall(b"X-Slow-%d: still coming\r\n" % line)
            except (BrokenPipeError, ConnectionResetError):
                cut_off = True
                break
            time.sleep(0.5)
        assert cut_off or status(answer(attacker)) == 408, "the trickle was never cut off"


def test_the_slowloris_gets_408_before_the_close(impatient: str) -> None:
    with connect(impatient, "127.0.0.12") as attacker:
        attacker.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n")
        raw = answer(attacker)  # the client sends nothing more: the deadline passes
    assert status(raw) == 408
    assert b'"code": "request-timeout"' in raw
    assert b"connection: close" in raw
    assert health_answers(impatient)


def test_a_slowloris_after_a_first_request_on_the_same_connection_gets_408(
    impatient: str,
) -> None:
    with connect(impatient, "127.0.0.19") as attacker:
        attacker.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        assert status(one_answer(attacker)) == 200
        attacker.sendall(b"GET /health HTTP/1.1\r\n")
        for line in range(3):  # a line every 0.5 s, then silence until the 2 s deadline
            time.sleep(0.5)
            attacker.sendall(b"X-Slow-%d: still coming\r\n" % line)
        raw = answer(attacker)
    assert status(raw) == 408
    assert health_answers(impatient)


def test_an_idle_connection_is_closed_quietly_after_the_header_timeout(impatient: str) -> None:
    with connect(impatient, "127.0.0.13") as idle:
        assert answer(idle) == b"", "closed without an answer to a request never made"
    assert health_answers(impatient)


def test_too_many_headers_are_431(impatient: str) -> None:
    with connect(impatient, "127.0.0.14") as attacker:
        headers = b"".join(b"X-Many-%d: v\r\n" % n for n in range(51))
        attacker.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n" + headers + b"\r\n")
        raw = answer(attacker)
    assert status(raw) == 431
    assert b'"code": "headers-too-large"' in raw
    assert health_answers(impatient)


def test_a_request_with_many_but_allowed_headers_is_served(impatient: str) -> None:
    headers = {f"X-Few-{n}": "v" for n in range(40)}  # with httpx's own five: 45 of 50
    assert httpx.get(f"{impatient}/health", headers=headers, timeout=PATIENCE).status_code == 200


@pytest.mark.parametrize(
    "request_head",
    [
        pytest.param(
            b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * MiB + b"\r\n\r\n", id="1-MiB-header"
        ),
        pytest.param(b"GET /health?" + b"a" * (100 * 1024) + b" HTTP/1.1\r\n\r\n", id="long-url"),
    ],
)
def test_oversized_headers_are_431(impatient: str, request_head: bytes) -> None:
    with connect(impatient, "127.0.0.15") as attacker:
        sender = threading.Thread(target=_send_ignoring_close, args=(attacker, request_head))
        sender.start()  # the server may answer and close before all is sent
        raw = answer(attacker)
        sender.join(timeout=PATIENCE)
    assert status(raw) == 431
    assert health_answers(impatient)


def test_headers_trickled_past_the_size_limit_are_431(impatient: str) -> None:
    with connect(impatient, "127.0.0.16") as attacker:
        attacker.sendall(b"GET /health HTTP/1.1\r\nX-Big: ")
        for _ in range(20):  # 4 KiB at a time, past 16 KiB; well within the deadline
            try:
                attacker.sendall(b"a" * 4096)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.01)
        raw = answer(attacker)
    assert status(raw) == 431
    assert health_answers(impatient)


def _send_ignoring_close(connection: socket.socket, data: bytes) -> None:
    with suppress(OSError):
        connection.sendall(data)


# Bodies: an idle timeout


def test_a_stalled_body_is_answered_408_and_health_answers_meanwhile(impatient: str) -> None:
    with connect(impatient, "127.0.0.17") as attacker:
        attacker.sendall(sparql_post(1000) + b"ASK")
        assert health_answers(impatient)
        raw = answer(attacker)  # the other 997 bytes never come
    assert status(raw) == 408
    assert b"ASCF_BODY_TIMEOUT" in raw
    assert health_answers(impatient)


def test_a_body_that_keeps_coming_is_not_cut_off(impatient: str) -> None:
    body = padded_ask(300)
    with connect(impatient, "127.0.0.18") as client:
        client.sendall(sparql_post(len(body)).replace(b"Host", b"Connection: close\r\nHost"))
        for start in range(0, len(body), 100):  # three pieces, a second apart
            client.sendall(body[start : start + 100])
            time.sleep(1)
        raw = answer(client)
    assert status(raw) == 200


def test_a_body_trickled_past_the_deadline_is_answered_408_and_health_answers_meanwhile(
    impatient: str,
) -> None:
    """A byte every half second never leaves the body idle for ASCF_BODY_TIMEOUT (2 s), and
    the thousand bytes it declares would take eight minutes: the deadline ends it."""
    with connect(impatient, "127.0.0.19") as attacker:
        attacker.settimeout(0.5)
        attacker.sendall(sparql_post(1000))
        began, raw = time.monotonic(), b""
        while not raw and time.monotonic() - began < BODY_DEADLINE + PATIENCE:
            _send_ignoring_close(attacker, b"#")
            with suppress(TimeoutError):
                raw = attacker.recv(65536)
        took = time.monotonic() - began
        assert health_answers(impatient)
    assert status(raw) == 408, raw
    assert b"ASCF_BODY_DEADLINE" in raw
    assert BODY_DEADLINE <= took < BODY_DEADLINE + PATIENCE


# Connections: per client and in all


def test_one_connection_past_the_per_client_cap_is_refused_503_at_once(
    crowded: ServerProcess,
) -> None:
    with held_connections(crowded.url, "127.0.0.21", 5):
        with connect(crowded.url, "127.0.0.21") as one_too_many:
            raw = answer(one_too_many)  # without having sent anything
        assert status(raw) == 503
        assert b"retry-after: 5" in raw
        assert b'"code": "too-many-connections"' in raw
        assert health_answers(crowded.url), "other clients are still served"
    with connect(crowded.url, "127.0.0.21") as again:
        again.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        assert status(answer(again)) == 200, "its connections closed, the client is served"


def test_connections_past_the_total_cap_are_refused_503_until_some_close(
    crowded: ServerProcess,
) -> None:
    with ExitStack() as stack:
        for address in ("127.0.0.31", "127.0.0.32"):
            stack.enter_context(held_connections(crowded.url, address, 5))
        stack.enter_context(held_connections(crowded.url, "127.0.0.33", 2))
        for newcomer_address in ("127.0.0.34", "127.0.0.1"):  # /health's too: at once, not never
            with connect(crowded.url, newcomer_address) as newcomer:
                assert status(answer(newcomer)) == 503
    assert health_answers(crowded.url), "once some close, the server answers again"


# Bodies: a memory budget across requests


def test_bodies_past_the_memory_budget_are_503_and_the_budget_comes_back(
    crowded: ServerProcess,
) -> None:
    holding = sparql_post(MiB) + b"#" + b"x" * 1024  # declares 1 MiB, sends 1 KiB
    with held_connections(crowded.url, "127.0.0.41", 3, first=holding):
        with connect(crowded.url, "127.0.0.42") as late:
            late.sendall(sparql_post(MiB) + b"#")
            raw = answer(late)
        assert status(raw) == 503
        assert b"retry-after: 5" in raw
        assert b'"code": "body-memory-exhausted"' in raw
        with connect(crowded.url, "127.0.0.42") as chunked:
            chunked.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query"
                b"\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nASK \r\n"
            )
            assert status(answer(chunked)) == 503, "a chunked body needs room too"
        assert health_answers(crowded.url)
    # The holders left: their bytes are free again for a body as large as allowed.
    body = padded_ask(MiB)
    for _ in range(20):
        answered = httpx.post(
            f"{crowded.url}/sparql",
            content=body,
            headers={"Content-Type": "application/sparql-query"},
            timeout=PATIENCE,
        )
        if answered.status_code != 503:
            break
        time.sleep(0.25)
    assert answered.status_code == 200


#: A budget of four of the largest bodies, one of which a client may hold (the default
#: share: a quarter of the budget, at least the largest body).
SHARED = {
    "ASCF_BODY_TIMEOUT": "60",
    "ASCF_MAX_BODY_BYTES": str(MiB),
    "ASCF_BODY_MEMORY": str(4 * MiB),
    "ASCF_QUERY_WORKERS": "1",
}


def test_one_client_trickling_large_bodies_cannot_take_the_budget_from_others(
    built: Settings, tmp_path: Path
) -> None:
    """The attack: many connections from one address, each declaring a large body and
    trickling it (never idle for the body timeout). Past its share, that address's bodies
    are refused; another address's query is still answered."""
    with running_server(clone_settings(built, tmp_path), **SHARED) as server:
        trickle = sparql_post(MiB) + b"#"
        with held_connections(server.url, "127.0.0.51", 4, first=trickle):
            with connect(server.url, "127.0.0.52") as other:
                other.sendall(sparql_post(6) + b"ASK {}")
                assert status(one_answer(other)) == 200, "another client's POST is answered"
            with connect(server.url, "127.0.0.51") as one_more:
                one_more.sendall(trickle)
                raw = answer(one_more)
            assert status(raw) == 503
            assert b"ASCF_BODY_MEMORY_PER_CLIENT" in raw


#: Room for many large bodies at once, to watch their memory come and go.
ROOMY = {
    "ASCF_BODY_MEMORY": str(1024 * MiB),
    "ASCF_BODY_MEMORY_PER_CLIENT": str(1024 * MiB),  # one client sends them all
    "ASCF_MAX_CONNECTIONS_PER_CLIENT": "100",
    "ASCF_QUERY_WORKERS": "1",
}


def unfinished_body(path: str, content_type: str) -> bytes:
    """The start of a POST that declares 10 MB and sends 9 of them."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n".encode()
        + b"Content-Length: 10000000\r\n\r\n#"
        + b"x" * 9_000_000
    )


def test_the_memory_of_unfinished_bodies_returns_when_their_clients_leave(
    built: Settings, tmp_path: Path
) -> None:
    """A SPARQL query sent by POST is read into memory as it arrives."""
    body_start = unfinished_body("/sparql", "application/sparql-query")
    with running_server(clone_settings(built, tmp_path), **ROOMY) as server:
        before = resident_memory_kib(server.pid)
        with held_connections(server.url, "127.0.0.51", 30, first=body_start):
            wait_for(
                lambda: resident_memory_kib(server.pid) > before + 200 * 1024,
                "the server holds the 270 MB of unfinished bodies",
            )
            assert health_answers(server.url)
        wait_for(
            lambda: resident_memory_kib(server.pid) < before + 100 * 1024,
            "the server gives the bodies' memory back",
            patience=PATIENCE,
        )
        assert health_answers(server.url)


def test_unfinished_bodies_sent_to_validate_go_to_disk_not_memory(
    built: Settings, tmp_path: Path
) -> None:
    """A large ``/validate`` body is spooled to disk as it arrives: thirty clients each
    9 MB into their bodies leave the server's memory where it was, and their files go
    when they do."""
    settings = clone_settings(built, tmp_path)
    body_start = unfinished_body("/validate", "text/turtle")
    with running_server(settings, **ROOMY) as server:
        before = resident_memory_kib(server.pid)

        def spooled_bytes() -> int:
            return sum(f.stat().st_size for f in settings.spool_dir.rglob("*") if f.is_file())

        with held_connections(server.url, "127.0.0.52", 30, first=body_start):
            wait_for(
                lambda: spooled_bytes() >= 30 * 9_000_000,
                "the 270 MB of unfinished bodies are on disk",
            )
            assert resident_memory_kib(server.pid) < before + 50 * 1024
            assert health_answers(server.url)
        wait_for(lambda: spooled_bytes() == 0, "their files go with them", patience=PATIENCE)
        assert health_answers(server.url)
