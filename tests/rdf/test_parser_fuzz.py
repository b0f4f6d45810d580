"""Fuzz targets for every entry point that parses what a client sends (hypothesis).

The property, for any document in any syntax, nested however deep: reading
it either gives triples or raises an error we explain (an ``AscfError``),
and the worker that reads it never dies. Deep nesting is the strategies'
first concern, since it is what crashed the native parsers; brackets inside
strings, IRIs and comments must not count.
"""

import json
from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascf_graph.core.errors import AscfError
from ascf_graph.rdf.formats import SYNTAXES, syntax_named
from ascf_graph.rdf.nesting import nesting_depth
from ascf_graph.rdf.uploads import ParseLimits, parse_document
from ascf_graph.workers.input_pool import InputWorkers

LIMIT = 64
LIMITS = ParseLimits(max_triples=10_000, max_nesting=LIMIT, max_expansion=100_000)
SAFE_DEPTHS = st.integers(min_value=0, max_value=LIMIT)
ANY_DEPTHS = st.integers(min_value=0, max_value=40_000)
NOISE = st.text(alphabet="[]{}()<>\"'#\\ \n:;,.@_-abc", max_size=40)


@pytest.fixture(scope="module")
def workers() -> Iterator[InputWorkers]:
    pool = InputWorkers(1, timeout=60, memory_bytes=1024 * 1024 * 1024)
    yield pool
    pool.close()


def jsonld(depth: int, filler: str) -> bytes:
    inner = {"@value": filler}
    text = '{"@id": "urn:a", "urn:p": ' + '{"urn:p": ' * depth + json.dumps(inner) + "}" * depth
    return (text + "}").encode()


def turtle_terms(depth: int, filler: str) -> bytes:
    escaped = filler.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    term = "<<( <urn:a> <urn:p> " * depth + f'"{escaped}"' + " )>>" * depth
    return f"<urn:a> <urn:p> {term} .".encode()


def turtle_lists(depth: int, filler: str) -> bytes:
    escaped = filler.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    body = "( [ <urn:p> " * depth + f'"{escaped}"' + " ] )" * depth
    return f"# {filler.splitlines()[0] if filler else ''}\n<urn:a> <urn:p> {body} .".encode()


def rdfxml(depth: int, filler: str) -> bytes:
    opening = '<rdf:Description><e:p rdf:parseType="Resource">' * depth
    closing = "</e:p></rdf:Description>" * depth
    return (
        '<?xml version="1.0"?><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
        f"<!-- {escape(filler).replace('--', '- -')} -->{opening}{closing}</rdf:RDF>"
    ).encode()


BUILDERS = {
    "jsonld": jsonld,
    "turtle": turtle_terms,
    "trig": turtle_lists,
    "ntriples": turtle_terms,
    "nquads": turtle_terms,
    "rdfxml": rdfxml,
}


@pytest.mark.parametrize("syntax", sorted(BUILDERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(depth=SAFE_DEPTHS, filler=NOISE)
def test_nesting_is_counted_as_the_structure_nests_not_as_the_text_looks(
    syntax: str, depth: int, filler: str
) -> None:
    """Brackets inside strings, comments and IRIs never count; each structural level does."""
    expected = {"jsonld": depth + 2, "trig": 2 * depth, "rdfxml": 2 * depth + 1}
    assert nesting_depth(BUILDERS[syntax](depth, filler), syntax) == expected.get(syntax, depth)


@pytest.mark.parametrize("syntax", ["ntriples", "nquads"])
@settings(max_examples=40, deadline=None)
@given(filler=NOISE.filter(lambda text: "<<" not in text), lines=st.integers(1, 200))
def test_line_based_rdf_nests_only_through_triple_terms(
    syntax: str, filler: str, lines: int
) -> None:
    """N-Triples and N-Quads have no brackets but ``<<``: a document without one is not
    scanned at all, however many brackets its literals (or its mistakes) hold."""
    escaped = filler.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    document = f'<urn:a> <urn:p> "{escaped}" . {filler}\n'.encode() * lines
    assert nesting_depth(document, syntax, stop_above=LIMIT) == 0


@pytest.mark.slow
@pytest.mark.parametrize("syntax", sorted(BUILDERS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(depth=ANY_DEPTHS, filler=NOISE)
def test_a_document_nested_however_deep_is_read_or_refused_never_crashes_a_worker(
    workers: InputWorkers, syntax: str, depth: int, filler: str
) -> None:
    document = BUILDERS[syntax](depth, filler)
    error = refusal(
        lambda: workers.parse(document, syntax_named(syntax), source="fuzz", limits=LIMITS)
    )
    if error is None:
        assert nesting_depth(document, syntax) <= LIMIT
    else:
        assert error.status in (400, 413), error.message  # never the worker's crash, 422
        assert (error.code == "too-deeply-nested") == (nesting_depth(document, syntax) > LIMIT)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2_000), syntax=st.sampled_from([s.name for s in SYNTAXES]))
def test_arbitrary_bytes_are_read_or_refused_with_an_error_we_explain(
    data: bytes, syntax: str
) -> None:
    """In this process: whatever passes the nesting check is safe for the native parser."""
    error = refusal(
        lambda: parse_document(data, syntax_named(syntax), source="fuzz", limits=LIMITS)
    )
    assert error is None or error.status in (400, 413)


def refusal(read: Callable[[], object]) -> AscfError | None:
    """The error ``read`` raised, if it raised one we explain (any other propagates)."""
    try:
        read()
    except AscfError as error:
        return error
    return None
