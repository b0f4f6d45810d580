"""Large bodies go to the spool, never whole into the server's memory, and leave nothing.

A body of more than a MiB (or of unknown length) sent to ``/validate`` is
written into ``{data_dir}/spool`` as it arrives; the input worker reads it
from there and writes its N-Triples there too. The report must be what the
same data gets when it is small enough to be held, and the spool must be
empty again once the answer is sent: after a report, a syntax error, a
client that left mid-body. A server starting empties what an earlier one
left behind.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.web.stewards import SPOOL_ABOVE_BYTES
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import REPO, clone_settings

INVALID = (REPO / "tests" / "data" / "validation" / "end-before-start.ttl").read_bytes()
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def spooling(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, Path]]:
    settings = clone_settings(built, tmp_path_factory.mktemp("spooling"))
    gone = settings.spool_dir / str(_gone_pid()) / "left-by-a-killed-server.body"
    gone.parent.mkdir(parents=True)
    gone.write_bytes(b"x")
    alive = settings.spool_dir / str(os.getpid()) / "another-server-is-reading-this.body"
    alive.parent.mkdir()
    alive.write_bytes(b"x")
    with running_server(settings, ASCF_MAX_BODY_BYTES=str(8 * SPOOL_ABOVE_BYTES)) as server:
        yield server, settings.spool_dir
    alive.unlink()


def _gone_pid() -> int:
    """The id of a process that has ended."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(ended.stdout)


def spooled(spool: Path) -> list[str]:
    """The files in the spool, but the one another live server keeps there."""
    return sorted(
        str(path.relative_to(spool))
        for path in spool.rglob("*")
        if path.is_file() and path.name != "another-server-is-reading-this.body"
    )


def padded(document: bytes) -> bytes:
    """``document`` made larger than the spool threshold by a comment."""
    return document + b"\n#" + b" " * (2 * SPOOL_ABOVE_BYTES) + b"\n"


def test_a_server_starting_clears_the_folders_of_servers_that_are_gone(
    spooling: tuple[ServerProcess, Path],
) -> None:
    server, spool = spooling
    folders = {path.name for path in spool.iterdir()}
    assert str(os.getpid()) in folders, "a live server's folder stays"
    assert folders <= {str(os.getpid()), str(server.pid)}, "the dead server's folder went"
    assert (spool / str(os.getpid()) / "another-server-is-reading-this.body").exists()
    assert spooled(spool) == []


def test_a_spooled_body_gets_the_report_a_held_one_gets(
    spooling: tuple[ServerProcess, Path],
) -> None:
    server, spool = spooling
    held = httpx.post(f"{server.url}/validate", content=INVALID, headers=TURTLE, timeout=60)
    large = httpx.post(
        f"{server.url}/validate", content=padded(INVALID), headers=TURTLE, timeout=60
    )
    assert held.status_code == large.status_code == 200
    assert large.json()["counts"] == held.json()["counts"]
    assert large.json()["counts"]["Violation"] > 0
    assert large.json()["focusNodes"] == held.json()["focusNodes"]
    assert spooled(spool) == []


def test_a_spooled_body_that_does_not_parse_leaves_nothing(
    spooling: tuple[ServerProcess, Path],
) -> None:
    server, spool = spooling
    broken = padded(INVALID) + b"<urn:a> <urn:b> .\n"
    answer = httpx.post(f"{server.url}/validate", content=broken, headers=TURTLE, timeout=60)
    assert answer.status_code == 400
    assert spooled(spool) == []


def test_a_body_of_unknown_length_is_spooled_too(spooling: tuple[ServerProcess, Path]) -> None:
    server, spool = spooling

    def chunks() -> Iterator[bytes]:  # sent chunked: no Content-Length
        yield INVALID
        yield b"\n# more\n"

    answer = httpx.post(f"{server.url}/validate", content=chunks(), headers=TURTLE, timeout=60)
    assert answer.status_code == 200
    assert answer.json()["counts"]["Violation"] > 0
    assert spooled(spool) == []


def test_a_client_that_leaves_mid_body_leaves_nothing(
    spooling: tuple[ServerProcess, Path],
) -> None:
    server, spool = spooling
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(
            b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
            + f"Content-Length: {4 * SPOOL_ABOVE_BYTES}\r\n\r\n".encode()
            + b"#" * (2 * SPOOL_ABOVE_BYTES)
        )
        assert _eventually(lambda: len(spooled(spool)) == 1), "the body was spooled"
    assert _eventually(lambda: spooled(spool) == []), "and removed when it left"
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200


def _eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
