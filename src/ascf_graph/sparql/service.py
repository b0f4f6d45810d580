"""Answering a query request: checks, format, ETag, cache, evaluation, streaming.

Shared by ``/sparql`` and ``/queries/{name}``; the HTTP handlers only turn
requests into a :class:`QueryRequest` and an :class:`Answer` into a response.

Order of work, cheapest first: refuse updates, SERVICE calls that are not
allowed and nesting too deep for the engine; choose the format; compute the
ETag (store generation + request) and answer 304 if the client has it;
answer from the cache; otherwise evaluate. An evaluated answer is named (ETag,
cache key) by the generation it was computed from, as the runner reports it:
a write between reading the generation and evaluating must not give the new
answer the old name; when the runner cannot tell, the answer gets no ETag.
Answers up to ``ASCF_ANSWER_BUFFER_BYTES`` are collected, sent with a
Content-Length and cached; larger ones stream as the engine produces them.
A failure before the first byte is a JSON error with its status; a failure
after it (the time limit mid-stream) aborts the connection, so a client
never mistakes a truncated answer for a complete one. Each evaluation's time
(to its last byte) is observed in ``query_seconds`` when given, by outcome.
"""

import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox
from anyio import to_thread

from ascf_graph.core.crash_guard import CrashGuard
from ascf_graph.core.errors import (
    AnswerTooLargeError,
    AscfError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTooDeepError,
    QueryWorkerCrashedError,
    ServiceRefusedError,
)
from ascf_graph.core.http_caching import cache_control, entity_tag, none_match
from ascf_graph.core.metrics import Histogram
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.rdf.sparql_text import QueryShape, analyse
from ascf_graph.sparql.answer_formats import (
    HTML_TABLE,
    RESULTS_FORMATS,
    AnswerFormat,
    answer_kind,
    choose_format,
)
from ascf_graph.sparql.jobs import QueryJob, Term, encode_terms
from ascf_graph.sparql.run import update_refused
from ascf_graph.sparql.runners import QueryRunner, RunningQuery
from ascf_graph.store.answer_cache import AnswerCache, CachedAnswer
from ascf_graph.store.base import Store
from ascf_graph.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)
_LONG_TEXT = 64 * 1024


@dataclass(frozen=True)
class QueryRequest:
    """A query to answer and how the client wants the answer."""

    text: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: Mapping[str, Term] = field(default_factory=dict)
    formats: tuple[str, ...] = ()
    accept: str | None = None
    if_none_match: str | None = None
    client: str | None = None
    """The client's address: queries that crash workers are counted against it."""
    title: str = "SPARQL query"
    """For the HTML table: the page's title."""
    link: Callable[[], str] = lambda: ""
    """For the HTML table: makes a GET URL of this request, to which ``&format=`` is added
    (made only when a table is asked for)."""


@dataclass
class Answer:
    """What to send back: 200 with a body or a stream, or 304."""

    status: int
    headers: dict[str, str]
    media_type: str | None = None
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None


class TableRenderer(Protocol):
    """Renders a SPARQL JSON answer as an HTML page (the html package's results table)."""

    def __call__(self, answer: bytes, *, query: str, title: str, download_url: str) -> str:
        """The page for ``answer`` to ``query``; ``download_url`` is the answer's own URL."""
        ...


