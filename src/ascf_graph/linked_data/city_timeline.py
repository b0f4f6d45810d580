"""A city's projects over the years, with their partners: the table on a city's page.

Each project of the city, with the reports that list it (the year, and the heading of the
list it is printed in where the report has headings) and the organisations the reports
name on it, in their roles. A project with no record, such as a 2018 action plan's, is
listed in its source's year, on the row of the later project it is the same as. Read
with the city bound as a term, never pasted into the query.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ascf_graph.core.namespaces import DCT, PROV, RDF, RDFS, SKOS
from ascf_graph.linked_data.addresses import local_path
from ascf_graph.store.base import Store

# Each query is one basic pattern: a bound term inside an OPTIONAL group is evaluated
# unbound (SPARQL works bottom-up), and Virtuoso 7.2's compiler fails on a bound property
# variable beside any OPTIONAL ("ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED").
_PROJECTS = f"""
SELECT ?project ?title WHERE {{ ?project ?inCity ?city ; <{RDFS}label> ?title }}
"""

_RECORDS = f"""
SELECT ?project ?record ?date WHERE {{
  ?project ?inCity ?city .
  ?record <{PROV}specializationOf> ?project ; <{DCT}isPartOf> ?report .
  ?report <{DCT}date> ?date
}}
"""

_STATUSES = f"""
SELECT ?record ?status WHERE {{
  ?project ?inCity ?city .
  ?record <{PROV}specializationOf> ?project ; ?printedStatus ?heading .
  ?heading <{SKOS}prefLabel> ?status FILTER (LANG(?status) = "en")
}}
"""

# The 2018 plans' records linked to the later project they are (ascf:sameProjectAs).
_SAME = """
SELECT ?plan ?project WHERE { ?plan ?inCity ?city ; ?same ?project . ?project ?inCity ?city }
"""

# A project with no record (a 2018 action plan's) is listed in its source's year.
_SOURCED = f"""
SELECT ?project ?date WHERE {{
  ?project ?inCity ?city ; <{DCT}source>/<{DCT}date> ?date .
  FILTER NOT EXISTS {{ ?any <{PROV}specializationOf> ?project }}
}}
"""

_PARTNERS = f"""
SELECT ?project ?role ?organisation ?name WHERE {{
  ?project ?inCity ?city .
  ?fact <{RDF}subject> ?project ; <{RDF}predicate> ?role ; <{RDF}object> ?organisation .
  ?organisation <{RDFS}label> ?name .
}}
"""


@dataclass(frozen=True)
class Partner:
    """An organisation the reports name on a project, and in which role."""

    role: str
    name: str
    href: str | None


@dataclass
class ProjectYears:
    """One project of the city: where the reports list it, and who takes part."""

    iri: str
    title: str
    href: str | None
    listed: dict[int, str] = field(default_factory=dict)
    partners: list[Partner] = field(default_factory=list)


@dataclass(frozen=True)
class CityTimeline:
    """The years any report lists a project of the city in, and the projects."""

    years: list[int]
    projects: list[ProjectYears]


def city_timeline(store: Store, city: str, base_iri: str) -> CityTimeline:
    """The projects of ``city`` over the reports' years, with their partners."""
    bound = {"city": ox.NamedNode(city), "inCity": ox.NamedNode(f"{base_iri}def/city")}
    projects: dict[str, ProjectYears] = {}
    printed = ox.NamedNode(f"{base_iri}def/printedStatus")
    statuses = {
        row["record"].value: row["status"].value
        for row in _rows(store, _STATUSES, {**bound, "printedStatus": printed})
    }
    for row in _rows(store, _PROJECTS, bound):
        iri = row["project"].value
        project = projects.setdefault(
            iri, ProjectYears(iri, row["title"].value, local_path(iri, base_iri))
        )
        project.title = min(project.title, row["title"].value)
    for row in _rows(store, _RECORDS, bound):
        if row["project"].value in projects:
            status = statuses.get(row["record"].value, "listed")
            projects[row["project"].value].listed[_year(row["date"])] = status
    for row in _rows(store, _SOURCED, bound):
        if row["project"].value in projects:
            projects[row["project"].value].listed[_year(row["date"])] = "listed"
    same = ox.NamedNode(f"{base_iri}def/sameProjectAs")
    for row in _rows(store, _SAME, {**bound, "same": same}):
        plan, later = projects.get(row["plan"].value), projects.get(row["project"].value)
        if plan is not None and later is not None and plan is not later:
            later.listed = {**plan.listed, **later.listed}  # one row: the plan's year, then
            del projects[plan.iri]
    named: dict[str, set[Partner]] = defaultdict(set)
    for row in _rows(store, _PARTNERS, bound):
        role = row["role"].value.rsplit("/", 1)[-1]
        organisation = row["organisation"].value
        named[row["project"].value].add(
            Partner(role, row["name"].value, local_path(organisation, base_iri))
        )
    for iri, found in named.items():
        if iri in projects:
            projects[iri].partners = sorted(found, key=lambda p: (p.role, p.name))
    years = sorted({year for project in projects.values() for year in project.listed})
    ordered = sorted(projects.values(), key=lambda p: (-max(p.listed, default=0), p.title))
    return CityTimeline(years, ordered)


def _rows(store: Store, sparql: str, bound: dict[str, ox.NamedNode]) -> ox.QuerySolutions:
    answer = store.query(sparql, substitutions=bound)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _year(date: ox.Literal) -> int:
    """The year of an ``xsd:date``."""
    return int(date.value[:4])
