"""The peers' like-for-like query for a linked-data document: one SPARQL ``CONSTRUCT``.

Our service answers ``GET /doc/{kind}/{slug}`` (and the ``/id/`` URI that
leads there) with :func:`ascf_graph.linked_data.describe`, which says more than
the resource's own statements: the statements of the blank nodes it reaches,
the labels and types of what it links to, the labels of the properties it
uses, one page of the links that point at it with the labels, types and
cities of their subjects, and the document's own metadata. Asking the peers
for ``CONSTRUCT { <x> ?p ?o }`` only would time them on less work than ours,
so ``id_lookup`` and ``doc_lookup`` would not compare like with like.

:func:`document_construct` writes the query a SPARQL store without linked-data
pages would run to serve the same document. Evaluated over the union of all
graphs (``use_default_graph_as_union=True`` in pyoxigraph, ``oxigraph serve
--union-default-graph``), it yields exactly the triples of page 1 of
``describe()`` for a resource other than the ontology ``{base}def``, less the
document's metadata (every triple whose subject is under ``{base}doc/``). It
is standard SPARQL 1.1.

The query has two ``UNION`` branches, both starting from the resource's IRI:

1. *Outbound*: the statements ``?s ?p ?o`` of the resource and of the blank
   nodes it reaches. ``describe`` follows blank nodes breadth first,
   ``depth`` levels with the resource as the first, so the blank nodes wanted
   are those at most ``depth - 1`` hops away through blank nodes only: one
   inner ``UNION`` member per path length, each path and its statement pattern
   in one basic graph pattern. Then, as ``OPTIONAL`` patterns on each
   statement: its property's ``rdfs:label``; if its object is an IRI other
   than the resource, that IRI's labels and types, and the ``rdfs:label`` of
   those label and type properties (which ``describe`` counts among the
   properties used).
2. *Inbound*: a sub-select of the distinct (subject, property) pairs of the
   links to the resource (IRI subjects other than itself), ordered by property
   IRI then subject IRI, limited to a page; then, as ``OPTIONAL`` patterns,
   each property's ``rdfs:label``, each subject's labels, types and
   ``ascf:city`` statements, and the ``rdfs:label`` of those cities (not of
   literal ones).

Written for the Oxigraph engine (0.5), which the peers run, after timing the
alternatives at a million triples:

* Oxigraph evaluates a ``UNION`` group, a ``VALUES`` block or a sub-select on
  its own and then joins it, but feeds the bindings of the left side into an
  ``OPTIONAL`` on the right (a lateral join) when the right side is simple
  enough. So every branch starts from a constant and the per-statement
  lookups are ``OPTIONAL`` groups whose subject is bound, with properties
  picked by ``FILTER (?p IN (...))`` rather than ``VALUES``.
* Its cost model multiplies estimates along a chain of unbound patterns: a
  blank-node path cut by a ``BIND``, or joined after a sub-select, made it
  scan every statement (or every label) from five hops on (0.25 to 1.3 s
  instead of 0.2 ms). Each path is therefore one basic graph pattern ending
  in the statement pattern, and ``?s`` is bound after it.
* The labels of the label and type properties come from an ``OPTIONAL``
  nested in the one that found them: as a two-pattern ``OPTIONAL`` of its
  own it was hash-joined against every label in the store.
* Sorting links by ``STR(?lp) STR(?in)`` compared strings read back from
  the store at every comparison (0.34 s for 6,748 links to a focus area);
  one concatenated key, ``STR(?lp)`` + space + ``STR(?in)``, sorts the same
  (no IRI holds a space, which sorts below every character an IRI may hold)
  in 0.05 s.

Two rules of ``describe`` shape the text further. A triple whose subject is
under ``{base}doc/`` is left out of what is compared, but the node still
counts (a link from such a subject takes its place on the page and brings its
property's label), so such subjects are cleared where the template uses them,
``IF(<under doc/>, ?unbound, ?x)`` (a template triple with an unbound
variable is not produced), rather than filtered out of the solutions. And
skolem IRIs (``/.well-known/genid/``), which stand for a remote store's blank
nodes, are neither labelled nor counted as linking subjects, as in
``describe``; ``describe`` also follows them as if they were blank nodes and
writes them back as blank nodes, which a ``CONSTRUCT`` cannot do (it has no
way to turn an IRI into a given blank node), so this query follows blank
nodes only. Embedded stores and the benchmark's data hold no skolem IRIs.
"""

import pyoxigraph as ox

from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, GENID_PATH
from ascf_graph.linked_data.resources import INBOUND_PAGE_SIZE, LABEL_PROPERTIES
from ascf_graph.store.reads import MAX_BLANK_DEPTH

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
#: The properties whose values name a thing, then ``rdf:type``: what a page says of a node.
_NAMES_AND_TYPE = ", ".join([*(str(p) for p in LABEL_PROPERTIES), _TYPE])
_SKOLEM = str(ox.Literal("/" + GENID_PATH))


