"""The JSON-LD ``@context`` that linkers use: short names for our terms.

Built from the ontology in the store: every class and property under
``{base}def/`` by its local name (object properties as ``@id`` values,
datatype properties with their declared ``xsd:`` range), the prefixes we use,
and short names for the SKOS, RDFS and Dublin Core terms our data relies on.
The same ontology always gives the same context, in the same order.
"""

from ascf_graph.core.namespaces import OWL, XSD
from ascf_graph.linked_data.resources import prefixes_for
from ascf_graph.store.base import Store

_TERMS = """
SELECT ?term ?kind ?range WHERE {
  VALUES ?kind {
    <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty>
    <http://www.w3.org/2002/07/owl#DatatypeProperty> <http://www.w3.org/2002/07/owl#AnnotationProperty>
  }
  ?term a ?kind .
  OPTIONAL { ?term <http://www.w3.org/2000/01/rdf-schema#range> ?range . FILTER(isIRI(?range)) }
  FILTER(isIRI(?term))
}
"""


#: Terms of other vocabularies that our data uses, by the short name linkers expect.
SHARED_TERMS: dict[str, tuple[str, bool]] = {
    "label": ("rdfs:label", False),
    "comment": ("rdfs:comment", False),
    "seeAlso": ("rdfs:seeAlso", True),
    "prefLabel": ("skos:prefLabel", False),
    "altLabel": ("skos:altLabel", False),
    "notation": ("skos:notation", False),
    "definition": ("skos:definition", False),
    "scopeNote": ("skos:scopeNote", False),
    "broader": ("skos:broader", True),
    "narrower": ("skos:narrower", True),
    "related": ("skos:related", True),
    "inScheme": ("skos:inScheme", True),
    "topConceptOf": ("skos:topConceptOf", True),
    "hasTopConcept": ("skos:hasTopConcept", True),
    "exactMatch": ("skos:exactMatch", True),
    "closeMatch": ("skos:closeMatch", True),
    "broadMatch": ("skos:broadMatch", True),
    "narrowMatch": ("skos:narrowMatch", True),
    "relatedMatch": ("skos:relatedMatch", True),
    "sameAs": ("owl:sameAs", True),
    "deprecated": ("owl:deprecated", False),
    "isReplacedBy": ("dct:isReplacedBy", True),
    "source": ("dct:source", False),
    "subject": ("dct:subject", True),
    "title": ("dct:title", False),
    "description": ("dct:description", False),
    "hasMembership": ("org:hasMembership", True),
    "organization": ("org:organization", True),
}


def jsonld_context(store: Store, base_iri: str) -> dict[str, object]:
    """The ``{"@context": ...}`` document for the ontology in the store."""
    prefixes = prefixes_for(base_iri)
    namespace = prefixes["ascf"]
    context: dict[str, object] = {"id": "@id", "type": "@type"}
    context.update({name: prefixes[name] for name in sorted(prefixes) if name != "id"})
    for name, (curie, is_link) in SHARED_TERMS.items():
        context[name] = {"@id": curie, "@type": "@id"} if is_link else curie
    terms: dict[str, object] = {}
    for row in store.query(_TERMS):
        iri = row["term"].value
        if not iri.startswith(namespace) or "/" in iri[len(namespace) :]:
            continue
        name = iri[len(namespace) :]
        kind = row["kind"].value
        range_iri = row["range"].value if row["range"] is not None else None
        if kind == OWL + "ObjectProperty":
            terms[name] = {"@id": f"ascf:{name}", "@type": "@id"}
        elif kind == OWL + "DatatypeProperty" and range_iri and range_iri.startswith(XSD):
            terms[name] = {"@id": f"ascf:{name}", "@type": f"xsd:{range_iri[len(XSD) :]}"}
        else:
            terms.setdefault(name, f"ascf:{name}")
    context.update(dict(sorted(terms.items())))
    return {"@context": context}
