"""Materialise what the ontology's axioms entail, for queries that need it.

The rules read their axioms from the data itself (``rdfs:subClassOf``,
``rdfs:subPropertyOf``, ``owl:inverseOf``, ``owl:SymmetricProperty`` and
two-step ``owl:propertyChainAxiom``), so adding an axiom to ``ontology/`` is
all it takes to have it materialised. They run to a fixpoint over the union of
the graphs and return only the triples that no graph states already: the
contents of ``graph/inferred``. This is the part of OWL 2 RL that curated
queries lean on (class membership, inverse links, the sub-area -> focus-area
closure); HermiT (see :mod:`ascf_graph.build.reasoning`) checks the rest.

Each rule leaves out, in the engine, the conclusions some graph states
already (``FILTER NOT EXISTS`` with every variable bound is one index
lookup per row), so Python only sees what is new: at a million triples,
three quarters of the conclusions were already stated.
"""

from collections.abc import Iterable

import pyoxigraph as ox

RULES: dict[str, str] = {
    "class membership through rdfs:subClassOf": """
        CONSTRUCT { ?x a ?super } WHERE {
          ?x a ?class . ?class rdfs:subClassOf+ ?super . FILTER(isIRI(?super))
          FILTER NOT EXISTS { ?x a ?super }
        }""",
    "statements through rdfs:subPropertyOf": """
        CONSTRUCT { ?s ?super ?o } WHERE {
          ?p rdfs:subPropertyOf+ ?super . FILTER(isIRI(?super)) ?s ?p ?o
          FILTER NOT EXISTS { ?s ?super ?o }
        }""",
    "inverse links through owl:inverseOf": """
        CONSTRUCT { ?o ?q ?s } WHERE {
          { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
          ?s ?p ?o . FILTER(!isLiteral(?o))
          FILTER NOT EXISTS { ?o ?q ?s }
        }""",
    "symmetric properties": """
        CONSTRUCT { ?o ?p ?s } WHERE {
          ?p a owl:SymmetricProperty . ?s ?p ?o . FILTER(!isLiteral(?o))
          FILTER NOT EXISTS { ?o ?p ?s }
        }""",
    "two-step property chains": """
        CONSTRUCT { ?s ?p ?o } WHERE {
          ?p owl:propertyChainAxiom ?chain .
          ?chain rdf:first ?first ; rdf:rest ?rest .
          ?rest rdf:first ?second ; rdf:rest rdf:nil .
          ?s ?first ?middle . ?middle ?second ?o
          FILTER NOT EXISTS { ?s ?p ?o }
        }""",
}

_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}

MAX_ROUNDS = 20


def materialise(store: ox.Store, inferred_graph: ox.NamedNode) -> int:
    """Add the rules' conclusions to ``inferred_graph`` of ``store``; return how many.

    ``store`` holds the asserted graphs; only triples that are new to the
    union of all graphs are written, so the inferred graph never repeats an
    assertion, and running it twice adds nothing.

    >>> s = ox.Store()
    >>> g = ox.NamedNode("http://e/g")
    >>> ex = lambda n: ox.NamedNode("http://e/" + n)
    >>> sub = ox.NamedNode(_PREFIXES["rdfs"] + "subClassOf")
    >>> a = ox.NamedNode(_PREFIXES["rdf"] + "type")
    >>> s.extend([ox.Quad(ex("A"), sub, ex("B"), g), ox.Quad(ex("x"), a, ex("A"), g)])
    >>> materialise(s, ox.NamedNode("http://e/inferred"))
    1
    >>> materialise(s, ox.NamedNode("http://e/inferred"))
    0
    """
    added = 0
    for _ in range(MAX_ROUNDS):
        fresh: set[ox.Triple] = set()
        for sparql in RULES.values():
            for triple in store.query(sparql, prefixes=_PREFIXES, use_default_graph_as_union=True):
                if not _stated(store, triple):
                    fresh.add(triple)
        if not fresh:
            return added
        store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in fresh)
        added += len(fresh)
    raise RuntimeError(f"inference did not reach a fixpoint in {MAX_ROUNDS} rounds")


def _stated(store: ox.Store, triple: ox.Triple) -> bool:
    """Whether any graph of ``store`` already holds ``triple``."""
    matches = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
    return next(iter(matches), None) is not None


def entailed_by(data: Iterable[ox.Triple], axioms: Iterable[ox.Triple]) -> list[ox.Triple]:
    """What the rules conclude from ``data`` under ``axioms`` (the ontology's terms and the
    framework's concepts) that neither states: a submission's part of the inferred graph.

    >>> ex = lambda n: ox.NamedNode("http://e/" + n)
    >>> sub = ox.NamedNode(_PREFIXES["rdfs"] + "subClassOf")
    >>> a = ox.NamedNode(_PREFIXES["rdf"] + "type")
    >>> (found,) = entailed_by([ox.Triple(ex("x"), a, ex("A"))], [ox.Triple(ex("A"), sub, ex("B"))])
    >>> found.subject.value, found.object.value
    ('http://e/x', 'http://e/B')
    """
    scratch = ox.Store()
    given, concluded = ox.NamedNode("urn:x-ascf:given"), ox.NamedNode("urn:x-ascf:concluded")
    scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, given) for t in data)
    scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, given) for t in axioms)
    materialise(scratch, concluded)
    return sorted(
        (quad.triple for quad in scratch.quads_for_pattern(None, None, None, concluded)), key=str
    )
