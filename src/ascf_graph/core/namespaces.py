"""IRIs of the vocabularies we publish and use, in one place.

Everything here is derived from the default base IRI of the URI contract;
a deployment that sets another ``ASCF_BASE_IRI`` has its data rewritten at
load time (see :mod:`ascf_graph.build.pipeline`), so these constants stay valid for the
files under ``ontology/``, ``shapes/`` and ``data/``.
"""

from typing import Final

DEFAULT_BASE_IRI: Final = "https://w3id.org/ascf/"

ASCF: Final = DEFAULT_BASE_IRI + "def/"
ONTOLOGY_IRI: Final = DEFAULT_BASE_IRI + "def"
FRAMEWORK_SCHEME: Final = DEFAULT_BASE_IRI + "id/framework"

#: Prefixes that every curated query, page and serialization may use.
PREFIXES: Final[dict[str, str]] = {
    "ascf": ASCF,
    "id": DEFAULT_BASE_IRI + "id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


def graph_iri(base_iri: str, name: str) -> str:
    """The IRI of the named graph ``name`` under ``base_iri``."""
    return f"{base_iri}graph/{name}"


#: Where skolem IRIs live under the base (RDF 1.1 Concepts, 3.5): ``{base}.well-known/genid/{id}``.
GENID_PATH = ".well-known/genid/"
