"""What the connection limits cost on the hot path: uvicorn's protocols side by side.

Serves one built store three times, each server in its own process on its own
copy of the store: uvicorn's plain httptools protocol, the limited subclass
``ascf-graph serve`` uses (:mod:`ascf_graph.web.connection_limits`), and h11. Then
times ``GET /health`` and ``GET /sparql?query=ASK{}`` over one kept-alive raw
socket per server (a client cheap enough that the server's cost dominates),
the servers interleaved round by round, and prints each median with its ratio
to plain httptools.

    python -m bench.http_protocols STORE_DIR --rounds 5 --requests 2000
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROTOCOLS = ("httptools", "limited", "h11")
PATHS = {"health": "/health", "ask": "/sparql?query=ASK%7B%7D"}
_SERVER = """
import sys, uvicorn
from ascf_graph.app import create_app
from ascf_graph.web.connection_limits import (
    ConnectionLimits, limited_http_protocol, return_large_blocks_at_once,
)
from ascf_graph.core.settings import Settings
kind, port = sys.argv[1], int(sys.argv[2])
settings = Settings()
http = kind
if kind == "limited":
    http = limited_http_protocol(ConnectionLimits.from_settings(settings))
    return_large_blocks_at_once()
uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", http=http,
            ws="none")
"""


def _exchange(connection: socket.socket, request: bytes) -> None:
    """Send ``request`` and read its whole answer (which must be a 200 with a length)."""
    connection.sendall(request)
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)


def requests_per_second(port: int, path: str, count: int) -> float:
    """Sequential requests per second for ``GET path`` on one kept-alive connection."""
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        for _ in range(50):  # warm-up
            _exchange(connection, request)
        started = time.perf_counter()
        for _ in range(count):
            _exchange(connection, request)
        return count / (time.perf_counter() - started)


def _wait_for(port: int, patience: float = 60.0) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            requests_per_second(port, "/health", 1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server answered on port {port}")


def main() -> None:
    """Serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a built store (ASCF_DATA_DIR)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--first-port", type=int, default=8800)
    options = parser.parse_args()
    servers: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        try:
            for offset, kind in enumerate(PROTOCOLS):
                copy = Path(scratch) / kind
                shutil.copytree(options.store, copy, symlinks=True)
                port = options.first_port + offset
                environment = {**os.environ, "ASCF_DATA_DIR": str(copy), "ASCF_QUERY_WORKERS": "1"}
                command = [sys.executable, "-c", _SERVER, kind, str(port)]
                servers[kind] = (port, subprocess.Popen(command, env=environment))
            for port, _ in servers.values():
                _wait_for(port)
            rates: dict[tuple[str, str], list[float]] = {}
            for _ in range(options.rounds):
                for name, path in PATHS.items():
                    for kind, (port, _) in servers.items():
                        rate = requests_per_second(port, path, options.requests)
                        rates.setdefault((kind, name), []).append(rate)
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=30)
    for name in PATHS:
        base = statistics.median(rates["httptools", name])
        for kind in PROTOCOLS:
            median = statistics.median(rates[kind, name])
            runs = ", ".join(f"{rate:.0f}" for rate in rates[kind, name])
            print(
                f"{name:7} {kind:10} {median:6.0f} req/s  x{median / base:.2f} of httptools  "
                f"({runs})"
            )


if __name__ == "__main__":
    main()
