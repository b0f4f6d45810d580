"""What a query worker answers from: the snapshot on disk, then its copy in memory."""

import fcntl
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.sparql.jobs import QueryJob, evaluate
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.workers.worker_store import COPY_LOCK, COPYING, DISK, MEMORY, WorkerStore
from tests.support.stores import clone_settings

SUBMISSION = ox.NamedNode("https://w3id.org/ascf/graph/submission/test")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
BLANK_NODE_QUAD = ox.Quad(
    ox.BlankNode("kept-as-is"), LABEL, ox.Literal("a node without an IRI"), SUBMISSION
)
WRITTEN = ox.Quad(ox.NamedNode("urn:test:written"), LABEL, ox.Literal("written"), SUBMISSION)
EVERYTHING = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"


@pytest.fixture
def snapshot(built: Settings, tmp_path: Path) -> Path:
    """A snapshot of the built store with a blank node in it, as the server writes one."""
    store = EmbeddedStore.open(clone_settings(built, tmp_path).data_dir)
    store.oxigraph.add(BLANK_NODE_QUAD)
    store.snapshot(tmp_path / "snapshot")
    store.close()
    return tmp_path / "snapshot"


def answer(store: ox.Store, query: str) -> bytes:
    job = QueryJob(query=query, media_type="application/sparql-results+json", kind="results")
    output = io.BytesIO()
    evaluate(store, job, output)
    return output.getvalue()


def test_a_small_snapshot_is_copied_into_memory_quad_for_quad(snapshot: Path) -> None:
    opened = WorkerStore(replica_max_quads=10_000_000)
    on_disk = opened.get(str(snapshot))
    opened.wait_for_copy()
    in_memory = opened.get(str(snapshot))
    assert opened.replicated
    assert in_memory is not on_disk
    assert set(in_memory) == set(on_disk), "every quad, blank node labels included"
    assert BLANK_NODE_QUAD in set(in_memory)
    assert answer(in_memory, EVERYTHING) == answer(on_disk, EVERYTHING)


def test_a_worker_reports_copying_then_memory_or_disk_for_each_snapshot(
    snapshot: Path, tmp_path: Path
) -> None:
    """What the pool's /health field is made of: a report when a snapshot opens, and one
    when its copy is complete or given up, each naming the snapshot."""
    reports: list[tuple[str, str]] = []
    copied = WorkerStore(replica_max_quads=10_000_000, on_state=lambda *r: reports.append(r))
    copied.get(str(snapshot))
    copied.wait_for_copy()
    assert reports == [(COPYING, str(snapshot)), (MEMORY, str(snapshot))]

    reports.clear()
    too_large = WorkerStore(replica_max_quads=10, on_state=lambda *r: reports.append(r))
    too_large.get(str(snapshot))
    too_large.wait_for_copy()
    assert reports == [(COPYING, str(snapshot)), (DISK, str(snapshot))]

    reports.clear()
    never = WorkerStore(replica_max_quads=0, on_state=lambda *r: reports.append(r))
    never.get(str(snapshot))
    with pytest.raises(FileNotFoundError, match="absent"):
        never.get(str(tmp_path / "absent"))
    assert reports == [(DISK, str(snapshot)), (DISK, str(tmp_path / "absent"))]


def test_a_snapshot_over_the_limit_is_answered_from_disk(snapshot: Path) -> None:
    opened = WorkerStore(replica_max_quads=10)
    on_disk = opened.get(str(snapshot))
    opened.wait_for_copy()
    assert not opened.replicated
    assert opened.get(str(snapshot)) is on_disk


def test_a_limit_of_zero_never_copies(snapshot: Path) -> None:
    opened = WorkerStore(replica_max_quads=0)
    opened.get(str(snapshot))
    opened.wait_for_copy()
    assert not opened.replicated


def test_a_new_snapshot_replaces_the_old_copy(
    built: Settings, snapshot: Path, tmp_path: Path
) -> None:
    opened = WorkerStore(replica_max_quads=10_000_000)
    opened.get(str(snapshot))
    opened.wait_for_copy()
    old_copy = opened.get(str(snapshot))

    store = EmbeddedStore.open(clone_settings(built, tmp_path / "next").data_dir)
    store.oxigraph.add(WRITTEN)
    store.snapshot(tmp_path / "next-snapshot")
    store.close()
    first = opened.get(str(tmp_path / "next-snapshot"))
    opened.wait_for_copy()
    copied = opened.get(str(tmp_path / "next-snapshot"))

    assert first is not old_copy, "never the old generation's copy"
    assert opened.replicated
    assert copied is not first
    assert WRITTEN in set(copied)
    assert WRITTEN not in set(old_copy)


def test_a_missing_snapshot_is_an_error_and_keeps_nothing_open(tmp_path: Path) -> None:
    opened = WorkerStore(replica_max_quads=10_000_000)
    with pytest.raises(FileNotFoundError, match="absent"):
        opened.get(str(tmp_path / "absent"))
    assert not opened.replicated


#: Run in a child process: its address space is capped (the test's own must not be).
UNDER_A_CAP = """
import fcntl, resource, sys
from pathlib import Path
from ascf_graph.workers.worker_store import COPY_LOCK, WorkerStore, _address_space_bytes
opened = WorkerStore(replica_max_quads=10_000_000, one_copy_at_a_time=True)
with open(Path(sys.argv[1]).parent / COPY_LOCK, "ab") as turn:
    fcntl.flock(turn, fcntl.LOCK_EX)  # the copy waits for its turn until the cap is set
    opened.get(sys.argv[1])
    cap = _address_space_bytes() + int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
opened.wait_for_copy()
store = opened.get(sys.argv[1])
print(opened.replicated, len(list(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))))
"""


@pytest.mark.parametrize(
    ("room", "copied"), [(256 * 1024**2, False), (2 * 1024**3, True)], ids=["tight", "ample"]
)
def test_a_worker_copies_only_what_leaves_room_for_queries_under_its_memory_cap(
    snapshot: Path, room: int, copied: bool
) -> None:
    """Under a cap, a copy that would not leave ``QUERY_ROOM`` free is not made (the engine
    would abort the worker if an allocation failed): the worker answers from disk."""
    finished = subprocess.run(
        [sys.executable, "-c", UNDER_A_CAP, str(snapshot), str(room)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert finished.returncode == 0, finished.stderr
    replicated, rows = finished.stdout.split()
    assert replicated == str(copied)
    assert int(rows) > 1000
    if not copied:
        assert "ASCF_QUERY_MEMORY" in finished.stderr


def test_a_replacement_worker_copies_only_in_its_turn(snapshot: Path) -> None:
    """Replacements for crashed workers take turns to copy (a lock file beside the
    snapshots); while another copies, a replacement answers from disk."""
    with open(snapshot.parent / COPY_LOCK, "ab") as other_copy:
        fcntl.flock(other_copy, fcntl.LOCK_EX)
        opened = WorkerStore(replica_max_quads=10_000_000, one_copy_at_a_time=True)
        on_disk = opened.get(str(snapshot))
        copying = threading.Thread(target=opened.wait_for_copy)
        copying.start()
        copying.join(timeout=1.0)
        assert copying.is_alive(), "no copy while another worker's is under way"
        assert not opened.replicated
        assert answer(opened.get(str(snapshot)), EVERYTHING) == answer(on_disk, EVERYTHING)
    copying.join(timeout=60)
    assert not copying.is_alive()
    assert opened.replicated, "the copy was made once the other one finished"
