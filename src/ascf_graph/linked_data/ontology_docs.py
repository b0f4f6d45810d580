"""The ontology's documentation for people, made by pyLODE from ``graph/def``.

pyLODE writes one self-contained HTML page (its CSS inline, nothing fetched)
with every class and property, its definition, domain and range. We add the
ontology as JSON-LD, a link back to the site, and make links to our own IRIs
relative, so that the page navigates on whatever host serves it.
"""

import logging
import re
from pathlib import Path

import rdflib

from ascf_graph.core.namespaces import graph_iri
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.store.base import Store

_NAVIGATION = (
    '<nav style="font-family:system-ui,sans-serif;padding:.5rem 1rem;background:#1d2430">'
    '<a style="color:#fff;margin-right:1rem" href="/">ASEAN Smart Cities Framework graph</a>'
    '<a style="color:#dfe6f1" href="/doc/def.ttl">This ontology in Turtle</a></nav>'
)


def ontology_graph(store: Store, base_iri: str) -> rdflib.Graph:
    """The ontology's named graph as an rdflib graph."""
    return to_rdflib_graph(store.graph_triples(graph_iri(base_iri, "def")))


def write_documentation(
    store: Store, base_iri: str, destination: Path, *, jsonld: str | None = None
) -> None:
    """Write the HTML documentation of the ontology in the store to ``destination``."""
    # Imported here: pyLODE is slow to import, and only this page needs it.
    from pylode import OntPub  # noqa: PLC0415

    logging.getLogger("pylode").setLevel(logging.WARNING)
    html = OntPub(ontology_graph(store, base_iri), sort_subjects=True).make_html(include_css=True)
    destination.write_text(localise(html, base_iri, jsonld), encoding="utf-8")


def localise(html: str, base_iri: str, jsonld: str | None) -> str:
    """Relative links to our own IRIs, site navigation, and the ontology as JSON-LD.

    >>> localise('<head></head><body><a href="https://w3id.org/ascf/def">x</a></body>',
    ...          "https://w3id.org/ascf/", None)  # doctest: +ELLIPSIS
    '<head></head><body><nav ...</nav><a href="/doc/def">x</a></body>'
    """
    pattern = re.compile(r'href="' + re.escape(base_iri) + r'(id/|def)([^"#]*)')

    def relative(match: re.Match[str]) -> str:
        head, rest = match.group(1), match.group(2)
        path = rest if head == "id/" else "def" + rest
        return f'href="/doc/{path}'

    html = pattern.sub(relative, html)
    html = html.replace("<body>", "<body>" + _NAVIGATION, 1)
    if jsonld:
        script = f'<script type="application/ld+json" id="ontology">{jsonld}</script>'
        html = html.replace("</head>", script + "</head>", 1)
    return html
