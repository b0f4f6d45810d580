"""One registry of formats: every name, alias, extension and media type means the same
in the CLI, ``/sparql``, ``/doc``, uploads and reports; one function writes a graph."""

import io
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ascf_graph.cli.main import app
from ascf_graph.core.errors import NotAcceptableError, UnsupportedFormatError
from ascf_graph.core.settings import Settings
from ascf_graph.linked_data import addresses
from ascf_graph.rdf import formats, uploads
from ascf_graph.rdf.formats import RESULTS_SYNTAXES, SYNTAXES, RdfSyntax, serialize_graph
from ascf_graph.shacl import report_formats
from ascf_graph.sparql import answer_formats
from ascf_graph.sparql import run as sparql
from ascf_graph.store.embedded import EmbeddedStore

#: Every name a syntax answers to, with the syntax: names, aliases, extensions.
NAMED = [(name, s) for s in SYNTAXES for name in s.names]
#: Every media type a syntax is understood by, with the syntax.
TYPED = [(media_type, s) for s in SYNTAXES for media_type in s.media_types]
#: The syntaxes documents and reports come in.
DOCUMENT_SYNTAXES = {f.syntax for f in addresses.RDF_FORMATS}

CONSTRUCT = (
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ascf/graph/countries> "
    "{ ?s ?p ?o } } LIMIT 5"
)
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/ascf/def/FocusArea> } LIMIT 2"
TRIPLE = ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))


def ids(pairs: list[tuple[str, RdfSyntax]]) -> list[str]:
    return [key for key, _ in pairs]


def test_no_name_or_media_type_means_two_syntaxes() -> None:
    names = [name for s in SYNTAXES for name in set(s.names)]
    media_types = [media_type for s in SYNTAXES for media_type in s.media_types]
    assert len(names) == len(set(names))
    assert len(media_types) == len(set(media_types))
    results_names = [name for s in RESULTS_SYNTAXES for name in s.names]
    results_types = [media_type for s in RESULTS_SYNTAXES for media_type in s.media_types]
    assert len(results_names) == len(set(results_names))
    assert len(results_types) == len(set(results_types))


def test_the_names_decided_once() -> None:
    named = {name: s.name for name, s in NAMED}
    assert named["owl"] == named["xml"] == named["rdf"] == "rdfxml"
    assert named["json"] == named["json-ld"] == "jsonld"
    assert named["n3"] == named["ttl"] == "turtle"
    assert [s.name for s in SYNTAXES if s.quads] == ["trig", "nquads"]
    assert [s.name for s in SYNTAXES if s.prefixed] == ["turtle", "rdfxml", "trig"]
    assert formats.results_syntax_named("application/json").name == "json"
    assert formats.results_syntax_named("text/xml").name == "xml"


@pytest.mark.parametrize(("name", "syntax"), NAMED, ids=ids(NAMED))
def test_a_name_means_the_same_on_the_command_line_at_sparql_and_in_uploads(
    name: str, syntax: RdfSyntax
) -> None:
    assert formats.syntax_named(name) is syntax
    assert formats.syntax_named(name.upper()) is syntax
    assert formats.syntax_for_path(Path(f"city.{name}")) is syntax
    assert answer_formats.choose_format("graph", [name], None).media_type == syntax.media_type
    assert uploads.syntax_for_filename(f"city.{name}") is syntax


@pytest.mark.parametrize(("media_type", "syntax"), TYPED, ids=ids(TYPED))
def test_a_media_type_means_the_same_in_accept_format_and_content_type(
    media_type: str, syntax: RdfSyntax
) -> None:
    assert formats.syntax_for_media_type(f"{media_type}; charset=utf-8") is syntax
    assert formats.syntax_named(media_type) is syntax
    assert uploads.upload_syntax_for_content_type(media_type) is syntax
    for requested, accept in (([media_type], None), ([], media_type)):
        chosen = answer_formats.choose_format("graph", requested, accept)
        assert chosen.media_type == syntax.media_type  # labelled with its own media type


@pytest.mark.parametrize(("name", "syntax"), NAMED, ids=ids(NAMED))
def test_documents_and_reports_take_the_same_names(name: str, syntax: RdfSyntax) -> None:
    document = addresses.document_format_named(name)
    if syntax not in DOCUMENT_SYNTAXES:
        assert document is None
        with pytest.raises(NotAcceptableError):
            report_formats.choose_format(None, name)
        return
    assert document is not None
    assert document.syntax is syntax
    report = report_formats.choose_format(None, name)
    if name == "json":  # a report's own JSON summary comes first
        assert report.media_type == "application/json"
    else:
        assert report.name == syntax.name


def test_a_document_is_addressed_by_its_own_extension_only() -> None:
    for fmt in addresses.RDF_FORMATS:
        assert fmt.syntax is not None
        assert addresses.format_for_extension(fmt.syntax.extension) is fmt
        assert (fmt.media_type, fmt.label) == (fmt.syntax.media_type, fmt.syntax.label)
    assert addresses.format_for_extension("owl") is None


