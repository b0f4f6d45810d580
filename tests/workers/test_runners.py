"""The two query runners, in-process: worker processes (killable, snapshot per generation)
and the server's threads (the fallback), plus the snapshots the workers read."""

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ascf_graph.core.errors import EndpointBusyError, QuerySyntaxError, QueryTimeoutError
from ascf_graph.core.settings import Settings
from ascf_graph.sparql.jobs import QueryJob, encode_terms
from ascf_graph.sparql.runners import QueryRunner, ThreadRunner
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.snapshots import Snapshots
from ascf_graph.workers.query_pool import WorkerPoolRunner
from tests.support.processes import children
from tests.support.servers import running_server
from tests.support.stores import clone_settings

pytestmark = pytest.mark.anyio

CSV = "text/csv"
FOCUS_AREAS = "SELECT ?fa WHERE { ?fa a <https://w3id.org/ascf/def/FocusArea> } ORDER BY ?fa"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MARKER = ox.Quad(
    ox.NamedNode("urn:test:written"),
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ox.Literal("written after the snapshot"),
    ox.NamedNode("https://w3id.org/ascf/graph/submission/test"),
)


async def answer_of(runner: QueryRunner, store: EmbeddedStore, job: QueryJob) -> bytes:
    running = await runner.start(store, job)
    chunks = []
    try:
        while (chunk := await running.read()) is not None:
            chunks.append(chunk)
    finally:
        await running.close()
    return b"".join(chunks)


def csv_job(query: str, **fields: object) -> QueryJob:
    return QueryJob(query=query, media_type=CSV, kind="results", **fields)  # type: ignore[arg-type]


#: A worker answers from the snapshot on disk (0), or from its copy in memory once made.
REPLICA_LIMITS = pytest.mark.parametrize("replica_max_quads", [0, 10_000_000])


@REPLICA_LIMITS
async def test_a_worker_answers_like_the_engine(
    private_store: EmbeddedStore, tmp_path: Path, replica_max_quads: int
) -> None:
    pool = WorkerPoolRunner(
        2, 30, Snapshots(tmp_path / "snapshots"), replica_max_quads=replica_max_quads
    )
    await pool.open()
    try:
        await pool.prepare(private_store)
        assert len(list((tmp_path / "snapshots").iterdir())) == 1, "one snapshot, both opened it"
        # Copies load in the background; from here on both workers answer from memory.
        assert await pool.wait_for_copies() == ("complete" if replica_max_quads else "off")
        assert pool.workers_in_memory == (2 if replica_max_quads else 0)
        answer = await answer_of(pool, private_store, csv_job(FOCUS_AREAS))
    finally:
        await pool.close()
    expected = private_store.oxigraph.query(FOCUS_AREAS, use_default_graph_as_union=True)
    assert answer == expected.serialize(format=ox.QueryResultsFormat.CSV)
    assert not (tmp_path / "snapshots").exists(), "closing the pool removes its snapshots"


async def test_bound_terms_reach_the_worker(private_store: EmbeddedStore, tmp_path: Path) -> None:
    area = ox.NamedNode("https://w3id.org/ascf/id/focus-area/civic-and-social")
    pool = WorkerPoolRunner(1, 30, Snapshots(tmp_path / "snapshots"))
    await pool.open()
    try:
        job = csv_job(FOCUS_AREAS, substitutions=encode_terms({"fa": area}))
        answer = await answer_of(pool, private_store, job)
    finally:
        await pool.close()
    assert answer.decode().split() == ["fa", area.value]


