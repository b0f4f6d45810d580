"""SPARQL texts that rdflib parses once, however often pyshacl asks them.

pyshacl hands rdflib the text of every SPARQL constraint and SPARQL target
each time it evaluates one, and rdflib parses it anew (a pyparsing grammar,
tens of milliseconds a query). Validating a 10k-triple submission parsed 62
texts, a handful of them distinct, and parsing was 43 % of the time (63 % at
1k). A :class:`PreparingGraph` prepares each distinct text once (rdflib's
``prepareQuery``: the same parse and translation, with the graph's prefixes
as rdflib's ``Graph.query`` gives them) and evaluates the prepared query,
with pyshacl's bindings, as rdflib does a text.
"""

import threading
from collections.abc import Mapping
from typing import Any

import rdflib
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query


class PreparedQueries:
    """Prepared queries by their text, up to ``limit`` of them (the rest are parsed each time)."""

    def __init__(self, limit: int = 512) -> None:
        self._prepared: dict[tuple[str, frozenset[tuple[str, str]]], Query] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def prepared(self, text: str, prefixes: Mapping[str, Any]) -> Query:
        """``text`` parsed and translated with ``prefixes`` undeclared in it, once per
        distinct text and prefixes."""
        key = (text, frozenset((prefix, str(iri)) for prefix, iri in prefixes.items()))
        query = self._prepared.get(key)
        if query is None:
            query = prepareQuery(text, initNs=prefixes)  # raises as rdflib's query() does
            with self._lock:
                if len(self._prepared) < self._limit:
                    self._prepared.setdefault(key, query)
        return query

    def __len__(self) -> int:
        return len(self._prepared)


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
