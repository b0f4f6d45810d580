"""An answer's ETag names the generation it was computed from.

The service reads the store's generation first (to answer 304 or from the cache at
once), then a worker takes a snapshot and evaluates. A write can land in between, or
while the snapshot is being taken: the answer then holds the written data, and naming
it by the generation read first would let one weak ETag stand for two different
answers. The writes here are made deterministically, from inside the step they race.
"""

from pathlib import Path

import pyoxigraph as ox
import pytest

from ascf_graph.html.results_table import render_table
from ascf_graph.sparql.runners import ThreadRunner
from ascf_graph.sparql.service import Answer, QueryRequest, QueryService
from ascf_graph.store.answer_cache import AnswerCache
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.snapshots import Snapshots
from ascf_graph.workers.query_pool import WorkerPoolRunner

pytestmark = pytest.mark.anyio

QUERY = "SELECT ?label WHERE { <urn:test:written> ?p ?label }"
WRITE = GraphChange(
    append={
        "https://w3id.org/ascf/graph/submission/test": [
            ox.Triple(
                ox.NamedNode("urn:test:written"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal("written meanwhile"),
            )
        ]
    }
)


def service_over(runner: WorkerPoolRunner | ThreadRunner) -> QueryService:
    return QueryService(
        runner,
        AnswerCache(1024 * 1024),
        render_table=render_table,
        service_allow_list=[],
        buffer_bytes=1024 * 1024,
        max_table_bytes=1024 * 1024,
        max_age=0,
    )


async def ask(service: QueryService, store: EmbeddedStore) -> Answer:
    return await service.answer(store, QueryRequest(text=QUERY, formats=("csv",)), scope="sparql")


@pytest.mark.parametrize("moment", ["before the snapshot is taken", "while it is taken"])
async def test_an_answer_that_sees_a_write_is_named_by_the_written_generation(
    private_store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    written: list[str] = []

    def write() -> None:
        """The race's one write (a submission, through the store's own path)."""
        if not written:
            written.append(private_store.apply(WRITE))

    if moment == "before the snapshot is taken":
        acquire = Snapshots.acquire

        async def write_then_acquire(self: Snapshots, store: EmbeddedStore) -> tuple[Path, str]:
            write()
            return await acquire(self, store)

        monkeypatch.setattr(Snapshots, "acquire", write_then_acquire)
    else:
        snapshot = EmbeddedStore.snapshot

        def write_then_snapshot(self: EmbeddedStore, target: Path) -> str:
            write()  # after the snapshots read the generation, before the copy
            return snapshot(self, target)

        monkeypatch.setattr(EmbeddedStore, "snapshot", write_then_snapshot)

    pool = WorkerPoolRunner(1, 30, Snapshots(tmp_path / "snapshots"))
    await pool.open()
    try:
        service = service_over(pool)
        raced = await ask(service, private_store)
        again = await ask(service_over(pool), private_store)  # no cache: evaluated afresh
    finally:
        await pool.close()
    assert written, "the write landed"
    assert b"written meanwhile" in raced.body
    assert again.body == raced.body
    assert raced.headers["ETag"] == again.headers["ETag"]


async def test_an_answer_whose_generation_cannot_be_told_has_no_etag(
    private_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's threads evaluate on the live store: no snapshot pins what they saw."""
    query = EmbeddedStore.query

    def write_then_query(self: EmbeddedStore, *args: object, **kwargs: object) -> object:
        self.apply(WRITE)  # after the service read the generation, before the engine's view
        monkeypatch.setattr(EmbeddedStore, "query", query)
        return query(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(EmbeddedStore, "query", write_then_query)
    raced = await ask(service_over(ThreadRunner(30)), private_store)
    assert b"written meanwhile" in raced.body
    assert "ETag" not in raced.headers
    assert raced.headers["Cache-Control"] == "no-store"

    settled = await ask(service_over(ThreadRunner(30)), private_store)
    assert settled.body == raced.body
    assert "ETag" in settled.headers, "without a write meanwhile, the answer is named"
