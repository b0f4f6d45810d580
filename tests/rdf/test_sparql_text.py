"""Reading a request's text before the engine does: a keyword is found exactly where the
grammar can have one, so a SERVICE call or an update cannot hide, and text that only looks
like a keyword is left alone."""

import pyoxigraph as ox
import pytest

from ascf_graph.rdf.sparql_text import analyse

CALLS = [
    ("SELECT * WHERE { SERVICE <http://x/s> { ?s ?p ?o } }", "http://x/s"),
    ("select * where { service silent <http://x/s> {} }", "http://x/s"),
    ("SELECT * WHERE { ?s ?p ?o .SERVICE<http://x/s>{} }", "http://x/s"),
    ("PREFIX x: <http://x/>\nSELECT * WHERE { SERVICE x:s {} }", "http://x/s"),
    ("SELECT * WHERE { SERVICE ?endpoint {} }", None),
    (
        "PREFIX x: <http://x/>\nSELECT * WHERE { x:a\\#b ?p ?o . SERVICE <http://x/s> {} }",
        "http://x/s",
    ),
    ("SELECT * WHERE { ?s ?p '''a ''b' . SERVICE <http://x/s> {} }", "http://x/s"),
    ('SELECT * WHERE { ?s ?p "a\\"" . SERVICE <http://x/s> {} }', "http://x/s"),
    ("SELECT * WHERE { FILTER(?a < ?b) SERVICE <http://x/s> {} }", "http://x/s"),
    ("SELECT * WHERE { SERVICE x:s {} }", None),
    # A comparison the masker once took for an IRI, turning the rest into a "string".
    (
        "SELECT * { BIND(1<2&&'>' AS ?a) SERVICE <http://x/s> { ?s ?p ?o } BIND('x' AS ?b) }",
        "http://x/s",
    ),
    ('SELECT * { FILTER(1<2&&">"!="") SERVICE <http://x/s> {} FILTER("" != "x") }', "http://x/s"),
]


@pytest.mark.parametrize(("query", "target"), CALLS)
def test_every_service_call_is_found(query: str, target: str | None) -> None:
    assert analyse(query).services == (target,)


NOT_CALLS = [
    "SELECT * WHERE { ?s ?p 'SERVICE <http://x/s> {}' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/s> {}",
    "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
    "PREFIX ex: <http://x/>\nSELECT ?SERVICE WHERE { ?SERVICE ex:SERVICE $service }",
    "PREFIX SERVICE: <http://x/>\nSELECT * WHERE { SERVICE:a ?p ?o }",
    'SELECT * WHERE { ?s ?p """\nSERVICE <http://x/s> {}\n""" }',
]


@pytest.mark.parametrize("query", NOT_CALLS)
def test_text_that_only_looks_like_a_service_call_is_not_one(query: str) -> None:
    shape = analyse(query)
    assert shape.services == ()
    assert shape.form == "SELECT"
    ox.Store().query(query)  # and the engine agrees it is a query without SERVICE


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX ex: <urn:ex:>\n# SELECT in a comment\ndelete where { ?s ?p ?o }",
        "BASE <http://x/> WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "LOAD <http://x/data.ttl>",
        "CLEAR ALL",
        "DROP SILENT GRAPH <urn:g>",
    ],
)
def test_updates_are_recognised(update: str) -> None:
    shape = analyse(update)
    assert shape.is_update
    assert shape.form is None


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX select: <urn:x:>\nASK { select:a ?p ?o }", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("describe <urn:x>", "DESCRIBE"),
        ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }", "SELECT"),
    ],
)
def test_the_query_form_is_the_first_operation_keyword(query: str, form: str) -> None:
    assert analyse(query).form == form


def test_a_dataset_clause_is_noticed() -> None:
    assert analyse("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }").has_dataset
    assert analyse("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }").has_dataset
    assert not analyse("SELECT ?from WHERE { ?from ?p 'FROM' }").has_dataset


@pytest.mark.parametrize(
    ("query", "deterministic"),
    [
        ("SELECT (NOW() AS ?t) {}", False),
        ("SELECT (struuid ( ) AS ?t) {}", False),
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY RAND()", False),
        ("SELECT ?rand WHERE { ?s ?p ?rand }", True),
        ("SELECT ?s WHERE { ?s ?p 'NOW()' }", True),
    ],
)
def test_answers_that_change_by_themselves_are_noticed(query: str, deterministic: bool) -> None:
    assert analyse(query).deterministic is deterministic


# A comparison the masker takes for an IRI, turning what follows into a "string".
HIDING = "SELECT (1<2&&'>' AS ?a) {hidden} WHERE {{ BIND('x' AS ?b) }}"


def test_a_dataset_clause_the_masker_would_take_for_a_string_is_found() -> None:
    query = HIDING.format(hidden="FROM <http://g/>")
    ox.Store().query(query)  # the engine reads a FROM clause there
    assert analyse(query).has_dataset
    assert not analyse("SELECT * WHERE { ?s ?p 'FROM <http://g/>' }").has_dataset


def test_a_random_call_the_masker_would_take_for_a_string_is_not_deterministic() -> None:
    query = HIDING.format(hidden="(RAND() AS ?r)")
    assert isinstance(next(iter(ox.Store().query(query)))["r"], ox.Literal)
    assert not analyse(query).deterministic
    assert analyse("SELECT * WHERE { ?s ?p 'RAND()' }").deterministic


@pytest.mark.parametrize(
    ("query", "form", "is_update"),
    [
        ("sElEcT * { ?s ?p ?o }", "SELECT", False),
        ("Insert Data { <urn:a> <urn:b> <urn:c> }", None, True),
        ("\u017felect * { ?s ?p ?o }", None, False),  # LATIN SMALL LETTER LONG S
        ("\u212aSK {}", None, False),  # KELVIN SIGN
    ],
)
def test_keywords_are_read_case_insensitively_in_ascii_only_as_the_engine_reads_them(
    query: str, form: str | None, is_update: bool
) -> None:
    shape = analyse(query)
    assert (shape.form, shape.is_update) == (form, is_update)
    if form is None and not is_update:
        with pytest.raises(SyntaxError):
            ox.Store().query(query)


def test_a_non_ascii_text_keeps_its_offsets_when_keywords_are_looked_for() -> None:
    query = "SELECT ?é WHERE { ?é ?p 'ſervice ß' FILTER(NOW() > ?é) } # ıİ"
    shape = analyse(query)
    assert shape.form == "SELECT"
    assert not shape.deterministic
    assert shape.services == ()
