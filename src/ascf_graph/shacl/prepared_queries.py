"""SPARQL texts that rdflib parses once, however often pyshacl asks them.

pyshacl hands rdflib the text of every SPARQL constraint and SPARQL target
each time it evaluates one, and rdflib parses it anew (a pyparsing grammar,
tens of milliseconds a query). Validating a 10k-triple submission parsed 62
texts, a handful of them distinct, and parsing was 43 % of the time (63 % at
1k). A :class:`PreparingGraph` prepares each distinct text once (rdflib's
``prepareQuery``: the same parse and translation, with the graph's prefixes
as rdflib's ``Graph.query`` gives them) and evaluates the prepared query,
with pyshacl's bindings, as rdflib does a text.

A prepared query is not safe to evaluate in two threads at once: rdflib's
expression objects hold the bindings of the evaluation in progress
(``Expr.eval`` sets ``self.ctx``), so a concurrent validation read another's
bindings and missed Violations. Each thread therefore prepares its own copy,
once; the service's validations run on a bounded thread pool.
"""

import threading
from collections.abc import Mapping
from typing import Any

import rdflib
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

_Key = tuple[str, frozenset[tuple[str, str]]]


class PreparedQueries:
    """Prepared queries by their text and prefixes, in each thread its own, up to ``limit``
    texts (the rest are parsed each time)."""

    def __init__(self, limit: int = 512) -> None:
        self._limit = limit
        self._thread = threading.local()
        self._texts: set[_Key] = set()
        self._lock = threading.Lock()

    def prepared(self, text: str, prefixes: Mapping[str, Any]) -> Query:
        """``text`` parsed and translated with ``prefixes`` undeclared in it, once per
        distinct text and prefixes."""
        key = (text, frozenset((prefix, str(iri)) for prefix, iri in prefixes.items()))
        mine: dict[_Key, Query] = self._thread.__dict__.setdefault("prepared", {})
        query = mine.get(key)
        if query is None:
            query = prepareQuery(text, initNs=prefixes)  # raises as rdflib's query() does
            with self._lock:
                if key in self._texts or len(self._texts) < self._limit:
                    self._texts.add(key)
                    mine[key] = query
        return query

    def __len__(self) -> int:
        """How many distinct texts (with their prefixes) have been prepared, in any thread."""
        return len(self._texts)


class PreparingGraph(rdflib.Graph):
    """An in-memory rdflib graph whose SPARQL queries, given as text, are prepared by
    ``queries`` and reused."""

    def __init__(self, queries: PreparedQueries) -> None:
        super().__init__()
        self.queries = queries

    def query(  # type: ignore[override]  # noqa: PLR0917 (rdflib's signature)
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's name)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> rdflib.query.Result:
        """rdflib's ``Graph.query``, with a text prepared once (unless a ``base`` or
        another argument of the processor shapes its translation)."""
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            prefixes = initNs or dict(self.namespaces())
            query_object = self.queries.prepared(query_object, prefixes)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )
