"""``/sparql``: the SPARQL 1.1 Protocol for queries, as a router any FastAPI app can mount.

- ``GET ?query=``, ``POST`` form, ``POST application/sparql-query``; ``default-graph-uri``
  and ``named-graph-uri`` (repeatable); the format by ``format=`` or ``Accept``.
- ``GET`` without a query: the service description (Turtle, JSON-LD...) or, for a
  browser, the query editor.
- Updates 403, other methods 405, unknown body types 415, bodies too large 413.
- Answers and errors readable from any origin (CORS), ETag/304, cached when small.

Needs ``app.state.query_service`` and ``app.state.graph_sizes`` (see
:func:`ascf_graph.web.lifespan.sparql_services`), ``app.state.settings``
and a store (``app.state.store``).
"""

from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from starlette.routing import NoMatchFound

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import MethodNotAllowedError
from ascf_graph.core.http_caching import cache_control, entity_tag, none_match
from ascf_graph.core.settings import Settings
from ascf_graph.html import editor
from ascf_graph.rdf.io import SYNTAXES
from ascf_graph.sparql.answer_formats import choose_format
from ascf_graph.sparql.curated import CuratedQueries
from ascf_graph.sparql.service import QueryRequest, QueryService, current_generation
from ascf_graph.sparql.service_description import DESCRIPTION_PREFIXES, describe_service
from ascf_graph.store.embedded import Store
from ascf_graph.store.refresh import current_store
from ascf_graph.web.cors import READ_METHODS, ReadCorsRoute, preflight
from ascf_graph.web.dependencies import SettingsDep
from ascf_graph.web.page_urls import absolute_url, page_url
from ascf_graph.web.responses import answer_response
from ascf_graph.web.sparql_protocol import ProtocolRequest, read_protocol_request

OTHER_METHODS = ["PUT", "DELETE", "PATCH", "TRACE"]

router = APIRouter(route_class=ReadCorsRoute, tags=["SPARQL"])


@router.api_route("/sparql", methods=["GET", "HEAD", "POST"], summary="SPARQL 1.1 query endpoint")
async def sparql_endpoint(request: Request) -> Response:
    """Answer a query sent by any of the protocol's operations, or describe the service.

    It takes what it needs from ``app.state`` itself, not through FastAPI's
    dependencies: :mod:`ascf_graph.web.middleware.fast_path` calls it directly.
    """
    state = request.app.state
    store = await current_store(state)
    service: QueryService = state.query_service
    settings: Settings = state.settings
    protocol = await read_protocol_request(request, settings.max_body_bytes)
    if protocol.query is None:
        return await _describe(request, store, settings, protocol.formats)
    answer = await service.answer(
        store,
        QueryRequest(
            text=protocol.query,
            default_graphs=protocol.default_graphs,
            named_graphs=protocol.named_graphs,
            formats=protocol.formats,
            accept=request.headers.get("accept"),
            client=request.client.host if request.client else None,
            # 304 is an answer to GET and HEAD only (RFC 9110 13.1.2); a POST gets the body
            if_none_match=request.headers.get("if-none-match")
            if request.method in ("GET", "HEAD")
            else None,
            link=lambda: _get_url(request, settings, protocol),
        ),
        scope="sparql",
    )
    return answer_response(answer)


@router.options("/sparql", include_in_schema=False)
async def sparql_preflight(request: Request) -> Response:
    """CORS preflight (and OPTIONS): which methods and headers the endpoint takes."""
    return preflight(request)


@router.api_route("/sparql", methods=OTHER_METHODS, include_in_schema=False)
async def sparql_other_methods(request: Request) -> Response:
    """Any other method: 405 with the methods the endpoint does answer."""
    raise MethodNotAllowedError(
        f"{request.method} is not a SPARQL query operation; use GET or POST",
        allow=READ_METHODS,
    )


@router.get("/sparql/editor/{asset}", include_in_schema=False)
async def editor_asset(asset: str, settings: SettingsDep) -> Response:
    """The query editor's script and style sheet, served locally (no CDN)."""
    found = editor.asset(settings.editor_assets_dir, asset)
    return FileResponse(
        found.path, media_type=found.media_type, headers={"Cache-Control": found.cache_control}
    )


async def _describe(
    request: Request, store: Store, settings: Settings, requested_formats: tuple[str, ...]
) -> Response:
    """The service description for machines, the query editor for browsers."""
    offered = [s.media_type for s in SYNTAXES]
    accept = request.headers.get("accept")
    if not requested_formats and negotiate(accept, [*offered, "text/html"]) == "text/html":
        curated: CuratedQueries = request.app.state.curated
        page = editor.editor_page(
            page_url(request, settings, "sparql_endpoint"),
            curated.all(await current_generation(store)).values(),
            assets_dir=settings.editor_assets_dir,
            assets_url=page_url(request, settings, "editor_asset", asset="x")[:-1],
            queries_url=_page_url(request, settings, "list_queries"),
        )
        return HTMLResponse(page, headers={"Vary": "Accept"})
    endpoint = absolute_url(request, settings, "sparql_endpoint")
    chosen = choose_format("graph", requested_formats, accept)
    sizes = await request.app.state.graph_sizes.of(store)
    generation = await current_generation(store)
    etag = entity_tag(generation, "service-description", endpoint, chosen.media_type)
    headers = {
        "ETag": etag,
        "Vary": "Accept",
        "Cache-Control": cache_control(settings.http_max_age),
    }
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    description = describe_service(endpoint, sizes, federation=bool(settings.service_allow_list))
    rdf_format = ox.RdfFormat.from_media_type(chosen.media_type)
    statements = (
        [ox.Quad(t.subject, t.predicate, t.object) for t in description]
        if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
        else description
    )
    body = ox.serialize(statements, format=rdf_format, prefixes=DESCRIPTION_PREFIXES)
    return Response(body, media_type=chosen.media_type, headers=headers)


def _get_url(request: Request, settings: Settings, protocol: ProtocolRequest) -> str:
    """The GET URL that asks what ``protocol`` asks (for links from an HTML answer)."""
    params = [("query", protocol.query or "")]
    params += [("default-graph-uri", iri) for iri in protocol.default_graphs or []]
    params += [("named-graph-uri", iri) for iri in protocol.named_graphs or []]
    return f"{page_url(request, settings, 'sparql_endpoint')}?{urlencode(params)}"


def _page_url(request: Request, settings: Settings, name: str) -> str | None:
    """Where a page links the route called ``name``, if the app has one."""
    try:
        return page_url(request, settings, name)
    except NoMatchFound:
        return None
