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

A graph may also carry the same triples in a pyoxigraph store
(:attr:`PreparingGraph.oxigraph`, which an input worker loads from the
N-Triples it was sent). A SELECT without bindings, which is how pyshacl asks
a SPARQL-based target (``?this a ascf:City . FILTER EXISTS {...}``), is then
answered by pyoxigraph: rdflib evaluated each of those over the whole graph in
Python, a quarter of a 100k-triple validation. Queries with bindings (SPARQL
constraints, per focus node) stay rdflib's, as do texts pyoxigraph refuses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib

from ascf_graph.rdf.io import to_rdflib_term

if TYPE_CHECKING:
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
        self._kept: tuple[object, Any] | None = None

    def prepared(self, text: str, prefixes: Mapping[str, Any]) -> Query:
        """``text`` parsed and translated with ``prefixes`` undeclared in it, once per
        distinct text and prefixes."""
        # Imported here: rdflib's SPARQL engine takes 70 ms to import, and the server process,
        # which only hands validations to its input workers, must start fast without it.
        from rdflib.plugins.sparql import prepareQuery  # noqa: PLC0415

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

    def kept(self, owner: object, make: Callable[[], Any]) -> Any:
        """What ``make()`` gives, made once for ``owner`` (the shapes these queries are of:
        what is derived from them, such as their SPARQL-based targets); ``owner`` is held
        while it is kept, so its id names only it."""
        with self._lock:
            found = self._kept
        if found is not None and found[0] is owner:
            return found[1]
        made = make()
        with self._lock:
            self._kept = (owner, made)
        return made

    def __len__(self) -> int:
        """How many distinct texts (with their prefixes) have been prepared, in any thread."""
        return len(self._texts)


class PreparingGraph(rdflib.Graph):
    """An in-memory rdflib graph whose SPARQL queries, given as text, are prepared by
    ``queries`` and reused."""

    def __init__(
        self, queries: PreparedQueries, oxigraph: ox.Store | None = None, store: str = "default"
    ) -> None:
        super().__init__(store=store)
        self.queries = queries
        #: The same triples in pyoxigraph, which answers SELECTs without bindings.
        self.oxigraph = oxigraph

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
            if self.oxigraph is not None and not initBindings and not initNs:
                answered = self._select_in_oxigraph(query_object)
                if answered is not None:
                    return answered
            prefixes = initNs or dict(self.namespaces())
            query_object = self.queries.prepared(query_object, prefixes)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )

    def _select_in_oxigraph(self, text: str) -> rdflib.query.Result | None:
        """The answer of the SELECT ``text`` (with the graph's prefixes, as rdflib gives
        them) by :attr:`oxigraph`, as an rdflib result; None for another form of query or
        a text pyoxigraph does not take."""
        if self.oxigraph is None:
            return None
        declared = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in self.namespaces())
        try:
            solutions = self.oxigraph.query(declared + text)
        except SyntaxError:
            return None
        if not isinstance(solutions, ox.QuerySolutions):
            return None
        names = [variable.value for variable in solutions.variables]
        variables = [rdflib.Variable(name) for name in names]
        bindings = [
            {
                variable: to_rdflib_term(value)
                for variable, value in zip(variables, solution, strict=True)
                if value is not None
            }
            for solution in solutions
        ]
        result = rdflib.query.Result("SELECT")
        result.vars = variables
        result.bindings = bindings
        return result
