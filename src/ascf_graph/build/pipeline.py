"""Build the store from ``ontology/``, ``shapes/`` and ``data/``.

Every file goes into its own named graph; HermiT checks the ontology and data
for consistency; the rules of :mod:`ascf_graph.store.entailment` write
``graph/inferred``; the shipped data and the framework are validated against
the shapes. A fresh on-disk store is written meanwhile, on every core (see
:mod:`ascf_graph.build.parallel_load`), and published only when all of that has
passed (see :func:`ascf_graph.store.builds.publish_build`), carrying over the accepted
submissions of the store it replaces. A failure at any step leaves the
published store exactly as it was, and removes the half-written folder; a
build killed outright leaves it to the next build, which removes it first.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ascf_graph.build.parallel_load import ParallelLoad
from ascf_graph.build.reasoning import Source, check_consistency
from ascf_graph.core.errors import BuildError, NonConformingDataError
from ascf_graph.core.graph_names import INFERRED, GraphRole, graph_role
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, graph_iri
from ascf_graph.core.settings import Settings
from ascf_graph.rdf.formats import SYNTAXES
from ascf_graph.rdf.io import load_file, parse_file, rebase, to_rdflib_graph
from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.backends import open_store
from ascf_graph.store.builds import (
    current_build,
    new_build_folder,
    publish_build,
    remove_unfinished_builds,
    write_lock,
)
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.corrections import by_graph, withheld
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.entailment import materialise
from ascf_graph.store.remote import RemoteStore

_RDF_EXTENSIONS = {f".{syntax.extension}" for syntax in SYNTAXES}
#: Graphs written by stewards' submissions (and their provenance), kept across builds.
KEPT_ACROSS_BUILDS = (GraphRole.SUBMISSION, GraphRole.SUBMISSION_INFERRED, GraphRole.PROVENANCE)


@dataclass(frozen=True)
class SourceFile:
    """One file of the project and the named graph it is loaded into."""

    path: Path
    graph: str
    role: GraphRole


@dataclass
class BuildReport:
    """What a build loaded and inferred."""

    graphs: dict[str, int] = field(default_factory=dict)
    inferred: int = 0
    reasoner: str = "hermit"
    carried_submissions: int = 0
    seconds: float = 0.0
    store: Path | str | None = None

    @property
    def triples(self) -> int:
        """Triples across all graphs."""
        return sum(self.graphs.values())

    def to_text(self) -> str:
        """A table of graphs and triple counts, then the totals."""
        width = max((len(name) for name in self.graphs), default=10)
        lines = [f"{name:<{width}}  {count:>8}" for name, count in self.graphs.items()]
        lines.append(
            f"{len(self.graphs)} graphs, {self.triples} triples "
            f"({self.inferred} inferred, reasoner: {self.reasoner}, "
            f"{self.carried_submissions} submissions kept) in {self.seconds:.1f} s"
        )
        if self.store:
            lines.append(f"store: {self.store}")
        return "\n".join(lines) + "\n"


def discover_sources(settings: Settings) -> list[SourceFile]:
    """The RDF files of ontology/, shapes/ and data/, each with its graph IRI."""
    folders = (
        (settings.ontology_dir, GraphRole.ONTOLOGY, ""),
        (settings.shapes_dir, GraphRole.SHAPES, "shapes/"),
        (settings.instance_dir, GraphRole.DATA, "data/"),
    )
    sources: list[SourceFile] = []
    seen: dict[str, Path] = {}
    for folder, role, prefix in folders:
        if not folder.is_dir():
            raise BuildError(f"{folder} is missing: the build needs ontology/, shapes/ and data/")
        for path in sorted(folder.iterdir()):
            if path.suffix not in _RDF_EXTENSIONS or not path.is_file():
                continue
            name = graph_iri(settings.base_iri, prefix + path.stem)
            if name in seen:
                raise BuildError(f"{path} and {seen[name]} would both fill the graph <{name}>")
            seen[name] = path
            sources.append(SourceFile(path, name, role))
    return sources


def assemble(settings: Settings, sources: list[SourceFile]) -> ox.Store:
    """Parse every source into its named graph of a fresh in-memory store.

    Under the default base the engine reads each file straight into its graph
    (no Python object per triple: a million triples in about a second);
    under another base every IRI is moved onto it on the way.
    """
    store = ox.Store()
    for source in sources:
        graph = ox.NamedNode(source.graph)
        if settings.base_iri == DEFAULT_BASE_IRI:
            load_file(store, source.path, graph)
            continue
        quads = parse_file(source.path)
        store.extend(
            ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in rebase(quads, settings.base_iri)
        )
    return store


def build(
    settings: Settings, *, reasoner: bool = True, validate_content: bool = True
) -> BuildReport:
    """Build and publish the store; raise :class:`BuildError` and change nothing on failure.

    ``validate_content=False`` skips the SHACL check of data/ and ontology/:
    only for generated benchmark data (``bench/``), which is too large for
    pyshacl and whose validation the benchmark times on its own.
    """
    started = time.perf_counter()
    sources = discover_sources(settings)
    staged = assemble(settings, sources)
    report = BuildReport(reasoner="hermit" if reasoner else "none (skipped)")
    inferred_graph = ox.NamedNode(graph_iri(settings.base_iri, INFERRED))

    def infer_and_check() -> None:
        if reasoner:
            hermit_facts = check_consistency(
                _reasoning_sources(staged, sources, settings.base_iri), java=settings.java
            )
            # Only what it concludes of our own resources.
            staged.extend(
                ox.Quad(t.subject, t.predicate, t.object, inferred_graph)
                for t in hermit_facts
                if t.subject.value.startswith(settings.base_iri) and not _stated(staged, t)
            )
        materialise(staged, inferred_graph)
        if validate_content:
            _require_conformance(staged, settings)

    if settings.store_url is not None:
        infer_and_check()
        remote = open_store(settings)
        assert isinstance(remote, RemoteStore)
        try:
            report.store = f"{settings.store_url} (generation {_publish_remote(staged, remote)})"
            report.graphs = remote.graph_sizes()
        finally:
            remote.close()
    else:
        report.carried_submissions = _publish(
            staged, settings, meanwhile=infer_and_check, later_graph=inferred_graph
        )
        published = EmbeddedStore.open(
            settings.data_dir, read_only=True, base_iri=settings.base_iri
        )
        try:
            report.graphs = published.graph_sizes()
        finally:
            published.close()
        report.store = current_build(settings.data_dir)
    report.inferred = report.graphs.get(inferred_graph.value, 0)
    report.seconds = time.perf_counter() - started
    return report


#: SKOS's mapping properties: links between vocabularies (the alignment graphs, a city's
#: skos:closeMatch to GeoNames), which SKOS does not make OWL annotations and the ontology
#: does not redeclare.
SKOS_MAPPINGS = frozenset(
    ox.NamedNode(f"http://www.w3.org/2004/02/skos/core#{name}")
    for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)
_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
_STATEMENT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement")


def _reasoning_sources(staged: ox.Store, sources: list[SourceFile], base_iri: str) -> list[Source]:
    """Ontology files first, then data files: the order the culprit search adds them.

    Left out, as no part of what the reasoner checks of our ontology and data: SKOS
    mapping statements (links between vocabularies); ``owl:sameAs`` to an IRI not ours (a
    city identified with its GeoNames feature: the reasoner would re-derive every fact of
    the city for the feature, doubling its time, and none of that is ours to publish); and
    reified statements (``rdf:Statement`` nodes carrying a fact's quote), whose vocabulary
    OWL 2 DL reserves.
    """
    ordered = sorted(
        (s for s in sources if s.role in (GraphRole.ONTOLOGY, GraphRole.DATA)),
        key=lambda s: s.role is not GraphRole.ONTOLOGY,
    )
    reified = {quad.subject for quad in staged.quads_for_pattern(None, RDF_TYPE, _STATEMENT)}
    return [
        Source(
            name=str(s.path),
            triples=[
                quad
                for quad in staged.quads_for_pattern(None, None, None, ox.NamedNode(s.graph))
                if quad.predicate not in SKOS_MAPPINGS
                and quad.subject not in reified
                and not (
                    quad.predicate == _SAME_AS
                    and isinstance(quad.object, ox.NamedNode)
                    and not quad.object.value.startswith(base_iri)
                )
            ],
        )
        for s in ordered
    ]


def _stated(store: ox.Store, triple: ox.Triple) -> bool:
    return (
        next(iter(store.quads_for_pattern(triple.subject, triple.predicate, triple.object)), None)
        is not None
    )


def _require_conformance(staged: ox.Store, settings: Settings) -> None:
    """Refuse to publish shipped data or a framework that violates the shapes."""
    store = EmbeddedStore(staged, generation="staging")
    context = ValidationContext.for_build(store, settings.base_iri)
    data_graphs = [
        name
        for name in store.graph_sizes()
        if graph_role(name, settings.base_iri) in (GraphRole.DATA, GraphRole.ONTOLOGY)
    ]
    data = rdflib.Graph()
    for name in data_graphs:
        data += to_rdflib_graph(staged.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    report = validate(data, context)
    if not report.conforms:
        raise NonConformingDataError(
            "the shipped framework or data violate the shapes, so nothing was built:\n"
            + report.to_text()
        )


def _publish_remote(staged: ox.Store, remote: RemoteStore) -> str:
    """Replace every built graph on the remote store; keep its submission and provenance
    graphs, and withhold again the shipped statements current corrections replace."""
    built = sorted({quad.graph_name.value for quad in staged})
    stale = [
        name
        for name in remote.graph_sizes()
        if name not in built and graph_role(name, remote.base_iri) not in KEPT_ACROSS_BUILDS
    ]
    graphs = {
        name: (q.triple for q in staged.quads_for_pattern(None, None, None, ox.NamedNode(name)))
        for name in built
    }
    generation = remote.replace_graphs(graphs, drop=stale)
    corrected = withheld(remote, remote.base_iri)  # corrections still take precedence
    if corrected:
        generation = remote.apply(GraphChange(remove=by_graph(corrected)))
    return generation


def _publish(
    staged: ox.Store,
    settings: Settings,
    *,
    meanwhile: Callable[[], None],
    later_graph: ox.NamedNode,
) -> int:
    """Write ``staged`` plus the current store's submissions to a new folder, then swap.

    The quads staged so far are written on every core while ``meanwhile``
    runs (inference and checks, which may add quads to ``later_graph`` only,
    or raise to stop the build); ``later_graph`` is written after it.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with write_lock(settings.data_dir):  # what earlier builds left, if one was killed
        remove_unfinished_builds(settings.data_dir)
    with new_build_folder(settings.data_dir) as folder:  # removed unless published
        target = ox.Store(str(folder))
        with ParallelLoad(staged, target, later_graph) as load:
            meanwhile()
            load.finish()
        with write_lock(settings.data_dir):
            carried = _carry_submissions(settings, target)
            target.flush()
            target.optimize()
            del target
            publish_build(settings.data_dir, folder)
    return carried


def _carry_submissions(settings: Settings, target: ox.Store) -> int:
    """Copy every submission graph of the current store, and their provenance and reports,
    into ``target``, and withhold again the shipped statements current corrections replace
    (:mod:`ascf_graph.store.corrections`); return the number of submission graphs."""
    if current_build(settings.data_dir) is None:
        return 0
    previous = EmbeddedStore.open(settings.data_dir, read_only=True, base_iri=settings.base_iri)
    try:
        roles = {name: graph_role(name, settings.base_iri) for name in previous.graph_sizes()}
        names = [name for name, role in roles.items() if role in KEPT_ACROSS_BUILDS]
        for name in names:
            target.bulk_extend(
                previous.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(name))
            )
        for quad in withheld(previous, settings.base_iri):  # corrections still take precedence
            target.remove(quad)
    finally:
        previous.close()
    return sum(1 for name in names if roles[name] is GraphRole.SUBMISSION)
