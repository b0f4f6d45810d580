"""What the SPARQL endpoint needs while the app runs, started and stopped with its lifespan.

:func:`sparql_services` sets the state's :class:`~ascf_graph.web.state.SparqlServices`:
the query service (the query runner, the answer cache and the limits), the
VoID counts for the service description, the curated queries and the query
workers (which render linked-data documents too, or None). Worker processes
answer queries when the store is an embedded one on disk and
``ASCF_QUERY_WORKERS`` > 0; otherwise the server's threads do.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ascf_graph.core.crash_guard import CrashGuard
from ascf_graph.core.settings import Settings
from ascf_graph.html.results_table import render_table
from ascf_graph.sparql.curated import CuratedQueries
from ascf_graph.sparql.runners import QueryRunner, ThreadRunner
from ascf_graph.sparql.service import QueryService
from ascf_graph.store.answer_cache import AnswerCache
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.graph_sizes import GraphSizes
from ascf_graph.store.snapshots import Snapshots
from ascf_graph.web.state import AppState, SparqlServices
from ascf_graph.workers.query_pool import WorkerPoolRunner
from ascf_graph.workers.worker_store import COPY_BYTES_PER_QUAD

#: A query worker's address space before any copy: the engine, the snapshot open on disk
#: (about 360 MB of it at test size, 560 MB at a million quads: RocksDB and the allocator
#: reserve more than they touch) and room for queries. At 1 GiB, a worker answering from
#: disk while it began its copy at a million quads found no room for it, and every
#: analytic query then ran from disk, about 1.4x slower.
BASE_WORKER_MEMORY = 2 * 1024**3

SNAPSHOTS_FOLDER = "snapshots"


def copy_limit_per_worker(budget_quads: int, workers: int) -> int:
    """The largest store each worker copies into memory, so that all copies fit the budget.

    >>> copy_limit_per_worker(4_000_000, 2), copy_limit_per_worker(4_000_000, 16)
    (2000000, 250000)
    """
    return budget_quads // max(1, workers)


def worker_memory(setting: int | None, copy_quads: int) -> int:
    """The address space a query worker may use: ``ASCF_QUERY_MEMORY`` if set, else room for
    the engine and queries plus the copy it may make (0: no limit).

    >>> worker_memory(None, 0), worker_memory(None, 2_000_000), worker_memory(0, 2_000_000)
    (2147483648, 2947483648, 0)
    """
    if setting is not None:
        return setting
    return BASE_WORKER_MEMORY + copy_quads * COPY_BYTES_PER_QUAD


def query_worker_pool(settings: Settings) -> WorkerPoolRunner:
    """The query workers the settings ask for, not started yet."""
    copy_quads = copy_limit_per_worker(settings.memory_copy_quads, settings.query_workers)
    return WorkerPoolRunner(
        settings.query_workers,
        settings.query_timeout,
        Snapshots(settings.data_dir / SNAPSHOTS_FOLDER),
        replica_max_quads=copy_quads,
        memory_bytes=worker_memory(settings.query_memory, copy_quads),
    )


@asynccontextmanager
async def query_workers(settings: Settings) -> AsyncIterator[WorkerPoolRunner | None]:
    """The query workers for the embedded store, started before it is opened, and stopped
    on exit; None if the settings want none (or name a remote store). Hand them to
    :func:`sparql_services`.

    A worker takes a tenth of a second to start its interpreter, which the server
    spends meanwhile on opening the store, rather than waiting after.
    """
    if settings.query_workers <= 0 or settings.store_url is not None:
        yield None
        return
    pool = query_worker_pool(settings)
    await pool.open()
    try:
        yield pool
    finally:
        await pool.close()  # closed already unless start-up failed before sparql_services


@asynccontextmanager
async def sparql_services(
    state: AppState, *, workers: WorkerPoolRunner | None = None
) -> AsyncIterator[SparqlServices]:
    """Start ``state``'s SPARQL services over its store; stop its workers on exit.

    An app that mounts the SPARQL routers needs only this and an
    :class:`~ascf_graph.web.state.AppState` on ``app.state.ascf``. ``workers``
    are query workers already started (:func:`query_workers`); without them,
    they are started here if the settings ask for them.
    """
    runner: QueryRunner
    settings, metrics = state.settings, state.metrics
    if workers is None and settings.query_workers > 0 and isinstance(state.store, EmbeddedStore):
        workers = query_worker_pool(settings)
        await workers.open()
    if workers is not None:
        await workers.prepare(state.store)
        runner = workers
    else:
        runner = ThreadRunner(settings.query_timeout)
    query_service = QueryService(
        runner,
        AnswerCache(settings.answer_cache_bytes),
        render_table=render_table,
        service_allow_list=settings.service_allow_list,
        buffer_bytes=settings.answer_buffer_bytes,
        max_table_bytes=settings.max_table_bytes,
        max_age=settings.http_max_age,
        max_depth=settings.query_max_depth,
        crashes=CrashGuard(settings.query_crash_limit, settings.query_crash_window),
        query_seconds=metrics.query_seconds if metrics is not None else None,
    )
    state.sparql = SparqlServices(
        query_service,
        GraphSizes(state.generation_cache),
        CuratedQueries(settings.queries_dir, state.generation_cache),
        workers,
    )
    try:
        yield state.sparql
    finally:
        await runner.close()
