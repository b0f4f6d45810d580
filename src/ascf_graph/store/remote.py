"""A remote SPARQL 1.1 server behind the same :class:`Store` interface.

Any server that speaks the SPARQL 1.1 Protocol for query and update and shows
the union of its named graphs as the default graph will do: the Oxigraph
server (``oxigraph serve --union-default-graph``) and Virtuoso are the ones
tested. With a remote store the web tier keeps no data of its own, so it can
run as many replicas as the load needs.

Two things the protocol lacks are built from standard SPARQL:

- **Bound variables.** A ``VALUES`` block of RDF terms written by
  pyoxigraph (IRIs validated, literals escaped), never caller text: at the
  head of the WHERE group where :mod:`ascf_graph.rdf.sparql_binding` finds it,
  else as the query's trailing ``VALUES``.
- **Blank nodes.** A blank node's identity does not survive separate
  requests, and the membership nodes of a city appear in more than one graph
  (data and inferred), so uploads replace each blank node with a skolem IRI
  ``{base}.well-known/genid/{id}`` (RDF 1.1, section 3.5), the same in
  every graph.
- **Generation.** Every write through this class also replaces a marker in
  ``{base}graph/system``; :attr:`RemoteStore.generation` reads it, so caches
  keyed on it see writes made by any replica.

The time limit. This service stops waiting for an answer at the time limit,
but only the store can stop its own work: deploy it with its own limit
(Oxigraph ``serve --timeout-s``, Virtuoso's ``[SPARQL] MaxQueryExecutionTime``)
no longer than ``ASCF_QUERY_TIMEOUT``. With ``timeout_parameter`` set
(``timeout`` for Virtuoso), the limit also goes with each query, in
milliseconds. A store that stopped a query answers in its own way, and each
way is turned into 503 ``query-timeout``, never into a partial answer: Oxigraph
appends "The SPARQL operation has been cancelled" to a 200 answer it has begun;
Virtuoso answers 500 ``SR171: Transaction timed out`` (or refuses up front a
query whose estimated cost is over its limit), and with a ``timeout``
parameter sends what it found so far with ``X-SQL-State: S1TAT``.
"""

import contextlib
import uuid
from collections.abc import Iterable, Iterator, Mapping

import httpx
import pyoxigraph as ox

from ascf_graph.core.errors import (
    QuerySyntaxError,
    QueryTimeoutError,
    StoreUnavailableError,
    UnusableInputError,
)
from ascf_graph.core.namespaces import GENID_PATH, graph_iri
from ascf_graph.rdf.sparql_binding import bind_in_where
from ascf_graph.store.base import (
    GENERATION_PREDICATE,
    SYSTEM_GRAPH,
    Dataset,
    QueryResult,
    Store,
    Term,
)
from ascf_graph.store.changes import GraphChange, as_sparql_update

_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "text/plain;q=0.5, text/turtle;q=0.4"
)
#: Triples per INSERT DATA request when a graph is uploaded. Virtuoso compiles a request
#: into SQL and refuses one past 10,000 lines of it ("SP031"): a graph of 3,730 triples
#: (the project timeline) was refused whole; a thousand at a time is well inside.
UPLOAD_CHUNK = 1_000
#: How Oxigraph ends an answer it had begun when its time limit stopped the query.
_OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
#: What Virtuoso's error answers say when its time limits stop or refuse a query.
_VIRTUOSO_TIMED_OUT = ("SR171: Transaction timed out", "The estimated execution time")
#: Virtuoso's header on an incomplete answer ("anytime query" cut at its time limit).
_VIRTUOSO_INCOMPLETE = "S1TAT"
#: Seconds the HTTP client waits past the time limit, for the store to say it stopped.
_GRACE = 5.0


