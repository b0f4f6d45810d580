"""What a steward's data may not describe: the framework's own terms.

The ontology, the framework's concepts and our graphs are maintained in
``ontology/``; a submission that describes them, or declares its own nodes
framework concepts, gets a Violation per such node (:func:`add_scope_results`).
"""

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from ascf_graph.rdf.terms import RDFS_SUBCLASS_OF
from ascf_graph.shacl.reports import SCOPE_COMPONENT, SCOPE_SHAPE, compact
from ascf_graph.store.base import Store

#: The framework kinds under ``{base}id/`` that only ``ontology/`` may describe.
FRAMEWORK_KINDS = (
    "outcome",
    "urban-system",
    "principle",
    "focus-area",
    "sub-area",
    "goal",
    "enabler",
    "solution",
    "country",
    "project-status",
)


def protected_prefixes(base_iri: str) -> tuple[str, ...]:
    """What a steward's data may not describe: the ontology and the framework (each the IRI
    itself and what is under it) and everything under our graphs' and the framework kinds'
    folders; read them with :func:`is_protected`.

    >>> "https://w3id.org/ascf/id/focus-area/" in protected_prefixes("https://w3id.org/ascf/")
    True
    """
    kinds = tuple(f"{base_iri}id/{kind}/" for kind in FRAMEWORK_KINDS)
    return (f"{base_iri}def", f"{base_iri}id/framework", f"{base_iri}graph/", *kinds)


def is_protected(iri: str, protected: tuple[str, ...]) -> bool:
    """Whether ``iri`` is one of ``protected``: an entry that ends in ``/`` or ``#`` is a
    folder (every IRI under it); any other is an IRI (itself, and the IRIs under it after
    a ``/`` or ``#``), so that ``{base}id/frameworks-of-hue`` is not the framework's.

    >>> protected = protected_prefixes("https://w3id.org/ascf/")
    >>> [is_protected("https://w3id.org/ascf/" + rest, protected) for rest in (
    ...     "def", "def/City", "def#City", "define-ourselves", "id/framework",
    ...     "id/frameworks-of-hue", "id/focus-area/x", "id/project/x")]
    [True, True, True, False, True, False, True, False]
    """
    if not iri.startswith(protected):  # nearly every IRI: one test in C
        return False
    for entry in protected:
        if iri.startswith(entry) and (
            entry.endswith(("/", "#")) or len(iri) == len(entry) or iri[len(entry)] in "/#"
        ):
            return True
    return False


#: Statements that place a node in a concept scheme (the framework's, for ours).
_SCHEME_LINKS = (rdflib.SKOS.inScheme, rdflib.SKOS.topConceptOf)
#: The same, as pyoxigraph terms.
OX_SCHEME_LINKS = tuple(ox.NamedNode(str(link)) for link in _SCHEME_LINKS)
#: The ontology's classes whose members are the framework's, with their subclasses.
FRAMEWORK_CLASSES = ("FrameworkElement", "Framework", "Country", "ProjectStatus")


def framework_classes(store: Store, base_iri: str) -> tuple[str, ...]:
    """The classes whose members only ``ontology/`` may declare: ``ascf:FrameworkElement``
    (and every subclass the store knows: focus areas, sub-areas...), the framework itself,
    countries and project statuses."""
    found = {f"{base_iri}def/{name}" for name in FRAMEWORK_CLASSES}
    frontier = sorted(found)
    while frontier:
        below = store.statements(
            predicates=[RDFS_SUBCLASS_OF], objects=[ox.NamedNode(iri) for iri in frontier]
        )
        frontier = sorted(
            {t.subject.value for t in below if isinstance(t.subject, ox.NamedNode)} - found
        )
        found.update(frontier)
    return tuple(sorted(found))


def out_of_scope_subjects(
    data: rdflib.Graph, protected: tuple[str, ...], classes: tuple[str, ...] = ()
) -> list[str]:
    """The nodes ``data`` may not describe, sorted: IRIs under a ``protected`` prefix, and
    nodes it declares framework concepts (a member of one of ``classes``, or in a concept
    scheme under a ``protected`` prefix). Blank nodes are named ``_:label``.

    Without the second rule a submission could add its own focus area to the framework
    and link its projects to it: its own ``rdf:type`` satisfies ``sh:class``.
    """
    if not protected:
        return []
    declared = {
        subject for subject, kind in data.subject_objects(rdflib.RDF.type) if str(kind) in classes
    }
    declared |= {
        subject
        for link in _SCHEME_LINKS
        for subject, scheme in data.subject_objects(link)
        if is_protected(str(scheme), protected)
    }
    described = {
        subject
        for subject in data.subjects()
        if isinstance(subject, rdflib.URIRef) and is_protected(str(subject), protected)
    }
    return sorted(node_name(node) for node in declared | described)


def node_name(node: rdflib.term.Node) -> str:
    """An IRI as itself, a blank node as ``_:label``."""
    return f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)


def _named_node(name: str) -> rdflib.term.Node:
    """The node :func:`node_name` named."""
    return rdflib.BNode(name[2:]) if name.startswith("_:") else rdflib.URIRef(name)


def scope_message(subject: str) -> str:
    """What a result about a protected ``subject`` says to the steward."""
    return (
        f"{subject if subject.startswith('_:') else compact(subject)} is part of the "
        "framework or the ontology, or is declared so here (a framework class, or the "
        "framework's concept scheme), which this project maintains in ontology/; a "
        "submission describes cities, projects and organisations. Remove the statements "
        "about it, or link to the framework's own concepts from your project or city."
    )


def add_scope_results(report: rdflib.Graph, subjects: list[str]) -> None:
    """Violations for data about the framework's own terms, in the report graph."""
    root = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    for subject in subjects:
        node = rdflib.BNode()
        report.add((root, SH.result, node))
        report.add((node, rdflib.RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, _named_node(subject)))
        report.add((node, SH.resultSeverity, SH.Violation))
        report.add((node, SH.sourceShape, rdflib.URIRef(SCOPE_SHAPE)))
        report.add((node, SH.sourceConstraintComponent, rdflib.URIRef(SCOPE_COMPONENT)))
        report.add((node, SH.resultMessage, rdflib.Literal(scope_message(subject))))
