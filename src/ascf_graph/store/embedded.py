"""The embedded store: a pyoxigraph ``Store`` (RocksDB) in the folder ``ASCF_DATA_DIR`` names.

Its builds live in folders of their own (:mod:`ascf_graph.store.builds`);
it serves the one the ``current`` link names. Embedded generations read
``build-<id>`` after a build and ``build-<id>+<n>`` after the n-th write since it.
"""

import itertools
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from ascf_graph.core.errors import QuerySyntaxError, StoreBusyError, StoreNotBuiltError
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, graph_iri
from ascf_graph.rdf.datasets import query_options
from ascf_graph.rdf.sparql_binding import prepare_bound
from ascf_graph.rdf.sparql_text import analyse
from ascf_graph.store.base import (
    GENERATION_PREDICATE,
    SYSTEM_GRAPH,
    Dataset,
    QueryResult,
    StatementPattern,
    Store,
    Term,
)
from ascf_graph.store.builds import (
    CURRENT_LINK,
    current_build,
    write_lock,
)
from ascf_graph.store.changes import GraphChange, as_sparql_update


class EmbeddedStore(Store):
    """A pyoxigraph store, on disk or in memory."""

    def __init__(
        self,
        store: ox.Store,
        generation: str,
        *,
        read_only: bool = False,
        base_iri: str = DEFAULT_BASE_IRI,
        home: tuple[Path, Path] | None = None,
    ) -> None:
        self._store = store
        self._read_only = read_only
        #: The data dir and the build folder this store was opened from, if on disk.
        self._home = home
        self._system_graph = ox.NamedNode(graph_iri(base_iri, SYSTEM_GRAPH))
        self._build = generation
        self._generation = self._stored_generation() or generation

    @classmethod
    def in_memory(
        cls, quads: Iterable[ox.Quad] = (), *, base_iri: str = DEFAULT_BASE_IRI
    ) -> "EmbeddedStore":
        """A store that lives only in this process (tests, validation contexts)."""
        store = ox.Store()
        store.extend(quads)
        return cls(store, generation=f"memory-{uuid.uuid4().hex[:12]}", base_iri=base_iri)

    @classmethod
    def open(
        cls, data_dir: Path, *, read_only: bool = False, base_iri: str = DEFAULT_BASE_IRI
    ) -> "EmbeddedStore":
        """Open the current build under ``data_dir``, or raise if none was built.

        ``read_only`` opens it without taking RocksDB's lock, beside a server
        that holds it (for reading a build nobody is writing to).
        """
        current = data_dir / CURRENT_LINK
        if not current.exists():
            raise StoreNotBuiltError(
                f"no store has been built in {data_dir}; run `ascf-graph build` first"
            )
        target = current.resolve()
        try:
            store = ox.Store.read_only(str(target)) if read_only else ox.Store(str(target))
        except OSError as error:
            if "lock" not in str(error).lower():
                raise
            raise StoreBusyError(
                f"the store in {data_dir} is in use by another process (a running server?); "
                "query it over HTTP, or stop that process first"
            ) from None
        return cls(
            store,
            generation=target.name,
            read_only=read_only,
            base_iri=base_iri,
            home=(data_dir, target),
        )

    @property
    def generation(self) -> str:
        """The build's folder name, plus ``+n`` after the n-th write since that build."""
        return self._generation

    def snapshot(self, target: Path) -> str:
        """Write a consistent copy of the store into the new folder ``target``; return the
        generation the copy holds.

        RocksDB hard-links its immutable files, so this is cheap; the copy never
        changes and can be opened read-only by other processes (query workers).
        The generation is read from the copy itself (the marker a write leaves in
        the same transaction as its data), not from :attr:`generation`: a write
        may land between reading that and taking the copy.
        """
        self._store.backup(str(target))
        copy = ox.Store.read_only(str(target))
        try:
            return self._stored_generation(copy) or self._build
        finally:
            del copy  # closes the copy's files

    def apply(self, change: GraphChange) -> str:
        """Apply ``change`` as one SPARQL Update, which pyoxigraph runs as one transaction.

        A store opened from a data dir writes under its :func:`write_lock`, and
        only while it is still the published build: a build that swapped in a
        new store meanwhile has already carried the submissions it could see,
        so a write to the retired store would be lost. It is refused instead
        (503, send it again: the next request is served by the new store).
        """
        if self._home is None:
            return self._apply(change)
        data_dir, folder = self._home
        with write_lock(data_dir):
            if current_build(data_dir) != folder:
                raise StoreBusyError(
                    "a new build was published while this write waited; send it again"
                )
            return self._apply(change)

    def _apply(self, change: GraphChange) -> str:
        count = int(self._generation.rpartition("+")[2]) if "+" in self._generation else 0
        generation = f"{self._build}+{count + 1}"
        marker = ox.Triple(self._system_graph, GENERATION_PREDICATE, ox.Literal(generation))
        self._store.update(as_sparql_update(change, marker=(self._system_graph.value, marker)))
        self._generation = generation
        return generation

    def _stored_generation(self, store: ox.Store | None = None) -> str | None:
        """The marker the last write left in ``store`` (default: this one), if any."""
        for quad in (store or self._store).quads_for_pattern(
            self._system_graph, GENERATION_PREDICATE, None, self._system_graph
        ):
            return quad.object.value
        return None

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for bulk work inside this package."""
        return self._store

    def _evaluate(
        self, sparql: str, substitutions: Mapping[str, Term] | None, dataset: Dataset
    ) -> QueryResult:
        """Evaluate ``sparql`` with the union of named graphs as default graph."""
        options = query_options(
            dataset.default_graphs,
            dataset.named_graphs,
            union_default_graph=dataset.default_graphs is None and not analyse(sparql).has_dataset,
        )
        sparql, leftover = prepare_bound(sparql, substitutions)
        if leftover:
            options["substitutions"] = leftover
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as error:
            raise QuerySyntaxError(f"SPARQL syntax error: {error}") from None

    def iter_graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of the named graph ``graph``, read lazily from the indexes."""
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield quad.triple

    def _statements(self, pattern: StatementPattern) -> list[ox.Triple]:
        """Read from the indexes, no SPARQL."""
        left_out = {ox.NamedNode(graph) for graph in pattern.outside}
        found: dict[ox.Triple, None] = {}
        seek = self._store.quads_for_pattern
        for subject, predicate, value in itertools.product(
            _any(pattern.subjects), _any(pattern.predicates), _any(pattern.objects)
        ):
            for quad in seek(subject, predicate, value, None):
                if quad.graph_name not in left_out:
                    found[quad.triple] = None
        return list(found)

    def stated(
        self, triples: Iterable[ox.Triple], *, outside: Collection[str] = ()
    ) -> set[ox.Triple]:
        """Those of ``triples`` some graph holds (but the graphs ``outside`` names): one
        index seek each."""
        left_out = {ox.NamedNode(graph) for graph in outside}
        seek = self._store.quads_for_pattern
        return {
            triple
            for triple in triples
            if any(
                quad.graph_name not in left_out
                for quad in seek(triple.subject, triple.predicate, triple.object, None)
            )
        }

    def is_subject(self, node: ox.NamedNode) -> bool:
        """Whether any graph holds a statement about ``node``: one index seek."""
        return next(iter(self._store.quads_for_pattern(node, None, None, None)), None) is not None

    def quads_about(self, subjects: Iterable[ox.NamedNode]) -> list[ox.Quad]:
        """Every statement about one of ``subjects``, with its named graph: from the indexes."""
        seek = self._store.quads_for_pattern
        return [
            quad
            for subject in dict.fromkeys(subjects)
            for quad in seek(subject, None, None, None)
            if not isinstance(quad.graph_name, ox.DefaultGraph)
        ]

    @property
    def reads_locally(self) -> bool:
        """Always: the indexes are in this process."""
        return True

    def graph_sizes(self) -> dict[str, int]:
        """Each named graph's IRI with its number of triples, in IRI order (system graph left
        out)."""
        solutions = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        sizes = {row["g"].value: int(row["n"].value) for row in solutions}
        sizes.pop(self._system_graph.value, None)
        return sizes

    def close(self) -> None:
        """Flush writes; pyoxigraph closes the database when the object goes."""
        if not self._read_only:
            self._store.flush()
        del self._store


def _any(terms: Iterable[Term] | None) -> Iterable[Term | None]:
    """The terms to look up in turn; ``None`` stands for any term."""
    return (None,) if terms is None else list(dict.fromkeys(terms))
