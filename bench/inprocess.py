"""The bare engine, in-process: pyoxigraph without HTTP, our overhead baseline.

Run by the harness in a child process of its own (so that its memory is its
own): it bulk-loads the dump, in memory or into an on-disk store, then goes
through the same :mod:`bench.workload` plan as the servers, calling
``Store.query`` from a pool of ``concurrency`` threads (pyoxigraph releases
the GIL while it evaluates) and serialising each answer to the same bytes a
server would send (SPARQL JSON, N-Triples). Results go to a pickle file.

    python -c "from bench.inprocess import main; main()" \\
        MODE DUMP MANIFEST PLAN_JSON RESULT [STORE_DIR]

(run through ``-c`` so that the pickled classes are those of ``bench.inprocess``).
"""

import asyncio
import json
import pickle
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.generator import Manifest
from bench.loadgen import Request
from bench.queries import BenchQuery, query_mix
from bench.systems import PROBE
from bench.workload import Plan, WorkloadResult, exercise


@dataclass
class InProcessResult:
    """What the child reports back."""

    mode: str
    load_seconds: float
    cold_start: float
    quads: int
    peak_rss: int
    workload: WorkloadResult


def answer(store: ox.Store, query: BenchQuery, index: int, salt: str | None = None) -> bytes:
    """Run one request's query and serialise it as a server would."""
    result = store.query(query.text(index, salt), use_default_graph_as_union=True)
    if query.form == "CONSTRUCT":
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
    return result.serialize(format=ox.QueryResultsFormat.JSON)


def open_store(mode: str, dump: Path, store_dir: Path | None) -> ox.Store:
    """Bulk-load the dump in memory, or into a fresh on-disk store (flushed, optimised)."""
    if mode == "memory":
        store = ox.Store()
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        return store
    if store_dir is None:
        raise ValueError("the disk mode needs a folder for its store")
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    return store


async def _main(argv: list[str]) -> InProcessResult:
    mode, dump, manifest_file, plan_json = argv[:4]
    store_dir = Path(argv[5]) if len(argv) > 5 else None
    started = time.perf_counter()
    store = open_store(mode, Path(dump), store_dir)
    loaded = time.perf_counter()
    store.query(PROBE, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
    cold_start = time.perf_counter() - started
    plan = Plan(**json.loads(plan_json))
    mix = plan.chosen(query_mix(Manifest.read(Path(manifest_file))))
    queries = {query.name: query for query in mix}
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(plan.concurrency))

    async def call(request: Request) -> bytes:
        return await asyncio.to_thread(
            answer, store, queries[request.query], request.index, request.salt
        )

    workload = await exercise(call, mix, plan, progress=lambda line: print(line, flush=True))
    return InProcessResult(
        mode=mode,
        load_seconds=loaded - started,
        cold_start=cold_start,
        quads=len(store),
        peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        workload=workload,
    )


def main() -> None:
    """Entry point: run the plan and pickle the result to the given file."""
    result = asyncio.run(_main(sys.argv[1:]))
    Path(sys.argv[5]).write_bytes(pickle.dumps(result))
