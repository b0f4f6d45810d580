"""Lookups answered in place: on the embedded store, in the server, with a cap on the answer.

A lookup (:func:`ascf_graph.rdf.sparql_lookups.is_lookup`: one triple
pattern, bounded by its shape) costs the engine a few index seeks; sending
it to a worker process and reading the answer back costs more than that.
So the query service first tries to answer a lookup here, on the server's
own handle of the embedded store, writing the answer into a buffer that
refuses more than ``limit_bytes``: the rows written bound the work done, so
the event loop is held for at most the time it takes to write that much
(a fraction of a millisecond for the default 64 KiB). When the answer
would be larger, or the engine raises anything, the query goes to a runner
as any other query does, and answers (or fails) exactly as it would have.

The answer is named by the generation it was computed from: the marker
the last write committed is read before and after the evaluation; when a
write landed in between, the query goes to a runner instead.
"""

from ascf_graph.sparql.jobs import QueryJob, evaluate
from ascf_graph.sparql.runners import RunningQuery
from ascf_graph.store.base import Store
from ascf_graph.store.embedded import EmbeddedStore


class AnsweredQuery(RunningQuery):
    """An answer already computed, read as a running query's is."""

    def __init__(self, body: bytes, generation: str) -> None:
        self._body: bytes | None = body
        self.generation = generation

    async def read(self) -> bytes | None:
        """The whole answer, then None."""
        body, self._body = self._body, None
        return body

    async def close(self) -> None:
        """Nothing runs: nothing to stop."""


class _AnswerTooLargeError(Exception):
    """The answer outgrew the buffer's limit."""


class _CappedBuffer:
    """A binary output that keeps at most ``limit`` bytes and raises past them."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        self._size += len(data)
        if self._size > self._limit:
            raise _AnswerTooLargeError
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept."""

    def value(self) -> bytes:
        return b"".join(self._chunks)


def answer_in_place(store: Store, job: QueryJob, limit_bytes: int) -> AnsweredQuery | None:
    """The answer to ``job``, named by the generation it was computed from, if the store is
    embedded, the answer fits in ``limit_bytes`` and no write landed meanwhile; otherwise
    None (the job goes to a runner)."""
    if not isinstance(store, EmbeddedStore) or limit_bytes <= 0:
        return None
    output = _CappedBuffer(limit_bytes)
    try:
        before = store.committed_generation()
        evaluate(store.oxigraph, job, output)
        after = store.committed_generation()
    except (_AnswerTooLargeError, SyntaxError, ValueError, OSError, RuntimeError):
        return None  # a runner answers it, or words the engine's error as it always does
    if before != after:
        return None
    return AnsweredQuery(output.value(), before)
