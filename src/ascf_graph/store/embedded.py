"""The dataset behind every read and write: one interface, embedded or remote.

The embedded store is a pyoxigraph ``Store`` (RocksDB) in a folder chosen by
``ASCF_DATA_DIR``. A build never writes into the store that is being served:
it fills a fresh folder and then swaps the ``current`` link to it in one
atomic rename, so readers see the old store or the new one, never half of one.

Queries see the union of all named graphs as their default graph (unless
they name their own with ``FROM``), and each named graph by name.

Writes (the stewards' submissions) go through :meth:`Store.apply`: one
:class:`~ascf_graph.store.changes.GraphChange` (graphs replaced, appended to,
dropped) in one transaction together with a new **generation**. The
generation is persisted inside the same transaction as a marker triple in
``{base}graph/system``, so it changes on every build and every write, survives
restarts, and can never disagree with the data: caches and ETags keyed on
:attr:`Store.generation` are invalidated exactly when the data changes.
Embedded generations read ``build-<id>`` after a build and ``build-<id>+<n>``
after the n-th write since it.
"""

import fcntl
import itertools
import os
import shutil
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from ascf_graph.core.errors import QuerySyntaxError, StoreBusyError, StoreNotBuiltError
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, graph_iri
from ascf_graph.rdf.datasets import query_options
from ascf_graph.rdf.sparql_binding import prepare_bound, values_query
from ascf_graph.rdf.sparql_text import analyse
from ascf_graph.store.changes import GraphChange, as_sparql_update

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal

WRITE_LOCK = ".write-lock"
# SELECT, not CONSTRUCT: Virtuoso answers a CONSTRUCT with a table of ?s ?p ?o when the
# client also accepts SPARQL results, as a remote store's client must.
_GRAPH_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH ?graph { ?s ?p ?o } }"
_IS_SUBJECT = "ASK { ?node ?p ?o }"
#: The most terms one VALUES block of :meth:`Store.statements` lists.
_VALUES_CHUNK = 400

CURRENT_LINK = "current"
STORES_FOLDER = "stores"
#: Marks of the builds in progress, one locked file per folder being built.
BUILDING_FOLDER = ".building"
#: The graph (under ``{base}graph/``) that holds the generation marker, not data.
SYSTEM_GRAPH = "system"
#: The marker's predicate: ``<{base}graph/system> dct:identifier "generation"``.
GENERATION_PREDICATE = ox.NamedNode("http://purl.org/dc/terms/identifier")