@REPLICA_LIMITS
async def test_a_write_is_seen_by_the_next_query(
    private_store: EmbeddedStore, tmp_path: Path, replica_max_quads: int
) -> None:
    ask = "SELECT ?label WHERE { <urn:test:written> ?p ?label }"
    snapshots = tmp_path / "snapshots"
    pool = WorkerPoolRunner(1, 30, Snapshots(snapshots), replica_max_quads=replica_max_quads)
    await pool.open()
    try:
        before = await answer_of(pool, private_store, csv_job(ask))
        private_store.oxigraph.add(MARKER)
        # A write gives the store a new generation (the submissions module's contract).
        written = EmbeddedStore(private_store.oxigraph, generation="after-a-write")
        after = await answer_of(pool, written, csv_job(ask))
        assert len(list(snapshots.iterdir())) == 1, "the stale snapshot was removed"
    finally:
        await pool.close()
    assert before.split() == [b"label"]
    assert after.split() == [b"label", b"written", b"after", b"the", b"snapshot"]


async def test_a_runaway_query_is_stopped_and_the_pool_recovers(
    private_store: EmbeddedStore, tmp_path: Path
) -> None:
    pool = WorkerPoolRunner(1, 1.0, Snapshots(tmp_path / "snapshots"))
    await pool.open()
    try:
        with pytest.raises(QueryTimeoutError):
            await answer_of(pool, private_store, csv_job(RUNAWAY))
        with pytest.raises(QuerySyntaxError, match="1:"):
            await answer_of(pool, private_store, csv_job("SELECT * WHERE {"))
        answer = await answer_of(pool, private_store, csv_job(FOCUS_AREAS))
    finally:
        await pool.close()
    assert len(answer.split()) == 7


async def test_the_thread_runner_answers_and_reports_the_time_limit(
    private_store: EmbeddedStore,
) -> None:
    runner = ThreadRunner(timeout=0.3)
    answer = await answer_of(runner, private_store, csv_job(FOCUS_AREAS))
    assert len(answer.split()) == 7
    with pytest.raises(QuerySyntaxError):
        await answer_of(runner, private_store, csv_job("ASK {"))
    # Finite (a second or two, whatever the store holds): a thread cannot be stopped, it
    # finishes after the error.
    numbers = " ".join(str(n) for n in range(300))
    product = " ".join(f"VALUES ?{name} {{ {numbers} }}" for name in "xyz")
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ {product} }}"
    with pytest.raises(QueryTimeoutError):
        await answer_of(runner, private_store, csv_job(slow))


def test_the_server_answers_from_threads_when_asked_to(built: Settings, tmp_path: Path) -> None:
    settings = clone_settings(built, tmp_path)
    with running_server(settings, ASCF_QUERY_WORKERS="0") as server:
        answer = httpx.get(f"{server.url}/sparql", params={"query": FOCUS_AREAS, "format": "csv"})
        assert answer.status_code == 200
        assert len(answer.text.split()) == 7
        assert children(server.pid) == set(), "no worker processes"


async def test_when_every_worker_stays_busy_a_new_query_is_refused_clearly(
    private_store: EmbeddedStore, tmp_path: Path
) -> None:
    pool = WorkerPoolRunner(1, 0.5, Snapshots(tmp_path / "snapshots"))
    await pool.open()
    try:
        hogging = await pool.start(private_store, csv_job(RUNAWAY))  # its answer is never read
        with pytest.raises(EndpointBusyError, match="busy"):
            await pool.start(private_store, csv_job(FOCUS_AREAS))
        await hogging.close()  # the client leaves: its worker is killed and replaced
        answer = await answer_of(pool, private_store, csv_job(FOCUS_AREAS))
    finally:
        await pool.close()
    assert len(answer.split()) == 7


async def test_a_worker_slow_to_open_the_store_does_not_stop_the_server_starting(
    private_store: EmbeddedStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A limit shorter than any answer can take to cross a pipe from another process (the
    # worker may be started already, so a limit of a process start is not enough).
    pool = WorkerPoolRunner(1, 1e-6, Snapshots(tmp_path / "snapshots"), replica_max_quads=10**7)
    await pool.open()
    try:
        await pool.prepare(private_store)
        assert "did not open the store within the time limit" in caplog.text
        pool.timeout = 30
        answer = await answer_of(pool, private_store, csv_job(FOCUS_AREAS))
    finally:
        await pool.close()
    assert len(answer.split()) == 7
