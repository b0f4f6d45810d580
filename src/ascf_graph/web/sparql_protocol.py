"""The SPARQL 1.1 Protocol's query operation: what a request asks, from its method and body.

Three ways to send a query (GET with ``query=``; POST of a form; POST of
``application/sparql-query`` with the dataset in the URL), the repeatable
``default-graph-uri`` and ``named-graph-uri``, and ``format=`` (repeatable,
as SPARQLWrapper sends it; other clients' ``output=`` and ``results=`` are ignored). Anything
that is not one well-formed query request is refused with the reason:
no query, two queries, an update, an unknown body type, a body too large.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import Request

from ascf_graph.core.errors import (
    BodyTooLargeError,
    UnsupportedMediaTypeError,
    UnusableInputError,
)
from ascf_graph.sparql.run import update_refused

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
_ASKING_PARAMETERS = ("query", "update", "default-graph-uri", "named-graph-uri")


@dataclass(frozen=True)
class ProtocolRequest:
    """One query request, as the protocol defines it."""

    query: str | None
    """The query text; None for a GET that asks nothing (the service description)."""
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    formats: tuple[str, ...] = ()
    """``format=`` values, in order (the first that can carry the answer is used)."""


async def read_protocol_request(request: Request, max_body_bytes: int) -> ProtocolRequest:
    """The query request an HTTP request carries, or an error saying why it carries none."""
    params = _parse_params(request.url.query, where="the URL")
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == SPARQL_UPDATE:
            raise update_refused()
        if content_type not in (FORM, SPARQL_QUERY):
            raise UnsupportedMediaTypeError(
                f"POST a query as {FORM} or {SPARQL_QUERY}, not {content_type or 'no type'}"
            )
        charset = declared_charset(request.headers.get("content-type", ""))
        if charset not in (None, "utf-8", "utf8", "us-ascii"):
            raise UnsupportedMediaTypeError(
                f"the body is declared charset={charset}; this endpoint reads UTF-8 only: "
                "send the query encoded as UTF-8 (charset=utf-8, or no charset)"
            )
        body = _decode(await read_body(request, max_body_bytes), where="the body")
        if content_type == FORM:
            for key, values in _parse_params(body, where="the form").items():
                params.setdefault(key, []).extend(values)
        else:
            params.setdefault("query", []).append(body)
    elif not any(key in params for key in _ASKING_PARAMETERS):
        return ProtocolRequest(query=None, formats=tuple(params.get("format", [])))
    return _protocol_request(params)


def _protocol_request(params: dict[str, list[str]]) -> ProtocolRequest:
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise update_refused()
    queries = params.get("query", [])
    if not queries:
        raise UnusableInputError("no query: send one as the `query` parameter or as the body")
    if len(queries) > 1:
        raise UnusableInputError(
            f"{len(queries)} `query` parameters; a request carries exactly one query"
        )
    if not queries[0].strip():
        raise UnusableInputError("the query is empty")
    default_graphs = _graph_iris(params, "default-graph-uri")
    named_graphs = _graph_iris(params, "named-graph-uri")
    # A protocol dataset replaces the query's whole dataset (SPARQL 1.1 Protocol 2.1.4):
    # what it does not name is empty, whatever FROM / FROM NAMED the query has.
    if named_graphs is not None and default_graphs is None:
        default_graphs = []
    if default_graphs is not None and named_graphs is None:
        named_graphs = []
    return ProtocolRequest(
        query=queries[0],
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        formats=tuple(params.get("format", [])),
    )


def _graph_iris(params: dict[str, list[str]], name: str) -> list[str] | None:
    if name not in params:
        return None
    iris = params[name]
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise UnusableInputError(f"{name} {iri!r} is not an absolute IRI: {error}") from None
    return iris


async def read_body(request: Request, max_body_bytes: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``max_body_bytes``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise _too_large(max_body_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body_bytes:
            raise _too_large(max_body_bytes)
    return bytes(body)


def declared_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header, lower-cased, if it has one.

    >>> declared_charset('application/sparql-query; charset="ISO-8859-1"')
    'iso-8859-1'
    >>> declared_charset("application/x-www-form-urlencoded") is None
    True
    """
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _too_large(limit: int) -> BodyTooLargeError:
    return BodyTooLargeError(f"the request body is larger than {limit} bytes (ASCF_MAX_BODY_BYTES)")


def _decode(body: bytes, *, where: str) -> str:
    try:
        return body.decode("utf-8").removeprefix("\ufeff")  # a byte order mark, as editors save
    except UnicodeDecodeError as error:
        raise UnusableInputError(f"{where} is not UTF-8: {error}") from None


def _parse_params(text: str, *, where: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise UnusableInputError(f"{where} has parameters that are not UTF-8: {error}") from None
