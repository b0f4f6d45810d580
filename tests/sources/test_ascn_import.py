"""The ASCN importer turns the public CSV extracts into the graph the contract describes.

The real extracts live in ``shared/data/ascn`` beside the clone (CI guarantees
it); the error and mapping cases use tiny CSV files written to ``tmp_path``.
"""

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from ascf_graph.core.errors import CsvImportError
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI
from ascf_graph.rdf.turtle import turtle
from ascf_graph.sources.ascn_import import (
    cities_graph,
    city_index,
    import_ascn,
    project_prefixes,
    projects_2018_graph,
    projects_2025_graph,
    resolve_city,
)
from ascf_graph.sources.ascn_sources import (
    CityRow,
    ProjectRow,
    ScapProjectRow,
    load_label_mapping,
    read_cities,
    read_projects_2018,
    read_projects_2025,
    read_same_project_links,
    read_scap_classification,
    read_snapshot,
    split_labels,
)
from tests.support.framework_concepts import FOCUS_AREAS, SUB_AREAS
from tests.support.stores import REPO

SOURCE = REPO.parent / "shared" / "data" / "ascn"
MAPPINGS = REPO / "data" / "mappings"
MAPPING = MAPPINGS / "focus-area-labels.csv"
CLASSIFICATION = MAPPINGS / "scap-2018-classification.csv"
SAME_PROJECTS = MAPPINGS / "same-projects-2018-2025.csv"
SCAP_REPORT = URIRef("https://asean.org/wp-content/uploads/2019/02/ASCN-Consolidated-SCAPs.pdf")

ASCF = Namespace(DEFAULT_BASE_IRI + "def/")
ID = DEFAULT_BASE_IRI + "id/"
ASCN = URIRef(ID + "organisation/ascn")
ASEAN_PAGE = URIRef("https://asean.org/our-communities/asean-smart-cities-network/")
REPORT = URIRef(
    "https://asean.org/wp-content/uploads/2025/11/2025-ASCN-ME-Report-Final_30Sep2025-for-public.pdf"
)
PROJECT_HEADER = (
    "appendix,row_no,country,city,project_name,focus_area,status,source_page,source_pdf_page\n"
)


def _source(name: str) -> Path:
    """A file of the shared ASCN extracts, which CI places beside the clone."""
    path = SOURCE / name
    assert path.is_file(), f"{path} is missing: shared/data/ascn must sit beside the clone"
    return path


@pytest.fixture(scope="module")
def cities() -> list[CityRow]:
    return read_cities(_source("cities.csv"))


@pytest.fixture(scope="module")
def projects() -> list[ProjectRow]:
    return read_projects_2025(_source("projects-2025.csv"))


@pytest.fixture(scope="module")
def mapping() -> dict[str, list[str]]:
    return load_label_mapping(MAPPING)


@pytest.fixture(scope="module")
def city_graph(cities: list[CityRow]) -> Graph:
    return cities_graph(cities)


@pytest.fixture(scope="module")
def project_graph(
    projects: list[ProjectRow], cities: list[CityRow], mapping: dict[str, list[str]]
) -> Graph:
    return projects_2025_graph(projects, cities, mapping)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int], dict[str, str]]:
    out = tmp_path_factory.mktemp("data")
    counts = import_ascn(SOURCE, out, mappings_dir=MAPPINGS)
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(out.glob("*.ttl"))}
    return counts, texts


