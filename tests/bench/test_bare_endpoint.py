"""The floor endpoint of bench/cpu_per_request answers as the engine does, over real HTTP."""

import asyncio
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.cpu_per_request import bare_endpoint
from bench.systems import HttpSystem

EX = "http://example.org/"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A store with a city in the default graph and one in a named graph."""
    folder = tmp_path / "store"
    store = ox.Store(str(folder))
    city = ox.NamedNode("https://w3id.org/ascf/def/City")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    store.add(ox.Quad(ox.NamedNode(EX + "hanoi"), rdf_type, city))
    store.add(ox.Quad(ox.NamedNode(EX + "hue"), rdf_type, city, ox.NamedNode(EX + "g")))
    store.flush()
    del store
    return folder


async def _post(system: HttpSystem, query: str) -> tuple[int, bytes]:
    assert system.client is not None
    answer = await system.client.post(
        system.query_path,
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    return answer.status, answer.content


def test_the_floor_answers_selects_and_constructs_over_the_union_and_refuses_bad_text(
    store_dir: Path, tmp_path: Path
) -> None:
    system = bare_endpoint(store_dir, tmp_path / "floor.log")

    async def scenario() -> list[tuple[int, bytes]]:
        await system.start(concurrency=1, timeout=60)
        try:
            return [
                await _post(system, "SELECT ?c WHERE { ?c a ?t } ORDER BY ?c"),
                await _post(
                    system, f"CONSTRUCT {{ ?c a ?t }} WHERE {{ <{EX}hue> a ?t . ?c a ?t }}"
                ),
                await _post(system, "SELECT WHERE {"),
            ]
        finally:
            await system.stop()

    selected, constructed, refused = asyncio.run(scenario())
    assert selected[0] == 200
    rows = json.loads(selected[1])["results"]["bindings"]
    assert [row["c"]["value"] for row in rows] == [EX + "hanoi", EX + "hue"]
    assert constructed[0] == 200
    assert len(constructed[1].decode().strip().splitlines()) == 2
    assert refused[0] == 400
