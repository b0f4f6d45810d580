"""Server CPU time per request: where a lookup's cost goes, ours against the Oxigraph server
and against the floor of a Python endpoint (:mod:`bench.bare_endpoint`).

Throughput on 2 cores shared with the load generator is bound by CPU per
request, so this counts it: the CPU seconds of the server's process tree
(workers included) over a run of one query, divided by the requests.

    python -m bench.cpu_per_request FOLDER QUERY [REQUESTS]

``FOLDER`` is a prepared dataset folder of ``python -m bench run``
(``bench/out/1M-seed42``); the store there is served as the run serves it.
The floor serves the Oxigraph server's store read-only, in process.
"""

import asyncio
import sys
from pathlib import Path

import psutil

from bench.generator import Manifest
from bench.loadgen import Request, run_load
from bench.queries import query_mix
from bench.systems import HttpSystem, ours, oxigraph_server


def tree_cpu(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process, and of its children together."""
    root = psutil.Process(pid)
    own, children = 0.0, 0.0
    for member in [root, *root.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        if member.pid == pid:
            own = times.user + times.system
        else:
            children += times.user + times.system
    return own, children


async def measure(system: HttpSystem, folder: Path, name: str, requests: int) -> str:
    """One line: throughput and server CPU per request for ``requests`` of query ``name``."""
    query = {q.name: q for q in query_mix(Manifest.read(folder / "manifest.json"))}[name]
    await system.start(4)
    try:
        if system.name == "ascf-graph":
            await system.probe_linked_data(query.resource(0) or "")

        async def call(request: Request) -> bytes:
            return await system.call(request, query)

        warm = [Request(name, 5000 + i, f"warm {i}") for i in range(100)]
        await run_load(call, warm, concurrency=4, time_budget=60)
        assert system.process is not None
        before = tree_cpu(system.process.pid)
        measured = [Request(name, 1000 + i, f"cpu {i}") for i in range(requests)]
        stats = await run_load(call, measured, concurrency=4, time_budget=120)
        after = tree_cpu(system.process.pid)
    finally:
        await system.stop()
    answered = max(1, len(stats.latencies))
    own, children = ((a - b) * 1000 / answered for a, b in zip(after, before, strict=True))
    return (
        f"{system.name:<12} {name}: {stats.throughput:8.1f} req/s, server CPU "
        f"{own + children:.3f} ms a request ({own:.3f} server process, {children:.3f} its "
        f"children), {len(stats.errors)} errors"
    )


def bare_endpoint(store_dir: Path, log: Path) -> HttpSystem:
    """uvicorn with a raw ASGI function running the query inline (:mod:`bench.bare_endpoint`)."""
    return HttpSystem(
        name="floor",
        label="uvicorn + raw ASGI + pyoxigraph inline",
        argv=[sys.executable, "-m", "bench.bare_endpoint", str(store_dir), "--port", "{port}"],
        query_path="/query",
        log=log,
    )


def main() -> None:
    """Measure ours, the Oxigraph server and the floor, over the same prepared folder."""
    folder, name = Path(sys.argv[1]), sys.argv[2]
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    logs = folder / "logs"
    for system in (
        ours(folder / "ours", folder / "content", logs / "cpu-ours.log"),
        oxigraph_server(folder / "oxigraph", logs / "cpu-oxigraph.log"),
        bare_endpoint(folder / "oxigraph", logs / "cpu-bare.log"),
    ):
        print(asyncio.run(measure(system, folder, name, requests)), flush=True)


if __name__ == "__main__":
    main()
