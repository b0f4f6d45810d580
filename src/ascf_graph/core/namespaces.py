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

# The vocabularies we use, as namespace IRIs (a term is the namespace plus its name).
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCT: Final = "http://purl.org/dc/terms/"
ORG: Final = "http://www.w3.org/ns/org#"
GEO: Final = "http://www.opengis.net/ont/geosparql#"
WGS: Final = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GN: Final = "http://www.geonames.org/ontology#"
PROV: Final = "http://www.w3.org/ns/prov#"
SH: Final = "http://www.w3.org/ns/shacl#"
VANN: Final = "http://purl.org/vocab/vann/"
VOID: Final = "http://rdfs.org/ns/void#"
SCHEMA: Final = "https://schema.org/"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
DCAT: Final = "http://www.w3.org/ns/dcat#"
HYDRA: Final = "http://www.w3.org/ns/hydra/core#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"
SPDX: Final = "http://spdx.org/rdf/terms#"
#: W3C's unique URIs for formats (https://www.w3.org/ns/formats/).
W3C_FORMATS: Final = "http://www.w3.org/ns/formats/"

#: Prefixes that every curated query, page and serialization may use.
PREFIXES: Final[dict[str, str]] = {
    "ascf": ASCF,
    "id": DEFAULT_BASE_IRI + "id/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "org": ORG,
    "geo": GEO,
    "wgs": WGS,
    "gn": GN,
    "prov": PROV,
    "sh": SH,
    "vann": VANN,
    "void": VOID,
    "schema": SCHEMA,
    "foaf": FOAF,
    "dcat": DCAT,
    "hydra": HYDRA,
    "sd": SD,
}


def graph_iri(base_iri: str, name: str) -> str:
    """The IRI of the named graph ``name`` under ``base_iri``."""
    return f"{base_iri}graph/{name}"


#: Where skolem IRIs live under the base (RDF 1.1 Concepts, 3.5): ``{base}.well-known/genid/{id}``.
GENID_PATH = ".well-known/genid/"