class QueryService:
    """Answers queries with a runner, an answer cache and the endpoint's limits.

    Answers asked for as HTML are rendered by ``render_table``, given by the
    composition root, so that the domain does not depend on the pages.
    """

    def __init__(
        self,
        runner: QueryRunner,
        cache: AnswerCache,
        *,
        render_table: TableRenderer,
        service_allow_list: list[str],
        buffer_bytes: int,
        max_table_bytes: int,
        max_age: int,
        max_depth: int = 100,
        crashes: CrashGuard | None = None,
        query_seconds: Histogram | None = None,
    ) -> None:
        self.runner, self.cache = runner, cache
        self._render_table = render_table
        self._query_seconds = query_seconds
        self._max_depth = max_depth
        self.crashes = crashes if crashes is not None else CrashGuard(0, 1)
        self._allowed_services = frozenset(service_allow_list)
        self._buffer_bytes = buffer_bytes
        self._max_table_bytes = max_table_bytes
        self._max_age = max_age

    def check(self, text: str) -> QueryShape:
        """Refuse what must never run (updates, SERVICE off the allow-list, nesting deeper
        than the engine's stack can follow); return the shape."""
        shape = analyse(text, depth_limit=self._max_depth)
        if shape.depth > self._max_depth:
            raise QueryTooDeepError(
                f"the query nests brackets {shape.depth} levels deep; at most {self._max_depth} "
                "are accepted (ASCF_QUERY_MAX_DEPTH): flatten the expression or the groups"
            )
        if shape.is_update:
            raise update_refused()
        for target in shape.services:
            if target is None or target not in self._allowed_services:
                allowed = ", ".join(sorted(self._allowed_services)) or "empty"
                raise ServiceRefusedError(
                    f"SERVICE {'<' + target + '>' if target else 'with a variable endpoint'} "
                    "is refused: this endpoint calls only the endpoints on its allow-list "
                    f"(ASCF_SERVICE_ALLOW_LIST: {allowed})"
                )
        if shape.form is None:
            _raise_syntax_error(text)
        return shape

    def answer_format(self, shape: QueryShape, request: QueryRequest) -> AnswerFormat:
        """The format the answer goes out in."""
        assert shape.form is not None
        return choose_format(answer_kind(shape.form), request.formats, request.accept)

    async def answer(self, store: Store, request: QueryRequest, *, scope: str) -> Answer:
        """Answer ``request`` against ``store``; ``scope`` names the resource (for the ETag).

        A client whose queries crashed workers too often lately is refused (429) first.
        """
        self.crashes.check(request.client)
        if len(request.text) < _LONG_TEXT:
            shape = self.check(request.text)
        else:  # reading megabytes of text would hold up the event loop
            shape = await to_thread.run_sync(self.check, request.text)
        chosen = self.answer_format(shape, request)
        generation = await current_generation(store)
        substitutions = encode_terms(request.substitutions)

        def tag(of: str) -> str:
            return entity_tag(
                of,
                scope,
                request.text,
                request.default_graphs,
                request.named_graphs,
                substitutions,
                chosen.media_type,
            )

        headers = {"Vary": "Accept"}
        if shape.deterministic:
            etag = tag(generation)
            cached_headers = headers | {"ETag": etag, "Cache-Control": cache_control(self._max_age)}
            if none_match(request.if_none_match, etag):
                return Answer(304, cached_headers)
            cached = self.cache.get(generation, etag)
            if cached is not None:
                return Answer(200, cached_headers, cached.media_type, cached.body)

        table = chosen == HTML_TABLE
        job = QueryJob(
            query=request.text,
            media_type=RESULTS_FORMATS[0].media_type if table else chosen.media_type,
            kind=chosen.kind,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            union_default_graph=not shape.has_dataset,
            substitutions=substitutions,
            prefixes=dict(PREFIXES),
        )
        started = time.perf_counter()

        def evaluated(outcome: str) -> None:
            if self._query_seconds is not None:
                self._query_seconds.observe(time.perf_counter() - started, (outcome,))

        try:
            running = await self.runner.start(store, job, generation=generation)
            if table:
                body, complete = await self._table(running, request), True
            else:
                head, complete = await self._read_head(running, self._buffer_bytes)
                body = b"".join(head) if complete else b""
        except AscfError as error:
            self._failed(request, error)
            evaluated(error.code)
            raise
        # Named by the generation the answer was computed from, known by now: a write may
        # have landed since ``generation`` was read (then the answer is newer than that).
        used = running.generation if shape.deterministic else None
        if used is None:
            headers["Cache-Control"] = "no-store"
        else:
            etag = tag(used)
            headers |= {"ETag": etag, "Cache-Control": cache_control(self._max_age)}
            if complete:
                self.cache.put(used, etag, CachedAnswer(body, chosen.media_type))
        if complete:
            evaluated("ok")
            return Answer(200, headers, chosen.media_type, body)
        return Answer(
            200,
            headers,
            chosen.media_type,
            stream=_rest(head, running, lambda: self.crashes.record(request.client), evaluated),
        )

    def _failed(self, request: QueryRequest, error: AscfError) -> None:
        """Count a worker that ``request``'s query brought down against its client."""
        if isinstance(error, QueryMemoryError | QueryWorkerCrashedError):
            self.crashes.record(request.client)

    async def _table(self, running: RunningQuery, request: QueryRequest) -> bytes:
        """The whole answer as an HTML table, or an error if it is too large for one."""
        head, complete = await self._read_head(running, self._max_table_bytes)
        if not complete:
            await running.close()
            raise AnswerTooLargeError(
                f"the answer is larger than {self._max_table_bytes} bytes, the most shown as "
                "an HTML table (ASCF_MAX_TABLE_BYTES); add a LIMIT, or ask for CSV, TSV, JSON "
                "or XML (format=csv...), which stream answers of any size"
            )
        page = await to_thread.run_sync(
            lambda: self._render_table(
                b"".join(head), query=request.text, title=request.title, download_url=request.link()
            )
        )
        return page.encode("utf-8")

    async def _read_head(self, running: RunningQuery, limit: int) -> tuple[list[bytes], bool]:
        """The answer's first chunks, up to ``limit`` bytes; whether that was all of it."""
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= limit:
                chunk = await running.read()
                if chunk is None:
                    return chunks, True
                chunks.append(chunk)
                size += len(chunk)
        except BaseException:
            await running.close()
            raise
        return chunks, False


async def current_generation(store: Store) -> str:
    """The store's generation, read off the event loop unless it is a local attribute
    (a remote store asks its server)."""
    if isinstance(store, EmbeddedStore):
        return store.generation
    return await to_thread.run_sync(lambda: store.generation)


async def _rest(
    head: list[bytes],
    running: RunningQuery,
    crashed: Callable[[], None],
    evaluated: Callable[[str], None],
) -> AsyncIterator[bytes]:
    """The buffered chunks, then the rest as it comes; a failure aborts the response
    (``crashed`` is told of a worker the query brought down; ``evaluated`` of the outcome
    once the answer ends: ok, the error's code, or client_gone)."""
    outcome = "client_gone"
    try:
        for chunk in head:
            yield chunk
        while (chunk := await running.read()) is not None:
            yield chunk
        outcome = "ok"
    except AscfError as error:
        outcome = error.code
        if isinstance(error, QueryMemoryError | QueryWorkerCrashedError):
            crashed()
        log.warning("answer aborted after its first bytes: %s", error.message)
        raise
    finally:
        evaluated(outcome)
        await running.close()


def _raise_syntax_error(text: str) -> None:
    """Raise the parser's own message for a text with no query form (it never evaluates)."""
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        raise QuerySyntaxError(f"SPARQL syntax error: {error}") from None
    raise QuerySyntaxError("not a SPARQL query: it has no SELECT, ASK, CONSTRUCT or DESCRIBE")
