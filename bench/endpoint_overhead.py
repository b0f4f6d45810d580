"""What answering through /sparql costs over the bare engine, with worker processes and
with threads, measured side by side in one run.

    .venv/bin/python bench/endpoint_overhead.py --requests 200 --concurrency 4

Builds the shipped content (without HermiT) into a temporary folder, starts two
`ascf-graph serve` processes over copies of it (ASCF_QUERY_WORKERS=2 and =0, the
answer cache off so every request is evaluated), and times the same queries:
in-process with pyoxigraph (serialized to SPARQL JSON, no HTTP), then over HTTP
to each server, one client at a time (latency) and ``--concurrency`` clients
at once (throughput). Prints a Markdown table; the ratios are what to quote.
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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
QUERIES = {
    "ask": "ASK { ?s a <https://w3id.org/ascf/def/FocusArea> }",
    "six rows": "SELECT ?fa ?label WHERE { ?fa a <https://w3id.org/ascf/def/FocusArea> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
    "framework tree": (REPO / "queries" / "framework_tree.rq").read_text(encoding="utf-8"),
    "two-hop count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c }",
}


def build_store(folder: Path) -> Path:
    """The shipped content built into ``folder`` (no reasoner); the data dir."""
    data_dir = folder / "store"
    env = {**os.environ, "ASCF_DATA_DIR": str(data_dir), "ASCF_CONTENT_DIR": str(REPO)}
    subprocess.run(
        [sys.executable, "-m", "ascf_graph", "build", "--no-reasoner"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return data_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(data_dir: Path, workers: int) -> Iterator[str]:
    """A server over a private copy of ``data_dir`` with ``workers`` query workers."""
    copy = data_dir.parent / f"store-workers-{workers}"
    shutil.copytree(data_dir, copy, symlinks=True)
    port = free_port()
    env = {
        **os.environ,
        "ASCF_DATA_DIR": str(copy),
        "ASCF_CONTENT_DIR": str(REPO),
        "ASCF_QUERY_WORKERS": str(workers),
        "ASCF_ANSWER_CACHE_BYTES": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ascf_graph", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def in_process(data_dir: Path, query: str, requests: int) -> list[float]:
    """Seconds per evaluation + JSON serialization with pyoxigraph, no HTTP."""
    store = ox.Store.read_only(str((data_dir / "current").resolve()))
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        result = store.query(query, use_default_graph_as_union=True)
        result.serialize(format=ox.QueryResultsFormat.JSON)
        timings.append(time.perf_counter() - started)
    return timings


def over_http(url: str, query: str, requests: int) -> list[float]:
    """Seconds per request, one client, keep-alive."""
    timings = []
    with httpx.Client(timeout=60) as client:
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.post(f"{url}/sparql", data={"query": query})
            answer.raise_for_status()
            timings.append(time.perf_counter() - started)
    return timings


def throughput(url: str, query: str, requests: int, concurrency: int) -> float:
    """Requests per second with ``concurrency`` clients."""

    def one_client(count: int) -> None:
        with httpx.Client(timeout=120) as client:
            for _ in range(count):
                client.post(f"{url}/sparql", data={"query": query}).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one_client, [requests // concurrency] * concurrency))
    return (requests // concurrency * concurrency) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = build_store(Path(folder))
        with server(data_dir, 2) as workers_url, server(data_dir, 0) as threads_url:
            print(
                f"| query | engine ms | workers ms | threads ms | workers/engine | "
                f"workers/threads | workers req/s (x{options.concurrency}) | threads req/s |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for name, query in QUERIES.items():
                count = options.requests if name != "two-hop count" else options.requests // 10
                engine = statistics.median(in_process(data_dir, query, count))
                workers = statistics.median(over_http(workers_url, query, count))
                threads = statistics.median(over_http(threads_url, query, count))
                workers_rate = throughput(workers_url, query, count, options.concurrency)
                threads_rate = throughput(threads_url, query, count, options.concurrency)
                print(
                    f"| {name} | {engine * 1000:.2f} | {workers * 1000:.2f} | "
                    f"{threads * 1000:.2f} | {workers / engine:.1f} | {workers / threads:.2f} | "
                    f"{workers_rate:.0f} | {threads_rate:.0f} |"
                )


if __name__ == "__main__":
    main()
