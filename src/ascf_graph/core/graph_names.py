"""Named graphs: what each one holds, read from its IRI.

| IRI under ``{base}graph/`` | role |
|---|---|
| ``def``, ``framework``, ... (one segment) | ontology: terms and framework concepts |
| ``shapes/{stem}`` | SHACL shapes |
| ``data/{stem}`` | instance data shipped with the project |
| ``inferred`` | what the build's reasoning added |
| ``inferred/{id}`` | what the same rules conclude from submission ``{id}`` |
| ``submission/{id}`` | a data steward's accepted submission |
| ``provenance`` | who submitted what and when (PROV-O) |
| ``provenance/{id}/{n}`` | the validation report of version n of a submission |
| ``system`` | the store's generation marker |
"""

from enum import Enum


class GraphRole(Enum):
    """What a named graph holds."""

    ONTOLOGY = "ontology"
    SHAPES = "shapes"
    DATA = "data"
    INFERRED = "inferred"
    SUBMISSION = "submission"
    SUBMISSION_INFERRED = "submission-inferred"
    PROVENANCE = "provenance"
    SYSTEM = "system"
    OTHER = "other"


INFERRED = "inferred"
PROVENANCE = "provenance"
SYSTEM = "system"


def graph_role(graph_iri: str, base_iri: str) -> GraphRole:
    """The role of a graph, from its IRI.

    >>> graph_role("https://w3id.org/ascf/graph/framework", "https://w3id.org/ascf/")
    <GraphRole.ONTOLOGY: 'ontology'>
    >>> graph_role("https://w3id.org/ascf/graph/shapes/city", "https://w3id.org/ascf/")
    <GraphRole.SHAPES: 'shapes'>
    >>> graph_role("http://example.org/g", "https://w3id.org/ascf/")
    <GraphRole.OTHER: 'other'>
    >>> graph_role("https://w3id.org/ascf/graph/provenance/a1/2", "https://w3id.org/ascf/")
    <GraphRole.PROVENANCE: 'provenance'>
    """
    prefix = f"{base_iri}graph/"
    if not graph_iri.startswith(prefix):
        return GraphRole.OTHER
    name = graph_iri[len(prefix) :]
    if name == INFERRED:
        return GraphRole.INFERRED
    if name == SYSTEM:
        return GraphRole.SYSTEM
    head, _, rest = name.partition("/")
    if head == PROVENANCE:
        return GraphRole.PROVENANCE
    if head == INFERRED:
        return GraphRole.SUBMISSION_INFERRED
    if not rest:
        return GraphRole.ONTOLOGY
    return {
        "shapes": GraphRole.SHAPES,
        "data": GraphRole.DATA,
        "submission": GraphRole.SUBMISSION,
    }.get(head, GraphRole.OTHER)
