"""The shapes stewards' data is checked against, derived once per store generation.

Reading the shapes graphs out of the store and turning them into an rdflib
graph (about 900 triples) is the same work for every request until the
store changes, so the service keeps the result in its
:class:`~ascf_graph.store.generation_cache.GenerationCache` under
:data:`CACHE_KEY` (or a key of its own for shapes only sent to workers); a
write or a new build moves the generation on and the next request derives
them again.

The graph is shared by the requests of one generation, which only read it.
Where pyshacl checks it in this process (no input workers), the requests'
threads hand it to pyshacl at once, and pyshacl adds two axioms of its own
to any shapes graph it is given, so they are added here, once, before the
graph is shared; the version that provenance records is taken before that,
from the shapes as stored. Where input workers check the data, the server
only sends the graph to them, and each builds its own: the server then
neither imports pyshacl nor has it add to the graph (9 of the 19 MB by
which the first validation of a generation grew the server).
"""

from dataclasses import dataclass, field

import rdflib

from ascf_graph.shacl.prepared_queries import PreparedQueries
from ascf_graph.shacl.validation import submission_shapes
from ascf_graph.stewards.provenance import ShapesVersion
from ascf_graph.store.base import Store
from ascf_graph.store.generation_cache import GenerationCache

#: The key of the submission shapes in the generation cache.
CACHE_KEY = "submission shapes"


@dataclass(frozen=True)
class SubmissionShapes:
    """The submission shapes of one store generation, the version provenance records, and
    their SPARQL as the generation's validations have prepared it."""

    graph: rdflib.Graph
    version: ShapesVersion
    queries: PreparedQueries = field(default_factory=PreparedQueries, compare=False)


def derive_submission_shapes(
    store: Store, base_iri: str, *, for_pyshacl_here: bool = True
) -> SubmissionShapes:
    """The submission shapes of ``store``, ready to be shared by concurrent validations:
    with pyshacl's own axioms added when ``for_pyshacl_here`` (pyshacl checks data in this
    process), left out when only input workers are sent the graph."""
    graph = submission_shapes(store, base_iri)
    version = ShapesVersion.of(graph)
    if for_pyshacl_here:
        # Imported here: pyshacl takes a tenth of a second to import, and the server process
        # must start fast; the first validation of a generation pays it once.
        import pyshacl  # noqa: PLC0415

        pyshacl.ShapesGraph(graph)  # adds its axioms now, so no validation writes later
    return SubmissionShapes(graph=graph, version=version)


def shapes_for_submissions(
    store: Store, base_iri: str, cache: GenerationCache | None, *, for_pyshacl_here: bool = True
) -> SubmissionShapes:
    """The submission shapes of ``store``'s current generation: from ``cache`` when it holds
    them, derived (and kept there) otherwise; without a cache, derived each time.
    ``for_pyshacl_here``: see :func:`derive_submission_shapes`."""

    def derive() -> SubmissionShapes:
        return derive_submission_shapes(store, base_iri, for_pyshacl_here=for_pyshacl_here)

    if cache is None:
        return derive()
    key = CACHE_KEY if for_pyshacl_here else f"{CACHE_KEY}, to send"
    return cache.memo(store.generation, key, derive)
