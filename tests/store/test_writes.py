"""Store.apply: named graphs replaced, appended to and dropped in one transaction, with a
generation that moves on every write and survives a restart; builds keep submissions."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from ascf_graph.build.pipeline import build
from ascf_graph.core.settings import Settings
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO, clone_settings

BASE = "https://w3id.org/ascf/"
P = ox.NamedNode("urn:ex:p")


def triples(*names: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"urn:ex:{n}"), P, ox.Literal(n)) for n in names]


def graph(store: EmbeddedStore, name: str) -> set[str]:
    quads = store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(name))
    return {q.object.value for q in quads}


@pytest.fixture
def disk_store(built: Settings, tmp_path: Path) -> EmbeddedStore:
    settings = clone_settings(built, tmp_path)
    return EmbeddedStore.open(settings.data_dir)


def test_replace_append_and_drop_happen_together(disk_store: EmbeddedStore) -> None:
    disk_store.apply(GraphChange(replace={"urn:g:a": triples("1", "2"), "urn:g:b": triples("x")}))
    disk_store.apply(
        GraphChange(
            replace={"urn:g:a": triples("3")}, append={"urn:g:log": triples("e")}, drop=["urn:g:b"]
        )
    )
    assert graph(disk_store, "urn:g:a") == {"3"}
    assert graph(disk_store, "urn:g:log") == {"e"}
    assert "urn:g:b" not in disk_store.graph_sizes()


def test_a_graph_cannot_be_both_replaced_and_dropped() -> None:
    with pytest.raises(ValueError, match="both replaced and dropped"):
        GraphChange(replace={"urn:g:a": triples("1")}, drop=["urn:g:a"])


def test_the_engine_undoes_a_whole_request_when_a_later_operation_fails(
    disk_store: EmbeddedStore,
) -> None:
    """apply() relies on this: one SPARQL Update request is one transaction."""
    before = (disk_store.graph_sizes(), disk_store.generation)
    with pytest.raises(RuntimeError, match="does not exist"):
        disk_store.oxigraph.update(
            'INSERT DATA { GRAPH <urn:g:first> { <urn:a> <urn:b> "c" } } ; '
            "DROP GRAPH <urn:g:missing>"
        )
    assert (disk_store.graph_sizes(), disk_store.generation) == before


def test_generation_moves_on_every_write_and_survives_reopening(
    built: Settings, tmp_path: Path
) -> None:
    settings = clone_settings(built, tmp_path)
    store = EmbeddedStore.open(settings.data_dir)
    built_generation = store.generation
    first = store.apply(GraphChange(append={"urn:g:a": triples("1")}))
    second = store.apply(GraphChange(append={"urn:g:a": triples("2")}))
    assert len({built_generation, first, second}) == 3
    assert second == f"{built_generation}+2"
    store.close()
    reopened = EmbeddedStore.open(settings.data_dir)
    assert reopened.generation == second
    assert f"{BASE}graph/system" not in reopened.graph_sizes()
    reopened.close()


def test_blank_nodes_of_two_writes_never_merge(disk_store: EmbeddedStore) -> None:
    b = ox.BlankNode("b0")
    for value in ("first", "second"):
        disk_store.apply(GraphChange(append={"urn:g:a": [ox.Triple(b, P, ox.Literal(value))]}))
    subjects = {q.subject for q in disk_store.oxigraph.quads_for_pattern(None, P, None)}
    assert len(subjects) == 2


def test_a_rebuild_keeps_submissions_and_their_provenance(tmp_path: Path) -> None:
    settings = Settings(content_dir=REPO, data_dir=tmp_path / "store")
    build(settings, reasoner=False)
    store = EmbeddedStore.open(settings.data_dir)
    kept = {
        f"{BASE}graph/submission/abc": triples("data"),
        f"{BASE}graph/provenance": triples("who"),
        f"{BASE}graph/provenance/abc/1": triples("report"),
    }
    store.apply(GraphChange(replace=kept))
    before = store.generation
    store.close()
    report = build(settings, reasoner=False)
    assert report.carried_submissions == 1
    rebuilt = EmbeddedStore.open(settings.data_dir)
    try:
        for name, expected in kept.items():
            assert graph(rebuilt, name) == {t.object.value for t in expected}
        assert rebuilt.generation not in (before, before.split("+")[0])
    finally:
        rebuilt.close()
