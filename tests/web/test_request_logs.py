"""Request ids and JSON log lines, read from a real ``ascf-graph serve --access-log``'s stderr.

Every answer carries an ``X-Request-ID``: the client's own if it is sane
(short and printable), else a fresh one; each request is one JSON access
line with its method, route template, path, status, duration, bytes, client
and id; every line written while the request is handled (here: our own
disconnect line, which was printed nowhere before) carries the same id; and
every line the server writes on stderr is a JSON object.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ascf_graph.core.settings import Settings
from tests.support.servers import free_port, stop_process_group, wait_until_up
from tests.support.stores import clone_settings

GENERATED = re.compile(r"[0-9a-f]{16}")


class Served:
    """A server started here, and the file its stderr goes to."""

    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log

    def lines(self) -> list[dict[str, object]]:
        """Every line written so far, each parsed as JSON (a line that is not fails here)."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]

    def lines_of(self, request_id: str, *, at_least: int = 1) -> list[dict[str, object]]:
        """The lines that carry ``request_id``, waiting (10 s at most) for ``at_least``."""
        deadline = time.monotonic() + 10
        while True:
            found = [line for line in self.lines() if line.get("request_id") == request_id]
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture(scope="module")
def served(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`ascf-graph serve --access-log` with JSON logs (the default), stderr in a file."""
    settings = clone_settings(built, tmp_path_factory.mktemp("request-logs"))
    log = tmp_path_factory.mktemp("log") / "stderr.log"
    port = free_port()
    environment = {
        **os.environ,
        "ASCF_DATA_DIR": str(settings.data_dir),
        "ASCF_CONTENT_DIR": str(settings.content_dir),
    }
    environment.pop("ASCF_LOG_FORMAT", None)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ascf_graph", "serve", "--port", str(port), "--access-log"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/health", process)
            yield Served(f"http://127.0.0.1:{port}", log)
        finally:
            stop_process_group(process)


def test_an_answer_carries_a_fresh_request_id_and_one_access_line_with_it(
    served: Served,
) -> None:
    answer = httpx.get(f"{served.url}/id/city/da-nang", headers={"Accept": "text/turtle"})
    assert answer.status_code == 303
    request_id = answer.headers["x-request-id"]
    assert GENERATED.fullmatch(request_id)
    [line] = served.lines_of(request_id)
    assert line["logger"] == "ascf_graph.access"
    assert line["level"] == "INFO"
    assert {key: line[key] for key in ("method", "route", "path", "status", "client")} == {
        "method": "GET",
        "route": "/id/{path:path}",
        "path": "/id/city/da-nang",
        "status": 303,
        "client": "127.0.0.1",
    }
    assert line["bytes"] == len(answer.content)
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0


def test_each_request_gets_its_own_id(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        ids = {client.get("/health").headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20


@pytest.mark.parametrize(
    "sane", ["4bf92f3577b34da6a3ce929d0e0e4736", "client-7:retry/2", "x", "a" * 64]
)
def test_a_sane_incoming_request_id_is_kept(served: Served, sane: str) -> None:
    answer = httpx.get(
        f"{served.url}/sparql", params={"query": "ASK {}"}, headers={"X-Request-ID": sane}
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == sane
    [line] = served.lines_of(sane)
    assert (line["route"], line["status"]) == ("/sparql", 200)


@pytest.mark.parametrize(
    "insane",
    [
        "a" * 65,
        "two words",
        'quote"and\\slash',
        "tab\tinside",
        "caf\N{LATIN SMALL LETTER E WITH ACUTE}",
    ],
)
def test_an_insane_incoming_request_id_is_replaced(served: Served, insane: str) -> None:
    answer = httpx.get(f"{served.url}/health", headers={"X-Request-ID": insane.encode()})
    assert answer.status_code == 200
    replaced = answer.headers["x-request-id"]
    assert GENERATED.fullmatch(replaced)
    assert served.lines_of(replaced)
    assert not [line for line in served.lines() if line.get("request_id") == insane]


def test_lines_written_while_handling_a_request_carry_its_id(served: Served) -> None:
    """A client that leaves mid-body makes the server log an INFO line
    (ascf_graph.web.middleware.disconnects),
    which carries the id, beside the request's access line."""
    address = urlsplit(served.url)
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nX-Request-ID: left-early-1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\n"
            b"SELECT * WHERE {"
        )
        time.sleep(0.2)  # the request has started: its handler waits for the body
    lines = served.lines_of("left-early-1", at_least=2)
    assert {(line["logger"], line["level"]) for line in lines} == {
        ("ascf_graph.web.middleware.disconnects", "INFO"),
        ("ascf_graph.access", "INFO"),
    }
    [access] = [line for line in lines if line["logger"] == "ascf_graph.access"]
    assert (access["route"], access["status"]) == ("/sparql", 499)


def test_every_line_on_stderr_is_a_json_object_from_a_known_logger(served: Served) -> None:
    httpx.get(f"{served.url}/health")
    lines = served.lines()  # json.loads fails on any line that is not JSON
    assert lines
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
    loggers = {str(line["logger"]) for line in lines}
    assert "uvicorn.error" in loggers  # uvicorn's start-up lines, in our format
    assert all(name.startswith(("ascf_graph", "uvicorn")) for name in loggers), loggers
    assert "uvicorn.access" not in loggers  # ours replaces it
