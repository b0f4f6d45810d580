"""Parsing what stewards send: limits, no fetching, entity bombs, line and column."""

import pytest

from ascf_graph.core.errors import RdfSyntaxError, TooManyTriplesError, UnsupportedMediaTypeError
from ascf_graph.rdf.formats import RdfSyntax, syntax_named
from ascf_graph.rdf.uploads import (
    ParseLimits,
    parse_document,
    parse_limited,
    read_upload,
    upload_syntax_for_content_type,
)


def never_csv(data: bytes, source: str) -> list:
    raise AssertionError("not CSV")


def read(data: bytes, syntax: str, *, max_triples: int = 100, max_expansion: int = 10_000):
    def parse(data: bytes, syntax: RdfSyntax, source: str) -> tuple[list, None]:
        limits = ParseLimits(max_triples=max_triples, max_nesting=64, max_expansion=max_expansion)
        return parse_document(data, syntax, source=source, limits=limits), None

    return read_upload(
        data,
        syntax_named(syntax),
        source="upload",
        max_triples=max_triples,
        csv=never_csv,
        parse=parse,
    )


def test_more_triples_than_allowed_are_refused_while_parsing() -> None:
    data = "".join(f"<urn:s{i}> <urn:p> {i} .\n" for i in range(11)).encode()
    assert len(read(data, "turtle", max_triples=11).triples) == 11
    with pytest.raises(TooManyTriplesError, match="more than 10 triples"):
        read(data, "turtle", max_triples=10)


def test_a_syntax_error_names_line_and_column() -> None:
    with pytest.raises(RdfSyntaxError) as error:
        read(b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> ;\n", "turtle")
    assert (error.value.line, error.value.column) == (2, 17)


def test_a_jsonld_remote_context_is_refused_not_fetched() -> None:
    data = b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:a"}'
    with pytest.raises(RdfSyntaxError, match="remote contexts"):
        read(data, "jsonld")


XML = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ {entities} ]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
    '<rdf:Description rdf:about="http://e/a"><ex:p>{body}</ex:p></rdf:Description></rdf:RDF>'
)


def test_plain_internal_entities_are_read() -> None:
    data = XML.format(entities='<!ENTITY ex "http://e/">', body="&ex;").encode()
    assert read(data, "rdfxml").triples[0].object.value == "http://e/"


@pytest.mark.parametrize(
    ("entities", "body", "words"),
    [
        ('<!ENTITY ext SYSTEM "http://127.0.0.1:9/x">', "&ext;", "external"),
        ('<!ENTITY % p "x">', "", "parameter entity"),
        ('<!ENTITY a "xxxxxxxxxx"> <!ENTITY b "&a;&a;&a;">', "&b;", "other entities"),
        ('<!ENTITY a "' + "x" * 1000 + '">', "&a;" * 20, "expand"),
    ],
)
def test_dangerous_entities_are_refused(entities: str, body: str, words: str) -> None:
    data = XML.format(entities=entities, body=body).encode()
    with pytest.raises(RdfSyntaxError, match=words):
        read(data, "rdfxml")


def test_graph_names_are_dropped_and_blank_nodes_renamed() -> None:
    data = b"_:b0 <urn:p> <urn:o> <urn:g> .\n_:b0 <urn:p> <urn:q> .\n"
    first = parse_limited(data, syntax_named("nquads"), source="up", max_triples=10)
    second = parse_limited(data, syntax_named("nquads"), source="up", max_triples=10)
    assert len(first) == 2
    assert first[0].subject == first[1].subject
    assert first[0].subject != second[0].subject


def test_an_unknown_media_type_is_refused() -> None:
    with pytest.raises(UnsupportedMediaTypeError, match="image/png"):
        upload_syntax_for_content_type("image/png")
