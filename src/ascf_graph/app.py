"""The FastAPI application: ``create_app(settings)`` assembles routers and the store.

Two probes tell a process manager or a load balancer how the server is:
``/health`` (liveness: the process answers; with ``up_since``, when it started
serving, ``restarts``, how many times the ``serve`` supervisor restarted
it, and ``memory_copies``, whether the query workers answer from their copies
of the store in memory: ``loading`` while they copy and answer from disk,
``complete``, or ``off``) and ``/ready`` (200 only while the store is open
and query workers run, 503 otherwise: send no traffic yet, or no more). A
server answers from disk while its copies load, so it is ready meanwhile.
``/metrics`` serves the application's metrics to Prometheus
(:mod:`ascf_graph.web.service_metrics`).
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request

from ascf_graph import __version__
from ascf_graph.core.errors import NotReadyError
from ascf_graph.core.settings import Settings
from ascf_graph.shacl.engine import validation_engine
from ascf_graph.store.backends import open_store
from ascf_graph.store.base import Store
from ascf_graph.store.refresh import StoreRefresher
from ascf_graph.web.connection_limits import ConnectionAccounts
from ascf_graph.web.dependencies import StateDep, StoreDep
from ascf_graph.web.errors import install_error_handlers
from ascf_graph.web.lifespan import query_workers, sparql_services
from ascf_graph.web.middleware.body_limit import BodySizeLimit
from ascf_graph.web.middleware.disconnects import QuietDisconnects
from ascf_graph.web.middleware.fast_path import HotRoutesFastPath
from ascf_graph.web.middleware.page_headers import PageHeaders
from ascf_graph.web.middleware.reads import install_read_middleware
from ascf_graph.web.middleware.request_observer import install_observability
from ascf_graph.web.routers.curated import router as curated_router
from ascf_graph.web.routers.graphs import router as graph_router
from ascf_graph.web.routers.linked_data import router as linked_data_router
from ascf_graph.web.routers.site import router as site_router
from ascf_graph.web.routers.sparql import router as sparql_router
from ascf_graph.web.routers.submissions import router as submissions_router
from ascf_graph.web.routers.validate import router as validate_router
from ascf_graph.web.service_metrics import ServiceMetrics
from ascf_graph.web.state import AppState
from ascf_graph.web.stewards import open_input_workers, open_steward_services
from ascf_graph.workers.query_pool import WorkerPoolRunner


def memory_copies(workers: WorkerPoolRunner | None) -> dict[str, object]:
    """What /health says of the query workers' copies of the store in memory."""
    if workers is None:
        return {"memory_copies": "off", "workers_in_memory": 0}
    return {"memory_copies": workers.memory_copies, "workers_in_memory": workers.workers_in_memory}


def create_app(
    settings: Settings | None = None,
    *,
    fast_path: bool = True,
    restarts: Mapping[str, int] | None = None,
    connections: ConnectionAccounts | None = None,
    store: Store | None = None,
) -> FastAPI:
    """Build the application; the store opens with the lifespan and closes with it.

    ``fast_path=False`` leaves out :class:`HotRoutesFastPath`, so that a test can
    compare its answers with the whole stack's. ``restarts`` counts the servers
    the supervisor started before this one by how each ended (``sigkill``,
    ``exit_1``...), for ``/health`` (their sum) and ``/metrics``;
    ``connections``, what the server's connections hold, for ``/metrics``.
    ``store`` is one the caller opened already (``serve`` opens it to refuse a
    configuration that cannot work before anything starts): the first lifespan
    serves it, rather than spend a second opening, and closes it.
    """
    settings = settings or Settings()
    engine = validation_engine(settings.shacl_engine)  # an engine that cannot run stops start-up
    restarts = dict(restarts or {})
    metrics = ServiceMetrics(server_restarts=restarts)
    opened = [store] if store is not None else []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Their interpreters start while this process opens the store.
        async with query_workers(settings) as workers:
            # Builds swap the embedded store under data_dir while it is served: the refresher
            # reads which build is current before the store opens, so none is missed.
            refresher = StoreRefresher(settings.data_dir) if settings.store_url is None else None
            state = app.state.ascf = AppState.over(
                settings,
                opened.pop() if opened else open_store(settings),
                store_refresher=refresher,
                metrics=metrics,
            )
            input_workers = state.input_workers = open_input_workers(settings)
            state.stewards = open_steward_services(
                settings,
                state.store,
                engine=engine,
                shapes_cache=state.generation_cache,
                workers=input_workers,
                validation_seconds=metrics.validation_seconds,
            )
            try:
                async with sparql_services(state, workers=workers):
                    state.serving = True
                    try:
                        yield
                    finally:
                        state.serving = False
            finally:
                if input_workers is not None:
                    await to_thread.run_sync(input_workers.close)
                state.store.close()

    app = FastAPI(
        title="ASEAN Smart Cities Framework graph",
        version=__version__,
        description="SPARQL, linked data and validation for the ASEAN Smart Cities Framework.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    if fast_path:  # inside CORS and HEAD-as-GET, which every answer still goes through
        app.add_middleware(HotRoutesFastPath)
    install_read_middleware(app)
    app.include_router(sparql_router)
    app.include_router(graph_router)  # before linked_data_router, whose /doc/{path} is wider
    app.include_router(linked_data_router)
    app.include_router(site_router)
    app.include_router(curated_router)
    app.include_router(validate_router)
    app.include_router(submissions_router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outside the routes, the fast path and the body limit: every answer gets it, 413s included.
    app.add_middleware(PageHeaders)
    app.add_middleware(QuietDisconnects)  # around everything that reads a body
    # Outermost: every request gets its id first, and is counted whatever answered it.
    install_observability(app, metrics, connections)
    _install_probes(app, restarts)
    return app


def _install_probes(app: FastAPI, restarts: Mapping[str, int]) -> None:
    """``/health`` and ``/ready`` (see the module docstring)."""

    @app.get("/health", summary="Liveness and what the store holds")
    async def health(state: StateDep, store: StoreDep) -> dict[str, object]:
        # Counted once per generation, off the event loop: a probe must not scan the store.
        sizes = await state.services.graph_sizes.of(store)
        return {
            "status": "ok",
            "version": __version__,
            "up_since": state.up_since,
            "restarts": sum(restarts.values()),
            **memory_copies(state.services.document_workers),
            "generation": await to_thread.run_sync(lambda: store.generation),
            "graphs": len(sizes),
            "triples": sum(sizes.values()),
        }

    @app.get("/ready", summary="Readiness: the store is open and query workers run")
    async def ready(request: Request) -> dict[str, object]:
        state: AppState | None = getattr(request.app.state, "ascf", None)
        if state is None or not state.serving or state.sparql is None:
            raise NotReadyError("the server is starting or stopping: its store is not open")
        workers = state.sparql.document_workers
        if workers is not None and workers.live_workers == 0:
            raise NotReadyError("no query worker is running (they are being restarted)")
        return {"status": "ready", "up_since": state.up_since}
