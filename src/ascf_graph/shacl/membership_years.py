"""A project reported in a year is in a city that was a member of the network that year.

The year a project is reported in is the year of its source (``dct:source``, a report
with a ``dct:date`` or ``dct:issued``, as the network's monitoring reports are), else the
year it is submitted. The year a city joined is its membership's ``ascf:joinedYear``
(``org:hasMembership``). A project reported before its city joined is a Warning: the
report may be right and the join year wrong, or the city named wrongly, and a person must
say which. Read from the data first, then from the store (one query per city or source
named, with the term bound, never pasted into the query). Checked here rather than in a
shape because the city's membership and the source's date are usually in the store, not
in the file.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from ascf_graph.core.namespaces import DCT, ORG
from ascf_graph.shacl.reports import ValidationResult, compact
from ascf_graph.store.base import Store

#: The source shape and component of this check's Warnings.
MEMBERSHIP_SHAPE = "https://w3id.org/ascf/def/shapes/Project-in-a-member-city-that-year"
MEMBERSHIP_COMPONENT = "https://w3id.org/ascf/def/shapes/MemberThatYearConstraintComponent"
DCT_SOURCE = ox.NamedNode(f"{DCT}source")
DATED = (ox.NamedNode(f"{DCT}date"), ox.NamedNode(f"{DCT}issued"))
HAS_MEMBERSHIP = ox.NamedNode(f"{ORG}hasMembership")
_YEAR = re.compile(r"^(\d{4})")

_JOINED = """
SELECT ?joined WHERE { ?city ?hasMembership ?membership . ?membership ?joinedYear ?joined }
"""
_DATE = "SELECT ?date WHERE { ?source ?dated ?date }"


@dataclass(frozen=True)
class _Terms:
    city: ox.NamedNode
    joined_year: ox.NamedNode

    @classmethod
    def under(cls, base_iri: str) -> "_Terms":
        return cls(ox.NamedNode(f"{base_iri}def/city"), ox.NamedNode(f"{base_iri}def/joinedYear"))


@dataclass
class _Reports:
    """What the data says of projects, their sources, cities and memberships."""

    cities: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    sources: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    years: dict[ox.NamedNode, int] = field(default_factory=dict)
    memberships: dict[ox.NamedNode | ox.BlankNode, ox.NamedNode] = field(default_factory=dict)
    membership_years: dict[ox.NamedNode | ox.BlankNode, int] = field(default_factory=dict)
    looked_up: set[ox.NamedNode] = field(default_factory=set)  # sources asked of the store

    def read(self, triple: ox.Triple, terms: _Terms) -> None:
        subject, predicate, value = triple.subject, triple.predicate, triple.object
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            return
        if predicate == terms.city and isinstance(value, ox.NamedNode):
            if isinstance(subject, ox.NamedNode):
                self.cities.setdefault(subject, set()).add(value)
        elif predicate == DCT_SOURCE and isinstance(value, ox.NamedNode):
            if isinstance(subject, ox.NamedNode):
                self.sources.setdefault(subject, set()).add(value)
        elif predicate in DATED and isinstance(subject, ox.NamedNode):
            year = year_of(value)
            if year is not None:
                self.years[subject] = min(year, self.years.get(subject, year))
        elif predicate == HAS_MEMBERSHIP and isinstance(value, ox.NamedNode | ox.BlankNode):
            if isinstance(subject, ox.NamedNode):
                self.memberships[value] = subject
        elif predicate == terms.joined_year:
            year = year_of(value)
            if year is not None:
                self.membership_years[subject] = year

    def joined(self) -> dict[ox.NamedNode, int]:
        """The year each city of the data joined (the earliest of its memberships)."""
        found: dict[ox.NamedNode, int] = {}
        for membership, city in self.memberships.items():
            if membership in self.membership_years:
                year = self.membership_years[membership]
                found[city] = min(year, found.get(city, year))
        return found


def year_of(value: ox.NamedNode | ox.BlankNode | ox.Literal) -> int | None:
    """The year a date, date-time or year literal begins with, None for anything else.

    >>> year_of(ox.Literal("2018", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    2018
    """
    if not isinstance(value, ox.Literal):
        return None
    found = _YEAR.match(value.value)
    return int(found[1]) if found else None


def projects_before_their_city_joined(
    data: Sequence[ox.Triple], store: Store | None, base_iri: str, *, this_year: int | None = None
) -> list[ValidationResult]:
    """A Warning for each project of ``data`` reported in a year before its city joined the
    network; ``this_year`` (default: now, UTC) stands for a project with no dated source."""
    terms = _Terms.under(base_iri)
    reports = _Reports()
    for triple in data:
        reports.read(triple, terms)
    if not reports.cities:
        return []
    joined = reports.joined()
    this_year = this_year or datetime.now(UTC).year
    found = []
    for project in sorted(reports.cities, key=str):
        reported, source = _reported(project, reports, store)
        for city in sorted(reports.cities[project], key=str):
            if city not in joined and store is not None:
                bound = {
                    "city": city,
                    "hasMembership": HAS_MEMBERSHIP,
                    "joinedYear": terms.joined_year,
                }
                joined[city] = _earliest(store, _JOINED, "joined", [bound])
            year = joined.get(city)
            if year is not None and year > (reported or this_year):
                found.append(
                    _warning(
                        project,
                        path=terms.city,
                        city=city,
                        joined=year,
                        reported=reported or this_year,
                        source=source,
                    )
                )
    return found


def _reported(
    project: ox.NamedNode, reports: _Reports, store: Store | None
) -> tuple[int | None, ox.NamedNode | None]:
    """The earliest year of the project's dated sources, and that source."""
    dated = []
    for source in sorted(reports.sources.get(project, ()), key=str):
        if source not in reports.years and source not in reports.looked_up and store:
            reports.looked_up.add(source)
            year = _earliest(
                store, _DATE, "date", [{"source": source, "dated": dated} for dated in DATED]
            )
            if year is not None:
                reports.years[source] = year
        if source in reports.years:
            dated.append((reports.years[source], source))
    return min(dated, key=lambda d: d[0]) if dated else (None, None)


def _earliest(
    store: Store, sparql: str, variable: str, bindings: list[dict[str, ox.NamedNode]]
) -> int | None:
    """The earliest year among ``variable``'s values in the answers to ``sparql`` under each
    of ``bindings``."""
    years = [
        year_of(row[variable])
        for bound in bindings
        for row in store.query(sparql, substitutions=bound)  # type: ignore[union-attr]
    ]
    known = [year for year in years if year is not None]
    return min(known) if known else None


def _warning(
    project: ox.NamedNode,
    *,
    path: ox.NamedNode,
    city: ox.NamedNode,
    joined: int,
    reported: int,
    source: ox.NamedNode | None,
) -> ValidationResult:
    when = (
        f"reported in {reported} (the date of its source {compact(source.value)})"
        if source is not None
        else f"submitted in {reported}"
    )
    return ValidationResult(
        severity="Warning",
        focus_node=project.value,
        path=path.value,
        value=city.value,
        message=(
            f"This project is {when}, but its city {compact(city.value)} joined the network "
            f"in {joined}: a project is reported in a city that was a member that year. Check "
            "the city, the source's date, or the year the city joined."
        ),
        shape=MEMBERSHIP_SHAPE,
        constraint=MEMBERSHIP_COMPONENT,
        fix=(
            "Check the project's city and its source's date; if both are right, ask the "
            "network to correct the year the city joined."
        ),
    )
