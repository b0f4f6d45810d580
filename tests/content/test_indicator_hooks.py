"""Indicator hooks: an ISO 37120 value attaches to a city as a SOSA observation.

The shipped data holds no observations (no citable figures); the documented
example in tests/data/examples shows the pattern, and these tests prove that
the shapes accept it, refuse a broken one, and that a query finds the value
through the city once it is in the graph.
"""

import pytest
import rdflib

from ascf_graph.build.pipeline import build
from ascf_graph.core.settings import Settings
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO, copy_content

BASE = "https://w3id.org/ascf/"
EXAMPLE = REPO / "tests" / "data" / "examples" / "iso37120-observation.ttl"
SOSA = rdflib.Namespace("http://www.w3.org/ns/sosa/")
OBSERVATION = rdflib.URIRef("https://example.org/observations/da-nang-example-2024")


@pytest.fixture(scope="module")
def steward(store: EmbeddedStore) -> ValidationContext:
    return ValidationContext.for_submissions(store, BASE)


def example() -> rdflib.Graph:
    return rdflib.Graph().parse(EXAMPLE, format="turtle")


def test_the_documented_example_conforms(steward: ValidationContext) -> None:
    report = validate(example(), steward)
    assert report.conforms, report.to_text()
    assert report.count("Violation") == 0


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ("drop-city", SOSA.hasFeatureOfInterest),
        ("not-a-city", SOSA.hasFeatureOfInterest),
        ("two-values", SOSA.hasSimpleResult),
        ("no-year", rdflib.URIRef(BASE + "def/referenceYear")),
    ],
)
def test_a_broken_observation_is_refused_naming_the_property(
    steward: ValidationContext, change: str, path: rdflib.URIRef
) -> None:
    data = example()
    if change == "drop-city":
        data.remove((OBSERVATION, SOSA.hasFeatureOfInterest, None))
    elif change == "not-a-city":
        data.set((OBSERVATION, SOSA.hasFeatureOfInterest, rdflib.URIRef(BASE + "id/city/atlantis")))
    elif change == "two-values":
        data.add((OBSERVATION, SOSA.hasSimpleResult, rdflib.Literal(13)))
    else:
        data.remove((OBSERVATION, rdflib.URIRef(BASE + "def/referenceYear"), None))
    report = validate(data, steward)
    assert not report.conforms
    assert {r.path for r in report.results if r.severity == "Violation"} == {str(path)}


def test_a_query_finds_the_value_through_the_city(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings: Settings = copy_content(tmp_path_factory.mktemp("with-observation"))
    (settings.instance_dir / "observation.ttl").write_bytes(EXAMPLE.read_bytes())
    build(settings, reasoner=False)
    store = EmbeddedStore.open(settings.data_dir)
    try:
        rows = list(
            store.oxigraph.query(
                """SELECT ?indicator ?value ?year WHERE {
                     ?observation sosa:hasFeatureOfInterest ?city ;
                                  sosa:observedProperty ?indicator ;
                                  sosa:hasSimpleResult ?value ; ascf:referenceYear ?year .
                     ?city rdfs:label "Da Nang"@en .
                     ?indicator a sosa:ObservableProperty .
                   }""",
                prefixes={
                    "sosa": str(SOSA),
                    "ascf": BASE + "def/",
                    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                },
                use_default_graph_as_union=True,
            )
        )
    finally:
        store.close()
    assert [(r["value"].value, r["year"].value) for r in rows] == [("12.5", "2024")]
