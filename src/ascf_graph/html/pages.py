"""HTML pages: Jinja2 templates shipped in the package, on one layout (``base.html``) and
one stylesheet (``static/style.css``), rendered on the server.

This module holds the one template environment (:func:`environment`) and the
layout's context (:func:`layout_context`), which the other page modules
(curated queries, stewards' pages, results table, query editor) render with
too. Every page that shows a description embeds that same description as JSON-LD
(``<script type="application/ld+json">``), so search engines and other tools
read what people see. No page links an IRI whose scheme could run script
(see :mod:`ascf_graph.html.safe_links`); every page leaves out inline script, so
that the Content-Security-Policy of :mod:`ascf_graph.web.middleware.page_headers` holds.
"""

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from ascf_graph.html.maps import region_map
from ascf_graph.html.resource_view import ResourceView, build_view
from ascf_graph.html.safe_links import is_linkable
from ascf_graph.linked_data.addresses import FORMATS, Target
from ascf_graph.linked_data.city_timeline import CityTimeline
from ascf_graph.linked_data.framework_figure import FrameworkFigure
from ascf_graph.linked_data.member_map import MapPoint
from ascf_graph.linked_data.report_timeline import ReportCount
from ascf_graph.linked_data.resources import Description, embedded_jsonld, script_safe_json

_HTML = "text/html"


@dataclass(frozen=True)
class FormatLink:
    """A link to one representation of the page."""

    label: str
    media_type: str
    href: str


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment, made once: autoescaping on, the test ``is linkable``
    (:func:`ascf_graph.html.safe_links.is_linkable`) that every ``href`` made from data
    passes, and the filter ``script_json`` (:func:`script_json`) for JSON data blocks.

    Configured here and never changed afterwards, so that every page shares it.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ascf_graph.html", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["linkable"] = is_linkable
    env.filters["script_json"] = script_json
    return env


def script_json(value: object) -> Markup:
    """``value`` as JSON for a ``<script type="application/json">`` data block: ``<``, ``>``
    and ``&`` as JSON escapes, so that nothing in it (``</script>``, ``<!--``) can end the
    element early or change how the browser reads it.

    >>> str(script_json({"query": "SELECT * { ?s ?p ?o } # </script>", "label": "Huế"}))
    '{"query": "SELECT * { ?s ?p ?o } # \\\\u003c/script\\\\u003e", "label": "Huế"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    # Safe in a <script> element (not in an attribute): the escapes above are all it needs.
    return Markup(script_safe_json(text.encode("utf-8")))


def stylesheet() -> bytes:
    """The one stylesheet, from the package."""
    return resources.files("ascf_graph.html").joinpath("static/style.css").read_bytes()


def format_links(target: Target, page: int = 1) -> list[FormatLink]:
    """Links to the document in every format."""
    return [FormatLink(f.label, f.media_type, target.document_url(f, page)) for f in FORMATS]


def layout_context(title: str, license_iri: str | None = None) -> dict[str, object]:
    """What the base layout (``base.html``) needs of every page; ``license_iri`` is named
    in the footer, and the other keys are empty until a page fills them."""
    return {
        "title": title,
        "license": license_iri,
        "alternates": [],
        "formats": [],
        "jsonld": None,
        "query": None,
    }


def render_resource(
    env: jinja2.Environment,
    description: Description,
    *,
    license_iri: str | None,
    figure: FrameworkFigure | None = None,
    places: Sequence[MapPoint] = (),
    timeline: CityTimeline | None = None,
) -> str:
    """The page of one resource; a member city among ``places`` is shown on a map of its
    country, and with ``timeline`` its projects over the years and their partners."""
    view = build_view(description)
    here = next((point for point in places if point.iri == view.iri), None)
    drawn = region_map(places, here) if here is not None else None
    context = _resource_context(view, description, license_iri) | {
        "figure": figure,
        "map": drawn,
        "point": here,
        "timeline": timeline if timeline is not None and timeline.projects else None,
    }
    return env.get_template("resource.html").render(context)


def _resource_context(
    view: ResourceView, description: Description, license_iri: str | None
) -> dict[str, Any]:
    """What every page about one IRI shows: its view, formats and embedded JSON-LD."""
    links = format_links(description.target, description.page)
    return layout_context(view.title, license_iri) | {
        "view": view,
        "figure": None,
        "map": None,
        "point": None,
        "timeline": None,
        "formats": links,
        "alternates": [link for link in links if link.media_type != _HTML],
        "jsonld": embedded_jsonld(description.triples, description.target.base_iri),
    }


@dataclass(frozen=True)
class GraphSummary:
    """What a named graph's page says about the graph besides its description."""

    triples: int
    role: str
    downloads: list[FormatLink]


def render_graph(
    env: jinja2.Environment,
    description: Description,
    *,
    triples: int,
    role: str,
    license_iri: str | None,
) -> str:
    """The page of a named graph: the resource page of its IRI (what the store says about
    it, such as a submission's provenance), with its role, size and download links."""
    view = build_view(description)
    view.kind_label = "Named graph"
    downloads = [link for link in format_links(description.target) if link.media_type != _HTML]
    context = _resource_context(view, description, license_iri) | {
        "graph": GraphSummary(triples, role, downloads)
    }
    return env.get_template("graph.html").render(context)


def render_home(
    env: jinja2.Environment,
    figure: FrameworkFigure,
    *,
    description: Description,
    cities: int,
    reports: Sequence[ReportCount],
    license_iri: str | None,
    places: Sequence[MapPoint] = (),
) -> str:
    """The home page: the framework's figure, with the scheme's description embedded, and
    the member cities on a map."""
    context = layout_context("The framework", license_iri) | {
        "figure": figure,
        "map": region_map(places) if places else None,
        "located": len(places),
        "cities": cities,
        "reports": reports,
        "latest": reports[-1] if reports else None,
        "formats": format_links(description.target),
        "jsonld": embedded_jsonld(description.triples, description.target.base_iri),
    }
    return env.get_template("home.html").render(context)


def render_search(
    env: jinja2.Environment, query: str, hits: list[dict[str, object]], license_iri: str | None
) -> str:
    """The search page with its results."""
    context = layout_context(f"Search: {query}" if query else "Search", license_iri)
    return env.get_template("search.html").render(context | {"query": query, "hits": hits})


def render_not_found(
    env: jinja2.Environment, iri: str, hits: list[dict[str, object]], license_iri: str | None
) -> str:
    """The 404 page for people, with suggestions."""
    context = layout_context("Not found", license_iri) | {"iri": iri, "hits": hits}
    return env.get_template("not_found.html").render(context)
