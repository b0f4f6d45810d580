"""The framework as a concept scheme: every element of paragraphs 5-21, placed right."""

import pyoxigraph as ox
import pytest

from ascf_graph.store.embedded import EmbeddedStore
from tests.support.framework_concepts import ALL, SUB_AREAS, Expected

BASE = "https://w3id.org/ascf/"
KIND_CLASS = {
    "outcome": "StrategicOutcome",
    "urban-system": "UrbanSystem",
    "principle": "UrbanSystemPrinciple",
    "focus-area": "FocusArea",
    "sub-area": "SubArea",
    "goal": "FocusAreaGoal",
    "enabler": "Enabler",
    "solution": "ExampleSolution",
}
PARENT_KIND = {
    "principle": ("urban-system", "principleOf"),
    "sub-area": ("focus-area", "subAreaOf"),
    "goal": ("focus-area", "goalOf"),
    "solution": ("enabler", "exampleSolutionOf"),
}

DESCRIPTION = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ascf: <https://w3id.org/ascf/def/>
SELECT ?concept ?class ?label ?definition ?notation
       (GROUP_CONCAT(DISTINCT STR(?paragraph); separator=",") AS ?paragraphs)
WHERE {
  GRAPH <https://w3id.org/ascf/graph/framework> {
    ?concept a ?class ; skos:prefLabel ?label ; skos:definition ?definition ;
             skos:notation ?notation ;
             skos:inScheme <https://w3id.org/ascf/id/framework> .
    OPTIONAL { ?concept ascf:sourceParagraph ?paragraph }
    FILTER(LANG(?label) = "en")
  }
} GROUP BY ?concept ?class ?label ?definition ?notation
"""


def iri(kind: str, slug: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}id/{kind}/{slug}")


@pytest.mark.parametrize("element", ALL, ids=lambda e: f"{e.kind}/{e.slug}")
def test_every_framework_element_has_label_definition_and_source_paragraph(
    store: EmbeddedStore, element: Expected
) -> None:
    rows = list(
        store.query(
            DESCRIPTION,
            substitutions={
                "concept": iri(element.kind, element.slug),
                "class": ox.NamedNode(f"{BASE}def/{KIND_CLASS[element.kind]}"),
            },
        )
    )
    assert len(rows) == 1, f"{element.kind}/{element.slug} is missing or described twice"
    row = rows[0]
    assert row["label"].value == element.label
    assert len(row["definition"].value) > 30, "a definition is a sentence, not a word"
    assert str(element.paragraph) in row["paragraphs"].value.split(",")


@pytest.mark.parametrize(
    "element", [e for e in ALL if e.parent], ids=lambda e: f"{e.kind}/{e.slug}"
)
def test_hierarchy_is_stated_both_ways_in_skos_and_in_the_ontology(
    store: EmbeddedStore, element: Expected
) -> None:
    parent_kind, up = PARENT_KIND[element.kind]
    down = {
        "principleOf": "hasPrinciple",
        "subAreaOf": "hasSubArea",
        "goalOf": "hasGoal",
        "exampleSolutionOf": "hasExampleSolution",
    }[up]
    ask = f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX ascf: <https://w3id.org/ascf/def/>
        ASK {{ GRAPH <{BASE}graph/framework> {{
          ?child skos:broader ?parent ; ascf:{up} ?parent .
          ?parent skos:narrower ?child ; ascf:{down} ?child .
        }} }}"""
    assert bool(
        store.query(
            ask,
            substitutions={
                "child": iri(element.kind, element.slug),
                "parent": iri(parent_kind, element.parent),
            },
        )
    )


def test_the_framework_figure_has_22_sub_areas_each_under_exactly_one_focus_area(
    store: EmbeddedStore,
) -> None:
    rows = list(
        store.query("""
        PREFIX ascf: <https://w3id.org/ascf/def/>
        SELECT ?sub (COUNT(DISTINCT ?fa) AS ?n) WHERE { ?sub a ascf:SubArea ; ascf:subAreaOf ?fa }
        GROUP BY ?sub""")
    )
    assert len(rows) == len(SUB_AREAS) == 22
    assert {int(row["n"].value) for row in rows} == {1}


def test_no_framework_element_exists_that_the_tests_do_not_expect(store: EmbeddedStore) -> None:
    found = {
        row["c"].value
        for row in store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/ascf/id/framework> }""")
    }
    expected = {iri(e.kind, e.slug).value for e in ALL}
    assert found == expected


def test_notations_are_unique(store: EmbeddedStore) -> None:
    rows = list(
        store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?n (COUNT(?c) AS ?k) WHERE {
          ?c skos:inScheme <https://w3id.org/ascf/id/framework> ; skos:notation ?n
        } GROUP BY ?n HAVING (COUNT(?c) > 1)""")
    )
    assert rows == []


def test_top_concepts_are_outcomes_urban_systems_focus_areas_and_enablers(
    store: EmbeddedStore,
) -> None:
    tops = {
        row["c"].value
        for row in store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { <https://w3id.org/ascf/id/framework> skos:hasTopConcept ?c .
                          ?c skos:topConceptOf <https://w3id.org/ascf/id/framework> }""")
    }
    expected = {iri(e.kind, e.slug).value for e in ALL if e.parent is None}
    assert tops == expected


def test_the_first_enabler_keeps_the_figures_name_as_alternative_label(
    store: EmbeddedStore,
) -> None:
    assert bool(
        store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        ASK { <https://w3id.org/ascf/id/enabler/technological-and-digital-solutions>
                skos:altLabel "Digital Infrastructure and Applications"@en }""")
    )


def test_every_ontology_term_has_label_definition_and_is_defined_by(
    store: EmbeddedStore,
) -> None:
    undocumented = [
        row["term"].value
        for row in store.query("""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?term WHERE { GRAPH <https://w3id.org/ascf/graph/def> {
          VALUES ?type { owl:Class owl:ObjectProperty owl:DatatypeProperty }
          ?term a ?type .
          FILTER(STRSTARTS(STR(?term), "https://w3id.org/ascf/def/"))
          FILTER NOT EXISTS {
            ?term rdfs:label ?label ; skos:definition ?definition ;
                  rdfs:isDefinedBy <https://w3id.org/ascf/def> }
        } }""")
    ]
    assert undocumented == []


def test_the_ontology_carries_the_metadata_a_vocabulary_user_expects(
    store: EmbeddedStore,
) -> None:
    assert bool(
        store.query("""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX vann: <http://purl.org/vocab/vann/>
        ASK { GRAPH <https://w3id.org/ascf/graph/def> {
          <https://w3id.org/ascf/def> a owl:Ontology ;
            dct:title ?t ; dct:description ?d ; dct:license ?l ; dct:creator ?c ;
            dct:created ?created ; dct:modified ?modified ; owl:versionInfo ?v ;
            owl:versionIRI ?vi ; vann:preferredNamespacePrefix "ascf" ;
            vann:preferredNamespaceUri "https://w3id.org/ascf/def/" .
          FILTER(STRSTARTS(STR(?vi), "https://w3id.org/ascf/def/"))
        } }""")
    )
