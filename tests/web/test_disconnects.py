"""A client that hangs up is one quiet line in the log, not a server error with a traceback.

Over a real server on loopback: a client that closes the connection while
its POSTed query is still being sent leaves one INFO line; neither that nor
a hang-up in the middle of a large streamed answer puts a traceback ("Exception
in ASGI application") in the served log; the server goes on answering.
"""

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

from ascf_graph.app import create_app
from ascf_graph.core.settings import Settings
from tests.support.servers import free_port, serving_in_this_process, wait_until_up
from tests.support.stores import clone_settings

LARGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000000"


class Records(logging.Handler):
    """Every record of the loggers it is attached to."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def url(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served from this process, so that its log records can be read here (its
    queries in threads: the body is read before any query runs)."""
    settings = clone_settings(built, tmp_path_factory.mktemp("disconnects"))
    with serving_in_this_process(
        create_app(settings.model_copy(update={"query_workers": 0}))
    ) as served:
        yield served


@pytest.fixture(scope="module")
def served_with_log(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`ascf-graph serve` as deployed (query workers and all), with its output in a file."""
    settings = clone_settings(built, tmp_path_factory.mktemp("disconnects-served"))
    output = tmp_path_factory.mktemp("log") / "serve.log"
    port = free_port()
    environment = {
        **os.environ,
        "ASCF_DATA_DIR": str(settings.data_dir),
        "ASCF_CONTENT_DIR": str(settings.content_dir),
    }
    with output.open("w+b") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ascf_graph", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/health", process, log)
            yield f"http://127.0.0.1:{port}", output
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def log() -> Iterator[Records]:
    """What the server logs meanwhile: uvicorn's errors and our disconnect lines."""
    records = Records()
    loggers = [
        logging.getLogger(name)
        for name in ("uvicorn.error", "ascf_graph.web.middleware.disconnects")
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(records)
        logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(records)
            logger.setLevel(level)


def hang_up(url: str, request: bytes, *, read: int, reset: bool) -> None:
    """Send ``request``, read ``read`` bytes of the answer, and close (RST if ``reset``)."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(request)
        received = b""
        while len(received) < read:
            received += client.recv(read - len(received)) or b"!"
        if reset:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")


def settle(log: Records, count: int, *, within: float = 10) -> None:
    """Wait (at most ``within`` seconds) until the server has logged ``count`` records."""
    deadline = time.monotonic() + within
    while len(log.records) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # and a little longer, for anything logged after them


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
def test_a_client_gone_while_sending_its_query_is_one_info_line(
    url: str, log: Records, reset: bool
) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100000\r\n\r\nSELECT * WHERE {"
    )
    hang_up(url, request, read=0, reset=reset)
    settle(log, 1)
    assert [(r.levelno, r.name, r.exc_info) for r in log.records] == [
        (logging.INFO, "ascf_graph.web.middleware.disconnects", None)
    ]
    assert "POST /sparql" in log.records[0].getMessage()
    assert httpx.get(f"{url}/health").status_code == 200


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
@pytest.mark.parametrize(
    "request_text",
    [
        f"GET /sparql?query={quote(LARGE)} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n",
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        "Content-Length: 100000\r\n\r\nSELECT * WHERE {",
    ],
    ids=["mid-answer", "mid-request"],
)
def test_the_served_log_shows_no_traceback_for_a_client_gone(
    served_with_log: tuple[str, Path], request_text: str, reset: bool
) -> None:
    url, output = served_with_log
    before = output.read_bytes()
    hang_up(url, request_text.encode(), read=64 * 1024 if "GET" in request_text else 0, reset=reset)
    time.sleep(1)  # time for the server to see the hang-up, and to log what it would
    assert httpx.get(f"{url}/health").status_code == 200
    logged = output.read_bytes()[len(before) :].decode()
    assert "Traceback" not in logged
    assert "ERROR" not in logged