class Store(ABC):
    """What the rest of the application may ask of a dataset."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query; ``substitutions`` bind variables to RDF terms."""

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

        One query with the terms as inline data; stores that can read their
        indexes directly do better. Blank nodes cannot be named in a query, so
        they match nothing here.
        """
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
        pattern = _statements_pattern(outside, filtered)
        for values in itertools.product(*chunked):
            answer = self.query(values_query(pattern, dict(values)))
            assert isinstance(answer, ox.QuerySolutions)
            found.update((ox.Triple(row["s"], row["p"], row["o"]), None) for row in answer)
        return list(found)

    def is_subject(self, node: ox.NamedNode) -> bool:
        """Whether any graph holds a statement about ``node``."""
        answer = self.query(_IS_SUBJECT, substitutions={"node": node})
        assert isinstance(answer, ox.QueryBoolean)
        return bool(answer)

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

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Evaluate ``sparql`` with the union of named graphs as default graph."""
        options = query_options(
            default_graphs,
            named_graphs,
            union_default_graph=default_graphs is None and not analyse(sparql).has_dataset,
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

    def statements(
        self,
        subjects: Iterable[ox.NamedNode | ox.BlankNode] | None = None,
        predicates: Iterable[ox.NamedNode] | None = None,
        objects: Iterable[Term] | None = None,
        *,
        outside: Collection[str] = (),
    ) -> list[ox.Triple]:
        """The distinct triples matching the patterns, read from the indexes (no SPARQL);
        with ``outside``, only those held by a graph other than the ones it names."""
        left_out = {ox.NamedNode(graph) for graph in outside}
        found: dict[ox.Triple, None] = {}
        seek = self._store.quads_for_pattern
        for subject, predicate, value in itertools.product(
            _any(subjects), _any(predicates), _any(objects)
        ):
            for quad in seek(subject, predicate, value, None):
                if quad.graph_name not in left_out:
                    found[quad.triple] = None
        return list(found)

    def is_subject(self, node: ox.NamedNode) -> bool:
        """Whether any graph holds a statement about ``node``: one index seek."""
        return next(iter(self._store.quads_for_pattern(node, None, None, None)), None) is not None

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


def _any(terms: Iterable[Term] | None) -> Iterable[Term | None]:
    """The terms to look up in turn; ``None`` stands for any term."""
    return (None,) if terms is None else list(dict.fromkeys(terms))


@contextmanager
def new_build_folder(data_dir: Path) -> Iterator[Path]:
    """A fresh, empty folder for the next build's store, removed on the way out unless
    it was published (a failed build leaves nothing behind).

    While the context lasts the folder is marked as being built (an exclusive
    ``flock`` on ``.building/<name>``, taken before the folder exists), so that
    :func:`remove_unfinished_builds` never takes a running build's folder for the
    leftover of one that was killed, which a ``finally`` cannot clean up after.
    """
    name = f"build-{uuid.uuid4().hex[:16]}"
    marks = data_dir / BUILDING_FOLDER
    marks.mkdir(parents=True, exist_ok=True)
    with (marks / name).open("a") as mark:
        fcntl.flock(mark, fcntl.LOCK_EX)
        folder = data_dir / STORES_FOLDER / name
        try:
            folder.mkdir(parents=True)
            yield folder
        finally:
            if current_build(data_dir) != folder.resolve():
                shutil.rmtree(folder, ignore_errors=True)
            (marks / name).unlink(missing_ok=True)


def publish_build(data_dir: Path, folder: Path) -> None:
    """Point ``current`` at ``folder`` atomically, then remove older builds (under the
    write lock, as every caller of :func:`remove_unfinished_builds`)."""
    link = data_dir / CURRENT_LINK
    staging = data_dir / f".{CURRENT_LINK}-{uuid.uuid4().hex[:8]}"
    staging.symlink_to(folder.relative_to(data_dir))
    os.replace(staging, link)
    remove_unfinished_builds(data_dir)


def remove_unfinished_builds(data_dir: Path) -> list[str]:
    """Remove every store folder but the published one and those still being built:
    the builds a newer one replaced, and what a killed build left. Call it holding
    :func:`write_lock`, so that no build publishes meanwhile; returns what it removed."""
    removed = []
    current = current_build(data_dir)
    stores = data_dir / STORES_FOLDER
    for folder in sorted(stores.iterdir()) if stores.is_dir() else ():
        if folder.resolve() == current or _being_built(data_dir, folder.name):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        (data_dir / BUILDING_FOLDER / folder.name).unlink(missing_ok=True)
        removed.append(folder.name)
    for staging in data_dir.glob(f".{CURRENT_LINK}-*"):  # a link a killed swap left
        staging.unlink(missing_ok=True)
    return removed


def _being_built(data_dir: Path, name: str) -> bool:
    """Whether a live build holds the mark of the folder ``name``."""
    try:
        mark = (data_dir / BUILDING_FOLDER / name).open("rb")
    except FileNotFoundError:
        return False
    with mark:
        try:
            fcntl.flock(mark, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(mark, fcntl.LOCK_UN)
        return False


@contextmanager
def write_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time across processes: every write, and a build from the moment
    it reads the submissions it carries over until it has swapped ``current``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / WRITE_LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_build(data_dir: Path) -> Path | None:
    """The folder ``current`` points at, if a build was published."""
    link = data_dir / CURRENT_LINK
    return link.resolve() if link.exists() else None
