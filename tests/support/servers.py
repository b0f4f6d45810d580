"""Real servers for the tests: `ascf-graph serve` in its own process, or uvicorn in a thread."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import uvicorn
from fastapi import FastAPI

from ascf_graph.core.settings import Settings


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ServerProcess:
    """A server the tests started: its base URL and its process (the `serve` supervisor)."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """The process id of the server the supervisor runs now (its one child)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = processes_where(lambda fields: int(fields[1]) == self.process.pid)
            if len(found) == 1:
                return found.pop()
            time.sleep(0.05)
        raise AssertionError("the supervisor runs no server")


def processes_where(test: Callable[[list[str]], bool]) -> set[int]:
    """Live processes whose /proc stat fields (from the state on) pass ``test``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and test(fields):
            found.add(int(stat.parent.name))
    return found


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process`` (SIGTERM), then make sure nothing it started outlives it: the
    server it supervised and that server's workers share its process group."""
    process.terminate()
    process.wait(timeout=40)
    group = str(process.pid)
    deadline = time.monotonic() + 10
    while left := processes_where(lambda fields: fields[2] == group):
        if time.monotonic() > deadline:
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
        assert time.monotonic() < deadline + 10, f"processes {left} outlived the server"


@contextmanager
def serving_process(
    environment: dict[str, str], *, copies_loaded: bool = True
) -> Iterator[ServerProcess]:
    """`ascf-graph serve` in its own process on a free loopback port, with ``environment``
    added to ours; yields its URL and process id and stops it afterwards.

    The server answers from disk while its query workers copy the store into memory;
    unless ``copies_loaded`` is false, this waits until /health says the copies are done,
    so that the tests meet workers that answer as they will from then on."""
    port = free_port()
    # The log goes to a file: a pipe nobody reads would block the server once full.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ascf_graph", "serve", "--port", str(port)],
            env={**os.environ, **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to find all it starts
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/health", process, log)
            if copies_loaded:
                wait_until_copies_loaded(url)
            yield ServerProcess(url, process)
        finally:
            stop_process_group(process)


@contextmanager
def serving(environment: dict[str, str]) -> Iterator[str]:
    """Like :func:`serving_process`; yields only the base URL."""
    with serving_process(environment) as process:
        yield process.url


@contextmanager
def running_server(
    settings: Settings, *, copies_loaded: bool = True, **env: str
) -> Iterator[ServerProcess]:
    """`ascf-graph serve` over ``settings``' store and content, plus ``ASCF_...`` variables
    (``copies_loaded``: see :func:`serving_process`)."""
    environment = {
        "ASCF_DATA_DIR": str(settings.data_dir),
        "ASCF_CONTENT_DIR": str(settings.content_dir),
        **env,
    }
    with serving_process(environment, copies_loaded=copies_loaded) as process:
        yield process


def memory_copies(url: str) -> str:
    """What the server at ``url`` says of its workers' copies in memory (/health)."""
    return str(httpx.get(f"{url}/health", timeout=10).json()["memory_copies"])


def wait_until_copies_loaded(url: str) -> str:
    """Wait until /health no longer says the copies are loading; what it says then."""
    deadline = time.monotonic() + 60
    while (state := memory_copies(url)) == "loading":
        assert time.monotonic() < deadline, "the query workers' copies never completed"
        time.sleep(0.05)
    return state


def wait_until_up(
    probe_url: str, process: subprocess.Popen[bytes], log: IO[bytes] | None = None
) -> None:
    """Wait until ``probe_url`` answers 200, or fail with what the process printed
    (to ``log`` if given, else to its stdout pipe)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if log is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")
            else:
                output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"the server exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(probe_url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{probe_url} did not answer within 30 s")


@contextmanager
def serving_in_this_process(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn from a thread on a free loopback port; yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn")
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