def _project_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "projects-2025.csv"
    path.write_text(PROJECT_HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def _import_projects(path: Path, cities: list[CityRow], mapping: dict[str, list[str]]) -> Graph:
    return projects_2025_graph(read_projects_2025(path), cities, mapping)


# --- cities -----------------------------------------------------------------


def test_all_38_member_cities_each_have_one_ascn_membership(city_graph: Graph) -> None:
    cities = set(city_graph.subjects(RDF.type, ASCF.City))
    assert len(cities) == 38
    memberships = set(city_graph.subjects(RDF.type, ASCF.NetworkMembership))
    assert len(memberships) == 38
    for city in cities:
        (membership,) = city_graph.objects(city, ORG.hasMembership)
        assert city_graph.value(membership, ORG.organization) == ASCN
        assert city_graph.value(membership, DCTERMS.source) == ASEAN_PAGE
        assert city_graph.value(city, DCTERMS.source) == ASEAN_PAGE


def test_join_years_are_those_of_the_roster(city_graph: Graph) -> None:
    years = Counter(str(year) for year in city_graph.objects(None, ASCF.joinedYear))
    assert years == {"2018": 26, "2023": 3, "2024": 2, "2025": 6, "2026": 1}
    assert all(year.datatype == XSD.gYear for year in city_graph.objects(None, ASCF.joinedYear))


def test_a_city_has_its_asean_name_as_label_and_other_spellings_as_alt_labels(
    city_graph: Graph,
) -> None:
    jakarta = URIRef(ID + "city/dki-jakarta")
    assert city_graph.value(jakarta, RDFS.label) == Literal("DKI Jakarta", lang="en")
    assert set(city_graph.objects(jakarta, SKOS.altLabel)) == {Literal("Jakarta", lang="en")}
    cauayan = URIRef(ID + "city/cauayan-city")
    assert set(city_graph.objects(cauayan, SKOS.altLabel)) == {
        Literal("Cauayan", lang="en"),
        Literal("Cauayan, Isabela", lang="en"),
    }


def test_administration_as_named_only_where_the_csv_names_it(
    city_graph: Graph, cities: list[CityRow]
) -> None:
    named = {row.name for row in cities if row.admin_level_as_named}
    assert len(named) == 11
    with_body = {
        str(city_graph.value(city, RDFS.label))
        for city in city_graph.subjects(ASCF.administrationAsNamed, None)
    }
    assert with_body == named
    assert city_graph.value(URIRef(ID + "city/banyuwangi"), ASCF.administrationAsNamed) == Literal(
        "Regency"
    )
    assert city_graph.value(URIRef(ID + "city/rayong"), ASCF.administrationAsNamed) is None


def test_cities_point_at_the_contract_country_iris(city_graph: Graph) -> None:
    countries = {
        str(country).removeprefix(ID + "country/")
        for country in city_graph.objects(None, ASCF.country)
    }
    assert countries == {
        "brunei-darussalam",
        "cambodia",
        "indonesia",
        "lao-pdr",
        "malaysia",
        "myanmar",
        "philippines",
        "singapore",
        "thailand",
        "timor-leste",
        "viet-nam",
    }


def test_a_bad_join_year_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cities.csv"
    path.write_text(
        "name,alt_names,country,country_iso2,joined_year,admin_level_as_named\n"
        "Bangkok,,Thailand,TH,2018,\n"
        "Phuket,,Thailand,TH,soon,\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError, match=r"cities\.csv, row 3, column 'joined_year'"):
        read_cities(path)


# --- projects 2025 ----------------------------------------------------------


def test_all_134_projects_of_the_report_are_imported(project_graph: Graph) -> None:
    assert len(set(project_graph.subjects(RDF.type, ASCF.SmartCityProject))) == 134


def test_counts_by_focus_area_are_those_of_the_appendix(project_graph: Graph) -> None:
    counts = Counter(
        str(area).removeprefix(ID + "focus-area/")
        for area in project_graph.objects(None, ASCF.focusArea)
    )
    assert counts == {
        "civic-and-social": 34,
        "built-infrastructure": 32,
        "quality-environment": 25,
        "safety-and-security": 19,
        "industry-and-innovation": 16,
        "health-and-well-being": 8,
    }


def test_18_completed_and_116_ongoing_and_under_planning(project_graph: Graph) -> None:
    statuses = Counter(
        str(status).removeprefix(ID + "project-status/")
        for status in project_graph.objects(None, ASCF.status)
    )
    assert statuses == {"completed": 18, "ongoing-and-under-planning": 116}


def test_every_project_city_is_one_of_the_38_member_cities(
    project_graph: Graph, city_graph: Graph
) -> None:
    members = set(city_graph.subjects(RDF.type, ASCF.City))
    for project in project_graph.subjects(RDF.type, ASCF.SmartCityProject):
        (city,) = project_graph.objects(project, ASCF.city)
        assert city in members, project
    assert len(set(project_graph.objects(None, ASCF.city))) == 35


def test_report_spellings_resolve_to_the_asean_names(
    projects: list[ProjectRow], cities: list[CityRow]
) -> None:
    index = city_index(cities)
    resolved = {row.city: resolve_city(row, index).name for row in projects}
    assert resolved["Ha Noi"] == "Hanoi"
    assert resolved["Jakarta"] == "DKI Jakarta"
    assert resolved["Manila City"] == "Manila"


def test_a_project_iri_uses_the_city_slug_and_cites_its_appendix_row(
    project_graph: Graph,
) -> None:
    virgo = URIRef(
        ID + "project/vientiane-vientiane-integrated-urban-information-gis-based-"
        "opendata-virgo-platform"
    )
    assert project_graph.value(virgo, RDFS.label) == Literal(
        "Vientiane Integrated Urban Information GIS-based Opendata (VirGo) Platform", lang="en"
    )
    assert project_graph.value(virgo, DCTERMS.bibliographicCitation) == Literal(
        "ASCN Monitoring and Evaluation Report 2025, Appendix A, no. 41, p. 28", lang="en"
    )
    assert project_graph.value(virgo, DCTERMS.source) == REPORT
    jakarta_projects = set(project_graph.subjects(ASCF.city, URIRef(ID + "city/dki-jakarta")))
    assert jakarta_projects
    assert all(str(p).startswith(ID + "project/dki-jakarta-") for p in jakarta_projects)


def test_the_report_is_described_as_a_source_entity(project_graph: Graph) -> None:
    assert (REPORT, RDF.type, PROV.Entity) in project_graph
    assert project_graph.value(REPORT, DCTERMS.title) == Literal(
        "ASEAN Smart Cities Network Monitoring and Evaluation Report 2025", lang="en"
    )
    assert project_graph.value(REPORT, DCTERMS.date) == Literal("2025-09-30", datatype=XSD.date)


def test_an_unknown_focus_area_label_fails_naming_row_and_column(
    tmp_path: Path, cities: list[CityRow], mapping: dict[str, list[str]]
) -> None:
    path = _project_csv(
        tmp_path,
        "A,1,Thailand,Bangkok,Traffic Lights,Built Infrastructure,Ongoing and under Planning,1,2",
        "A,2,Thailand,Bangkok,Sky Gardens,Green Dreams,Ongoing and under Planning,1,2",
    )
    with pytest.raises(CsvImportError, match=r"row 3, column 'focus_area'.*'Green Dreams'"):
        _import_projects(path, cities, mapping)


def test_an_unknown_city_fails_naming_the_row(
    tmp_path: Path, cities: list[CityRow], mapping: dict[str, list[str]]
) -> None:
    path = _project_csv(
        tmp_path, "B,1,Thailand,Atlantis,Sea Wall,Built Infrastructure,Completed,1,2"
    )
    with pytest.raises(CsvImportError, match=r"row 2, column 'city'.*'Atlantis'"):
        _import_projects(path, cities, mapping)


def test_a_city_in_another_country_than_the_row_says_fails(
    tmp_path: Path, cities: list[CityRow], mapping: dict[str, list[str]]
) -> None:
    path = _project_csv(
        tmp_path, "B,1,Viet Nam,Bangkok,Sea Wall,Built Infrastructure,Completed,1,2"
    )
    with pytest.raises(CsvImportError, match=r"row 2, column 'country'"):
        _import_projects(path, cities, mapping)


def test_two_rows_with_the_same_project_slug_fail(
    tmp_path: Path, cities: list[CityRow], mapping: dict[str, list[str]]
) -> None:
    path = _project_csv(
        tmp_path,
        "A,1,Indonesia,DKI Jakarta,Smart Lights,Civic & Social,Ongoing and under Planning,1,2",
        "B,1,Indonesia,Jakarta,Smart-Lights,Built Infrastructure,Completed,3,4",
    )
    with pytest.raises(CsvImportError, match=r"row 3, column 'project_name'.*row 2"):
        _import_projects(path, cities, mapping)


def test_a_status_that_is_not_its_appendix_heading_fails(tmp_path: Path) -> None:
    path = _project_csv(tmp_path, "B,1,Thailand,Bangkok,Sea Wall,Built Infrastructure,Planned,1,2")
    with pytest.raises(CsvImportError, match=r"row 2, column 'status'"):
        read_projects_2025(path)


def test_upskilling_research_maps_to_two_sub_areas(
    tmp_path: Path, cities: list[CityRow], mapping: dict[str, list[str]]
) -> None:
    path = _project_csv(
        tmp_path,
        'A,1,Thailand,Khon Kaen,Skills Lab,"Upskilling, Research",Ongoing and under Planning,1,2',
    )
    graph = _import_projects(path, cities, mapping)
    project = URIRef(ID + "project/khon-kaen-skills-lab")
    assert set(graph.objects(project, ASCF.subArea)) == {
        URIRef(ID + "sub-area/upskilling"),
        URIRef(ID + "sub-area/research"),
    }
    assert set(graph.objects(project, ASCF.focusArea)) == set()


def test_a_label_with_commas_inside_is_one_sub_area(mapping: dict[str, list[str]]) -> None:
    labels = split_labels("Public Safety, City Surveillance, & Crime Prevention, Research", mapping)
    assert labels == ["Public Safety, City Surveillance, & Crime Prevention", "Research"]


def test_the_mapping_targets_only_framework_focus_areas_and_sub_areas(
    mapping: dict[str, list[str]],
) -> None:
    framework = {f"{ID}{c.kind}/{c.slug}" for c in FOCUS_AREAS + SUB_AREAS}
    targets = {iri for iris in mapping.values() for iri in iris}
    assert targets <= framework
    assert {f"{ID}{c.kind}/{c.slug}" for c in SUB_AREAS} <= targets
    assert mapping["Health & Well-Being"] == [ID + "focus-area/health-and-well-being"]
    assert mapping["Resources Access & Management"] == [
        ID + "sub-area/resource-access-and-management"
    ]


def test_a_mapping_row_pointing_elsewhere_fails_naming_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "label,framework_iri,note\n"
        f"Research,{ID}sub-area/research,\n"
        f"Governance,{ID}goal/good-governance,\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError, match=r"labels\.csv, row 3, column 'framework_iri'"):
        load_label_mapping(path)


# --- projects 2018 ----------------------------------------------------------


def test_the_2018_scaps_hold_two_projects_for_each_of_the_26_pilot_cities(
    cities: list[CityRow],
) -> None:
    rows = read_projects_2018(_source("projects-2018-scap.csv"))
    assert len(rows) == 52
    by_city = Counter(row.city for row in rows)
    assert len(by_city) == 26
    assert set(by_city.values()) == {2}
    assert {(row.city, row.project_no) for row in rows} == {
        (city, number) for city in by_city for number in (1, 2)
    }
    index = city_index(cities)
    assert {resolve_city(row, index).joined_year for row in rows} == {2018}
    phuket = next(row for row in rows if row.city == "Phuket" and row.project_no == 2)
    assert phuket.project_name == (
        "Phuket Eagle Eyes - Safe City based on Big Data Harvesting and Analytics CCTV Safe City"
    )
    assert all(row.overview for row in rows)


@pytest.fixture(scope="module")
def scap_rows() -> list[ScapProjectRow]:
    return read_projects_2018(_source("projects-2018-scap.csv"))


@pytest.fixture(scope="module")
def scap_graph(
    scap_rows: list[ScapProjectRow], cities: list[CityRow], projects: list[ProjectRow]
) -> Graph:
    return projects_2018_graph(
        scap_rows,
        cities,
        read_scap_classification(CLASSIFICATION),
        read_same_project_links(SAME_PROJECTS),
        projects,
    )


def test_all_52_scap_projects_are_imported_with_city_overview_and_source(
    scap_graph: Graph, scap_rows: list[ScapProjectRow], city_graph: Graph
) -> None:
    projects = set(scap_graph.subjects(RDF.type, ASCF.SmartCityProject))
    assert len(projects) == len(scap_rows) == 52
    pilots = {
        city
        for city in city_graph.subjects(RDF.type, ASCF.City)
        for membership in city_graph.objects(city, ORG.hasMembership)
        if str(city_graph.value(membership, ASCF.joinedYear)) == "2018"
    }
    assert set(scap_graph.objects(None, ASCF.city)) == pilots
    overviews = {str(o) for o in scap_graph.objects(None, DCTERMS.description)}
    assert overviews == {row.overview for row in scap_rows}
    for project in projects:
        assert str(project).endswith("-scap-2018")
        assert scap_graph.value(project, DCTERMS.source) == SCAP_REPORT
        assert scap_graph.value(project, ASCF.status) is None, "the SCAPs give no status"
    assert (SCAP_REPORT, RDF.type, PROV.Entity) in scap_graph


def test_scap_iris_never_collide_with_the_2025_records(
    scap_graph: Graph, project_graph: Graph
) -> None:
    scap = set(scap_graph.subjects(RDF.type, ASCF.SmartCityProject))
    report = set(project_graph.subjects(RDF.type, ASCF.SmartCityProject))
    assert not scap & report


def test_every_scap_project_is_classified_or_says_why_not_as_the_mapping_says(
    scap_graph: Graph,
) -> None:
    classification = read_scap_classification(CLASSIFICATION)
    assert len(classification) == 52
    for project in scap_graph.subjects(RDF.type, ASCF.SmartCityProject):
        areas = {str(a) for a in scap_graph.objects(project, ASCF.focusArea)} | {
            str(a) for a in scap_graph.objects(project, ASCF.subArea)
        }
        reason = scap_graph.value(project, ASCF.notClassifiedBecause)
        assert bool(areas) != (reason is not None), project
        title = str(scap_graph.value(project, RDFS.label))
        (entry,) = [c for c in classification.values() if c.project_name == title]
        systems = {str(u) for u in scap_graph.objects(project, ASCF.urbanSystem)}
        assert areas | systems == set(entry.framework_iris)
        notes = [str(n) for n in scap_graph.objects(project, SKOS.editorialNote)]
        assert len(notes) == len(entry.framework_iris)
        assert all("not by the SCAP" in note for note in notes)
    unclassified = [c for c in classification.values() if not c.classified]
    assert len(unclassified) == 9
    # One of them, a plan of a district, is filed under the urban system of paragraph 10.
    (plan,) = scap_graph.subjects(ASCF.urbanSystem, None)
    assert str(plan) == ID + "project/bangkok-smart-city-plan-scap-2018"
    assert scap_graph.value(plan, ASCF.notClassifiedBecause) is not None


def test_same_project_links_join_records_of_one_city_as_the_mapping_documents(
    scap_graph: Graph, project_graph: Graph
) -> None:
    links = list(scap_graph.subject_objects(ASCF.sameProjectAs))
    assert len(links) == len(read_same_project_links(SAME_PROJECTS)) == 32
    report_projects = set(project_graph.subjects(RDF.type, ASCF.SmartCityProject))
    for old, new in links:
        assert new in report_projects
        assert scap_graph.value(old, ASCF.city) == project_graph.value(new, ASCF.city)
    kuching = URIRef(ID + "project/kuching-integrated-flood-management-and-response-system")
    assert (
        URIRef(ID + "project/kuching-integrated-flood-management-and-response-system-scap-2018"),
        ASCF.sameProjectAs,
        kuching,
    ) in scap_graph


def _mappings_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "mappings"
    folder.mkdir()
    for path in MAPPINGS.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_a_scap_project_missing_from_the_classification_fails_naming_it(
    tmp_path: Path,
) -> None:
    folder = _mappings_copy(tmp_path)
    table = folder / CLASSIFICATION.name
    kept = [
        line for line in table.read_text(encoding="utf-8").splitlines() if "Hanoi,2," not in line
    ]
    table.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(CsvImportError, match=r"project 2 of Hanoi .*classify it"):
        import_ascn(SOURCE, tmp_path / "out", mappings_dir=folder)
    assert not (tmp_path / "out" / "ascn-projects-2018-scap.ttl").exists()


def test_a_project_both_unclassified_and_classified_fails(tmp_path: Path) -> None:
    table = tmp_path / "classification.csv"
    table.write_text(
        "city,project_no,project_name,framework_iri,reason\n"
        "Hanoi,1,IOC,,spans everything\n"
        f"Hanoi,1,IOC,{ID}sub-area/governance,a reason\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError, match=r"row 3, column 'framework_iri'.*both"):
        read_scap_classification(table)


def test_a_project_under_an_urban_system_only_must_say_why_it_has_no_focus_area(
    tmp_path: Path,
) -> None:
    table = tmp_path / "classification.csv"
    header = "city,project_no,project_name,framework_iri,reason\n"
    plan = f"Hanoi,1,Plan,{ID}urban-system/integrated-master-planning-and-development,a plan\n"
    table.write_text(header + plan, encoding="utf-8")
    with pytest.raises(CsvImportError, match=r"row 2, .*no focus area or sub-area"):
        read_scap_classification(table)
    table.write_text(header + "Hanoi,1,Plan,,spans everything\n" + plan, encoding="utf-8")
    (entry,) = read_scap_classification(table).values()
    assert not entry.classified
    assert entry.not_classified_because == "spans everything"
    assert entry.framework_iris == (f"{ID}urban-system/integrated-master-planning-and-development",)


def test_a_classification_outside_the_framework_kinds_fails_naming_the_iri(
    tmp_path: Path,
) -> None:
    table = tmp_path / "classification.csv"
    table.write_text(
        "city,project_no,project_name,framework_iri,reason\n"
        f"Hanoi,1,IOC,{ID}enabler/partnership-and-funding,a reason\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError, match=r"enabler/partnership-and-funding.*urban-system"):
        read_scap_classification(table)


def test_a_same_project_link_to_a_misnamed_row_fails_naming_row_and_column(
    tmp_path: Path,
) -> None:
    folder = _mappings_copy(tmp_path)
    table = folder / SAME_PROJECTS.name
    text = table.read_text(encoding="utf-8")
    table.write_text(
        text.replace("A,57,Integrated Flood", "A,58,Integrated Flood"), encoding="utf-8"
    )
    with pytest.raises(CsvImportError, match=r"column 'me2025_project_name'.*A58"):
        import_ascn(SOURCE, tmp_path / "out", mappings_dir=folder)


# --- output files -----------------------------------------------------------


def test_import_writes_every_file_and_counts_their_triples(
    written: tuple[dict[str, int], dict[str, str]],
) -> None:
    counts, texts = written
    assert set(texts) == {
        "ascn-cities.ttl",
        "ascn-projects-2025.ttl",
        "ascn-projects-2018-scap.ttl",
        "ascn-city-places.ttl",
        "ascn-project-timeline.ttl",
        "ascn-project-facts-2025.ttl",
    }
    assert counts == {
        "ascn-cities": 368,
        "ascn-projects-2025": 944,
        "ascn-projects-2018-scap": 461,
        "ascn-city-places": 382,
        "ascn-project-timeline": 3733,
        "ascn-project-facts-2025": 1499,
    }
    for name, text in texts.items():
        parsed = list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
        assert len(parsed) == counts[name.removesuffix(".ttl")]


def test_no_roster_population_or_wikidata_and_points_only_from_geonames(
    written: tuple[dict[str, int], dict[str, str]],
) -> None:
    _, texts = written
    for name, text in texts.items():
        graph = Graph().parse(data=text, format="turtle")
        predicates = {str(p) for p in graph.predicates()}
        populations = {p for p in predicates if "population" in p.lower()}
        points = {p for p in predicates if "geosparql" in p or "wgs84_pos" in p}
        if name == "ascn-city-places.ttl":  # GeoNames' own, on the GeoNames feature
            assert populations == {"http://www.geonames.org/ontology#population"}
            assert points
        else:
            assert not populations
            assert not points
        assert ASCF.wikidataItem not in graph.predicates()
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        assert "wikidata" not in body.lower()
        assert "13484482" not in text  # Manila's (metro) figure in cities.csv


def test_headers_name_the_sources_the_snapshot_and_what_was_left_out(
    written: tuple[dict[str, int], dict[str, str]],
) -> None:
    _, texts = written
    commit = read_snapshot(_source("PROVENANCE.md")).commit
    assert commit == "fdd8b0c24f0c5d3e13831daf50f6941592814a95"
    cities_text, projects_text = texts["ascn-cities.ttl"], texts["ascn-projects-2025.ttl"]
    assert commit in cities_text
    assert commit in projects_text
    assert "cities.csv" in cities_text
    assert "projects-2025.csv" in projects_text
    assert "population" in cities_text.split("@prefix")[0]
    assert "latitude, longitude" in cities_text.split("@prefix")[0]
    scap_header = texts["ascn-projects-2018-scap.ttl"].split("@prefix")[0]
    assert commit in scap_header
    assert "projects-2018-scap.csv" in scap_header
    assert "scap-2018-classification.csv" in scap_header
    assert "same-projects-2018-2025.csv" in scap_header


def test_output_is_byte_identical_across_runs(
    tmp_path: Path, written: tuple[dict[str, int], dict[str, str]]
) -> None:
    _, first = written
    import_ascn(SOURCE, tmp_path, mappings_dir=MAPPINGS)
    second = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.ttl")}
    assert second == first


def test_turtle_of_fresh_graphs_is_identical_and_round_trips(cities: list[CityRow]) -> None:
    first, second = cities_graph(cities), cities_graph(read_cities(_source("cities.csv")))
    prefixes = project_prefixes()
    assert turtle(first, prefixes) == turtle(second, prefixes)
    assert isomorphic(Graph().parse(data=turtle(first, prefixes), format="turtle"), first)


def test_the_committed_data_files_are_up_to_date(
    written: tuple[dict[str, int], dict[str, str]],
) -> None:
    _, texts = written
    for name, text in texts.items():
        assert (REPO / "data" / name).read_text(encoding="utf-8") == text, (
            f"data/{name} is stale: run ascf-graph import-csv ascn"
        )


def test_another_base_iri_moves_ascf_and_id_but_not_the_sources(
    cities: list[CityRow], projects: list[ProjectRow], mapping: dict[str, list[str]]
) -> None:
    base = "https://example.org/ascf/"
    graph = projects_2025_graph(projects, cities, mapping, base)
    moved = Namespace(base + "def/")
    assert len(set(graph.subjects(RDF.type, moved.SmartCityProject))) == 134
    areas = set(graph.objects(None, moved.focusArea))
    assert all(str(area).startswith(base + "id/focus-area/") for area in areas)
    assert not [t for t in graph if any(str(term).startswith(DEFAULT_BASE_IRI) for term in t)]
    assert (REPORT, RDF.type, PROV.Entity) in graph
