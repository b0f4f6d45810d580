"""``/queries``: the curated queries of ``queries/`` as stable URLs, as a mountable router.

``GET /queries`` lists them (JSON, or HTML for browsers): name, title,
description, tags, parameters and a link. ``GET /queries/{name}?param=value``
runs one, each parameter bound as a typed RDF term through the engine's
substitutions (never pasted into the text), with the same formats, ETags,
cache and limits as ``/sparql``. An unknown query is 404; an unknown or
ill-typed parameter is 400.
"""

from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import QueryNotFoundError, UnusableInputError
from ascf_graph.html import curated as curated_pages
from ascf_graph.sparql.curated import CuratedQuery
from ascf_graph.sparql.service import QueryRequest
from ascf_graph.web.cors import ReadCorsRoute, preflight
from ascf_graph.web.dependencies import (
    CuratedDep,
    QueryServiceDep,
    SettingsDep,
    StoreDep,
    client_address,
)
from ascf_graph.web.page_urls import absolute_url, page_url
from ascf_graph.web.responses import answer_response

RESERVED_PARAMETERS = ("format",)

router = APIRouter(route_class=ReadCorsRoute, tags=["Curated queries"])


def describe(query: CuratedQuery, url: str) -> dict[str, object]:
    """A curated query as the listing shows it."""
    return {
        "name": query.name,
        "title": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": [
            {"name": p.name, "kind": p.kind, "description": p.description} for p in query.parameters
        ],
        "url": url,
    }


@router.get("/queries", summary="The curated queries")
async def list_queries(request: Request, settings: SettingsDep, curated: CuratedDep) -> Response:
    """Every curated query with its title, description and parameters."""
    queries = curated.values()
    headers = {"Vary": "Accept"}
    accept = request.headers.get("accept")
    if negotiate(accept, ["application/json", "text/html"]) == "text/html":
        # A page links by path (or under ASCF_PUBLIC_URL), never by the request's Host.
        linked = [
            describe(query, page_url(request, settings, "run_query", name=query.name))
            for query in queries
        ]
        return HTMLResponse(curated_pages.listing_page(linked), headers=headers)
    listing = [
        describe(query, absolute_url(request, settings, "run_query", name=query.name))
        for query in queries
    ]
    return JSONResponse({"queries": listing}, headers=headers)


@router.api_route("/queries/{name}", methods=["GET", "HEAD"], summary="Run a curated query")
async def run_query(
    name: str,
    request: Request,
    *,
    store: StoreDep,
    service: QueryServiceDep,
    settings: SettingsDep,
    curated: CuratedDep,
) -> Response:
    """Run the curated query ``name`` with the parameters of the URL."""
    query = curated.get(name)
    if query is None:
        raise QueryNotFoundError(f"no curated query named {name!r} in {settings.queries_dir}")
    values, formats = _parameters(request.url.query)
    answer = await service.answer(
        store,
        QueryRequest(
            text=query.text,
            substitutions=query.bind(values),
            formats=formats,
            accept=request.headers.get("accept"),
            if_none_match=request.headers.get("if-none-match"),
            client=client_address(request),
            title=query.summary,
            link=lambda: (
                page_url(request, settings, "run_query", name=name) + f"?{urlencode(values)}"
            ),
        ),
        scope=f"queries/{name}",
    )
    return answer_response(answer)


@router.options("/queries/{name}", include_in_schema=False)
@router.options("/queries", include_in_schema=False)
async def queries_preflight(request: Request) -> Response:
    """CORS preflight: the curated queries are read with GET."""
    return preflight(request, ("GET", "HEAD", "OPTIONS"))


def _parameters(query_string: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Parameter values (each given once at most) and the ``format=`` values of a URL.

    An empty value counts as not given (an HTML form sends its empty fields).
    """
    try:
        params = parse_qs(query_string, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise UnusableInputError(f"the URL's parameters are not UTF-8: {error}") from None
    repeated = sorted(
        name
        for name, values in params.items()
        if len(values) > 1 and name not in RESERVED_PARAMETERS
    )
    if repeated:
        raise UnusableInputError(f"give each parameter once; repeated: {', '.join(repeated)}")
    values = {name: v[0] for name, v in params.items() if name not in RESERVED_PARAMETERS and v[0]}
    return values, tuple(params.get("format", []))
