"""The same project twice: a project in the same city with the same title as another record
(in the store, or in the same file) is a Warning naming the other record.

Titles are compared as :func:`title_key` makes them: transliterated, lower case,
letters and digits only ("Smart Parking – Phase 1" and "smart parking phase 1" are one).
Records linked as ``ascf:sameProjectAs`` are the same project on purpose (a report's
record of one already listed) and are not reported. Checked here rather than in a
shape because the other record is not in the data: it is looked up in the store, one
query per city the data names.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from anyascii import anyascii

from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.shacl.reports import ValidationResult, compact
from ascf_graph.store.base import Store

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
#: The source shape and component of a duplicate's Warning.
DUPLICATE_SHAPE = "https://w3id.org/ascf/def/shapes/Project-not-twice"
DUPLICATE_COMPONENT = "https://w3id.org/ascf/def/shapes/DuplicateProjectConstraintComponent"
#: Keys shorter than this say too little to call two titles the same.
MIN_KEY = 4


def title_key(title: str) -> str:
    """A title as compared: transliterated, lower case, letters and digits only.

    >>> title_key("Smart Parking – Phase 1") == title_key("smart parking phase 1")
    True
    """
    return re.sub(r"[^a-z0-9]", "", anyascii(title).lower())


@dataclass
class _Records:
    """What is known of the projects to compare: their cities, titles and links."""

    cities: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))
    titles: dict[ox.NamedNode, set[str]] = field(default_factory=lambda: defaultdict(set))
    linked: set[frozenset[ox.NamedNode]] = field(default_factory=set)
    projects: set[ox.NamedNode] = field(default_factory=set)
    by_city: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))

    def read(self, triple: ox.Triple, terms: "_Terms") -> None:
        """Note what ``triple`` says of a project (of the data, or of the store)."""
        subject, predicate, value = triple.subject, triple.predicate, triple.object
        if not isinstance(subject, ox.NamedNode):
            return
        if predicate == terms.city and isinstance(value, ox.NamedNode):
            self.cities[subject].add(value)
            self.by_city[value].add(subject)
        elif predicate == RDFS_LABEL and isinstance(value, ox.Literal):
            self.titles[subject].add(value.value)
        elif predicate == terms.same and isinstance(value, ox.NamedNode):
            self.linked.add(frozenset((subject, value)))
        elif predicate == RDF_TYPE and value == terms.project:
            self.projects.add(subject)

    def keys(self, project: ox.NamedNode) -> set[str]:
        return {key for key in map(title_key, self.titles[project]) if len(key) >= MIN_KEY}


@dataclass(frozen=True)
class _Terms:
    city: ox.NamedNode
    same: ox.NamedNode
    project: ox.NamedNode

    @classmethod
    def under(cls, base_iri: str) -> "_Terms":
        return cls(
            *(
                ox.NamedNode(f"{base_iri}def/{n}")
                for n in ("city", "sameProjectAs", "SmartCityProject")
            )
        )


def duplicate_projects(
    data: Sequence[ox.Triple],
    store: Store | None,
    base_iri: str,
    *,
    superseded: Iterable[str] = (),
) -> list[ValidationResult]:
    """A Warning for each project of ``data`` whose city has another record (in ``store``,
    outside the ``superseded`` graphs, or in ``data``) with the same :func:`title_key`."""
    terms = _Terms.under(base_iri)
    records = _Records()
    for triple in data:
        records.read(triple, terms)
    described = sorted(
        (p for p in records.projects if records.cities[p] and records.titles[p]), key=str
    )
    if not described:
        return []
    if store is not None:
        _read_store(records, terms, store, described, tuple(superseded))
    keys = {project: records.keys(project) for project in records.titles}
    by_title: dict[tuple[ox.NamedNode, str], list[ox.NamedNode]] = defaultdict(list)
    for place, members in records.by_city.items():
        for member in sorted(members, key=str):
            for key in keys.get(member, ()):
                by_title[place, key].append(member)
    found = []
    for project in described:
        twin = next(
            (
                (other, place)
                for place in sorted(records.cities[project], key=str)
                for key in sorted(keys[project])
                for other in by_title[place, key]
                if other != project and frozenset((project, other)) not in records.linked
            ),
            None,
        )
        if twin is not None:
            found.append(_warning(project, twin[0], twin[1], records.titles[project]))
    return found


def _read_store(
    records: _Records,
    terms: _Terms,
    store: Store,
    described: list[ox.NamedNode],
    superseded: tuple[str, ...],
) -> None:
    """Add the store's other projects of the cities ``described`` are in, with their
    titles and links."""
    named = sorted({c for p in described for c in records.cities[p]}, key=str)
    for triple in store.statements(predicates=[terms.city], objects=named, outside=superseded):
        if isinstance(triple.subject, ox.NamedNode):
            records.by_city[triple.object].add(triple.subject)  # type: ignore[index]
    others = sorted({p for ps in records.by_city.values() for p in ps} - set(described), key=str)
    for triple in store.statements(
        subjects=others, predicates=[RDFS_LABEL, terms.same], outside=superseded
    ):
        records.read(triple, terms)


def _warning(
    project: ox.NamedNode, other: ox.NamedNode, place: ox.NamedNode, titles: set[str]
) -> ValidationResult:
    title = sorted(titles)[0]
    return ValidationResult(
        severity="Warning",
        focus_node=project.value,
        path=RDFS_LABEL.value,
        value=other.value,
        message=(
            f"Another record of {compact(place.value)}, {compact(other.value)}, has the same "
            f"title ({title!r}): the same project twice? If it is, change that record rather "
            "than adding this one, or link the two with ascf:sameProjectAs."
        ),
        shape=DUPLICATE_SHAPE,
        constraint=DUPLICATE_COMPONENT,
        fix=(
            f"Change {compact(other.value)} instead, or state ascf:sameProjectAs "
            f"{compact(other.value)} if they are two reports' records of one project."
        ),
    )
