"""Dereferencing ``/id/...`` and serving ``/doc/...``: the two hottest handlers, as plain functions.

The linked-data router's routes call them, and so does the fast path
(:mod:`ascf_graph.web.middleware.fast_path`), which hands these requests
straight to them without routing or dependency resolution: one function, so
one answer, whichever way a request came. They take what they need from
the application's state themselves (:func:`ascf_graph.web.dependencies.site_for`).
"""

from dataclasses import dataclass

from anyio import to_thread
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import NotAcceptableError, ResourceNotFoundError, UnusableInputError
from ascf_graph.core.http_caching import CACHE_CONTROL, Link, link_header, not_modified
from ascf_graph.core.kinds import kind_of
from ascf_graph.html import pages as web
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.linked_data.addresses import FORMATS, DocumentFormat, Target
from ascf_graph.linked_data.site import Site
from ascf_graph.web.dependencies import site_for

MAX_SUGGESTIONS = 8


async def dereference_resource(path: str, request: Request) -> Response:
    """``/id/{path}``: 303 See Other to the resource's document, or 404."""
    return await see_other(await site_for(request), request, f"id/{path}")


async def serve_document(path: str, request: Request) -> Response:
    """The description in the extension's format, or in the one ``Accept`` prefers.

    What comes before the body (existence, format, validators) is a few index
    seeks, read like the 303's. The body and the page count come from the
    document cache, a query worker or a thread (see
    :meth:`Site.description_document`).
    """
    site = await site_for(request)
    asked = await site.read(prepare_document, site, request, path)
    if isinstance(asked, str):
        return await to_thread.run_sync(not_found, site, request, asked)
    target, fmt, page = asked.target, asked.fmt, asked.page
    if not_modified(request.headers, site.validators(target.document_url(fmt, page))):
        return await to_thread.run_sync(unchanged_document, site, asked)
    rendered = await site.description_document(
        target, fmt, page, lambda: render(site, target, fmt, page)
    )
    _, headers = document_headers(site, asked, rendered.pages)
    return Response(rendered.body, media_type=fmt.media_type, headers=headers)


@dataclass(frozen=True)
class AskedDocument:
    """The document a request asks for: whose, in which format, which page."""

    target: Target
    fmt: DocumentFormat
    page: int
    #: Whether ``Accept`` chose the format (the URL has no extension).
    negotiated: bool


def prepare_document(site: Site, request: Request, path: str) -> str | AskedDocument:
    """What answering ``/doc/{path}`` needs before the body: the IRI nothing is known about
    (for the 404), or the document asked for. 406 when no format fits ``Accept``, 400
    for a malformed page."""
    parsed = addresses.target_for_document(site.base_iri, path)
    if parsed is None:
        return site.base_iri + "doc/" + path
    target, fmt = parsed
    if not site.exists(target):
        return target.iri
    negotiated = fmt is None
    if fmt is None:
        fmt = addresses.negotiate_format(request.headers.get("accept"))
        if fmt is None:
            offered = ", ".join(f.media_type for f in FORMATS)
            raise NotAcceptableError(
                f"{target.document_url()} comes as {offered}; "
                f"or ask for {target.document_url(FORMATS[1])} and the like by extension"
            )
    return AskedDocument(target, fmt, requested_page(request), negotiated)


def unchanged_document(site: Site, asked: AskedDocument) -> Response:
    """304 for a client whose copy is current (its ``Link`` header needs the page count)."""
    target = asked.target
    pages = 1 if target.is_ontology else site.inbound_pages(target)
    if asked.page > pages:
        raise ResourceNotFoundError(linked_data.page_out_of_range(target, pages, asked.page))
    _, headers = document_headers(site, asked, pages)
    return Response(status_code=304, headers=headers)


async def see_other(site: Site, request: Request, path: str) -> Response:
    """303 to the document in the preferred format (the generic one when none fits).

    The existence check is one index seek, run on the event loop for an embedded
    store; the 404 page (search suggestions) is rendered in a worker thread.
    """
    target = addresses.target_for_resource(site.base_iri, path)
    if target is None or not await site.read(site.exists, target):
        return await to_thread.run_sync(not_found, site, request, site.base_iri + path)
    return see_other_to(target, request)


