"""One linked-data document to render, in a form that crosses a process boundary.

A query worker holds the store in memory (see :mod:`ascf_graph.workers.worker_store`),
where the few hundred index reads a description takes run three times as
fast as on disk, and the workers render in parallel while the server's event
loop only relays bytes. So the server sends a :class:`DocumentJob` for each
RDF document it has not rendered yet, and the worker answers with its body,
written by the very functions the server would call
(:func:`ascf_graph.linked_data.describe` and :func:`ascf_graph.linked_data.serialize`).

Only the standard library and pyoxigraph at import: the worker decodes every
job with this module, and loads the description code on its first document.
"""

import json
import struct
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import pyoxigraph as ox

if TYPE_CHECKING:
    from ascf_graph.linked_data.addresses import DocumentFormat, Target
    from ascf_graph.linked_data.resources import NodeFacts, SharedNodeFacts
    from ascf_graph.store.base import Store
    from ascf_graph.store.embedded import EmbeddedStore

#: The ``job`` field that marks a document job; a SPARQL job has none.
DOCUMENT = "document"
#: A rendered document's answer starts with its number of pages of inbound links.
_PAGES = struct.Struct(">I")


@dataclass(frozen=True)
class DocumentJob:
    """The RDF document about one resource, one page of its inbound links."""

    path: str
    """The resource's path under the base: ``id/city/hue``, ``def/City`` or ``def``."""
    base_iri: str
    extension: str
    """The RDF format, by its document extension (``ttl``, ``nt``, ``jsonld``, ``rdf``)."""
    page: int
    modified: str
    """When the generation was first served (ISO 8601), as the document's metadata says."""
    license_iri: str | None
    store_path: str = ""
    """The folder of the read-only store snapshot to answer from (set by the pool)."""

    def to_json(self) -> bytes:
        """The job as UTF-8 JSON, marked as a document job."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps({"job": DOCUMENT, **values}).encode("utf-8")

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> "DocumentJob":
        """The job from the JSON object :meth:`to_json` wrote, decoded."""
        return cls(**{name: value for name, value in values.items() if name != "job"})


@dataclass(frozen=True)
class RenderedDocument:
    """A document's body, and how many pages of inbound links its resource has."""

    body: bytes
    pages: int

    def to_bytes(self) -> bytes:
        """The answer a worker sends: the page count, then the body.

        >>> RenderedDocument.from_bytes(RenderedDocument(b"<a> <b> <c> .", 3).to_bytes())
        RenderedDocument(body=b'<a> <b> <c> .', pages=3)
        """
        return _PAGES.pack(self.pages) + self.body

    @classmethod
    def from_bytes(cls, answer: bytes) -> "RenderedDocument":
        """The document :meth:`to_bytes` wrote."""
        (pages,) = _PAGES.unpack_from(answer)
        return cls(answer[_PAGES.size :], pages)


class DocumentWorkers(Protocol):
    """Workers that render documents (the query workers' pool), as a site sees them."""

    async def render_document(
        self, store: "Store", job: DocumentJob, *, wait: float
    ) -> RenderedDocument:
        """The rendered document; ``EndpointBusyError`` if no worker is free in ``wait`` s."""
        ...


class DocumentRenderer:
    """Renders document jobs in a worker, keeping per store what many documents share
    (the labels and types of framework concepts, cities and properties)."""

    def __init__(self) -> None:
        self._raw: ox.Store | None = None
        self._store: EmbeddedStore | None = None
        self._shared: SharedNodeFacts | None = None

    def render(self, raw_store: ox.Store, job: DocumentJob, output: BinaryIO) -> None:
        """Write the :class:`RenderedDocument` into ``output``.

        Raises ``ValueError`` for a path or format that names no document, and
        ``LookupError`` when the store says nothing about the resource or the
        page is past its last one.
        """
        # Imported here: the worker imports this module at start, and only the first
        # document pays for the description code.
        from ascf_graph.linked_data import addresses  # noqa: PLC0415
        from ascf_graph.linked_data import resources as linked_data  # noqa: PLC0415

        target = addresses.target_for_resource(job.base_iri, job.path)
        fmt = addresses.format_for_extension(job.extension)
        if target is None or fmt is None or fmt.is_html:
            raise ValueError(f"no RDF document at {job.path!r} in {job.extension!r}")
        store, shared = self._store_for(raw_store, job.base_iri)
        if not linked_data.exists(store, target):
            raise LookupError(f"nothing is known about <{target.iri}>")
        rendered = render_rdf_document(
            store,
            target,
            fmt,
            job.page,
            modified=datetime.fromisoformat(job.modified),
            license_iri=job.license_iri,
            shared=shared,
        )
        output.write(rendered.to_bytes())

    def _store_for(
        self, raw_store: ox.Store, base_iri: str
    ) -> tuple["EmbeddedStore", "SharedNodeFacts"]:
        if raw_store is not self._raw or self._store is None or self._shared is None:
            # Imported on the first document, as in render().
            from ascf_graph.linked_data import resources as linked_data  # noqa: PLC0415
            from ascf_graph.store.embedded import EmbeddedStore  # noqa: PLC0415

            self._raw = raw_store
            self._store = EmbeddedStore(
                raw_store, generation="snapshot", read_only=True, base_iri=base_iri
            )
            self._shared = linked_data.SharedNodeFacts(self._store)
        return self._store, self._shared


def render_rdf_document(
    store: "Store",
    target: "Target",
    fmt: "DocumentFormat",
    page: int,
    *,
    modified: datetime,
    license_iri: str | None,
    shared: "NodeFacts",
    links: list[ox.Triple] | None = None,
) -> RenderedDocument:
    """An existing resource's RDF document: its inbound links, their page count, the
    description of page ``page`` and its serialization in ``fmt``.

    The one pipeline a query worker and the server's threads both render with.
    ``links`` are the target's inbound links if the caller has them. Raises
    ``LookupError`` when the page is past the last one.
    """
    # Imported here: the worker imports this module at start, and only the first
    # document pays for the description code.
    from ascf_graph.linked_data import resources as linked_data  # noqa: PLC0415

    if links is None:
        links = [] if target.is_ontology else linked_data.inbound_links(store, target)
    pages = linked_data.pages_for(len(links))
    if page > pages:
        raise LookupError(linked_data.page_out_of_range(target, pages, page))
    description = linked_data.describe(
        store,
        target,
        modified=modified,
        license_iri=license_iri,
        page=page,
        links=links,
        shared=shared,
    )
    body = linked_data.serialize(description.triples, fmt, target.base_iri)
    return RenderedDocument(body, pages)