def document_construct(
    iri: str,
    base_iri: str = DEFAULT_BASE_IRI,
    *,
    page_size: int = INBOUND_PAGE_SIZE,
    depth: int = MAX_BLANK_DEPTH,
) -> str:
    """The ``CONSTRUCT`` whose answer is the document about ``iri``, less its metadata:
    page 1 of its inbound links at ``page_size`` links a page, blank nodes followed
    ``depth`` levels deep (the resource being the first), as ``describe`` does.

    >>> query = document_construct("https://w3id.org/ascf/id/city/hue", depth=3)
    >>> query.count("UNION")
    3
    >>> "LIMIT 100" in query
    True
    """
    if page_size < 1 or depth < 1:
        raise ValueError("page_size and depth must be at least 1")
    node = str(ox.NamedNode(iri))
    documents = str(ox.Literal(base_iri + "doc/"))
    city = str(ox.NamedNode(base_iri + "def/city"))
    return (
        "CONSTRUCT {\n"
        "  ?s ?p ?o .\n"
        f"  ?shownP {_LABEL} ?pLabel .\n"
        "  ?named ?np ?nv .\n"
        f"  ?np {_LABEL} ?npLabel .\n"
        f"  ?linker ?lp {node} .\n"
        "  ?linker ?cp ?cv .\n"
        f"  ?shownCity {_LABEL} ?cityLabel .\n"
        f"  ?shownLp {_LABEL} ?lpLabel .\n"
        "} WHERE {\n"
        f"  {_outbound(node, documents, depth)}\n"
        "  UNION\n"
        f"  {_inbound(node, documents, city, page_size)}\n"
        "}\n"
    )


def _statements(node: str, hops: int) -> str:
    """The statements ``?s ?p ?o`` of ``node`` (no hops) or of the blank nodes ``hops``
    hops away from it through blank nodes.

    The path and the statement pattern make one basic graph pattern, and ``?s`` is bound
    after it (see the module's notes on the cost model).
    """
    if hops == 0:
        return f"{{ {node} ?p ?o . BIND({node} AS ?s) }}"
    steps = [f"{node} ?h0 ?b1 ."] + [f"?b{i} ?h{i} ?b{i + 1} ." for i in range(1, hops)]
    blank = " && ".join(f"isBlank(?b{i})" for i in range(1, hops + 1))
    return f"{{ {' '.join(steps)} ?b{hops} ?p ?o . FILTER ({blank}) BIND(?b{hops} AS ?s) }}"


def _shown(variable: str, documents: str) -> str:
    """An expression: ``variable``, or unbound (an error) if it is an IRI under
    ``{base}doc/``, whose statements the comparison leaves out."""
    return f"IF(isIRI({variable}) && STRSTARTS(STR({variable}), {documents}), ?none, {variable})"


def _outbound(node: str, documents: str, depth: int) -> str:
    """The statements of ``node`` and of the blank nodes less than ``depth`` hops away, the
    labels of their properties, and the labels and types of the IRIs they name (other than
    ``node``, skolem IRIs left out) with the labels of those label and type properties."""
    named = f"isIRI(?o) && ?o != {node} && !CONTAINS(STR(?o), {_SKOLEM})"
    statements = "\n    UNION ".join(_statements(node, hops) for hops in range(depth))
    return (
        f"{{ {{ {statements} }}\n"
        f"    OPTIONAL {{ ?p {_LABEL} ?pLabel }}\n"
        f"    OPTIONAL {{ ?o ?np ?nv FILTER ({named} && ?np IN ({_NAMES_AND_TYPE}))\n"
        f"      OPTIONAL {{ ?np {_LABEL} ?npLabel }} }}\n"
        f"    BIND({_shown('?p', documents)} AS ?shownP)\n"
        f"    BIND({_shown('?o', documents)} AS ?named) }}"
    )


def _inbound(node: str, documents: str, city: str, page_size: int) -> str:
    """The first page of links to ``node`` from IRIs other than itself (skolem IRIs left
    out), by property then subject, with the labels of their properties, their subjects'
    labels, types and cities, and those cities' labels."""
    return (
        f"{{ {{ SELECT DISTINCT ?in ?lp WHERE {{ ?in ?lp {node}\n"
        f"        FILTER (isIRI(?in) && ?in != {node} && !CONTAINS(STR(?in), {_SKOLEM})) }}\n"
        f'      ORDER BY (CONCAT(STR(?lp), " ", STR(?in))) LIMIT {page_size} }}\n'
        f"    OPTIONAL {{ ?lp {_LABEL} ?lpLabel }}\n"
        f"    OPTIONAL {{ ?in ?cp ?cv FILTER (?cp IN ({_NAMES_AND_TYPE}, {city}))\n"
        f"      OPTIONAL {{ ?cv {_LABEL} ?cityLabel\n"
        f"        FILTER (?cp = {city} && !isLiteral(?cv)) }} }}\n"
        f"    BIND({_shown('?in', documents)} AS ?linker)\n"
        f"    BIND({_shown('?cv', documents)} AS ?shownCity)\n"
        f"    BIND({_shown('?lp', documents)} AS ?shownLp) }}"
    )
