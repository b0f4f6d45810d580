"""The shapes' SPARQL is parsed once per text, and answers as rdflib answers the text,
also in validations running in several threads at once."""

import threading

import pytest
import rdflib
from pyparsing import ParseException

from ascf_graph.shacl.prepared_queries import PreparedQueries, PreparingGraph
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import TEST_DATA

EX = rdflib.Namespace("http://example.org/")
EXAMPLES = TEST_DATA / "validation"
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


def test_validation_prepares_the_shapes_sparql_once_and_reports_as_without_it(
    store: EmbeddedStore,
) -> None:
    context = ValidationContext.for_submissions(store, BASE)
    data = rdflib.Graph().parse(EXAMPLES / "end-before-start.ttl")  # a SPARQL constraint fails
    first = validate(data, context)
    prepared = len(context.queries)
    assert prepared > 0  # pyshacl queried our graph, not a copy of it
    again = validate(data, context)
    assert len(context.queries) == prepared
    unprepared = validate(data, ValidationContext.for_submissions(store, BASE))
    assert again.results == first.results == unprepared.results
    assert not first.conforms


def cities(bad_every: int, offset: int) -> rdflib.Graph:
    """150 cities, every ``bad_every``-th with a latitude of 200 in its WKT point too."""
    lines = [
        "@prefix ascf: <https://w3id.org/ascf/def/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix geo: <http://www.opengis.net/ont/geosparql#> .",
        "@prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .",
    ]
    for i in range(150):
        lat = 200 if (i + offset) % bad_every == 0 else 10
        lines.append(
            f'<{BASE}id/city/c{i}> a ascf:City ; rdfs:label "C{i}" ; wgs:lat {lat} ; '
            f"wgs:long 100 ; geo:hasGeometry [ a geo:Geometry ; "
            f'geo:asWKT "POINT(100.5 {lat})"^^geo:wktLiteral ] .'
        )
    return rdflib.Graph().parse(data="\n".join(lines), format="turtle")


def fingerprint(report: ValidationReport) -> list[str]:
    return sorted(repr(result) for result in report.results)


def test_validations_in_several_threads_sharing_prepared_queries_report_as_one_alone(
    store: EmbeddedStore,
) -> None:
    """rdflib's expressions hold the bindings of the evaluation in progress: a prepared query
    shared between threads made concurrent validations miss Violations."""
    shapes = ValidationContext.for_submissions(store, BASE).shapes
    datas = [cities(3, offset) for offset in range(3)]
    alone = [fingerprint(validate(d, ValidationContext(shapes=shapes))) for d in datas]
    assert all(alone)
    shared = PreparedQueries()
    differences: list[int] = []

    def validate_in_turn(start: int) -> None:
        for turn in range(4):
            which = (start + turn) % len(datas)
            report = validate(datas[which], ValidationContext(shapes=shapes, queries=shared))
            if fingerprint(report) != alone[which]:
                differences.append(which)

    threads = [threading.Thread(target=validate_in_turn, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert differences == []
    assert len(shared) > 0
