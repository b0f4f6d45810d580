"""The dataset behind every read and write: one interface, embedded or remote.

Queries see the union of all named graphs as their default graph (unless
they name their own with ``FROM``), and each named graph by name.

Writes (the stewards' submissions) go through :meth:`Store.apply`: one
:class:`~ascf_graph.store.changes.GraphChange` (graphs replaced, appended to,
dropped) in one transaction together with a new **generation**. The
generation is persisted inside the same transaction as a marker triple in
``{base}graph/system``, so it changes on every build and every write, survives
restarts, and can never disagree with the data: caches and ETags keyed on
:attr:`Store.generation` are invalidated exactly when the data changes.
"""

import itertools
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ascf_graph.rdf.sparql_binding import values_query, values_rows_query
from ascf_graph.store.changes import GraphChange

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


Term = ox.NamedNode | ox.BlankNode | ox.Literal


# SELECT, not CONSTRUCT: Virtuoso answers a CONSTRUCT with a table of ?s ?p ?o when the
# client also accepts SPARQL results, as a remote store's client must.
_GRAPH_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH ?graph { ?s ?p ?o } }"


_IS_SUBJECT = "ASK { ?node ?p ?o }"
_QUADS_ABOUT = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


#: The most terms one VALUES block of :meth:`Store.statements` lists.
_VALUES_CHUNK = 400


#: The graph (under ``{base}graph/``) that holds the generation marker, not data.
SYSTEM_GRAPH = "system"


#: The marker's predicate: ``<{base}graph/system> dct:identifier "generation"``.
GENERATION_PREDICATE = ox.NamedNode("http://purl.org/dc/terms/identifier")


@dataclass(frozen=True)
class StatementPattern:
    """Which statements :meth:`Store.statements` asks for (``None``: any term there)."""

    subjects: Iterable[ox.NamedNode | ox.BlankNode] | None
    predicates: Iterable[ox.NamedNode] | None
    objects: Iterable[Term] | None
    outside: Collection[str]
    """Graphs whose statements do not count (a statement counts if another graph holds it)."""


@dataclass(frozen=True)
class Dataset:
    """The graphs a query reads, as a request names them (None: the store's own)."""

    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None


