"""Answering ``/sparql``: the endpoint's handler, as a plain function.

The SPARQL router's route calls :func:`answer_sparql`, and so does the fast
path (:mod:`ascf_graph.web.middleware.fast_path`), which hands ``/sparql``
requests straight to it: one function, so one answer. Without a query it
describes the service (SPARQL 1.1 Service Description) or, for a browser,
serves the query editor.
"""

from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from starlette.routing import NoMatchFound

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import MethodNotAllowedError
from ascf_graph.core.http_caching import cache_control, entity_tag, none_match
from ascf_graph.core.settings import Settings
from ascf_graph.html import editor
from ascf_graph.rdf.formats import SYNTAXES, serialize_graph, syntax_named
from ascf_graph.sparql.answer_formats import choose_format
from ascf_graph.sparql.service import QueryRequest, current_generation
from ascf_graph.sparql.service_description import DESCRIPTION_PREFIXES, describe_service
from ascf_graph.store.base import Store
from ascf_graph.web.cors import READ_METHODS
from ascf_graph.web.dependencies import client_address
from ascf_graph.web.page_urls import absolute_url, page_url
from ascf_graph.web.responses import answer_response
from ascf_graph.web.sparql_protocol import ProtocolRequest, read_protocol_request
from ascf_graph.web.state import AppState, state_of


async def answer_sparql(request: Request) -> Response:
    """Answer a query sent by any of the protocol's operations, or describe the service.

    It takes what it needs from the app's state itself, not through FastAPI's
    dependencies: the fast path calls it directly, as the route does.
    """
    state = state_of(request.app.state)
    store = await state.current_store()
    service = state.services.query_service
    settings = state.settings
    protocol = await read_protocol_request(request, settings.max_body_bytes)
    if protocol.query is None:
        return await _describe(request, state, store, protocol.formats)
    answer = await service.answer(
        store,
        QueryRequest(
            text=protocol.query,
            default_graphs=protocol.default_graphs,
            named_graphs=protocol.named_graphs,
            formats=protocol.formats,
            accept=request.headers.get("accept"),
            client=client_address(request),
            # 304 is an answer to GET and HEAD only (RFC 9110 13.1.2); a POST gets the body
            if_none_match=request.headers.get("if-none-match")
            if request.method in ("GET", "HEAD")
            else None,
            link=lambda: _get_url(request, settings, protocol),
        ),
        scope="sparql",
    )
    return answer_response(answer)


async def refuse_other_method(request: Request) -> Response:
    """Any method the protocol has no operation for: 405, naming the ones it has."""
    raise MethodNotAllowedError(
        f"{request.method} is not a SPARQL query operation; use GET or POST",
        allow=READ_METHODS,
    )


async def _describe(
    request: Request, state: AppState, store: Store, requested_formats: tuple[str, ...]
) -> Response:
    """The service description for machines, the query editor for browsers."""
    settings = state.settings
    offered = [s.media_type for s in SYNTAXES]
    accept = request.headers.get("accept")
    if not requested_formats and negotiate(accept, [*offered, "text/html"]) == "text/html":
        page = editor.editor_page(
            page_url(request, settings, "sparql_endpoint"),
            state.services.curated.all(await current_generation(store)).values(),
            assets_dir=settings.editor_assets_dir,
            assets_url=page_url(request, settings, "editor_asset", asset="x")[:-1],
            queries_url=_page_url(request, settings, "list_queries"),
        )
        return HTMLResponse(page, headers={"Vary": "Accept"})
    endpoint = absolute_url(request, settings, "sparql_endpoint")
    chosen = choose_format("graph", requested_formats, accept)
    sizes = await state.services.graph_sizes.of(store)
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
    body = serialize_graph(
        description, syntax_named(chosen.media_type), prefixes=DESCRIPTION_PREFIXES
    )
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
