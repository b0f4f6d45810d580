"""Turtle that depends only on the triples: sorted, stable, byte-identical on rerun.

Generated files under ``data/`` and ``ontology/`` are committed, so a rerun of
their generator must not change a byte unless a triple changed. pyoxigraph's
Turtle serializer does the writing (escaping, prefixed names, ``;`` and ``,``
grouping); this module only fixes the order it sees:

* subjects sorted by their N-Triples form, each blank node right after the
  subject that points at it (so a membership follows its city);
* within a subject, ``a`` first, then predicates and objects sorted;
* only the prefixes the triples use, sorted by name; a blank line between
  subjects and four spaces of indent instead of a tab.

Blank nodes keep the labels they were made with (``_:membership-bangkok``),
so give them stable, meaningful labels: random ones would change on every run.

>>> city = ox.NamedNode("https://w3id.org/ascf/id/city/x")
>>> g = [ox.Triple(city, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
...                ox.Literal("X", language="en")),
...      ox.Triple(city, RDF_TYPE, ox.NamedNode("https://w3id.org/ascf/def/City"))]
>>> print(turtle(g, {"ascf": "https://w3id.org/ascf/def/", "owl": "http://www.w3.org/2002/07/owl#",
...                  "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}, ["A header"]), end="")
# A header
<BLANKLINE>
@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<BLANKLINE>
<https://w3id.org/ascf/id/city/x> a ascf:City ;
    rdfs:label "X"@en .
"""

import re
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox
import rdflib

from ascf_graph.rdf.terms import RDF_TYPE, XSD_STRING

_INDENT = "    "
_PLAIN_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

Subject = ox.NamedNode | ox.BlankNode


def to_oxigraph_term(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph equivalent of an rdflib IRI, blank node or literal."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = str(term.datatype) if term.datatype else XSD_STRING.value
        return ox.Literal(str(term), datatype=ox.NamedNode(datatype))
    raise TypeError(f"cannot write {term!r} as Turtle")


def to_oxigraph_triples(graph: rdflib.Graph) -> list[ox.Triple]:
    """The triples of an rdflib graph as pyoxigraph triples."""
    return [
        ox.Triple(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in graph
    ]


def sorted_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples in the order :func:`turtle` writes them (see the module docstring)."""
    triples = list(triples)
    anchors: dict[ox.BlankNode, Subject] = {}
    for triple in triples:
        if isinstance(triple.object, ox.BlankNode):
            anchors.setdefault(triple.object, triple.subject)
    keys: dict[Subject, tuple[str, ...]] = {}

    def subject_key(subject: Subject, seen: frozenset[Subject] = frozenset()) -> tuple[str, ...]:
        if subject not in keys:
            anchor = anchors.get(subject) if isinstance(subject, ox.BlankNode) else None
            if anchor is None or anchor in seen:
                keys[subject] = (str(subject),)
            else:
                keys[subject] = (*subject_key(anchor, seen | {subject}), str(subject))
        return keys[subject]

    return sorted(
        triples,
        key=lambda t: (
            subject_key(t.subject),
            t.predicate != RDF_TYPE,
            str(t.predicate),
            str(t.object),
        ),
    )


def _used_prefixes(triples: Sequence[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes worth declaring, by name.

    A prefix is used when some IRI of the triples (datatypes of untagged
    literals included, ``a`` excluded) starts with it, and kept only when
    every such IRI's local part is a plain name: a prefixed name with escapes
    (``id:city\\/x``) reads worse than the full IRI.
    """
    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and term != RDF_TYPE:
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and not term.language:
                iris.add(term.datatype.value)
    used = {}
    for name, namespace in sorted(prefixes.items()):
        locals_ = [iri[len(namespace) :] for iri in iris if iri.startswith(namespace)]
        if locals_ and all(_PLAIN_LOCAL.fullmatch(local) for local in locals_):
            used[name] = namespace
    return used


def turtle(
    triples: rdflib.Graph | Iterable[ox.Triple],
    prefixes: Mapping[str, str],
    header: Sequence[str] = (),
) -> str:
    """The triples as deterministic Turtle, with ``header`` lines as ``#`` comments on top."""
    if isinstance(triples, rdflib.Graph):
        triples = to_oxigraph_triples(triples)
    ordered = sorted_triples(triples)
    used = _used_prefixes(ordered, prefixes)
    body = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=used).decode("utf-8")
    lines: list[str] = [f"# {line}".rstrip() for line in header]
    if lines:
        lines.append("")
    # pyoxigraph writes its @prefix lines in no fixed order: write our own, sorted.
    lines.extend(f"@prefix {name}: <{namespace}> ." for name, namespace in used.items())
    statements: list[str] = []
    for line in body.splitlines():
        if line.startswith("\t"):
            statements.append(_INDENT + line[1:])
        elif not line.startswith("@prefix"):
            statements.extend(["", line])
    return "\n".join(lines + statements).lstrip("\n") + "\n"
