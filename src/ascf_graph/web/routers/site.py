"""The home page and the helpers for linkers, as a mountable router.

``/`` (the framework's figure), ``/static/style.css``, ``/search``,
``/context.jsonld``, ``/.well-known/void`` and ``/dumps/...``. Every answer
carries validators derived from the store's generation and honours
``If-None-Match``/``If-Modified-Since``.
"""

import hashlib
import json

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import NotAcceptableError, ResourceNotFoundError, UnusableInputError
from ascf_graph.core.http_caching import CACHE_CONTROL, Validators, not_modified
from ascf_graph.core.kinds import KINDS
from ascf_graph.html import pages as web
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.linked_data.addresses import RDF_FORMATS
from ascf_graph.web.dependencies import SiteDep
from ascf_graph.web.held_files import HeldFileResponse

router = APIRouter(tags=["site"])

SEARCH_LIMIT, MAX_SEARCH_LIMIT = 20, 100


def _conditional(
    request: Request, validators: Validators, headers: dict[str, str]
) -> Response | None:
    if not_modified(request.headers, validators):
        return Response(status_code=304, headers=headers)
    return None


@router.get("/", summary="The framework, drawn like its figure", response_class=HTMLResponse)
def home(request: Request, site: SiteDep) -> Response:
    """The home page."""
    validators = site.validators("home")
    headers = validators.headers()
    if (answer := _conditional(request, validators, headers)) is not None:
        return answer
    page = web.render_home(
        site.templates,
        site.figure(),
        description=site.describe(site.framework_target()),
        cities=site.count_of("City"),
        reports=site.report_timeline(),
        license_iri=site.license(),
        places=site.member_points(),
    )
    return HTMLResponse(page, headers=headers)


@router.get("/static/style.css", summary="The site's stylesheet")
def stylesheet(request: Request) -> Response:
    """The one stylesheet the pages use."""
    body = web.stylesheet()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/css", headers=headers)


@router.get("/search", summary="Label search over concepts, cities and projects")
def search(request: Request, site: SiteDep) -> Response:
    """Prefix, case- and accent-insensitive search; JSON or HTML by ``Accept``."""
    params = request.query_params
    query = params.get("q", "").strip()
    limit = _limit(params.get("limit"))
    kind = params.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise UnusableInputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    chosen = negotiate(request.headers.get("accept"), ["text/html", "application/json"])
    if chosen is None:
        raise NotAcceptableError("search answers in text/html or application/json")
    if chosen == "application/json" and not query:
        raise UnusableInputError("give the beginning of a name to search for as q=...")
    validators = site.validators("search", chosen, query, limit, kind)
    headers = validators.headers() | {"Vary": "Accept"}
    if (answer := _conditional(request, validators, headers)) is not None:
        return answer
    hits = [
        hit.to_json(site.base_iri)
        for hit in site.search_index().search(query, limit=limit, kind=kind)
    ]
    if chosen == "application/json":
        return JSONResponse({"query": query, "hits": hits}, headers=headers)
    page = web.render_search(site.templates, query, hits, site.license())
    return HTMLResponse(page, headers=headers)


def _limit(value: str | None) -> int:
    if value is None:
        return SEARCH_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_SEARCH_LIMIT:
        raise UnusableInputError(f"limit must be a whole number from 1 to {MAX_SEARCH_LIMIT}")
    return int(value)


@router.get("/context.jsonld", summary="The JSON-LD @context for our terms")
def context(request: Request, site: SiteDep) -> Response:
    """Short names for the ontology's terms and the vocabularies we use."""
    validators = site.validators("context")
    headers = validators.headers()
    if (answer := _conditional(request, validators, headers)) is not None:
        return answer
    body = json.dumps(site.context(), indent=2, ensure_ascii=False).encode("utf-8")
    return Response(body, media_type="application/ld+json", headers=headers)


@router.get("/.well-known/void", summary="VoID and DCAT description of the dataset")
def dataset(request: Request, site: SiteDep) -> Response:
    """Triples per graph, classes, properties, link sets and distributions."""
    fmt = addresses.negotiate_format(request.headers.get("accept"), RDF_FORMATS)
    if fmt is None:
        offered = ", ".join(f.media_type for f in RDF_FORMATS)
        raise NotAcceptableError(f"the dataset description comes as {offered}")
    validators = site.validators("void", fmt.media_type)
    headers = validators.headers() | {"Vary": "Accept"}
    if (answer := _conditional(request, validators, headers)) is not None:
        return answer
    body = linked_data.serialize(site.dataset_description(), fmt, site.base_iri)
    return Response(body, media_type=fmt.media_type, headers=headers)


@router.get("/dumps/{name:path}", summary="Full dumps: ascf.nq.gz, or one graph as Turtle")
def dump(name: str, request: Request, site: SiteDep) -> Response:
    """A dump, regenerated when the store changes."""
    with site.hold():  # the file stays until the response holds it for itself
        found = site.dump(name)
        if found is None:
            raise ResourceNotFoundError(
                f"no dump called {name!r}; see /.well-known/void for the list"
            )
        described, path = found
        validators = site.validators("dump", name)
        headers = validators.headers()
        if (answer := _conditional(request, validators, headers)) is not None:
            return answer
        return HeldFileResponse(
            path,
            site.hold(),
            media_type="application/gzip" if described.encoding else described.media_type,
            headers=headers,
            filename=name.replace("/", "-"),
            content_disposition_type="inline",
        )
