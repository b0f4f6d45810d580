"""``/sparql``: the SPARQL 1.1 Protocol for queries, as a router any FastAPI app can mount.

- ``GET ?query=``, ``POST`` form, ``POST application/sparql-query``; ``default-graph-uri``
  and ``named-graph-uri`` (repeatable); the format by ``format=`` or ``Accept``.
- ``GET`` without a query: the service description (Turtle, JSON-LD...) or, for a
  browser, the query editor.
- Updates 403, other methods 405, unknown body types 415, bodies too large 413.
- Answers and errors readable from any origin (CORS), ETag/304, cached when small.

Needs an :class:`~ascf_graph.web.state.AppState` on ``app.state.ascf`` with its
SPARQL services started (:func:`ascf_graph.web.lifespan.sparql_services`).
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from ascf_graph.html import editor
from ascf_graph.web.cors import ReadCorsRoute, preflight
from ascf_graph.web.dependencies import SettingsDep
from ascf_graph.web.sparql_answers import answer_sparql, refuse_other_method

OTHER_METHODS = ["PUT", "DELETE", "PATCH", "TRACE"]

router = APIRouter(route_class=ReadCorsRoute, tags=["SPARQL"])


@router.api_route("/sparql", methods=["GET", "HEAD", "POST"], summary="SPARQL 1.1 query endpoint")
async def sparql_endpoint(request: Request) -> Response:
    """Answer a query sent by any of the protocol's operations, or describe the service."""
    return await answer_sparql(request)


@router.options("/sparql", include_in_schema=False)
async def sparql_preflight(request: Request) -> Response:
    """CORS preflight (and OPTIONS): which methods and headers the endpoint takes."""
    return preflight(request)


@router.api_route("/sparql", methods=OTHER_METHODS, include_in_schema=False)
async def sparql_other_methods(request: Request) -> Response:
    """Other methods (the fast path answers any method so): 405 with the methods the
    endpoint does answer."""
    return await refuse_other_method(request)


@router.get("/sparql/editor/{asset}", include_in_schema=False)
async def editor_asset(asset: str, settings: SettingsDep) -> Response:
    """The query editor's script and style sheet, served locally (no CDN)."""
    found = editor.asset(settings.editor_assets_dir, asset)
    return FileResponse(
        found.path, media_type=found.media_type, headers={"Cache-Control": found.cache_control}
    )
