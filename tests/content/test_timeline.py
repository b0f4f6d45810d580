"""The network's projects over its four monitoring reports, checked against the report
extracts and the link file in ../shared directly, not against our importer's output:
every row is a record, every link joins the records it names, and the curated timeline
queries give the answers the files give."""

import csv
from collections import Counter

import pytest

from ascf_graph.sparql import run as sparql
from ascf_graph.sparql.curated import load_curated
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO, SHARED

BASE = "https://w3id.org/ascf/"
ASCN = SHARED / "data" / "ascn"
QUERIES = load_curated(REPO / "queries")
YEARS = (2022, 2023, 2024, 2025)
FOCUS_AREA = {  # as printed -> the framework's label
    "Civic & Social": "Civic and Social",
    "Health & Well-Being": "Health and Well-being",
    "Safety & Security": "Safety and Security",
    "Quality Environment": "Quality Environment",
    "Built Infrastructure": "Built Infrastructure",
    "Industry & Innovation": "Industry and Innovation",
}


def table(name: str) -> list[dict[str, str]]:
    with (ASCN / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report_rows(year: int) -> list[dict[str, str]]:
    return table(f"projects-{year}.csv")


def record(year: int, row: str) -> str:
    return f"{BASE}id/project-record/{year}-{row.lower()}"


def rows(store: EmbeddedStore, name: str, **params: str) -> list[dict[str, str]]:
    query = QUERIES[name]
    result = sparql.run(store, query.text, substitutions=query.bind(params))
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def chains() -> list[list[tuple[int, str]]]:
    """Each project's rows, earliest first, from the link file alone."""
    following = {
        (int(link["year_a"]), link["row_a"]): (int(link["year_b"]), link["row_b"])
        for link in table("project-links-across-reports.csv")
    }
    preceded = set(following.values())
    found = []
    for year in YEARS:
        for row in report_rows(year):
            key = (year, f"{row['appendix']}{row['row_no']}")
            if key in preceded:
                continue
            chain = [key]
            while chain[-1] in following:
                chain.append(following[chain[-1]])
            found.append(chain)
    return found


@pytest.mark.parametrize("year", YEARS)
def test_every_row_of_every_report_is_a_record_counted_as_the_file_counts(
    store: EmbeddedStore, year: int
) -> None:
    listed = [r for r in rows(store, "projects_listed_by_each_report") if int(r["year"]) == year]
    counted = Counter({(r["focusArea"], r.get("status", "")): int(r["projects"]) for r in listed})
    expected = Counter((FOCUS_AREA[r["focus_area"]], r["status"]) for r in report_rows(year))
    statuses = {
        "Ongoing and under Planning": "ongoing and under planning",
        "Completed": "completed",
    }
    assert {(area, status.lower()) for area, status in counted} == {
        (area, statuses.get(status, status).lower()) for area, status in expected
    }
    assert (
        sum(counted.values())
        == len(report_rows(year))
        == {2022: 77, 2023: 86, 2024: 108, 2025: 134}[year]
    )
    assert sorted(counted.values()) == sorted(expected.values())


def test_every_link_joins_the_records_it_names_into_one_project(store: EmbeddedStore) -> None:
    links = table("project-links-across-reports.csv")
    assert len(links) == 252
    found = {
        (r["later"].value, r["earlier"].value): (r["how"].value, r["note"] is not None)
        for r in store.oxigraph.query(
            """PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?later ?earlier ?how ?note WHERE {
              ?later prov:wasRevisionOf ?earlier ; <https://w3id.org/ascf/def/matchedBy> ?how ;
                prov:specializationOf ?project .
              ?earlier prov:specializationOf ?project .
              OPTIONAL { ?later <http://www.w3.org/2004/02/skos/core#editorialNote> ?note } }""",
            use_default_graph_as_union=True,
        )
    }
    expected = {
        (record(int(link["year_b"]), link["row_b"]), record(int(link["year_a"]), link["row_a"])): (
            link["match"],
            bool(link["note"]),
        )
        for link in links
    }
    assert found == expected


def test_a_project_keeps_one_iri_and_one_dropped_from_a_report_shows_where_it_stopped(
    store: EmbeddedStore,
) -> None:
    timeline = rows(store, "projects_of_city_over_time", city=f"{BASE}id/city/chonburi")
    years = {}
    for row in timeline:
        years.setdefault(row["project"].rsplit("/", 1)[1], []).append(int(row["year"]))
    # PROVENANCE.md: Chonburi's "Waste to Energy" has no successor after 2023.
    assert years["chonburi-waste-to-energy"] == [2022, 2023]
    chained = sum(len(chain) for chain in chains())
    assert chained == 77 + 86 + 108 + 134
    projects = {r["project"] for r in rows(store, "projects_of_city_over_time")}
    assert len(projects) == len(chains())


def test_projects_in_every_report_are_the_link_files_four_report_chains(
    store: EmbeddedStore,
) -> None:
    found = rows(store, "projects_in_every_report")
    whole = [chain for chain in chains() if len(chain) == len(YEARS)]
    names_2025 = {f"{r['appendix']}{r['row_no']}": r["project_name"] for r in report_rows(2025)}
    assert sorted(r["title"] for r in found) == sorted(names_2025[chain[-1][1]] for chain in whole)
    assert len(found) >= 55  # PROVENANCE.md: 55 by city and normalised name alone


def test_projects_completed_per_year_follow_the_completed_lists(store: EmbeddedStore) -> None:
    found = {
        int(r["year"]): (int(r["completed"]), int(r["newlyCompleted"]))
        for r in rows(store, "projects_completed_per_year")
    }
    completed = {
        year: {f"B{r['row_no']}" for r in report_rows(year) if r["appendix"] == "B"}
        for year in (2024, 2025)
    }
    earlier = {
        link["row_b"]: link["row_a"]
        for link in table("project-links-across-reports.csv")
        if link["year_b"] == "2025"
    }
    newly_2025 = {row for row in completed[2025] if not earlier.get(row, "").startswith("B")}
    assert found == {2024: (11, 11), 2025: (len(completed[2025]), len(newly_2025))}


def test_the_2018_plans_show_what_became_of_them(store: EmbeddedStore) -> None:
    found = rows(store, "scap_2018_plans_and_what_became_of_them")
    assert len(found) == len(table("projects-2018-scap.csv")) == 52
    followed = [r for r in found if "project" in r]
    with (REPO / "data" / "mappings" / "same-projects-2018-2025.csv").open(encoding="utf-8") as f:
        assert len(followed) == len(list(csv.DictReader(f))) == 32
    assert all(r["lastListed"] == "2025" for r in followed)
    kampong_ayer = next(r for r in followed if r["planned"].startswith("Revitalise Kampong Ayer"))
    assert kampong_ayer["title"] == "Revitalisation of Kampong Ayer (Water Village)"
    assert (kampong_ayer["firstListed"], kampong_ayer["reports"]) == ("2022", "4")
    assert kampong_ayer["status"] == "Ongoing and under Planning"