class RemoteStore(Store):
    """A SPARQL 1.1 Query + Update server reached over HTTP."""

    def __init__(
        self,
        query_url: str,
        *,
        base_iri: str,
        update_url: str | None = None,
        timeout: float = 30.0,
        timeout_parameter: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.base_iri = base_iri
        #: Sent with each query when the store takes a per-query limit (in milliseconds).
        self._time_limit = (
            {timeout_parameter: str(round(timeout * 1000))} if timeout_parameter else {}
        )
        self._system_graph = ox.NamedNode(graph_iri(base_iri, SYSTEM_GRAPH))
        self._client = client or httpx.Client(timeout=timeout + _GRACE)

    def _evaluate(
        self, sparql: str, substitutions: Mapping[str, Term] | None, dataset: Dataset
    ) -> QueryResult:
        """Send ``sparql`` (with ``substitutions`` as a trailing VALUES) to the server."""
        form: dict[str, str | list[str]] = {
            "query": bind_by_values(sparql, substitutions),
            **self._time_limit,
        }
        if dataset.default_graphs is not None:
            form["default-graph-uri"] = dataset.default_graphs
        if dataset.named_graphs is not None:
            form["named-graph-uri"] = dataset.named_graphs
        response = self._post(self.query_url, form, accept=_ACCEPT)
        if response.headers.get("x-sql-state") == _VIRTUOSO_INCOMPLETE or response.content.endswith(
            _OXIGRAPH_CANCELLED
        ):
            raise _stopped_by_store()
        return _parse_answer(response)

    def update(self, sparql_update: str) -> None:
        """Run one SPARQL Update request (the server runs it as one transaction)."""
        self._post(self.update_url, {"update": sparql_update}, accept="*/*")

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], *, drop: Iterable[str] = ()
    ) -> str:
        """Publish new contents for ``graphs`` (and remove ``drop``) in one final step.

        Each graph is first uploaded to a private staging graph; only when
        every upload succeeded does one update request move them into place,
        drop the graphs in ``drop`` and set a new generation. A failed upload
        removes the staging graphs and leaves the published ones as they were.
        Returns the new generation.
        """
        staging = {name: f"urn:ascf:staging:{uuid.uuid4().hex}" for name in graphs}
        try:
            for name, triples in graphs.items():
                self._upload(staging[name], triples)
        except BaseException:
            self._drop_quietly(staging.values())
            raise
        generation = uuid.uuid4().hex
        operations = [f"DROP SILENT GRAPH {ox.NamedNode(name)}" for name in drop]
        operations += [
            f"MOVE SILENT GRAPH {ox.NamedNode(temporary)} TO GRAPH {ox.NamedNode(name)}"
            for name, temporary in staging.items()
        ]
        operations += self._generation_update(generation)
        self.update(" ;\n".join(operations))
        return generation

    def apply(self, change: GraphChange) -> str:
        """Send ``change`` and a new generation marker as one SPARQL Update request.

        The server runs one request as one transaction (Oxigraph does); the
        triples travel in an ``INSERT {...} WHERE {}`` template, which Virtuoso
        accepts with blank nodes. Changes larger than one request should go
        through :meth:`replace_graphs`, which stages them first.
        """
        generation = uuid.uuid4().hex
        marker = ox.Triple(self._system_graph, GENERATION_PREDICATE, ox.Literal(generation))
        self.update(
            as_sparql_update(change, marker=(self._system_graph.value, marker), data_block=False)
        )
        return generation

    def graph_sizes(self) -> dict[str, int]:
        """Each named graph's IRI with its number of triples (the system graph left out)."""
        answer = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        assert isinstance(answer, ox.QuerySolutions)
        sizes = {row["g"].value: int(row["n"].value) for row in answer}
        sizes.pop(self._system_graph.value, None)
        return sizes

    @property
    def generation(self) -> str:
        """The marker the last write through any :class:`RemoteStore` left."""
        answer = self.query(
            "SELECT * WHERE { GRAPH ?system { ?system ?identifier ?generation } }",
            substitutions={"system": self._system_graph, "identifier": GENERATION_PREDICATE},
        )
        assert isinstance(answer, ox.QuerySolutions)
        values = sorted(row["generation"].value for row in answer)
        return values[0] if values else "unpublished"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def _generation_update(self, generation: str) -> list[str]:
        system = self._system_graph
        marker = f"{system} {GENERATION_PREDICATE} {ox.Literal(generation)}"
        return [f"DROP SILENT GRAPH {system}", f"INSERT DATA {{ GRAPH {system} {{ {marker} }} }}"]

    def _upload(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Insert ``triples``, blank nodes skolemised, in requests of :data:`UPLOAD_CHUNK`."""
        target = ox.NamedNode(graph)
        skolemised = (skolemise(triple, self.base_iri) for triple in triples)
        for chunk in _chunks(skolemised, UPLOAD_CHUNK):
            body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            self.update(f"INSERT DATA {{ GRAPH {target} {{\n{body}}} }}")

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        with contextlib.suppress(StoreUnavailableError, QuerySyntaxError):
            self.update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in graphs))

    def _post(
        self, url: str, form: Mapping[str, str | list[str]], *, accept: str
    ) -> httpx.Response:
        try:
            response = self._client.post(url, data=dict(form), headers={"Accept": accept})
        except httpx.TransportError as error:
            raise StoreUnavailableError(
                f"the SPARQL store at {url} cannot be reached: {error}"
            ) from None
        if response.status_code >= 500 and any(m in response.text for m in _VIRTUOSO_TIMED_OUT):
            raise _stopped_by_store()
        if response.status_code == 400:
            raise QuerySyntaxError(f"the SPARQL store refused the request: {response.text.strip()}")
        if response.status_code >= 300:
            raise StoreUnavailableError(
                f"the SPARQL store at {url} answered {response.status_code}: "
                f"{response.text.strip()[:500]}"
            )
        return response


def _stopped_by_store() -> QueryTimeoutError:
    return QueryTimeoutError(
        "the SPARQL store stopped the query at its own time limit (set no longer than "
        "ASCF_QUERY_TIMEOUT); narrow it, add a LIMIT, or query a copy of the data on your "
        "own machine"
    )


def bind_by_values(sparql: str, substitutions: Mapping[str, Term] | None) -> str:
    """``sparql`` with a ``VALUES`` block fixing each substituted variable.

    At the head of the WHERE group where it can be found (the server then
    plans with the values bound), else as the query's trailing ``VALUES``.

    >>> bind_by_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:a")})
    'SELECT ?s WHERE { VALUES (?s) { (<urn:a>) } ?s ?p ?o }'
    >>> bind_by_values("DESCRIBE ?o", {"o": ox.Literal('say "hi"')})
    'DESCRIBE ?o\\nVALUES (?o) { ("say \\\\"hi\\\\"") }'
    """
    if not substitutions:
        return sparql
    for name, term in substitutions.items():
        if isinstance(term, ox.BlankNode):
            raise UnusableInputError(f"?{name} cannot be bound to a blank node")
    bound = bind_in_where(sparql, substitutions)
    if bound is not None:
        return bound
    names = " ".join(str(ox.Variable(name)) for name in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"{sparql}\nVALUES ({names}) {{ ({terms}) }}"


def _parse_answer(response: httpx.Response) -> QueryResult:
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/sparql-results+json":
        return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    syntaxes = {
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/plain": ox.RdfFormat.N_TRIPLES,
        "text/turtle": ox.RdfFormat.TURTLE,
    }
    if media_type not in syntaxes:
        raise StoreUnavailableError(f"the SPARQL store answered with unexpected {media_type!r}")
    # A graph answer is re-exposed as the engine's own triple iterator, so every
    # caller handles one type; it is held in memory, bounded by the answer itself.
    graph = ox.Store()
    graph.extend(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in ox.parse(response.content, syntaxes[media_type])
    )
    return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")


def skolemise(triple: ox.Triple, base_iri: str) -> ox.Triple:
    """``triple`` with each blank node replaced by its skolem IRI under ``base_iri``.

    >>> b = ox.BlankNode("b7")
    >>> skolemise(ox.Triple(b, ox.NamedNode("urn:p"), b), "https://w3id.org/ascf/").subject
    <NamedNode value=https://w3id.org/ascf/.well-known/genid/b7>
    """

    def term(node: Term) -> Term:
        if isinstance(node, ox.BlankNode):
            return ox.NamedNode(f"{base_iri}{GENID_PATH}{node.value}")
        return node

    return ox.Triple(term(triple.subject), triple.predicate, term(triple.object))


def _chunks(triples: Iterable[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    chunk: list[ox.Triple] = []
    for triple in triples:
        chunk.append(triple)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
