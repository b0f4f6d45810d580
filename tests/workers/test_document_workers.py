"""Documents rendered by query workers: the same bytes the server would write itself."""

import io
from datetime import UTC, datetime

import httpx
import pyoxigraph as ox
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.linked_data.documents import DocumentJob, DocumentRenderer, RenderedDocument
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.workers.query_process import decode_job
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import clone_settings

BASE = "https://w3id.org/ascf/"
MOMENT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PATHS = (
    "id/framework",
    "id/focus-area/civic-and-social",
    "id/sub-area/public-and-municipal-services",
    "id/enabler/technological-and-digital-solutions",
    "id/city/da-nang",
    "id/project-status/ongoing-and-under-planning",
    "def/City",
    "def",
)
PAGED = "id/project-status/ongoing-and-under-planning"


def job(path: str, extension: str = "nt", page: int = 1) -> DocumentJob:
    return DocumentJob(
        path=path,
        base_iri=BASE,
        extension=extension,
        page=page,
        modified=MOMENT.isoformat(),
        license_iri=LICENSE,
    )


def rendered_by_worker(
    renderer: DocumentRenderer, store: EmbeddedStore, asked: DocumentJob
) -> RenderedDocument:
    output = io.BytesIO()
    renderer.render(store.oxigraph, asked, output)
    return RenderedDocument.from_bytes(output.getvalue())


def rendered_here(store: EmbeddedStore, path: str, extension: str, page: int = 1) -> bytes:
    target = addresses.target_for_resource(BASE, path)
    fmt = addresses.format_for_extension(extension)
    assert target is not None
    assert fmt is not None
    described = linked_data.describe(store, target, modified=MOMENT, license_iri=LICENSE, page=page)
    return linked_data.serialize(described.triples, fmt, BASE)


@pytest.mark.parametrize("extension", ["nt", "ttl", "jsonld", "rdf"])
def test_a_worker_writes_the_document_the_server_would(
    store: EmbeddedStore, extension: str
) -> None:
    renderer = DocumentRenderer()
    for path in PATHS:
        document = rendered_by_worker(renderer, store, job(path, extension))
        assert document.body == rendered_here(store, path, extension), path


def test_a_worker_renders_every_page_and_counts_them(store: EmbeddedStore) -> None:
    renderer = DocumentRenderer()
    first = rendered_by_worker(renderer, store, job(PAGED))
    assert first.pages > 1, "the example needs a resource with several pages of links"
    for page in range(1, first.pages + 1):
        document = rendered_by_worker(renderer, store, job(PAGED, page=page))
        assert document.pages == first.pages
        assert document.body == rendered_here(store, PAGED, "nt", page)


def test_a_worker_refuses_a_page_past_the_last_and_an_unknown_resource(
    store: EmbeddedStore,
) -> None:
    renderer = DocumentRenderer()
    pages = rendered_by_worker(renderer, store, job(PAGED)).pages
    with pytest.raises(LookupError, match=f"has {pages} pages of inbound links, not {pages + 1}"):
        rendered_by_worker(renderer, store, job(PAGED, page=pages + 1))
    with pytest.raises(LookupError, match="nothing is known"):
        rendered_by_worker(renderer, store, job("id/city/atlantis"))
    with pytest.raises(ValueError, match="no RDF document"):
        rendered_by_worker(renderer, store, job("id/city/da-nang", "html"))


def test_a_document_job_crosses_the_pipe_unchanged() -> None:
    asked = job(PAGED, "ttl", 2)
    assert decode_job(asked.to_json()) == asked


# -- over HTTP: a server whose workers render, against one that renders itself ----


@pytest.fixture(scope="module")
def both_servers(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ServerProcess, ServerProcess]:
    """Two servers over one build: one with two query workers, one with none."""
    workers = clone_settings(built, tmp_path_factory.mktemp("with-workers"))
    threads = clone_settings(built, tmp_path_factory.mktemp("with-threads"))
    with (
        running_server(workers, ASCF_QUERY_WORKERS="2") as with_workers,
        running_server(threads, ASCF_QUERY_WORKERS="0") as with_threads,
    ):
        yield with_workers, with_threads


def comparable(answer: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body, less what differs between two servers: the date, and the
    moment each first served the build (in ``Last-Modified``, ETags and ``dct:modified``)."""
    headers = {
        name: value
        for name, value in answer.headers.items()
        if name not in {"date", "server", "etag", "last-modified", "x-request-id"}
    }
    body = b"\n".join(
        line for line in answer.content.splitlines() if b"/dc/terms/modified>" not in line
    )
    return answer.status_code, headers, body


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/doc/city/da-nang.nt", "*/*"),
        ("/doc/focus-area/civic-and-social.nt", "*/*"),
        ("/doc/project-status/ongoing-and-under-planning.nt?page=2", "*/*"),
        ("/doc/project-status/ongoing-and-under-planning", "application/n-triples"),
        ("/doc/def.nt", "*/*"),
        ("/doc/project-status/ongoing-and-under-planning.nt?page=99", "application/json"),
        ("/doc/city/atlantis.nt", "text/plain"),
    ],
)
def test_documents_from_workers_match_documents_from_threads(
    both_servers: tuple[ServerProcess, ServerProcess], path: str, accept: str
) -> None:
    with_workers, with_threads = both_servers
    answers = [
        httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
        for server in (with_workers, with_threads)
    ]
    assert comparable(answers[0]) == comparable(answers[1])


def test_a_document_from_a_worker_says_what_the_store_says(
    both_servers: tuple[ServerProcess, ServerProcess], store: EmbeddedStore
) -> None:
    answer = httpx.get(both_servers[0].url + "/doc/city/da-nang.nt", timeout=30)
    served = set(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    expected = set(
        ox.parse(rendered_here(store, "id/city/da-nang", "nt"), format=ox.RdfFormat.N_TRIPLES)
    )
    modified = ox.NamedNode("http://purl.org/dc/terms/modified")
    assert {t for t in served if t.predicate != modified} == {
        t for t in expected if t.predicate != modified
    }
