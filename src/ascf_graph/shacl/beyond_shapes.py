"""The checks made outside the shapes, in one place, so that the service and the command
line give one file the same verdict.

Each needs something no SHACL engine the service runs has: the same project's other record
in the store (:mod:`~ascf_graph.shacl.duplicates`), the outlines of the countries
(:mod:`~ascf_graph.shacl.coordinates`), the registry of language subtags
(:mod:`~ascf_graph.shacl.language_tags`), the year a city joined the network
(:mod:`~ascf_graph.shacl.membership_years`).
"""

from collections.abc import Collection, Sequence

import pyoxigraph as ox

from ascf_graph.shacl.coordinates import coordinates_outside_country
from ascf_graph.shacl.duplicates import duplicate_projects
from ascf_graph.shacl.language_tags import unregistered_language_tags
from ascf_graph.shacl.membership_years import projects_before_their_city_joined
from ascf_graph.shacl.reports import ValidationReport, ValidationResult, with_results
from ascf_graph.store.base import Store


def results_beyond_shapes(
    data: Sequence[ox.Triple],
    store: Store | None,
    base_iri: str,
    *,
    superseded: Collection[str] = (),
) -> list[ValidationResult]:
    """What the checks outside the shapes find in ``data``, looking up the store (outside
    the ``superseded`` graphs) where they need to."""
    return [
        *duplicate_projects(data, store, base_iri, superseded=superseded),
        *coordinates_outside_country(data, store, base_iri),
        *unregistered_language_tags(data),
        *projects_before_their_city_joined(data, store, base_iri),
    ]


def checked_beyond_shapes(
    report: ValidationReport,
    data: Sequence[ox.Triple],
    store: Store | None,
    base_iri: str,
    *,
    superseded: Collection[str] = (),
) -> ValidationReport:
    """``report`` (the shapes') with what :func:`results_beyond_shapes` finds added."""
    found = results_beyond_shapes(data, store, base_iri, superseded=superseded)
    return with_results(report, found)
