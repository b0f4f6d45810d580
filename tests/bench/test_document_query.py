"""The peers' document query (``bench/document_query.py``) says exactly what our documents say.

For a resource, page 1 of ``describe()`` less the document's own metadata (subjects under
``{base}doc/``) and the answer to ``document_construct()`` over the union of graphs must be
the same set of triples: on every ``/id/`` resource of the shipped data, and on a small
store made to hold what the shipped data lacks (blank-node chains longer than the depth
followed, a cycle, more links than a page with orderings that a careless sort key would
get wrong, skolem IRIs, subjects under ``{base}doc/``, statements repeated across graphs).

The one thing the query cannot say: ``describe`` follows a skolem IRI (a remote store's
blank node) and writes it back as a blank node; a CONSTRUCT cannot turn an IRI into a
blank node, so it writes the IRI and does not follow it. Embedded stores hold none; the
last test pins that difference down.
"""

import doctest
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest

import bench.document_query
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, GENID_PATH
from ascf_graph.linked_data import addresses
from ascf_graph.linked_data import resources as linked_data
from ascf_graph.store import reads
from ascf_graph.store.embedded import EmbeddedStore
from bench.document_query import document_construct

BASE = DEFAULT_BASE_IRI
MOMENT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def document(store: EmbeddedStore, iri: str, page_size: int) -> set[ox.Triple]:
    """Page 1 of the resource's document, less the document's statements about itself."""
    target = addresses.target_for_resource(BASE, iri[len(BASE) :])
    assert target is not None, iri
    described = linked_data.describe(
        store, target, modified=MOMENT, license_iri=None, page_size=page_size
    )
    return {t for t in described.triples if not t.subject.value.startswith(BASE + "doc/")}


def constructed(store: EmbeddedStore, iri: str, page_size: int) -> set[ox.Triple]:
    """The answer to the peers' query, as the Oxigraph server would give it."""
    query = document_construct(iri, BASE, page_size=page_size, depth=reads.MAX_BLANK_DEPTH)
    return set(store.oxigraph.query(query, use_default_graph_as_union=True))


def differences(store: EmbeddedStore, iris: list[str], page_size: int) -> list[str]:
    """What differs, resource by resource (empty when every answer is the document)."""
    found = []
    for iri in iris:
        ours, theirs = document(store, iri, page_size), constructed(store, iri, page_size)
        if ours != theirs:
            only_ours = sorted(map(str, ours - theirs))[:3]
            only_theirs = sorted(map(str, theirs - ours))[:3]
            found.append(f"{iri}: describe only {only_ours}, CONSTRUCT only {only_theirs}")
    return found


def resources(store: EmbeddedStore) -> list[str]:
    """Every ``/id/`` IRI that is the subject of a statement."""
    rows = store.oxigraph.query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{BASE}id/")) }}',
        use_default_graph_as_union=True,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return sorted(row["s"].value for row in rows)  # type: ignore[union-attr]


def links(store: EmbeddedStore, iri: str) -> int:
    target = addresses.target_for_resource(BASE, iri[len(BASE) :])
    assert target is not None
    return len(linked_data.inbound_links(store, target))


def test_the_module_examples_hold() -> None:
    failures, _ = doctest.testmod(bench.document_query)
    assert failures == 0


def test_every_resource_of_the_shipped_data_reads_the_same(store: EmbeddedStore) -> None:
    iris = resources(store)
    assert len(iris) > 100
    with_blank_nodes = [
        iri
        for iri in iris
        if any(
            isinstance(t.subject, ox.BlankNode)
            for t in document(store, iri, linked_data.INBOUND_PAGE_SIZE)
        )
    ]
    assert with_blank_nodes, "the shipped data has blank nodes (memberships, budgets)"
    pages = linked_data.INBOUND_PAGE_SIZE
    assert any(links(store, iri) > pages for iri in iris), "a project status has 119 links"
    assert not differences(store, iris, linked_data.INBOUND_PAGE_SIZE)