def test_results_names_and_media_types_mean_the_same_everywhere() -> None:
    for syntax in RESULTS_SYNTAXES:
        for key in (*syntax.names, *syntax.media_types):
            assert formats.results_syntax_named(key) is syntax
            chosen = answer_formats.choose_format("results", [key], None)
            assert chosen.media_type == syntax.media_type
        for media_type in syntax.media_types:
            assert formats.results_syntax_for_media_type(media_type) is syntax


def test_an_unknown_name_is_refused_everywhere() -> None:
    with pytest.raises(UnsupportedFormatError):
        formats.syntax_named("png")
    with pytest.raises(UnsupportedFormatError):
        uploads.syntax_for_filename("city.png")
    with pytest.raises(UnsupportedFormatError):
        answer_formats.choose_format("graph", ["png"], None)
    assert addresses.document_format_named("png") is None


@pytest.mark.parametrize("syntax", SYNTAXES, ids=[s.name for s in SYNTAXES])
def test_serialize_graph_writes_triples_in_the_default_graph(syntax: RdfSyntax) -> None:
    prefixes = {"e": "http://e/"}
    body = serialize_graph([TRIPLE], syntax, prefixes=prefixes)
    quads = list(ox.parse(body, format=syntax.oxigraph))
    assert quads == [ox.Quad(TRIPLE.subject, TRIPLE.predicate, TRIPLE.object)]
    assert (b"http://e/p" not in body) == syntax.prefixed
    written = io.BytesIO()
    serialize_graph(iter([TRIPLE]), syntax, prefixes=prefixes, output=written)
    assert written.getvalue() == body


def test_serialize_graph_writes_to_a_path(tmp_path: Path) -> None:
    destination = tmp_path / "graph.ttl"
    turtle = formats.syntax_named("ttl")
    serialize_graph([TRIPLE], turtle, prefixes={"e": "http://e/"}, output=destination)
    assert destination.read_bytes() == serialize_graph(
        [TRIPLE], turtle, prefixes={"e": "http://e/"}
    )


@pytest.mark.parametrize("name", ["owl", "n3", "json", "xml", "nq", "trig", "text/plain"])
def test_the_cli_query_format_takes_every_name(
    store: EmbeddedStore, cli_settings: Settings, name: str
) -> None:
    syntax = formats.syntax_named(name)
    result = CliRunner().invoke(app, ["query", CONSTRUCT, "--format", name])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == sparql.serialize_result(sparql.run(store, CONSTRUCT), name)[0]
    assert len(list(ox.parse(result.stdout_bytes, format=syntax.oxigraph))) == 5


@pytest.mark.parametrize("name", ["turtle", "owl", "json", "n-triples"])
def test_the_cli_describe_format_takes_every_name(cli_settings: Settings, name: str) -> None:
    uri = "https://w3id.org/ascf/id/framework"
    result = CliRunner().invoke(app, ["describe", uri, "--format", name])
    assert result.exit_code == 0, result.output
    syntax = formats.syntax_named(name)
    assert list(ox.parse(result.stdout_bytes, format=syntax.oxigraph))


@pytest.mark.parametrize(
    ("query", "name", "media_type"),
    [
        (CONSTRUCT, "owl", "application/rdf+xml"),
        (CONSTRUCT, "n3", "text/turtle"),
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "application/json", "application/ld+json"),
        (SELECT, "json", "application/sparql-results+json"),
        (SELECT, "application/json", "application/sparql-results+json"),
        (SELECT, "text/xml", "application/sparql-results+xml"),
    ],
)
def test_sparql_format_takes_every_name(
    server: str, query: str, name: str, media_type: str
) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": query, "format": name}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(("name", "extension"), [("owl", "rdf"), ("n3", "ttl"), ("json", "jsonld")])
def test_doc_extension_and_sparql_format_agree(server: str, name: str, extension: str) -> None:
    document = httpx.get(f"{server}/doc/framework.{extension}", timeout=60)
    described = httpx.get(
        f"{server}/sparql",
        params={"query": "DESCRIBE <https://w3id.org/ascf/id/framework>", "format": name},
        timeout=60,
    )
    assert document.status_code == described.status_code == 200
    assert document.headers["content-type"] == described.headers["content-type"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/n3", b"<urn:a> <urn:p> <urn:o> ."),
        ("text/plain", b"<urn:a> <urn:p> <urn:o> .\n"),
        ("application/json", b'{"@id": "urn:a", "urn:p": {"@id": "urn:o"}}'),
        ("application/x-turtle", b"<urn:a> <urn:p> <urn:o> ."),
    ],
)
def test_an_upload_is_read_by_every_media_type(server: str, content_type: str, body: bytes) -> None:
    answer = httpx.post(
        f"{server}/validate",
        content=body,
        headers={"Content-Type": content_type, "Accept": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert "conforms" in answer.json()


@pytest.mark.parametrize(
    ("name", "media_type"), [("ttl", "text/turtle"), ("owl", "application/rdf+xml")]
)
def test_a_report_format_takes_every_name(server: str, name: str, media_type: str) -> None:
    answer = httpx.post(
        f"{server}/validate",
        params={"format": name},
        content=b"<urn:a> <urn:p> <urn:o> .",
        headers={"Content-Type": "text/turtle"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type
