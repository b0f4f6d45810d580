"""``/sparql``: the SPARQL 1.1 Protocol for queries, as a mountable router.

GET with ``query=``, POST as a form or as ``application/sparql-query``;
``default-graph-uri`` and ``named-graph-uri`` repeatable; the answer's format
from ``format=`` or the ``Accept`` header. Queries run in a worker thread
(pyoxigraph releases the GIL), so the event loop keeps serving.
"""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ascf_graph import sparql
from ascf_graph.conneg import negotiate
from ascf_graph.dependencies import StoreDep
from ascf_graph.errors import AscfError, UnsupportedFormatError, UnusableInputError
from ascf_graph.rdf_io import SYNTAXES
from ascf_graph.store import Store

SELECT_TYPES = [s.media_type for s in sparql.RESULTS_SYNTAXES]
GRAPH_TYPES = [s.media_type for s in SYNTAXES]


class NotAcceptableError(AscfError):
    """No format the client accepts can carry this answer."""

    code = "not-acceptable"
    status = 406


class UnsupportedMediaTypeError(AscfError):
    """A POST body in a media type the protocol does not define."""

    code = "unsupported-media-type"
    status = 415


router = APIRouter()


@router.api_route("/sparql", methods=["GET", "POST"], summary="SPARQL 1.1 query endpoint")
async def sparql_endpoint(request: Request, store: StoreDep) -> Response:
    """Answer a SPARQL query sent by any of the protocol's three operations."""
    params = await _protocol_parameters(request)
    queries = params.get("query", [])
    if not queries:
        raise UnusableInputError("no query: send one as the `query` parameter or body")
    if len(queries) > 1:
        raise UnusableInputError("more than one `query` parameter; send exactly one")
    requested_format = (params.get("format") or [None])[0]
    body, media_type = await run_in_threadpool(
        _answer,
        store,
        queries[0],
        default_graphs=params.get("default-graph-uri") or None,
        named_graphs=params.get("named-graph-uri") or None,
        requested_format=requested_format,
        accept=request.headers.get("accept"),
    )
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


async def _protocol_parameters(request: Request) -> dict[str, list[str]]:
    """The protocol's parameters from the URL and, for POST, the body."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = (await request.body()).decode("utf-8")
    if content_type == "application/x-www-form-urlencoded":
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    elif content_type == "application/sparql-query":
        params.setdefault("query", []).append(body)
    else:
        raise UnsupportedMediaTypeError(
            f"POST a query as application/x-www-form-urlencoded or application/sparql-query, "
            f"not {content_type or 'no content type'}"
        )
    return params


def _answer(
    store: Store,
    query: str,
    *,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    requested_format: str | None,
    accept: str | None,
) -> tuple[bytes, str]:
    """Run the query and serialize it in the chosen format (in a worker thread)."""
    result = sparql.run(store, query, default_graphs=default_graphs, named_graphs=named_graphs)
    offered = GRAPH_TYPES if sparql.result_form(result) == "CONSTRUCT" else SELECT_TYPES
    chosen = requested_format or negotiate(accept, offered)
    if chosen is None:
        raise NotAcceptableError(
            f"cannot answer in {accept}; this answer comes as {', '.join(offered)}"
        )
    try:
        return sparql.serialize_result(result, chosen)
    except UnsupportedFormatError as error:
        raise NotAcceptableError(error.message) from None
