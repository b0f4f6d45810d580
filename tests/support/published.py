"""What the project publishes, read straight from its files (not from the service under test).

Each group lists the URIs that must dereference; the expected labels come
from the same files, so a test can check that a document carries the labels
of what it links to.
"""

from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

REPO = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/ascf/"

ONTOLOGY_FILES = sorted((REPO / "ontology").glob("*.ttl"))
DATA_FILES = sorted((REPO / "data").glob("*.ttl"))

TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Class,
    RDF.Property,
)


@cache
def shipped_graph() -> rdflib.Graph:
    """Every ontology and data file, merged."""
    graph = rdflib.Graph()
    for path in [*ONTOLOGY_FILES, *DATA_FILES]:
        graph.parse(path)
    return graph


def _subjects_under(paths: list[Path], prefix: str) -> list[str]:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path)
    return sorted({str(s) for s in graph.subjects() if str(s).startswith(prefix)})


@cache
def published_uris() -> dict[str, list[str]]:
    """The URIs that must dereference, by group."""
    ids = _subjects_under(ONTOLOGY_FILES, BASE + "id/")
    terms = _subjects_under([REPO / "ontology" / "def.ttl"], BASE + "def")
    data = _subjects_under(DATA_FILES, BASE + "id/")
    return {
        "framework": [u for u in ids if "/id/country/" not in u and "/project-status" not in u],
        "countries and statuses": [u for u in ids if "/id/country/" in u or "/project-status" in u],
        "ontology terms": terms,
        "cities": [u for u in data if "/id/city/" in u],
        "projects": [u for u in data if "/id/project/" in u],
    }


@cache
def ontology_terms() -> list[str]:
    """Every class and property declared in ontology/."""
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path)
    return sorted(
        {str(s) for kind in TERM_TYPES for s in graph.subjects(RDF.type, kind)}
        - {str(s) for s in graph.subjects() if isinstance(s, rdflib.BNode)}
    )


def labels_of(iri: str) -> set[str]:
    """The labels the shipped files give ``iri`` (rdfs:label and skos:prefLabel)."""
    graph = shipped_graph()
    node = rdflib.URIRef(iri)
    return {str(o) for p in (RDFS.label, SKOS.prefLabel) for o in graph.objects(node, p)}
