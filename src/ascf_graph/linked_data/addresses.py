"""Which document a URL names: the URI contract's addresses, and the formats of documents.

The URI contract (``shared/DESIGN.md``) names things under ``{base}id/`` and
``{base}def``; the documents about them live under ``{base}doc/``:

| thing | URI | its document |
|---|---|---|
| framework element, city, project... | ``{base}id/{kind}/{slug}`` | ``{base}doc/{kind}/{slug}`` |
| the framework | ``{base}id/framework`` | ``{base}doc/framework`` |
| the ontology | ``{base}def`` | ``{base}doc/def`` (HTML: its documentation) |
| an ontology term | ``{base}def/{Term}`` | ``{base}doc/def/{Term}`` |
| a named graph | ``{base}graph/{name}`` | ``{base}doc/graph/{name}`` (its triples) |

Each document comes as ``.html``, ``.ttl``, ``.jsonld``, ``.rdf`` and ``.nt``;
without an extension, the ``Accept`` header chooses.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from ascf_graph.core.conneg import negotiate
from ascf_graph.rdf.formats import RdfSyntax, find_syntax, syntax_named

_SEGMENT = re.compile(r"^[A-Za-z0-9_~-]+$")
#: Where named graphs live under the base: ``{base}graph/{name}``.
GRAPH_PATH = "graph/"


@dataclass(frozen=True)
class DocumentFormat:
    """One representation of a document: HTML, or an RDF syntax."""

    extension: str
    media_type: str
    label: str
    syntax: RdfSyntax | None

    @property
    def is_html(self) -> bool:
        """Whether this is the page for people."""
        return self.syntax is None


HTML = DocumentFormat("html", "text/html", "HTML", None)
#: The RDF syntaxes a document comes in, under their extensions in :mod:`ascf_graph.rdf.formats`.
DOCUMENT_SYNTAXES = ("turtle", "jsonld", "rdfxml", "ntriples")
FORMATS: tuple[DocumentFormat, ...] = (
    HTML,
    *(
        DocumentFormat(s.extension, s.media_type, s.label, s)
        for s in map(syntax_named, DOCUMENT_SYNTAXES)
    ),
)
RDF_FORMATS = tuple(f for f in FORMATS if not f.is_html)
JSONLD = next(f for f in FORMATS if f.extension == "jsonld")


def format_for_extension(extension: str) -> DocumentFormat | None:
    """The format a document's extension names, if it names one.

    Only each format's own extension is part of a document's address
    (``.rdf``, not ``.owl``: one URL per document); :func:`document_format_named`
    takes every name.

    >>> format_for_extension("jsonld").media_type
    'application/ld+json'
    >>> format_for_extension("png") is None
    True
    """
    return next((f for f in FORMATS if f.extension == extension), None)


def document_format_named(name: str) -> DocumentFormat | None:
    """The document format ``name`` names: ``html``, or any name, alias or media type of
    a document's RDF syntax in :mod:`ascf_graph.rdf.formats`.

    >>> document_format_named("turtle").extension, document_format_named("owl").extension
    ('ttl', 'rdf')
    >>> document_format_named("trig") is None
    True
    """
    key = name.split(";", 1)[0].strip().lower()
    if key in (HTML.extension, HTML.media_type):
        return HTML
    syntax = find_syntax(key)
    return next((f for f in RDF_FORMATS if f.syntax == syntax), None)


def negotiate_format(
    accept: str | None, formats: tuple[DocumentFormat, ...] = FORMATS
) -> DocumentFormat | None:
    """The format the ``Accept`` header prefers (q-values honoured; ties go to HTML first).

    >>> negotiate_format("text/turtle;q=0.5, application/ld+json").extension
    'jsonld'
    >>> negotiate_format("text/html,application/xhtml+xml,*/*;q=0.8").extension
    'html'
    >>> negotiate_format("image/png") is None
    True
    """
    chosen = negotiate(accept, [f.media_type for f in formats])
    return next((f for f in formats if f.media_type == chosen), None)


# -- addresses ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A resource that a request names, with where its documents live."""

    base_iri: str
    path: str
    """The resource's path under the base: ``id/city/hue``, ``def/City``, ``def`` or
    ``graph/framework``."""

    @property
    def iri(self) -> str:
        """The resource's IRI."""
        return self.base_iri + self.path

    @property
    def is_ontology(self) -> bool:
        """Whether this is the ontology itself (``{base}def``)."""
        return self.path == "def"

    @property
    def is_graph(self) -> bool:
        """Whether this is a named graph (``{base}graph/{name}``)."""
        return self.path.startswith(GRAPH_PATH)

    @property
    def document_path(self) -> str:
        """The generic document's path, without extension: ``doc/city/hue``."""
        rest = self.path[len("id/") :] if self.path.startswith("id/") else self.path
        return f"doc/{rest}"

    def document_url(self, fmt: DocumentFormat | None = None, page: int = 1) -> str:
        """The document's address on this host (a path), in one format or negotiated."""
        url = "/" + self.document_path + (f".{fmt.extension}" if fmt else "")
        return url + (f"?page={page}" if page > 1 else "")

    def document_iri(self, page: int = 1) -> str:
        """The generic document's IRI under the base, as descriptions name it."""
        return self.base_iri + self.document_url(page=page)[1:]


