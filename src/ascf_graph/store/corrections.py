"""Corrections: a steward's statements take precedence over the shipped ones they replace.

Queries read the union of all graphs, so a city that corrects its project's
status in a submission would otherwise leave the project with two statuses, the
shipped one and its own. Instead, for every property a version of a submission
sets on a resource, the shipped statements of that property about that resource
(in ``graph/data/*``) are *withheld*: taken out of their graph in the same
transaction that writes the version, and recorded in the provenance graph as
reified statements that the version's acceptance invalidated::

    [] a rdf:Statement ;
       rdf:subject <{base}id/project/da-nang-...> ;
       rdf:predicate ascf:status ;
       rdf:object <{base}id/project-status/ongoing> ;
       dct:isPartOf <{base}graph/data/ascn-projects-2025> ;
       prov:wasInvalidatedBy <{submission}/version/1/validation> .

A statement is withheld while the version that withheld it is current (not
invalidated by a newer version or a retraction); replacing or retracting the
version puts back what it withheld and no newer version withholds again, and a
new build withholds the current ones again after carrying the submissions over.
Statements whose object is a blank node are never withheld (SPARQL cannot name
one to delete).
"""

from collections.abc import Iterable

import pyoxigraph as ox

from ascf_graph.core.graph_names import PROVENANCE, GraphRole, graph_role
from ascf_graph.core.namespaces import graph_iri
from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.store.base import Store

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PROV = "http://www.w3.org/ns/prov#"
_IS_PART_OF = ox.NamedNode("http://purl.org/dc/terms/isPartOf")
_STATEMENT = ox.NamedNode(f"{_RDF}Statement")
_SUBJECT, _PREDICATE, _OBJECT = (
    ox.NamedNode(f"{_RDF}{name}") for name in ("subject", "predicate", "object")
)
_INVALIDATED_BY = ox.NamedNode(f"{_PROV}wasInvalidatedBy")

#: The statements withheld by current versions (of one submission, when ``submission`` is
#: bound): a version is current while nothing has invalidated it.
_WITHHELD = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?p ?o ?g WHERE {
  GRAPH ?provenance {
    ?statement a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
        dct:isPartOf ?g ; prov:wasInvalidatedBy ?acceptance .
    ?version prov:wasGeneratedBy ?acceptance ; prov:specializationOf ?submission .
    FILTER NOT EXISTS { ?version prov:invalidatedAtTime ?when }
  }
}
"""


def overridden(
    store: Store, base_iri: str, data: Iterable[ox.Triple], *, also: Iterable[ox.Quad] = ()
) -> list[ox.Quad]:
    """The shipped statements ``data`` would replace: for each named resource it describes
    and property it sets there, the statements of that property about it in
    ``graph/data/*`` (and among ``also``, statements withheld already), unless ``data``
    says the same."""
    setting: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    said: set[ox.Triple] = set()
    for triple in data:
        if isinstance(triple.subject, ox.NamedNode):
            setting.setdefault(triple.subject, set()).add(triple.predicate)
            said.add(triple)
    if not setting:
        return []
    return [
        quad
        for quad in [*store.quads_about(setting), *also]
        if graph_role(quad.graph_name.value, base_iri) is GraphRole.DATA
        and quad.predicate in setting.get(quad.subject, ())  # type: ignore[call-overload]
        and not isinstance(quad.object, ox.BlankNode)
        and quad.triple not in said
    ]


def withheld(store: Store, base_iri: str, submission: str | None = None) -> list[ox.Quad]:
    """The shipped statements the current versions of submissions withhold (of the
    submission whose graph is ``submission`` only, when given), each in the graph it
    belongs to."""
    bound: dict[str, ox.NamedNode] = {"provenance": ox.NamedNode(graph_iri(base_iri, PROVENANCE))}
    if submission is not None:
        bound["submission"] = ox.NamedNode(submission)
    answer = store.query(_WITHHELD, substitutions=bound)
    assert isinstance(answer, ox.QuerySolutions)
    return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in answer]


def withholding_record(quads: Iterable[ox.Quad], acceptance: str) -> list[ox.Triple]:
    """The provenance of withholding ``quads``: each a reified statement that the activity
    ``acceptance`` (a version's validation and acceptance) invalidated."""
    activity = ox.NamedNode(acceptance)
    triples = []
    for quad in quads:
        node = ox.BlankNode()
        triples += [
            ox.Triple(node, RDF_TYPE, _STATEMENT),
            ox.Triple(node, _SUBJECT, quad.subject),
            ox.Triple(node, _PREDICATE, quad.predicate),
            ox.Triple(node, _OBJECT, quad.object),
            ox.Triple(node, _IS_PART_OF, quad.graph_name),
            ox.Triple(node, _INVALIDATED_BY, activity),
        ]
    return triples


def by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    """``quads`` as triples under their graphs' IRIs (for a :class:`GraphChange`)."""
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return graphs