def see_other_to(target: Target, request: Request) -> Response:
    """303 to the target's document in the format ``Accept`` prefers (else the generic one),
    linking every format as ``describedby``."""
    fmt = addresses.negotiate_format(request.headers.get("accept"))
    location = target.document_url(fmt)
    links = [Link(target.document_url(), "describedby")] + [
        Link(target.document_url(f), "describedby", f.media_type) for f in FORMATS
    ]
    headers = {
        "Location": location,
        "Vary": "Accept",
        "Link": link_header(links),
        "Cache-Control": CACHE_CONTROL,
    }
    return PlainTextResponse(f"See Other: {location}\n", status_code=303, headers=headers)


def document_headers(site: Site, asked: AskedDocument, pages: int) -> tuple[str, dict[str, str]]:
    """A document's URL and headers: validators, ``Link``, and ``Vary`` when negotiated."""
    url = asked.target.document_url(asked.fmt, asked.page)
    links = document_links(asked.target, asked.fmt, asked.page, pages)
    headers = site.validators(url).headers() | {"Link": links}
    if asked.negotiated:
        headers |= {"Vary": "Accept", "Content-Location": url}
    return url, headers


def conditional_headers(
    site: Site,
    request: Request,
    target: Target,
    fmt: DocumentFormat,
    *,
    page: int,
    pages: int,
    negotiated: bool,
) -> tuple[str, dict[str, str], Response | None]:
    """A document's URL and headers (see :func:`document_headers`), and the 304 to answer
    with when the client's copy is current (else None)."""
    url, headers = document_headers(site, AskedDocument(target, fmt, page, negotiated), pages)
    if not_modified(request.headers, site.validators(url)):
        return url, headers, Response(status_code=304, headers=headers)
    return url, headers, None


def requested_page(request: Request) -> int:
    """The ``page`` parameter: a whole number from 1, or 1 when absent."""
    values = request.query_params.getlist("page")
    if not values:
        return 1
    if len(values) > 1 or not values[0].isdigit() or int(values[0]) < 1:
        raise UnusableInputError(f"page must be one whole number from 1 on, not {values!r}")
    return int(values[0])


def document_links(target: Target, fmt: DocumentFormat, page: int, pages: int) -> str:
    """``Link``: the other formats, the resource described, and the neighbouring pages."""
    links = [
        Link(target.document_url(other, page), "alternate", other.media_type)
        for other in FORMATS
        if other != fmt
    ]
    links.append(Link(target.iri, "describes"))
    if page > 1:
        links.append(Link(target.document_url(fmt, page - 1), "prev", fmt.media_type))
    if page < pages:
        links.append(Link(target.document_url(fmt, page + 1), "next", fmt.media_type))
    return link_header(links)


def render(site: Site, target: Target, fmt: DocumentFormat, page: int) -> bytes:
    """The document's body in ``fmt``."""
    if fmt.is_html and target.is_ontology:
        with site.hold():  # the file stays while it is read
            return site.ontology_documentation().read_bytes()
    description = site.describe(target, page)
    if not fmt.is_html:
        return linked_data.serialize(description.triples, fmt, site.base_iri)
    figure = site.figure() if target == site.framework_target() else None
    html = web.render_resource(
        site.templates,
        description,
        license_iri=site.license(),
        figure=figure,
        places=site.member_points(),
        timeline=(
            site.city_timeline(target.iri) if kind_of(target.iri, site.base_iri) == "city" else None
        ),
    )
    return html.encode("utf-8")


def not_found(site: Site, request: Request, iri: str) -> Response:
    """404: suggestions on a page for browsers, JSON or plain text for other clients."""
    words = iri.rstrip("/").rsplit("/", 1)[-1].split(".")[0].replace("-", " ")
    hits = [
        hit.to_json(site.base_iri)
        for hit in site.search_index().search(words, limit=MAX_SUGGESTIONS)
    ]
    message = f"nothing is known about <{iri}>"
    chosen = negotiate(
        request.headers.get("accept"), ["text/html", "text/plain", "application/json"]
    )
    headers = {"Vary": "Accept"}
    if chosen == "text/html":
        page = web.render_not_found(site.templates, iri, hits, site.license())
        return HTMLResponse(page, status_code=404, headers=headers)
    if chosen == "application/json":
        body = {"code": ResourceNotFoundError.code, "message": message, "suggestions": hits}
        return JSONResponse(body, status_code=404, headers=headers)
    lines = [f"Not found: {message}."]
    if hits:
        lines.append("Perhaps you meant:")
        lines.extend(f"  {hit['iri']}  ({hit['label']})" for hit in hits)
    lines.append(f"Search: /search?q={words.replace(' ', '+')}")
    return PlainTextResponse("\n".join(lines) + "\n", status_code=404, headers=headers)
