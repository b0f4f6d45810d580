"""Filling an on-disk store from a staged one on every core: every quad arrives, blank
nodes stay one node each, and a loader's failure is raised, not lost."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from ascf_graph.build.parallel_load import ParallelLoad

EX = "http://example.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DATA, SHAPES, LATER = (ox.NamedNode(EX + name) for name in ("data", "shapes", "later"))


def node(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def staged_store() -> ox.Store:
    """Ground statements enough for several blocks, blank-node chains across them,
    a literal that looks like a blank node, a small graph and the default graph."""
    store = ox.Store()
    store.extend(
        ox.Quad(node(f"project/{i}"), node("label"), ox.Literal(f"Project {i}"), DATA)
        for i in range(3000)
    )
    for i in range(0, 3000, 100):
        budget = ox.BlankNode()
        store.extend(
            [
                ox.Quad(node(f"project/{i}"), node("budget"), budget, DATA),
                ox.Quad(budget, node("amount"), ox.Literal(str(i)), DATA),
            ]
        )
    store.add(ox.Quad(node("note"), node("says"), ox.Literal("see _:b1 in the text"), DATA))
    store.add(ox.Quad(node("default"), node("says"), ox.Literal("in the default graph")))
    shape = ox.BlankNode()
    store.add(ox.Quad(node("CityShape"), node("property"), shape, SHAPES))
    store.add(ox.Quad(shape, node("path"), node("label"), SHAPES))
    return store


def test_every_quad_arrives_with_its_blank_nodes_and_what_was_added_meanwhile(
    tmp_path: Path,
) -> None:
    staged = staged_store()
    target = ox.Store(str(tmp_path / "store"))
    load = ParallelLoad(staged, target, LATER, workers=2, small_graph_bytes=1000, block_bytes=4096)
    with load:
        # what inference does meanwhile: add statements about staged blank nodes
        budgets = [q.object for q in staged.quads_for_pattern(None, node("budget"), None)]
        staged.extend(ox.Quad(b, RDF_TYPE, node("Budget"), LATER) for b in budgets)
        load.finish()
    assert set(target) == set(staged)
    linked = target.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?p <http://example.org/budget> ?b . "
        "?b <http://example.org/amount> ?a ; a <http://example.org/Budget> }",
        use_default_graph_as_union=True,
    )
    assert next(iter(linked))["n"].value == "30"


def test_a_loader_that_fails_is_raised_by_finish(tmp_path: Path) -> None:
    """Only ground statements, so only the loaders write: the error can come from nowhere else."""
    staged = ox.Store()
    staged.extend(ox.Quad(node(f"s/{i}"), node("p"), ox.Literal(str(i)), DATA) for i in range(500))
    ox.Store(str(tmp_path / "store")).flush()
    read_only = ox.Store.read_only(str(tmp_path / "store"))
    load = ParallelLoad(staged, read_only, LATER, small_graph_bytes=0)
    with pytest.raises(RuntimeError, match="read-write"), load:
        load.finish()