def test_small_pages_of_the_shipped_data_read_the_same(store: EmbeddedStore) -> None:
    """With 7 links a page, many shipped resources have several pages: page 1 is the
    same first 7 links, in describe's order, with the same context."""
    iris = resources(store)
    several_pages = [iri for iri in iris if links(store, iri) > 7]
    assert len(several_pages) > 10
    assert not differences(store, iris, 7)


# -- a store made to hold the hard cases --------------------------------------------------

ID = BASE + "id/"
DOC = BASE + "doc/"
SKOLEM = BASE + GENID_PATH
EX = BASE + "def/test-"
DATA = f"""
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ascf: <{BASE}def/> .
@prefix ex: <{EX}> .
@prefix id: <{ID}> .

<{BASE}graph/one> {{
    id:thing\\/x a ascf:Thing ; rdfs:label "x"@en ; ex:self id:thing\\/x ;
        ex:link id:thing\\/y , id:thing\\/plain , <{DOC}thing/z> ;
        ex:chain _:b1 ; ex:other _:c1 ; <{DOC}property> "odd" ; ex:number 7 .
    _:b1 ex:next _:b2 ; ex:name "one" ; ex:link id:thing\\/y .
    _:b2 ex:next _:b3 ; ex:link id:thing\\/w .
    _:b3 ex:next _:b4 ; ex:back _:b1 .
    _:b4 ex:next _:b5 .
    _:b5 ex:next _:b6 .
    _:b6 ex:next _:b7 ; ex:link id:thing\\/deep .
    _:b7 ex:next _:b8 ; ex:name "seven hops" ; ex:link id:thing\\/deeper .
    _:b8 ex:next _:b9 ; ex:name "eight hops: not followed" ; ex:link id:thing\\/hidden .
    _:b9 ex:name "nine hops" .
    _:c1 ex:via id:thing\\/v ; ex:back id:thing\\/x .
    id:thing\\/v ex:next _:b5 .
    id:thing\\/y rdfs:label "y"@en , "igrek"@pl ; skos:prefLabel "Y" ;
        dct:title "Why" ; rdf:type ascf:Thing ; ex:unshown "not on x's page" .
    id:thing\\/w a ascf:Thing ; ascf:city id:city\\/nowhere .
    id:thing\\/deep rdfs:label "deep" .
    id:thing\\/deeper rdfs:label "deeper" .
    id:thing\\/hidden rdfs:label "hidden" .
    <{DOC}thing/z> rdfs:label "a document" ; skos:notation "Z" .
    id:thing\\/s ex:link <{SKOLEM}k1> .
    <{SKOLEM}k1> rdfs:label "a skolem IRI" .
    <{DOC}property> rdfs:label "a property under doc/" .
    ex:link rdfs:label "link"@en .
    ex:next rdfs:label "next"@en .
    rdfs:label rdfs:label "label"@en .
    rdf:type rdfs:label "type"@en .
    skos:notation rdfs:label "notation"@en .
    ascf:Thing rdfs:label "Thing"@en ; a rdfs:Class .
    ex:about rdfs:label "about"@en .
    ex:about-it rdfs:label "about it"@en .
    id:city\\/a rdfs:label "City A"@en ; skos:prefLabel "A" .
    id:city\\/b rdfs:label "City B"@en .
    _:town rdfs:label "a town with no IRI"@en .
}}
<{BASE}graph/two> {{
    id:thing\\/x ex:link id:thing\\/y .
    id:thing\\/y rdfs:label "y"@en .
    id:linker\\/a ex:about id:thing\\/x .
}}
"""
#: Subjects whose IRIs sort in traps: a prefix of another, "-" below letters, and non-ASCII.
LINKERS = ("a", "a-b", "ab", "b", "é", "z", "a/b", "A", "0", "m-1", "m-10", "m-2")


