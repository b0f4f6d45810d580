"""Deterministic Turtle: the same triples give the same bytes, whatever order they come in."""

import random

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from ascf_graph.rdf.turtle import sorted_triples, turtle

EX = "https://w3id.org/ascf/"
PREFIXES = {
    "ascf": EX + "def/",
    "id": EX + "id/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "unused": "http://example.org/unused#",
}
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def node(path: str) -> ox.NamedNode:
    return ox.NamedNode(EX + path)


def sample() -> list[ox.Triple]:
    membership = ox.BlankNode("membership-b")
    return [
        ox.Triple(node("id/city/b"), node("def/hasMembership"), membership),
        ox.Triple(membership, node("def/joinedYear"), ox.Literal("2018")),
        ox.Triple(node("id/city/b"), TYPE, node("def/City")),
        ox.Triple(node("id/city/a"), TYPE, node("def/City")),
        ox.Triple(
            node("id/city/a"),
            ox.NamedNode(PREFIXES["rdfs"] + "label"),
            ox.Literal('A "quoted"\nname\\', language="en"),
        ),
    ]


def test_any_order_of_the_same_triples_gives_the_same_bytes() -> None:
    triples = sample()
    expected = turtle(triples, PREFIXES, ["header"])
    for seed in range(5):
        shuffled = triples[:]
        random.Random(seed).shuffle(shuffled)
        assert turtle(shuffled, PREFIXES, ["header"]) == expected


def test_a_blank_node_follows_the_subject_that_points_at_it() -> None:
    subjects = [str(t.subject) for t in sorted_triples(sample())]
    order = list(dict.fromkeys(subjects))
    assert order == [f"<{EX}id/city/a>", f"<{EX}id/city/b>", "_:membership-b"]


def test_only_plain_prefixes_that_are_used_are_declared() -> None:
    text = turtle(sample(), PREFIXES)
    assert "@prefix ascf:" in text
    assert "@prefix rdfs:" in text
    assert "unused" not in text
    assert "@prefix id:" not in text, "id:city/a would need an escaped slash"
    assert "\\/" not in text
    assert "\t" not in text


def test_the_output_round_trips_with_escapes_intact() -> None:
    graph = Graph()
    graph.add((URIRef(EX + "id/project/x"), RDFS.label, Literal('a "q"\nb\\c', lang="en")))
    assert isomorphic(Graph().parse(data=turtle(graph, PREFIXES), format="turtle"), graph)
