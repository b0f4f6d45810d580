"""``/graph/{name}`` and ``/doc/graph/{name}``: named graphs dereference, as a mountable router.

A named graph's IRI answers 303 See Other to its document in the format the
``Accept`` header prefers, as ``/id/...`` does. The document in an RDF format
holds exactly the graph's triples (streamed from a file written once per
store generation); in HTML it is a page about the graph: its name, role,
size, whatever the store says about it (a submission's provenance) and links
to download it. Validators, ``Link`` headers and 304s as for every document.

Mount this router before :mod:`ascf_graph.web.routers.linked_data`, whose
``/doc/{path}`` would otherwise take ``/doc/graph/...``.
"""

from fastapi import APIRouter, Request, Response

from ascf_graph.core.errors import NotAcceptableError, ResourceNotFoundError
from ascf_graph.core.graph_names import graph_role
from ascf_graph.html import pages as web
from ascf_graph.linked_data import addresses, graph_documents
from ascf_graph.linked_data.addresses import FORMATS, Target
from ascf_graph.linked_data.site import Site
from ascf_graph.web.dependencies import SiteDep
from ascf_graph.web.dereferencing import conditional_headers, requested_page, see_other_to
from ascf_graph.web.held_files import HeldFileResponse

router = APIRouter(tags=["linked data"])


@router.get("/graph/{name:path}", summary="A named graph: 303 See Other to its document")
def graph(name: str, request: Request, site: SiteDep) -> Response:
    """Every named graph of the store: ``framework``, ``inferred``, ``submission/{id}``..."""
    target = addresses.target_for_graph(site.base_iri, name)
    if target is None or not site.is_published_graph(target):
        raise ResourceNotFoundError(_unknown(site.base_iri + "graph/" + name))
    return see_other_to(target, request)


@router.get("/doc/graph/{path:path}", summary="The document of a named graph: its triples")
def graph_document(path: str, request: Request, site: SiteDep) -> Response:
    """The graph in the extension's format, or in the one ``Accept`` prefers."""
    parsed = addresses.graph_target_for_document(site.base_iri, path)
    if parsed is None:
        raise ResourceNotFoundError(
            f"no document at /doc/graph/{path}; a graph's documents end in "
            + ", ".join(f".{f.extension}" for f in FORMATS)
            + " or have no extension"
        )
    target, fmt = parsed
    if not site.is_published_graph(target):
        raise ResourceNotFoundError(_unknown(target.iri))
    negotiated = fmt is None
    if fmt is None:
        fmt = addresses.negotiate_format(request.headers.get("accept"))
        if fmt is None:
            offered = ", ".join(f.media_type for f in FORMATS)
            raise NotAcceptableError(f"{target.document_url()} comes as {offered}")
    page = requested_page(request)
    pages = site.inbound_pages(target) if fmt.is_html else 1
    if page > pages:
        raise ResourceNotFoundError(
            f"{target.document_url(fmt)} has {pages} page{'s' if pages > 1 else ''}, not {page}"
            + ("" if fmt.is_html else " (a graph comes whole; pages are for its HTML page)")
        )
    url, headers, current = conditional_headers(
        site, request, target, fmt, page=page, pages=pages, negotiated=negotiated
    )
    if current is not None:
        return current
    if not fmt.is_html:
        with site.hold():  # the file stays until the response holds it for itself
            path = site.graph_document(target, fmt)
            return HeldFileResponse(path, site.hold(), media_type=fmt.media_type, headers=headers)
    body = site.document(url, fmt.media_type, lambda: render_page(site, target, page))
    return Response(body, media_type=fmt.media_type, headers=headers)


def render_page(site: Site, target: Target, page: int) -> bytes:
    """The graph's page for people."""
    role = graph_role(target.iri, site.base_iri)
    html = web.render_graph(
        site.templates,
        site.describe(target, page),
        triples=site.graph_sizes().get(target.iri, 0),
        role=graph_documents.ROLE_DESCRIPTIONS[role],
        license_iri=site.license(),
    )
    return html.encode("utf-8")


def _unknown(iri: str) -> str:
    """The message for a graph the store does not know."""
    return f"no named graph <{iri}>; /.well-known/void lists every graph (sd:name)"
