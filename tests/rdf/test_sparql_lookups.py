"""A lookup is one triple pattern bounded by its shape; everything else is not one.

What is called a lookup is answered in the server itself
(:mod:`ascf_graph.sparql.in_place`), so a false "yes" here would let an
unbounded query hold the event loop. Each refusal below names the reason the
shape would not bound the work.
"""

import pytest

from ascf_graph.rdf.sparql_lookups import MAX_LOOKUP_TEXT, is_lookup

LOOKUPS = [
    "SELECT ?p ?o WHERE { VALUES ?s { <http://e/a> } ?s ?p ?o }",
    "SELECT ?p ?o WHERE { ?s ?p ?o . VALUES ?s { <http://e/a> } }",
    "select * { ?s ?p ?o }",
    "SELECT * { ?s ?p ?o } LIMIT 3",
    "PREFIX ex: <http://e/> SELECT ?s { ?s a ex:City.}",
    "BASE <http://e/> PREFIX : <x#> ASK WHERE { <a> :p 'x' }",
    "SELECT ?s { ?s ?p ?o } # a comment with } in it",
    "SELECT ?s { ?s ?p 'a } b' }",
    'SELECT ?s { ?s ?p "x"@en-GB }',
    'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?s { ?s ?p "1"^^xsd:int }',
    "SELECT ?s { ?s ?p 2018 }",
]

NOT_LOOKUPS = {
    "DISTINCT reads every row before it can drop one": "SELECT DISTINCT ?p { ?s ?p ?o }",
    "REDUCED likewise": "SELECT REDUCED ?s { ?s ?p ?o }",
    "ORDER BY sorts every row first": "SELECT ?s { ?s ?p ?o } ORDER BY ?s",
    "OFFSET skips rows without writing them": "SELECT ?s { ?s ?p ?o } OFFSET 3",
    "GROUP BY aggregates every row": "SELECT ?s { ?s ?p ?o } GROUP BY ?s",
    "an aggregate": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "a join of two patterns": "SELECT ?s { ?s ?p ?o . ?o ?q ?r }",
    "a join written with ;": "SELECT ?s { ?s ?p ?o ; ?q ?r }",
    "two objects written with ,": "SELECT ?s { ?s ?p ?o , ?r }",
    "a FILTER may reject every row": "SELECT ?s { ?s ?p ?o FILTER(?o = 1) }",
    "a variable twice scans for the few that match": "SELECT ?s { ?s <http://e/p> ?s }",
    "a projected variable the pattern does not bind writes empty rows": (
        "SELECT ?x { <http://e/a> ?p ?o }"
    ),
    "a sequence path": "SELECT ?s { ?s <http://e/p>/<http://e/q> ?o }",
    "a closure path": "SELECT ?s { ?s <http://e/p>* ?o }",
    "GRAPH": "SELECT ?s { GRAPH ?g { ?s ?p ?o } }",
    "a nested group": "SELECT ?s { { ?s ?p ?o } }",
    "a blank node as []": "SELECT ?s { ?s ?p [] }",
    "a blank node label": "SELECT ?s { ?s ?p _:b }",
    "VALUES with more than one row": (
        "SELECT ?s { VALUES ?s { <http://e/a> <http://e/b> } ?s ?p ?o }"
    ),
    "VALUES after the group": "SELECT ?s { ?s ?p ?o } VALUES ?s { <http://e/a> }",
    "FROM names a dataset": "SELECT ?s FROM <http://g> { ?s ?p ?o }",
    "a decimal, outside the small grammar": "SELECT ?s { ?s ?p 1.5 }",
    "a name with dots inside": "PREFIX ex: <http://e/> SELECT ?s { ?s ?p ex:a..b }",
    "A is not the keyword a": "PREFIX ex: <http://e/> SELECT ?s { ?s A ex:City }",
    "LIMIT on ASK": "ASK { ?s ?p ?o } LIMIT 1",
    "DESCRIBE": "DESCRIBE <http://e/a>",
    "CONSTRUCT": "CONSTRUCT WHERE { ?s ?p ?o }",
    "SERVICE": "SELECT ?s { SERVICE <http://x/sparql> { ?s ?p ?o } }",
    "an update": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "an unfinished VALUES": "SELECT ?s { VALUES ?s { <http://e/a> ?s ?p ?o }",
    "not SPARQL": "SELECT ?s { ?s ?p ?o } }",
}


@pytest.mark.parametrize("text", LOOKUPS)
def test_one_pattern_with_distinct_variables_is_a_lookup(text: str) -> None:
    assert is_lookup(text)


@pytest.mark.parametrize("text", NOT_LOOKUPS.values(), ids=NOT_LOOKUPS.keys())
def test_anything_that_may_read_more_than_it_writes_is_not_a_lookup(text: str) -> None:
    assert not is_lookup(text)


def test_a_long_text_is_not_read_at_all() -> None:
    padding = "#" + "x" * MAX_LOOKUP_TEXT + "\n"
    assert not is_lookup(padding + "SELECT ?s { ?s ?p ?o }")