def hard_store() -> EmbeddedStore:
    quads = list(ox.parse(DATA.encode(), format=ox.RdfFormat.TRIG))
    graph = ox.NamedNode(BASE + "graph/links")
    x = ox.NamedNode(ID + "thing/x")
    city = ox.NamedNode(BASE + "def/city")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    cities = [
        ox.NamedNode(ID + "city/a"),
        ox.NamedNode(ID + "city/b"),
        ox.Literal("Somewhere"),
        ox.BlankNode("town"),
    ]
    for index, name in enumerate(LINKERS):
        linker = ox.NamedNode(ID + f"linker/{name}")
        for predicate in ("about", "about-it") if index % 3 else ("about",):
            quads.append(ox.Quad(linker, ox.NamedNode(EX + predicate), x, graph))
        quads += [
            ox.Quad(linker, label, ox.Literal(f"linker {name}"), graph),
            ox.Quad(linker, kind, ox.NamedNode(BASE + "def/Thing"), graph),
            ox.Quad(linker, city, cities[index % len(cities)], graph),
        ]
    strangers = (ox.BlankNode("stranger"), ox.NamedNode(SKOLEM + "s1"), x)
    quads += [ox.Quad(s, ox.NamedNode(EX + "about"), x, graph) for s in strangers]
    document_subject = ox.NamedNode(DOC + "thing/w")  # it takes a place on the page, unseen
    quads.append(ox.Quad(document_subject, ox.NamedNode(EX + "about"), x, graph))
    quads.append(ox.Quad(document_subject, label, ox.Literal("doc"), graph))
    quads.append(ox.Quad(ox.NamedNode(ID + "linker/a"), ox.NamedNode(EX + "about"), x))
    return EmbeddedStore.in_memory(quads)


@pytest.fixture(scope="module")
def hard() -> EmbeddedStore:
    return hard_store()


def test_the_hard_cases_are_there(hard: EmbeddedStore) -> None:
    x = ID + "thing/x"
    assert links(hard, x) > 20
    ours = document(hard, x, 100)
    blank = {t.subject for t in ours if isinstance(t.subject, ox.BlankNode)}
    assert len(blank) == 9  # b1 to b7 (seven hops), c1, and a linker's city
    said = {t.object for t in ours}
    assert ox.Literal("seven hops") in said
    assert ox.Literal("eight hops: not followed") not in said
    assert ox.Literal("a town with no IRI", language="en") in said


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 8, 13, 21, 34, 100])
def test_every_page_size_reads_the_same(hard: EmbeddedStore, page_size: int) -> None:
    iris = [ID + "thing/x", ID + "thing/y", ID + "city/a", ID + "linker/a"]
    assert not differences(hard, iris, page_size)


@pytest.mark.parametrize("depth", [1, 2, 3, 8, 9])
def test_every_depth_reads_the_same(
    hard: EmbeddedStore, depth: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "MAX_BLANK_DEPTH", depth)
    assert not differences(hard, [ID + "thing/x", ID + "thing/v"], 5)


def test_what_is_not_an_iri_is_refused_not_pasted() -> None:
    with pytest.raises(ValueError, match="Invalid IRI"):
        document_construct(ID + "thing/x> ?p ?o } #")
    with pytest.raises(ValueError, match="at least 1"):
        document_construct(ID + "thing/x", page_size=0)


def test_a_skolem_iri_is_the_one_thing_written_differently(hard: EmbeddedStore) -> None:
    iri = ID + "thing/s"
    ours, theirs = document(hard, iri, 100), constructed(hard, iri, 100)
    link = ox.NamedNode(EX + "link")
    node = ox.NamedNode(iri)
    as_blank = ox.BlankNode("k1")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert ours - theirs == {
        ox.Triple(node, link, as_blank),
        ox.Triple(as_blank, label, ox.Literal("a skolem IRI")),
        ox.Triple(label, label, ox.Literal("label", language="en")),  # a property it uses
    }
    assert theirs - ours == {ox.Triple(node, link, ox.NamedNode(SKOLEM + "k1"))}
