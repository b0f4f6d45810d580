"""The alignments: each in its own named graph, every mapping with its reason, SDGs labelled."""

import pyoxigraph as ox
import pytest

from ascf_graph.build.pipeline import discover_sources
from ascf_graph.core.settings import Settings
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO

BASE = "https://w3id.org/ascf/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ALIGNMENTS = ("alignment-sdg", "alignment-schema-org", "alignment-saref4city",
              "alignment-iso-5087-2", "alignment-org")  # fmt: skip
MAPPINGS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


def graph_triples(store: EmbeddedStore, name: str) -> list[ox.Quad]:
    return list(
        store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}graph/{name}"))
    )


def test_each_alignment_is_a_file_of_its_own_and_a_named_graph(store: EmbeddedStore) -> None:
    graphs = {s.graph for s in discover_sources(Settings(content_dir=REPO))}
    sizes = store.graph_sizes()
    for name in ALIGNMENTS:
        assert (REPO / "ontology" / f"{name}.ttl").is_file()
        assert f"{BASE}graph/{name}" in graphs
        assert sizes[f"{BASE}graph/{name}"] > 0


@pytest.mark.parametrize("name", ALIGNMENTS)
def test_every_mapped_term_says_why(store: EmbeddedStore, name: str) -> None:
    quads = graph_triples(store, name)
    mapped = {
        q.subject
        for q in quads
        if q.predicate.value in {SKOS + m for m in MAPPINGS}
        or q.predicate.value.endswith(("#subClassOf", "#subPropertyOf"))
    }
    assert mapped, name
    noted = {q.subject for q in quads if q.predicate.value == SKOS + "scopeNote"}
    assert mapped <= noted, f"{name}: {sorted(str(s) for s in mapped - noted)} give no reason"
    sources = [q for q in quads if q.predicate.value == "http://purl.org/dc/terms/source"]
    assert sources, f"{name} cites no source"


def test_no_alignment_claims_an_exact_match(store: EmbeddedStore) -> None:
    for name in ALIGNMENTS:
        assert not [
            q for q in graph_triples(store, name) if q.predicate.value == SKOS + "exactMatch"
        ]


def test_every_sdg_iri_used_is_labelled_and_every_target_has_its_text_and_goal(
    store: EmbeddedStore,
) -> None:
    quads = graph_triples(store, "alignment-sdg")
    used = {
        q.object for q in quads if q.predicate.value in {SKOS + "closeMatch", SKOS + "relatedMatch"}
    }
    assert all(o.value.startswith("http://metadata.un.org/sdg/") for o in used)
    labels = {q.subject: q.object.value for q in quads if q.predicate.value.endswith("#label")}
    texts = {q.subject for q in quads if q.predicate.value == SKOS + "definition"}
    goals = {q.subject: q.object for q in quads if q.predicate.value == SKOS + "broader"}
    assert used <= set(labels)
    assert len([s for s in labels if "." not in s.value.rsplit("/", 1)[1]]) == 17
    for target, goal in goals.items():
        number = target.value.rsplit("/", 1)[1]
        assert labels[target] == f"Target {number}"
        assert target in texts
        assert goal.value == "http://metadata.un.org/sdg/" + number.split(".")[0]
    assert labels[ox.NamedNode("http://metadata.un.org/sdg/11")] == (
        "Sustainable cities and communities"
    )


def test_every_outcome_urban_system_focus_area_sub_area_and_goal_is_aligned_to_the_sdgs(
    store: EmbeddedStore,
) -> None:
    result = store.oxigraph.query(
        """SELECT ?concept WHERE {
             VALUES ?kind {
               ascf:FocusArea ascf:SubArea ascf:StrategicOutcome ascf:UrbanSystem ascf:FocusAreaGoal
             }
             ?concept a ?kind .
             MINUS { ?concept skos:closeMatch|skos:relatedMatch ?sdg }
           }""",
        prefixes={"ascf": BASE + "def/", "skos": SKOS},
        use_default_graph_as_union=True,
    )
    assert [row["concept"].value for row in result] == []


def test_the_reviewed_alignments_hold(store: EmbeddedStore) -> None:
    def matches(concept: str, kind: str) -> set[str]:
        rows = store.oxigraph.query(
            f"SELECT ?sdg WHERE {{ <{BASE}id/{concept}> skos:{kind}Match ?sdg }}",
            prefixes={"skos": SKOS},
            use_default_graph_as_union=True,
        )
        return {row["sdg"].value.rsplit("/", 1)[1] for row in rows}

    # Industry and Innovation spans five sub-areas: 8.2 is close to one of its goals only.
    assert "8.2" not in matches("focus-area/industry-and-innovation", "close")
    assert "8.2" in matches("focus-area/industry-and-innovation", "related")
    assert "8.2" in matches("goal/competitiveness-and-productivity-of-msmes", "close")
    # Participatory, integrated settlement planning: the urban systems (paragraphs 10, 11).
    assert matches("urban-system/integrated-master-planning-and-development", "close") == {"11.3"}
    assert "11.3" in matches("urban-system/dynamic-and-adaptive-urban-governance", "related")
    assert "7.3" in matches("sub-area/utilities", "related")
    assert "8.10" in matches("goal/cashless-society", "related")
    assert "11.a" in matches("outcome/competitive-economy", "related")


def test_skos_mapping_properties_keep_their_skos_meaning(store: EmbeddedStore) -> None:
    # Not redeclared as OWL annotation properties (SKOS makes them properties of its own);
    # the alignments are graphs of their own, and the reasoner is not given them.
    declared = store.oxigraph.query(
        """SELECT ?p WHERE { ?p a owl:AnnotationProperty
             FILTER (STRSTARTS(STR(?p), STR(skos:)) && STRENDS(STR(?p), "Match")) }""",
        prefixes={"skos": SKOS, "owl": "http://www.w3.org/2002/07/owl#"},
        use_default_graph_as_union=True,
    )
    assert [row["p"].value for row in declared] == []
