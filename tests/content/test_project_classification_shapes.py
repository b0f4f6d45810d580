"""A project names a focus area or sub-area, or says why its source allows none; never both."""

import pytest
import rdflib

from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore

BASE = "https://w3id.org/ascf/"
PROJECT = """
@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ascf/id/project/hanoi-example> a ascf:SmartCityProject ;
    rdfs:label "Example operations centre"@en ;
    ascf:city <https://w3id.org/ascf/id/city/hanoi> {extra} .
"""
REASON = ' ; ascf:notClassifiedBecause "The source spans every sector."@en'
AREA = " ; ascf:subArea <https://w3id.org/ascf/id/sub-area/governance>"


@pytest.fixture(scope="module")
def steward(store: EmbeddedStore) -> ValidationContext:
    return ValidationContext.for_submissions(store, BASE)


@pytest.mark.parametrize(
    ("extra", "conforms", "message"),
    [
        (AREA, True, None),
        (REASON, True, None),
        ("", False, "needs at least one focus area"),
        (AREA + REASON, False, "also says it is not classified"),
        (REASON + ' ; ascf:notClassifiedBecause "Another reason."@en', False, "one piece of text"),
    ],
    ids=["sub-area", "reason", "neither", "both", "two-reasons"],
)
def test_classification_or_a_reason(
    steward: ValidationContext, extra: str, conforms: bool, message: str | None
) -> None:
    data = rdflib.Graph().parse(data=PROJECT.replace("{extra}", extra), format="turtle")
    report = validate(data, steward)
    assert report.conforms is conforms, report.to_text()
    if message:
        assert any(message in r.message for r in report.results if r.severity == "Violation"), (
            report.to_text()
        )
