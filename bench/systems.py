"""The systems under test that answer over HTTP, each started by the harness on loopback.

- ``ascf-graph``: our service, ``python -m ascf_graph serve`` over the store
  our own build made from the generated data;
- ``oxigraph``: the Oxigraph server of the ``oxigraph`` PyPI package
  (``oxigraph serve-read-only --union-default-graph``) over a store that
  ``oxigraph load`` filled from the dump of our build;
- ``rdflib-endpoint``: ``rdflib-endpoint serve`` (FastAPI + rdflib), which
  parses the same dump into memory when it starts.

Each runs in its own process group on a free loopback port. Its resident
memory (the process and its children) is sampled while it runs, and its
cold start is the time from spawning it to its first correct answer. Ours
answers from disk at first while its query workers copy the store into
memory: the warm runs wait until its ``/health`` says the copies are no
longer loading (``warm_after`` is the time from spawning it to then), so
that they measure the server as it runs from then on.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.answers import BadAnswerError
from bench.http_client import HttpError, LeanClient
from bench.loadgen import Request
from bench.queries import ID_LOOKUP, LINKED_DATA, BenchQuery

PROBE = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ascf/def/City> }"
BASE_IRI = "https://w3id.org/ascf/"
#: Why rdflib-endpoint is not given the documents' CONSTRUCT (bench/document_query.py).
RDFLIB_DOCUMENTS = (
    "rdflib's engine joins the blank-node path members without bound subjects: over "
    "4.6k quads it took 0.8 s at 4 levels, 5.3 s at 5, and had not finished the 8 "
    "levels of a document in 10 minutes"
)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MemoryWatch:
    """Samples the resident memory of a process and its children until stopped."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> int:
        try:
            process = psutil.Process(self.pid)
            tree = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for member in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += member.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def high_water_mark(self) -> int:
        """The kernel's peak RSS (VmHWM) of the process and its children, summed."""
        total = 0
        try:
            tree = [psutil.Process(self.pid), *psutil.Process(self.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        for member in tree:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{member.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
        return total

    def stop(self) -> int:
        """Stop sampling; the peak in bytes (the larger of samples and VmHWM)."""
        peak = max(self.peak, self._sample(), self.high_water_mark())
        self._stop.set()
        self._thread.join(timeout=2)
        return peak


@dataclass
class HttpSystem:
    """A server process the harness starts, queries over HTTP, and stops."""

    name: str
    label: str
    argv: list[str]
    query_path: str
    env: Mapping[str, str] = field(default_factory=dict)
    log: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    watch: MemoryWatch | None = None
    client: LeanClient | None = None
    cold_start: float = 0.0
    #: A path whose JSON ``memory_copies`` says ``loading`` while the server warms up
    #: (ours: ``/health``); None: the server is warm once it answers.
    warm_probe: str | None = None
    #: Seconds from spawning the server until it was warm (its cold start if no probe).
    warm_after: float = 0.0
    linked_data: bool = False
    #: Queries this system is not put through, and why.
    cannot_answer: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The command line, with ``{port}`` filled in."""
        return [part.replace("{port}", str(self.port)) for part in self.argv]

    async def start(self, concurrency: int, timeout: float = 900.0) -> None:
        """Spawn the server and wait for its first answer to the probe query (its cold
        start), then until it is warm (see :attr:`warm_probe`)."""
        started = time.perf_counter()
        await self._first_answer(started, concurrency, timeout)
        await self._warm(started, started + timeout)
        self.warm_after = time.perf_counter() - started

    async def _warm(self, started: float, deadline: float) -> None:
        """Wait until :attr:`warm_probe` no longer says ``loading``."""
        assert self.client is not None
        assert self.process is not None
        while self.warm_probe is not None and time.perf_counter() < deadline:
            answer = await self.client.get(self.warm_probe)
            if (
                answer.status == 200
                and json.loads(answer.content).get("memory_copies") != "loading"
            ):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited while it warmed up")
            await asyncio.sleep(0.1)
        if self.warm_probe is not None:
            raise RuntimeError(
                f"{self.name} was still loading {time.perf_counter() - started:.0f} s after "
                "its start"
            )

    async def _first_answer(self, started: float, concurrency: int, timeout: float) -> None:
        """Spawn the server; wait for its first answer to the probe query."""
        with self.log.open("wb") if self.log else contextlib.nullcontext() as output:
            self.process = subprocess.Popen(
                self.command(),
                env={**os.environ, **self.env},
                stdout=output or subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # the child holds its own copy of the log's descriptor
        self.watch = MemoryWatch(self.process.pid)
        self.client = LeanClient(self.url, concurrency)
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} while starting"
                    + (f"; see {self.log}" if self.log else "")
                )
            try:
                answer = await self.client.post(
                    self.query_path,
                    content=PROBE,
                    headers={
                        "Content-Type": "application/sparql-query",
                        "Accept": "application/sparql-results+json",
                    },
                )
                if answer.status == 200:
                    self.cold_start = time.perf_counter() - started
                    return
            except (OSError, HttpError, asyncio.IncompleteReadError):
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    async def call(self, request: Request, query: BenchQuery) -> bytes:
        """Send one request; the answer's bytes, or :class:`BadAnswerError`."""
        assert self.client is not None
        if query.name in LINKED_DATA and self.linked_data:
            resource = query.resource(request.index)
            assert resource is not None
            path = resource.removeprefix(BASE_IRI)
            if query.name != ID_LOOKUP:
                path = "doc/" + path.removeprefix("id/") + ".nt"
            answer = await self.client.get(
                "/" + path,
                headers={"Accept": "application/n-triples"},
                follow_redirects=query.name == ID_LOOKUP,
            )
        else:
            answer = await self.client.post(
                self.query_path,
                content=query.text(request.index, request.salt),
                headers={"Content-Type": "application/sparql-query", "Accept": query.accept},
            )
        if answer.status != 200:
            raise BadAnswerError(f"HTTP {answer.status}: {answer.text[:300]}")
        return answer.content

    async def probe_linked_data(self, resource: str) -> str | None:
        """Whether ``/id/`` answers here; ``None`` if it does, else why it is skipped."""
        assert self.client is not None
        answer = await self.client.get(
            "/" + resource.removeprefix(BASE_IRI),
            headers={"Accept": "application/n-triples"},
            follow_redirects=True,
        )
        if answer.status == 200:
            self.linked_data = True
            return None
        return (
            f"GET /{resource.removeprefix(BASE_IRI)} answered {answer.status}: "
            f"{answer.text[:200]!r}"
        )

    async def stop(self) -> int:
        """Stop the server; its peak resident memory in bytes."""
        peak = self.watch.stop() if self.watch else 0
        if self.client:
            await self.client.aclose()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return peak


def bin_path(name: str) -> str:
    """An executable of this virtual environment (``oxigraph``, ``rdflib-endpoint``)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def ours(store_dir: Path, content_dir: Path, log: Path) -> HttpSystem:
    """Our service over the store our build wrote."""
    return HttpSystem(
        name="ascf-graph",
        label="ascf-graph serve (ours)",
        argv=[sys.executable, "-m", "ascf_graph", "serve", "--port", "{port}"],
        query_path="/sparql",
        env={"ASCF_DATA_DIR": str(store_dir), "ASCF_CONTENT_DIR": str(content_dir)},
        log=log,
        warm_probe="/health",
    )


def oxigraph_server(store_dir: Path, log: Path) -> HttpSystem:
    """The Oxigraph server, read-only, with the union of graphs as default graph."""
    return HttpSystem(
        name="oxigraph",
        label="Oxigraph server",
        argv=[
            bin_path("oxigraph"),
            "serve-read-only",
            "--location",
            str(store_dir),
            "--bind",
            "127.0.0.1:{port}",
            "--union-default-graph",
        ],
        query_path="/query",
        log=log,
    )


def rdflib_endpoint(dataset: Path, log: Path) -> HttpSystem:
    """rdflib-endpoint serving the dump (an rdflib Dataset with the union as default graph)."""
    return HttpSystem(
        name="rdflib-endpoint",
        label="rdflib-endpoint",
        argv=[
            bin_path("rdflib-endpoint"),
            "serve",
            str(dataset),
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
        ],
        query_path="/",
        log=log,
        cannot_answer=dict.fromkeys(LINKED_DATA, RDFLIB_DOCUMENTS),
    )
