"""The shapes' SPARQL is parsed once per text, and answers as rdflib answers the text."""

from pathlib import Path

import pytest
import rdflib
from pyparsing import ParseException

from ascf_graph.prepared_queries import PreparedQueries, PreparingGraph
from ascf_graph.store import EmbeddedStore
from ascf_graph.validation import ValidationContext, validate

EX = rdflib.Namespace("http://example.org/")
EXAMPLES = Path(__file__).parent / "data" / "validation"
BASE = "https://w3id.org/ascf/"


def graphs() -> tuple[rdflib.Graph, PreparingGraph]:
    """The same statements in a plain rdflib graph and in a preparing one, ``ex:`` bound."""
    plain, preparing = rdflib.Graph(), PreparingGraph(PreparedQueries())
    for graph in (plain, preparing):
        graph.bind("ex", EX)
        for i in range(5):
            graph.add((EX[f"city{i}"], EX.population, rdflib.Literal(i * 1000)))
    return plain, preparing


def rows(result: rdflib.query.Result) -> set[tuple[object, ...]]:
    return {tuple(row) for row in result}  # type: ignore[arg-type]


def test_a_text_answers_as_rdflib_answers_it_with_bindings_and_the_graphs_prefixes() -> None:
    plain, preparing = graphs()
    text = "SELECT ?p WHERE { ?city ex:population ?p FILTER (?p > 1500) }"  # ex: from the graph
    for city in (EX.city1, EX.city3, None):
        bindings = {"city": city} if city else {}
        assert rows(preparing.query(text, initBindings=bindings)) == rows(
            plain.query(text, initBindings=bindings)
        )
    assert rows(preparing.query(text)) == {(rdflib.Literal(n),) for n in (2000, 3000, 4000)}


def test_each_distinct_text_is_prepared_once() -> None:
    _, preparing = graphs()
    texts = ["ASK { ?s ex:population 0 }", "SELECT * WHERE { ?s ?p ?o }"]
    for _ in range(3):
        for text in texts:
            preparing.query(text, initBindings={"s": EX.city0})
    assert len(preparing.queries) == 2


def test_a_bad_text_raises_as_rdflib_does_and_is_not_kept() -> None:
    plain, preparing = graphs()
    with pytest.raises(ParseException):
        plain.query("SELECT WHERE {")
    with pytest.raises(ParseException):
        preparing.query("SELECT WHERE {")
    assert len(preparing.queries) == 0


def test_no_more_than_the_limit_is_kept_and_the_rest_still_answers() -> None:
    preparing = PreparingGraph(PreparedQueries(limit=1))
    preparing.add((EX.a, EX.b, EX.c))
    assert preparing.query("ASK { ?s ?p ?o }").askAnswer
    assert preparing.query("ASK { ?s ?p ex:nothing }", initNs={"ex": EX}).askAnswer is False
    assert len(preparing.queries) == 1


def test_validation_prepares_the_shapes_sparql_once_for_every_submission(
    store: EmbeddedStore,
) -> None:
    context = ValidationContext.for_submissions(store, BASE)
    data = rdflib.Graph().parse(EXAMPLES / "valid-city-and-project.ttl")
    first = validate(data, context)
    prepared = len(context.queries)
    assert prepared > 0  # pyshacl queried our graph, not a copy of it
    again = validate(data, context)
    assert len(context.queries) == prepared
    assert (again.conforms, again.results) == (first.conforms, first.results)
