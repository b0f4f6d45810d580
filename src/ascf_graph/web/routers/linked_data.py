"""``/id/...``, ``/def``, ``/def/...`` and ``/doc/...``: dereferencing, as a mountable router.

``/def/{major}.{minor}.{patch}``, the ontology's version IRI, answers like
``/def`` when it names the current version, with the release as it was when it
names an earlier one kept in ``ontology/releases/``, and 404 (naming the current
one) otherwise.

A resource URI answers 303 See Other to the document in the format the
``Accept`` header prefers; a document answers 200 in its format (named by
its extension, or negotiated), with validators, ``Link`` headers and 304 for
a matching ``If-None-Match``. Unknown URIs answer 404: a page with search
suggestions for browsers, plain text for other clients.
"""

from pathlib import Path

import pyoxigraph as ox
from anyio import to_thread
from fastapi import APIRouter, Request, Response

from ascf_graph.core.errors import ResourceNotFoundError
from ascf_graph.core.http_caching import CACHE_CONTROL
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.linked_data import addresses, ontology_version
from ascf_graph.linked_data.site import Site
from ascf_graph.rdf.formats import serialize_graph, syntax_named
from ascf_graph.web.dependencies import SiteDep
from ascf_graph.web.dereferencing import dereference_resource, see_other, serve_document

router = APIRouter(tags=["linked data"])
TURTLE = syntax_named("ttl")


@router.get("/id/{path:path}", summary="A resource: 303 See Other to its document")
async def resource(path: str, request: Request) -> Response:
    """Framework elements, the framework, cities, projects: everything under ``id/``."""
    return await dereference_resource(path, request)


@router.get("/def", summary="The ontology: 303 See Other to its document")
async def ontology(request: Request, site: SiteDep) -> Response:
    """The ontology; browsers are sent to its documentation."""
    return await see_other(site, request, "def")


@router.get("/def/{path:path}", summary="An ontology term: 303 See Other to its document")
async def term(path: str, request: Request, site: SiteDep) -> Response:
    """A class or property of the ontology, or a version of the ontology."""
    if ontology_version.is_version(path):
        return await version(path, request, site)
    return await see_other(site, request, f"def/{path}")


async def version(number: str, request: Request, site: Site) -> Response:
    """The ontology's version IRI: like ``/def`` for the current version, the release as
    it was for an earlier one that was kept, else 404."""
    current = await to_thread.run_sync(site.ontology_version)
    kept = ontology_version.released(site.settings.ontology_dir, number)
    if number != current and kept is not None:
        return await to_thread.run_sync(release_document, kept, request)
    if number != current:
        asked = f"<{site.base_iri}def/{number}> is not the ontology's version IRI"
        if current is None:
            raise ResourceNotFoundError(f"{asked}: the ontology declares no version IRI")
        raise ResourceNotFoundError(
            f"{asked}: the current version is {current}, <{site.base_iri}def/{current}>; "
            f"<{site.base_iri}def> always names the current one"
        )
    return await see_other(site, request, "def")


@router.get("/doc/{path:path}", summary="The document describing a resource")
async def document(path: str, request: Request) -> Response:
    """The description in the extension's format, or in the one ``Accept`` prefers."""
    return await serve_document(path, request)


def release_document(path: Path, request: Request) -> Response:
    """A kept release of the ontology in the RDF syntax ``Accept`` prefers (Turtle when
    none is named): it is a fixed file, not a description of the store."""
    fmt = addresses.negotiate_format(request.headers.get("accept"), addresses.RDF_FORMATS)
    syntax = fmt.syntax if fmt is not None and fmt.syntax is not None else TURTLE
    body = path.read_bytes()
    if syntax.extension != TURTLE.extension:
        triples = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.TURTLE)]
        body = serialize_graph(triples, syntax, prefixes=PREFIXES)
    return Response(
        body,
        media_type=syntax.media_type,
        headers={"Vary": "Accept", "Cache-Control": CACHE_CONTROL},
    )