class Store(ABC):
    """What the rest of the application may ask of a dataset."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query; ``substitutions`` bind variables to RDF terms, and
        ``default_graphs``/``named_graphs`` name its dataset (SPARQL 1.1 Protocol's
        ``default-graph-uri`` and ``named-graph-uri``; None: the store's own)."""
        return self._evaluate(sparql, substitutions, Dataset(default_graphs, named_graphs))

    @abstractmethod
    def _evaluate(
        self, sparql: str, substitutions: Mapping[str, Term] | None, dataset: Dataset
    ) -> QueryResult:
        """Evaluate ``sparql`` over ``dataset``, as :meth:`query` says."""

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """The triples of the named graph ``graph``."""
        return list(self.iter_graph_triples(graph))

    def iter_graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of the named graph ``graph``, one at a time.

        Stores that can read their indexes lazily hand them out without
        holding the whole graph; the default reads one query's answer.
        """
        answer = self.query(_GRAPH_TRIPLES, substitutions={"graph": ox.NamedNode(graph)})
        assert isinstance(answer, ox.QuerySolutions)
        for row in answer:
            yield ox.Triple(row["s"], row["p"], row["o"])

    def statements(
        self,
        subjects: Iterable[ox.NamedNode | ox.BlankNode] | None = None,
        predicates: Iterable[ox.NamedNode] | None = None,
        objects: Iterable[Term] | None = None,
        *,
        outside: Collection[str] = (),
    ) -> list[ox.Triple]:
        """The distinct triples, in any graph, whose subject is one of ``subjects``, predicate
        one of ``predicates`` and object one of ``objects`` (``None``: any); with ``outside``,
        only those some named graph other than the graphs ``outside`` names holds.
        """
        return self._statements(StatementPattern(subjects, predicates, objects, outside))

    def _statements(self, pattern: StatementPattern) -> list[ox.Triple]:
        """One query with the terms as inline data; stores that can read their indexes
        directly do better. Blank nodes cannot be named in a query, so they match nothing
        here."""
        subjects, predicates, objects = pattern.subjects, pattern.predicates, pattern.objects
        wanted = {
            name: list(dict.fromkeys(t for t in terms if not isinstance(t, ox.BlankNode)))
            for name, terms in (("s", subjects), ("p", predicates), ("o", objects))
            if terms is not None
        }
        # Properties go in a FILTER when subjects or objects are listed too: two VALUES
        # blocks made the Oxigraph engine join them with every statement (290 ms against
        # 1.3 ms for 40 subjects and 4 properties at a million triples).
        filtered = wanted.pop("p") if "p" in wanted and len(wanted) > 1 else None
        found: dict[ox.Triple, None] = {}
        chunked = [
            [(name, terms[i : i + _VALUES_CHUNK]) for i in range(0, len(terms), _VALUES_CHUNK)]
            for name, terms in wanted.items()
        ]
        where = _statements_pattern(pattern.outside, filtered)
        for values in itertools.product(*chunked):
            answer = self.query(values_query(where, dict(values)))
            assert isinstance(answer, ox.QuerySolutions)
            found.update((ox.Triple(row["s"], row["p"], row["o"]), None) for row in answer)
        return list(found)

    def stated(
        self, triples: Iterable[ox.Triple], *, outside: Collection[str] = ()
    ) -> set[ox.Triple]:
        """Those of ``triples`` some graph holds (but the graphs ``outside`` names): one
        query per few hundred, each subject and property a row of inline data, the values
        compared here (Virtuoso joins no language-tagged literal given as inline data).
        Triples with a blank node cannot be named in a query, so they are never found here."""
        asked = {
            t
            for t in triples
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
        }
        pairs = list(dict.fromkeys((t.subject, t.predicate) for t in asked))
        where = _statements_pattern(outside, None)
        found: set[ox.Triple] = set()
        for start in range(0, len(pairs), _VALUES_CHUNK):
            query = values_rows_query(where, ("s", "p"), pairs[start : start + _VALUES_CHUNK])
            answer = self.query(query)
            assert isinstance(answer, ox.QuerySolutions)
            found.update(ox.Triple(row["s"], row["p"], row["o"]) for row in answer)
        return found & asked

    def is_subject(self, node: ox.NamedNode) -> bool:
        """Whether any graph holds a statement about ``node``."""
        answer = self.query(_IS_SUBJECT, substitutions={"node": node})
        assert isinstance(answer, ox.QueryBoolean)
        return bool(answer)

    def quads_about(self, subjects: Iterable[ox.NamedNode]) -> list[ox.Quad]:
        """Every statement about one of ``subjects``, with the named graph that holds it."""
        found: list[ox.Quad] = []
        listed = list(dict.fromkeys(subjects))
        for start in range(0, len(listed), _VALUES_CHUNK):
            chunk = listed[start : start + _VALUES_CHUNK]
            answer = self.query(values_query(_QUADS_ABOUT, {"s": list(chunk)}))
            assert isinstance(answer, ox.QuerySolutions)
            found += (ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in answer)
        return found

    @property
    def reads_locally(self) -> bool:
        """Whether reads are in-process index lookups, so that a bounded one may run on the
        event loop (a remote store's reads wait on the network: a worker thread's job)."""
        return False

    @abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Each named graph's IRI with its number of triples."""

    @abstractmethod
    def close(self) -> None:
        """Release the store."""

    @property
    @abstractmethod
    def generation(self) -> str:
        """A token that changes whenever the data changes (for caches and ETags)."""

    @abstractmethod
    def apply(self, change: GraphChange) -> str:
        """Apply ``change`` and a new generation in one transaction; return the generation.

        Either every graph of the change and the new generation are written,
        or (on any failure, a crash included) none of them.
        """


def _statements_pattern(outside: Collection[str], properties: list[Term] | None) -> str:
    """The query behind :meth:`Store.statements`: ``?s ?p ?o`` in any graph (but those
    ``outside`` names), its property one of ``properties`` (``None``: any). IRIs are written
    by pyoxigraph.

    >>> _statements_pattern([], [ox.NamedNode("urn:p"), ox.NamedNode("urn:q")])
    'SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER (?p IN (<urn:p>, <urn:q>)) }'
    >>> _statements_pattern(["urn:g"], None)
    'SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g NOT IN (<urn:g>)) }'
    """
    statement = "GRAPH ?g { ?s ?p ?o }" if outside else "?s ?p ?o"
    filters = ""
    if outside:
        graphs = ", ".join(str(ox.NamedNode(graph)) for graph in sorted(outside))
        filters += f" FILTER (?g NOT IN ({graphs}))"
    if properties is not None:
        filters += f" FILTER (?p IN ({', '.join(str(p) for p in properties)}))"
    return f"SELECT DISTINCT ?s ?p ?o WHERE {{ {statement}{filters} }}"
