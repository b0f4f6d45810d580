"""The published site over one store: what the linked-data routes ask for, cached per generation.

A :class:`Site` is a light object made for each request from the store, the
settings and the :class:`~ascf_graph.store.generation_cache.GenerationCache` the
application keeps. Everything it derives from the store (search index, framework
figure, JSON-LD context, VoID, ontology documentation, dumps) is computed once
per store generation; descriptions are rendered on first request (RDF ones by
the query workers when they run, see :mod:`ascf_graph.linked_data.documents`) and kept
in a bounded cache until the generation changes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import pyoxigraph as ox
from anyio import to_thread

from ascf_graph.core.errors import EndpointBusyError, ResourceNotFoundError
from ascf_graph.core.http_caching import Validators, entity_tag
from ascf_graph.core.settings import Settings
from ascf_graph.linked_data import (
    addresses,
    dumps,
    graph_documents,
    ontology_docs,
    ontology_version,
    void,
)
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.linked_data.addresses import DocumentFormat, Target
from ascf_graph.linked_data.city_timeline import CityTimeline, city_timeline
from ascf_graph.linked_data.documents import (
    DocumentJob,
    DocumentWorkers,
    RenderedDocument,
    render_rdf_document,
)
from ascf_graph.linked_data.framework_figure import FrameworkFigure, framework_figure
from ascf_graph.linked_data.jsonld_context import jsonld_context
from ascf_graph.linked_data.member_map import MapPoint, member_points
from ascf_graph.linked_data.report_timeline import ReportCount, report_timeline
from ascf_graph.linked_data.resources import Description
from ascf_graph.linked_data.search import LabelIndex
from ascf_graph.store.answer_cache import AnswerCache, CachedAnswer
from ascf_graph.store.base import Store
from ascf_graph.store.generation_cache import GenerationCache, Hold
from ascf_graph.store.graph_sizes import counted_graph_sizes

T = TypeVar("T")

#: How long a document waits for a query worker before it is rendered in a thread: the
#: workers may all be busy with long queries, and a dereference must not wait behind them.
WORKER_WAIT_SECONDS = 0.05

_LICENSE = """
SELECT * WHERE { ?ontology <http://purl.org/dc/terms/license> ?license }
"""
_COUNT_TYPED = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"


@dataclass
class Site:
    """The store seen as a website and a linked-data service."""

    store: Store
    settings: Settings
    cache: GenerationCache
    templates: jinja2.Environment
    #: Small per-resource results (existence, page counts, rendered documents),
    #: bounded and emptied when the generation changes.
    documents: AnswerCache
    #: The query workers, which render RDF documents from their in-memory copies (or None).
    workers: DocumentWorkers | None = None
    #: Inbound links found during this request, per target IRI.
    _inbound: dict[str, list[ox.Triple]] = field(default_factory=dict, repr=False)

    @property
    def base_iri(self) -> str:
        """The base of every IRI we publish."""
        return self.settings.base_iri

    @cached_property
    def generation(self) -> str:
        """The store's generation, read once per request (a query on a remote store)."""
        return self.store.generation

    @property
    def modified(self) -> datetime:
        """When the current generation was first served."""
        return self.cache.modified(self.generation)

    def hold(self) -> Hold:
        """Keep the current generation's cached files until the hold is released: take it
        before asking for a file that outlives the call (see :mod:`ascf_graph.web.held_files`)."""
        return self.cache.hold(self.generation)

    def validators(self, *representation: object) -> Validators:
        """ETag and Last-Modified of one representation of the current generation."""
        return Validators(entity_tag(self.generation, *representation), self.modified)

    def license(self) -> str | None:
        """The licence the ontology declares (``{base}def dct:license``), if any."""

        def find() -> str | None:
            ontology = ox.NamedNode(self.base_iri + "def")
            rows = self.store.query(_LICENSE, substitutions={"ontology": ontology})
            licences = sorted(row["license"].value for row in rows)
            return licences[0] if licences else None

        return self.cache.memo(self.generation, "license", find)

    # -- descriptions ---------------------------------------------------------

    async def read(self, read: Callable[..., T], *args: Any) -> T:
        """Run a bounded read of the store: on the event loop when the store reads its own
        indexes (microseconds, no thread hop), in a worker thread when reads go over the
        network."""
        if self.store.reads_locally:
            return read(*args)
        return await to_thread.run_sync(read, *args)

    def exists(self, target: Target) -> bool:
        """Whether the store knows the target."""
        found = self._remembered(
            f"exists {target.iri}", lambda: b"1" if linked_data.exists(self.store, target) else b""
        )
        return bool(found)

    def inbound_pages(self, target: Target) -> int:
        """How many pages of inbound links the target's document has."""
        return int(
            self._remembered(
                self._pages_key(target),
                lambda: str(linked_data.pages_for(len(self._inbound_links(target)))).encode(),
            )
        )

    def _inbound_links(self, target: Target) -> list[ox.Triple]:
        if target.iri not in self._inbound:
            self._inbound[target.iri] = linked_data.inbound_links(self.store, target)
        return self._inbound[target.iri]

    def document(self, url: str, media_type: str, render: Callable[[], bytes]) -> bytes:
        """The body of the document at ``url``, rendered once per generation while it fits."""
        cached = self.documents.get(self.generation, url)
        if cached is None:
            cached = CachedAnswer(render(), media_type)
            self.documents.put(self.generation, url, cached)
        return cached.body

    async def description_document(
        self, target: Target, fmt: DocumentFormat, page: int, render: Callable[[], bytes]
    ) -> RenderedDocument:
        """The target's description in ``fmt`` and its page count, kept as :meth:`document`
        keeps bodies; a page past the last is :class:`ResourceNotFoundError`.

        A query worker renders an RDF description when the pool runs (in parallel,
        from its in-memory copy) and a worker is free within
        :data:`WORKER_WAIT_SECONDS`; ``render`` runs in a thread otherwise, and for
        HTML.
        """
        url = target.document_url(fmt, page)
        cached = self.documents.get(self.generation, url)
        pages = self.documents.get(self.generation, self._pages_key(target))
        if cached is not None and pages is not None:
            return RenderedDocument(cached.body, int(pages.body))
        rendered = None
        if self.workers is not None and fmt.syntax is not None and not target.is_graph:
            rendered = await self._render_in_worker(self.workers, target, fmt, page)
        if rendered is None and fmt.syntax is not None and not target.is_graph:
            rendered = await to_thread.run_sync(self._render_rdf_here, target, fmt, page)
        if rendered is None:
            rendered = await to_thread.run_sync(self._render_here, target, page, render)
        self.documents.put(self.generation, url, CachedAnswer(rendered.body, fmt.media_type))
        return rendered

    async def _render_in_worker(
        self, workers: DocumentWorkers, target: Target, fmt: DocumentFormat, page: int
    ) -> RenderedDocument | None:
        """The document from a query worker, or None if none was free in time."""
        job = DocumentJob(
            path=target.path,
            base_iri=self.base_iri,
            extension=fmt.extension,
            page=page,
            modified=self.modified.isoformat(),
            license_iri=self.license(),
        )
        try:
            rendered = await workers.render_document(self.store, job, wait=WORKER_WAIT_SECONDS)
        except EndpointBusyError:
            return None
        self._remember(self._pages_key(target), str(rendered.pages).encode())
        return rendered

    def _render_rdf_here(self, target: Target, fmt: DocumentFormat, page: int) -> RenderedDocument:
        """The RDF document rendered in this thread, as a query worker renders it."""
        try:
            rendered = render_rdf_document(
                self.store,
                target,
                fmt,
                page,
                modified=self.modified,
                license_iri=self.license(),
                shared=self._shared_facts(),
                links=None if target.is_ontology else self._inbound_links(target),
            )
        except LookupError as error:
            raise ResourceNotFoundError(str(error)) from None
        self._remember(self._pages_key(target), str(rendered.pages).encode())
        return rendered

    def _render_here(
        self, target: Target, page: int, render: Callable[[], bytes]
    ) -> RenderedDocument:
        pages = 1 if target.is_ontology else self.inbound_pages(target)
        if page > pages:
            raise ResourceNotFoundError(linked_data.page_out_of_range(target, pages, page))
        return RenderedDocument(render(), pages)

    @staticmethod
    def _pages_key(target: Target) -> str:
        return f"pages {target.iri}"

    def _remembered(self, key: str, compute: Callable[[], bytes]) -> bytes:
        cached = self.documents.get(self.generation, key)
        if cached is None:
            return self._remember(key, compute())
        return cached.body

    def _remember(self, key: str, value: bytes) -> bytes:
        self.documents.put(self.generation, key, CachedAnswer(value, "text/plain"))
        return value

    def describe(self, target: Target, page: int = 1) -> Description:
        """The description of the target (one page of inbound links)."""
        return linked_data.describe(
            self.store,
            target,
            modified=self.modified,
            license_iri=self.license(),
            page=page,
            links=None if target.is_ontology else self._inbound_links(target),
            shared=self._shared_facts(),
        )

    def _shared_facts(self) -> linked_data.SharedNodeFacts:
        """The labels and types many descriptions name, read once per generation."""
        return self.cache.memo(
            self.generation, "shared node facts", lambda: linked_data.SharedNodeFacts(self.store)
        )

    def framework_target(self) -> Target:
        """The framework's concept scheme, ``{base}id/framework``."""
        target = addresses.target_for_resource(self.base_iri, "id/framework")
        assert target is not None
        return target

    # -- derived once per generation ------------------------------------------

    def search_index(self) -> LabelIndex:
        """The label index of everything under ``id/``."""
        return self.cache.memo(
            self.generation, "search", lambda: LabelIndex.from_store(self.store, self.base_iri)
        )

    def figure(self) -> FrameworkFigure:
        """The framework's figure."""
        return self.cache.memo(
            self.generation, "figure", lambda: framework_figure(self.store, self.base_iri)
        )

    def report_timeline(self) -> list[ReportCount]:
        """Every report that lists projects, with its own count, oldest first."""
        return self.cache.memo(
            self.generation, "report-timeline", lambda: report_timeline(self.store, self.base_iri)
        )

    def city_timeline(self, city: str) -> CityTimeline:
        """A member city's projects over the reports' years, with their partners."""
        return self.cache.memo(
            self.generation,
            f"city-timeline:{city}",
            lambda: city_timeline(self.store, city, self.base_iri),
        )

    def member_points(self) -> list[MapPoint]:
        """The member cities with a position, for the maps."""
        return self.cache.memo(
            self.generation, "member-points", lambda: member_points(self.store, self.base_iri)
        )

    def count_of(self, class_name: str) -> int:
        """How many resources have the class ``{base}def/{class_name}``."""

        def count() -> int:
            bindings = {"class": ox.NamedNode(self.base_iri + "def/" + class_name)}
            rows = list(self.store.query(_COUNT_TYPED, substitutions=bindings))
            return int(rows[0]["n"].value) if rows else 0

        return self.cache.memo(self.generation, f"count:{class_name}", count)

    def context(self) -> dict[str, object]:
        """The JSON-LD context document."""
        return self.cache.memo(
            self.generation, "context", lambda: jsonld_context(self.store, self.base_iri)
        )

    def dataset_description(self) -> list[ox.Triple]:
        """VoID and DCAT statements about the dataset."""
        return self.cache.memo(
            self.generation,
            "void",
            lambda: void.describe_dataset(
                self.store, self.base_iri, modified=self.modified, license_iri=self.license()
            ),
        )

    def ontology_documentation(self) -> Path:
        """The HTML documentation of the ontology (pyLODE), written on first request."""
        ontology = addresses.target_for_resource(self.base_iri, "def")
        assert ontology is not None

        def write(path: Path) -> None:
            description = self.describe(ontology)
            jsonld = linked_data.embedded_jsonld(description.triples, self.base_iri)
            ontology_docs.write_documentation(self.store, self.base_iri, path, jsonld=jsonld)

        return self.cache.file(self.generation, "ontology.html", write)

    def dump(self, name: str) -> tuple[dumps.Dump, Path] | None:
        """A dump file, written on first request, or None if there is no such dump."""
        dump = dumps.find_dump(self.store, self.base_iri, name)
        if dump is None:
            return None
        path = self.cache.file(
            self.generation,
            "dumps/" + name,
            lambda destination: dumps.write_dump(self.store, self.base_iri, dump, destination),
        )
        return dump, path

    # -- named graphs and the ontology's version -------------------------------

    def graph_sizes(self) -> dict[str, int]:
        """Each named graph's IRI with its number of triples."""
        return counted_graph_sizes(self.cache, self.generation, self.store)

    def is_published_graph(self, target: Target) -> bool:
        """Whether the named graph ``target`` dereferences (see :mod:`graph_documents`)."""

        def published() -> bytes:
            sizes = self.graph_sizes()
            found = graph_documents.is_published(self.store, self.base_iri, target.iri, sizes)
            return b"1" if found else b""

        return bool(self._remembered(f"graph {target.iri}", published))

    def graph_document(self, target: Target, fmt: DocumentFormat) -> Path:
        """The file holding the named graph's triples in ``fmt``, written on first request."""
        return self.cache.file(
            self.generation,
            f"graphs/{target.path}.{fmt.extension}",
            lambda destination: graph_documents.write_graph_document(
                self.store, self.base_iri, target.iri, fmt, destination
            ),
        )

    def ontology_version(self) -> str | None:
        """The current version number of the ontology (its ``owl:versionIRI``), if any."""
        return self.cache.memo(
            self.generation,
            "ontology version",
            lambda: ontology_version.current_version(self.store, self.base_iri),
        )
