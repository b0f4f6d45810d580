"""The SPARQL and curated-query routers mount in another FastAPI app, as docs/sparql.md says:
with an ``AppState`` on ``app.state.ascf`` and ``sparql_services`` in its lifespan, nothing
else."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from ascf_graph.core.settings import Settings
from ascf_graph.store.backends import open_store
from ascf_graph.web.lifespan import sparql_services
from ascf_graph.web.routers.curated import router as curated_router
from ascf_graph.web.routers.sparql import router as sparql_router
from ascf_graph.web.state import AppState
from tests.support.servers import serving_in_this_process
from tests.support.stores import clone_settings

FOCUS_AREAS = "SELECT (COUNT(*) AS ?n) WHERE { ?f a <https://w3id.org/ascf/def/FocusArea> }"


def another_app(settings: Settings) -> FastAPI:
    """An app of someone else's, with our two routers under ``/ascf``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = app.state.ascf = AppState.over(settings, open_store(settings))
        try:
            async with sparql_services(state):
                yield
        finally:
            state.store.close()

    app = FastAPI(lifespan=lifespan)
    app.include_router(sparql_router, prefix="/ascf")
    app.include_router(curated_router, prefix="/ascf")
    return app


def test_the_routers_answer_queries_errors_and_curated_queries_in_another_app(
    built: Settings, tmp_path: Path
) -> None:
    settings = clone_settings(built, tmp_path).model_copy(update={"query_workers": 1})
    json = {"Accept": "application/sparql-results+json"}
    with (
        serving_in_this_process(another_app(settings)) as base,
        httpx.Client(base_url=base) as client,
    ):
        counted = client.get("/ascf/sparql", params={"query": FOCUS_AREAS}, headers=json)
        refused = client.get("/ascf/sparql", params={"query": "SELECT WHERE {"})
        curated = client.get("/ascf/queries/framework_tree", headers=json)
    assert counted.status_code == 200, counted.text
    assert counted.json()["results"]["bindings"][0]["n"]["value"] == "6"
    assert counted.headers["access-control-allow-origin"] == "*"
    assert refused.status_code == 400
    assert refused.json()["code"] == "query-syntax"
    assert curated.status_code == 200, curated.text
    assert curated.json()["results"]["bindings"]
