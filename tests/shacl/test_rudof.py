"""The fast engine (pyrudof for core shapes) gives the same report as pyshacl.

Same verdict, and the same results (severity, focus node, path, value,
constraint, shape, message and fix) on every example steward file, on
generated data with mistakes seeded in it, and on data about the
framework's own terms, which a submission may not describe.
"""

from collections import Counter
from pathlib import Path

import pytest
import rdflib

from ascf_graph.rdf.io import parse_file, to_rdflib_graph
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.rudof import rudof_available, validate_fast
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore
from bench.shacl import seeded_submission
from tests.support.stores import TEST_DATA

EXAMPLES = TEST_DATA / "validation"
BASE = "https://w3id.org/ascf/"

pytestmark = pytest.mark.skipif(not rudof_available(), reason="pyrudof is not installed")


def comparable(report: ValidationReport) -> Counter[tuple[object, ...]]:
    """The results as a multiset, blank nodes (whose labels are each engine's own) made alike."""

    def node(text: str) -> str:
        return text if text.startswith(("http://", "https://", "urn:")) else "_:"

    return Counter(
        (r.severity, node(r.focus_node), r.path, r.value, r.constraint, r.shape, r.message, r.fix)
        for r in report.results
    )


@pytest.fixture(scope="module")
def context(store: EmbeddedStore) -> ValidationContext:
    return ValidationContext.for_submissions(store, BASE)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in EXAMPLES.glob("*.ttl") if p.name != "malformed.ttl")
)
def test_same_report_on_every_example(context: ValidationContext, name: str) -> None:
    data = to_rdflib_graph(parse_file(EXAMPLES / name))
    slow, fast = validate(data, context), validate_fast(data, context)
    assert fast.conforms == slow.conforms
    assert comparable(fast) == comparable(slow)
    assert fast.results, "every example gets at least a warning, so the check is not vacuous"
    assert fast.to_json() == slow.to_json()


def test_same_report_on_generated_data_with_seeded_mistakes(
    context: ValidationContext, tmp_path: Path
) -> None:
    data = seeded_submission(800, seed=5, folder=tmp_path)
    slow, fast = validate(data, context), validate_fast(data, context)
    assert not slow.conforms
    assert fast.conforms == slow.conforms
    assert comparable(fast) == comparable(slow)
    assert slow.count("Violation") >= 3


def test_data_about_the_framework_is_refused_alike(context: ValidationContext) -> None:
    data = to_rdflib_graph(parse_file(EXAMPLES / "valid-city-and-project.ttl"))
    focus_area = rdflib.URIRef(f"{BASE}id/focus-area/civic-and-social")
    data.add((focus_area, rdflib.RDFS.label, rdflib.Literal("Civic and social, renamed")))
    slow, fast = validate(data, context), validate_fast(data, context)
    assert not fast.conforms
    assert fast.to_json() == slow.to_json()
    (refusal,) = [r for r in fast.results if r.focus_node == str(focus_area)]
    assert refusal.severity == "Violation"
    assert refusal.fix.startswith("Remove the statements")


def test_the_report_graph_is_a_shacl_report(context: ValidationContext) -> None:
    data = to_rdflib_graph(parse_file(EXAMPLES / "negative-population.ttl"))
    graph = validate_fast(data, context).graph
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (report,) = graph.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert graph.value(report, sh.conforms) == rdflib.Literal(False)
    assert len(list(graph.subjects(rdflib.RDF.type, sh.ValidationResult))) >= 1