def target_for_resource(base_iri: str, path: str) -> Target | None:
    """The target of a resource path (``id/...``, ``def`` or ``def/...``), if well formed.

    >>> target_for_resource("https://w3id.org/ascf/", "id/city/hue").iri
    'https://w3id.org/ascf/id/city/hue'
    >>> target_for_resource("https://w3id.org/ascf/", "id/city/hue.ttl") is None
    True
    >>> target_for_resource("https://w3id.org/ascf/", "def/City").document_url()
    '/doc/def/City'
    """
    segments = path.split("/")
    well_placed = (segments[0] == "id" and len(segments) >= 2) or segments[0] == "def"
    if well_placed and all(_SEGMENT.match(segment) for segment in segments):
        return Target(base_iri, path)
    return None


def target_for_graph(base_iri: str, name: str) -> Target | None:
    """The target of the named graph ``{base}graph/{name}``, if ``name`` is well formed.

    >>> target_for_graph("https://w3id.org/ascf/", "data/ascn-cities").document_url()
    '/doc/graph/data/ascn-cities'
    >>> target_for_graph("https://w3id.org/ascf/", "data/../x") is None
    True
    """
    segments = name.split("/")
    if all(_SEGMENT.match(segment) for segment in segments):
        return Target(base_iri, GRAPH_PATH + name)
    return None


def split_extension(path: str) -> tuple[str, DocumentFormat | None] | None:
    """A document path without its extension, and the format the extension names (None: no
    extension); None for an extension no format has.

    >>> split_extension("city/hue.ttl")[1].media_type
    'text/turtle'
    >>> split_extension("city/hue")
    ('city/hue', None)
    >>> split_extension("city/hue.png") is None
    True
    """
    stem, dot, extension = path.rpartition(".")
    if not dot:
        return path, None
    fmt = format_for_extension(extension)
    return None if fmt is None else (stem, fmt)


def graph_target_for_document(
    base_iri: str, path: str
) -> tuple[Target, DocumentFormat | None] | None:
    """The named graph and format a document path under ``doc/graph/`` names, if any.

    >>> target, fmt = graph_target_for_document("https://w3id.org/ascf/", "inferred.nt")
    >>> target.iri, fmt.extension
    ('https://w3id.org/ascf/graph/inferred', 'nt')
    >>> graph_target_for_document("https://w3id.org/ascf/", "inferred.png") is None
    True
    """
    return _with_format(path, lambda stem: target_for_graph(base_iri, stem))


def target_for_document(base_iri: str, path: str) -> tuple[Target, DocumentFormat | None] | None:
    """The target and format a document path (under ``doc/``) names, if any.

    >>> target, fmt = target_for_document("https://w3id.org/ascf/", "focus-area/tourism.ttl")
    >>> target.iri, fmt.media_type
    ('https://w3id.org/ascf/id/focus-area/tourism', 'text/turtle')
    >>> target_for_document("https://w3id.org/ascf/", "def")[0].iri
    'https://w3id.org/ascf/def'
    >>> target_for_document("https://w3id.org/ascf/", "city/hue.png") is None
    True
    """

    def resource(stem: str) -> Target | None:
        named = stem if stem == "def" or stem.startswith("def/") else f"id/{stem}"
        return target_for_resource(base_iri, named)

    return _with_format(path, resource)


def _with_format(
    path: str, target_for: Callable[[str], Target | None]
) -> tuple[Target, DocumentFormat | None] | None:
    """The target of ``path`` less its extension, and the extension's format, if both are
    known."""
    split = split_extension(path)
    if split is None:
        return None
    stem, fmt = split
    target = target_for(stem)
    return (target, fmt) if target else None


def local_path(iri: str, base_iri: str) -> str | None:
    """Where this host serves the page about ``iri``, if it is one of ours.

    >>> local_path("https://w3id.org/ascf/id/city/hue", "https://w3id.org/ascf/")
    '/doc/city/hue'
    >>> local_path("http://www.wikidata.org/entity/Q1", "https://w3id.org/ascf/") is None
    True
    """
    if not iri.startswith(base_iri):
        return None
    target = target_for_resource(base_iri, iri[len(base_iri) :])
    return target.document_url() if target else None
