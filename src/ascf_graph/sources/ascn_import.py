"""Turn the ASCN's public CSV extracts (``shared/data/ascn``) into RDF under ``data/``.

:mod:`ascf_graph.sources.ascn_sources` reads and checks the extracts and our mapping
tables; this module builds rdflib graphs that use only the terms of the term
contract and writes them with :mod:`ascf_graph.rdf.turtle` (same input,
byte-identical output):

* ``data/ascn-cities.ttl``: the 38 member cities and their ASCN memberships;
* ``data/ascn-projects-2025.ttl``: the 134 projects of the ASCN Monitoring and
  Evaluation Report 2025 (Appendix A and B);
* ``data/ascn-project-timeline.ttl``: every project of the monitoring reports of
  2022-2025 as a record per report, chained into projects
  (:mod:`ascf_graph.sources.ascn_timeline`);
* ``data/ascn-project-facts-2025.ttl``: partners, implementers, funders, years and
  status details of the 2025 report's projects, each with its quote
  (:mod:`ascf_graph.sources.ascn_facts`);
* ``data/ascn-city-places.ttl``: the cities' points, GeoNames links and ISO 3166-2 codes
  (:mod:`ascf_graph.sources.ascn_places`);
* ``data/ascn-projects-2018-scap.ttl``: the 52 priority projects of the 2018
  Smart City Action Plans, filed under focus areas or sub-areas only where
  ``data/mappings/scap-2018-classification.csv`` says so (with its reasons),
  and linked with ``ascf:sameProjectAs`` to the 2025 rows that
  ``data/mappings/same-projects-2018-2025.csv`` names.

Nothing is added that the CSVs, ``PROVENANCE.md`` or the mapping tables do not
say. The roster's population columns are deliberately left out (no year, mixed
scopes; PROVENANCE.md warns against using them); its coordinates and Wikidata ids
are empty, and the points come from the GeoNames extract.
"""

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final, TypeVar

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from ascf_graph.core.namespaces import DEFAULT_BASE_IRI, PREFIXES
from ascf_graph.core.slugs import slugify
from ascf_graph.rdf.turtle import turtle
from ascf_graph.sources.ascn_facts import FACTS_CSV, facts_graph, facts_header, read_facts
from ascf_graph.sources.ascn_places import (
    GEONAMES_CSV,
    SUBDIVISIONS_CSV,
    places_graph,
    places_header,
    read_geonames,
    read_subdivisions,
)
from ascf_graph.sources.ascn_sources import (
    CLASSIFICATION_KINDS,
    STATUS_BY_APPENDIX,
    CityRow,
    ProjectRow,
    SameProjectLink,
    ScapClassification,
    ScapProjectRow,
    Snapshot,
    load_label_mapping,
    mapped_kind,
    read_cities,
    read_projects_2018,
    read_projects_2025,
    read_same_project_links,
    read_scap_classification,
    read_snapshot,
    split_labels,
)
from ascf_graph.sources.ascn_terms import describe_graph
from ascf_graph.sources.ascn_timeline import (
    LINKS_CSV,
    REPORTS,
    read_links,
    read_report_rows,
    timeline_graph,
    timeline_header,
)

ASEAN_PAGE: Final = URIRef("https://asean.org/our-communities/asean-smart-cities-network/")
ME_2025_REPORT: Final = URIRef(
    "https://asean.org/wp-content/uploads/2025/11/2025-ASCN-ME-Report-Final_30Sep2025-for-public.pdf"
)
ME_2025_TITLE: Final = "ASEAN Smart Cities Network Monitoring and Evaluation Report 2025"
ME_2025_AS_OF: Final = "2025-09-30"
ME_2025_CITED_AS: Final = "ASCN Monitoring and Evaluation Report 2025"
SCAP_2018_REPORT: Final = URIRef(
    "https://asean.org/wp-content/uploads/2019/02/ASCN-Consolidated-SCAPs.pdf"
)
SCAP_2018_TITLE: Final = "ASEAN Smart Cities Network Smart City Action Plans (as of 8 July 2018)"
SCAP_2018_AS_OF: Final = "2018-07-08"
SCAP_2018_CITED_AS: Final = "ASCN Consolidated Smart City Action Plans (2018)"
#: Appended to the slug of every 2018 SCAP record: the same project's 2025 record
#: often has the same name, and the two records must keep their own IRIs.
SCAP_2018_SLUG_SUFFIX: Final = "scap-2018"

_Row = TypeVar("_Row", ProjectRow, ScapProjectRow)

CITIES_CSV: Final = "cities.csv"
PROJECTS_2025_CSV: Final = "projects-2025.csv"
PROJECTS_2018_CSV: Final = "projects-2018-scap.csv"
PROVENANCE_MD: Final = "PROVENANCE.md"
MAPPINGS: Final = Path("mappings")
LABEL_MAPPING_CSV: Final = MAPPINGS / "focus-area-labels.csv"
SCAP_CLASSIFICATION_CSV: Final = MAPPINGS / "scap-2018-classification.csv"
SAME_PROJECTS_CSV: Final = MAPPINGS / "same-projects-2018-2025.csv"
CITIES_TTL: Final = "ascn-cities.ttl"
PROJECTS_2025_TTL: Final = "ascn-projects-2025.ttl"
PROJECTS_2018_TTL: Final = "ascn-projects-2018-scap.ttl"
PLACES_TTL: Final = "ascn-city-places.ttl"
TIMELINE_TTL: Final = "ascn-project-timeline.ttl"
FACTS_TTL: Final = "ascn-project-facts-2025.ttl"


# ---------------------------------------------------------------------------
# IRIs


def _check_base(base_iri: str) -> None:
    """Refuse a base IRI that cannot prefix the contract's paths."""
    if not base_iri.endswith("/"):
        raise ValueError(f"base IRI {base_iri!r} must end with '/'")


def _rebased(iri: str, base_iri: str) -> URIRef:
    """An IRI under the default base moved onto ``base_iri``; other IRIs as they are."""
    if iri.startswith(DEFAULT_BASE_IRI):
        return URIRef(base_iri + iri[len(DEFAULT_BASE_IRI) :])
    return URIRef(iri)


def _instance(base_iri: str, kind: str, slug: str) -> URIRef:
    """The IRI ``{base}id/{kind}/{slug}`` of the URI contract."""
    return URIRef(f"{base_iri}id/{kind}/{slug}")


def project_prefixes(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """The project's prefixes with ``ascf:`` and ``id:`` under ``base_iri``."""
    return {name: _rebased(iri, base_iri) for name, iri in PREFIXES.items()}


def project_2025_slug(city: CityRow, row: ProjectRow) -> str:
    """``{city-slug}-{project-name-slug}``, the city slug taken from ``cities.csv``."""
    return f"{slugify(city.name)}-{slugify(row.project_name)}"


def project_2018_slug(city: CityRow, row: ScapProjectRow) -> str:
    """``{city-slug}-{project-name-slug}-scap-2018``: a record of the 2018 action plans."""
    return f"{slugify(city.name)}-{slugify(row.project_name)}-{SCAP_2018_SLUG_SUFFIX}"


# ---------------------------------------------------------------------------
# Cities


def _unique_slugs(rows: Sequence[CityRow]) -> None:
    """Refuse two cities whose names give the same slug."""
    seen: dict[str, CityRow] = {}
    for row in rows:
        slug = slugify(row.name)
        if slug in seen:
            raise row.ref.error(
                "name",
                f"slug {slug!r} already used by {seen[slug].name!r} (row {seen[slug].ref.row})",
            )
        seen[slug] = row


def _add_city(graph: Graph, row: CityRow, base_iri: str) -> None:
    """The triples of one city and its ASCN membership (an ascf:NetworkMembership)."""
    ascf = Namespace(f"{base_iri}def/")
    slug = slugify(row.name)
    city = _instance(base_iri, "city", slug)
    graph.add((city, RDF.type, ascf.City))
    graph.add((city, RDFS.label, Literal(row.name, lang="en")))
    for alt_name in row.alt_names:
        graph.add((city, SKOS.altLabel, Literal(alt_name, lang="en")))
    graph.add((city, ascf.country, _instance(base_iri, "country", slugify(row.country))))
    if row.admin_level_as_named:
        graph.add((city, ascf.administrationAsNamed, Literal(row.admin_level_as_named)))
    graph.add((city, DCTERMS.source, ASEAN_PAGE))
    membership = BNode(f"ascn-membership-{slug}")
    graph.add((city, ORG.hasMembership, membership))
    graph.add((membership, RDF.type, ascf.NetworkMembership))
    graph.add((membership, ORG.organization, _instance(base_iri, "organisation", "ascn")))
    graph.add((membership, ascf.joinedYear, Literal(str(row.joined_year), datatype=XSD.gYear)))
    graph.add((membership, DCTERMS.source, ASEAN_PAGE))


def cities_graph(rows: Sequence[CityRow], base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The member cities, each with one ASCN membership and its join year."""
    _check_base(base_iri)
    _unique_slugs(rows)
    graph = Graph()
    for row in rows:
        _add_city(graph, row, base_iri)
    return graph


def city_index(cities: Sequence[CityRow]) -> dict[str, CityRow]:
    """Every name and other spelling of a city (case-folded) -> that city."""
    index: dict[str, CityRow] = {}
    for city in cities:
        for name, column in [(city.name, "name")] + [(n, "alt_names") for n in city.alt_names]:
            other = index.setdefault(name.casefold(), city)
            if other is not city:
                raise city.ref.error(
                    column, f"{name!r} also names {other.name!r} (row {other.ref.row})"
                )
    return index


def resolve_city(row: ProjectRow | ScapProjectRow, index: Mapping[str, CityRow]) -> CityRow:
    """The member city a project row names, checked against the row's country."""
    city = index.get(row.city.casefold())
    if city is None:
        raise row.ref.error(
            "city", f"no city in {CITIES_CSV} is named or also known as {row.city!r}"
        )
    if city.country != row.country:
        raise row.ref.error(
            "country", f"{row.country!r}, but {city.name!r} lies in {city.country!r}"
        )
    return city


# ---------------------------------------------------------------------------
# Projects, both sources


def _add_report(graph: Graph, report: URIRef, title: str, as_of: str) -> None:
    """A report as the source entity of the projects it lists."""
    graph.add((report, RDF.type, PROV.Entity))
    graph.add((report, DCTERMS.title, Literal(title, lang="en")))
    graph.add((report, DCTERMS.date, Literal(as_of, datatype=XSD.date)))


def _add_framework_links(graph: Graph, project: URIRef, iris: Sequence[str], base_iri: str) -> None:
    """``ascf:focusArea`` / ``ascf:subArea`` / ``ascf:urbanSystem`` links to framework IRIs."""
    ascf = Namespace(f"{base_iri}def/")
    property_of_kind = {
        "focus-area": ascf.focusArea,
        "sub-area": ascf.subArea,
        "urban-system": ascf.urbanSystem,
    }
    for iri in iris:
        kind = mapped_kind(iri, CLASSIFICATION_KINDS)
        if kind is None:
            raise ValueError(f"{iri} is not a framework IRI a project can be filed under")
        graph.add((project, property_of_kind[kind], _rebased(iri, base_iri)))


def _add_project_core(
    graph: Graph, project: URIRef, title: str, city: CityRow, *, report: URIRef, base_iri: str
) -> None:
    """Type, title, city and source: what every project record has."""
    ascf = Namespace(f"{base_iri}def/")
    graph.add((project, RDF.type, ascf.SmartCityProject))
    graph.add((project, RDFS.label, Literal(title, lang="en")))
    graph.add((project, ascf.city, _instance(base_iri, "city", slugify(city.name))))
    graph.add((project, DCTERMS.source, report))


# ---------------------------------------------------------------------------
# Projects of the 2025 monitoring and evaluation report


def _framework_targets(row: ProjectRow, mapping: Mapping[str, Sequence[str]]) -> list[str]:
    """The framework IRIs (default base) that a project's focus-area cell names."""
    try:
        labels = split_labels(row.focus_area, mapping)
    except LookupError as unknown:
        raise row.ref.error(
            "focus_area",
            f"unknown focus-area label {unknown.args[0]!r}; add it to the label mapping",
        ) from None
    return [iri for label in labels for iri in mapping[label]]


def _unique_project_slugs(
    rows: Sequence[_Row],
    index: Mapping[str, CityRow],
    slug_of: Callable[[CityRow, _Row], str],
) -> dict[str, tuple[_Row, CityRow]]:
    """Slug -> (row, city) for every row; two rows with one slug are refused."""
    seen: dict[str, tuple[_Row, CityRow]] = {}
    for row in rows:
        city = resolve_city(row, index)
        slug = slug_of(city, row)
        if slug in seen:
            raise row.ref.error(
                "project_name", f"project slug {slug!r} already used by row {seen[slug][0].ref.row}"
            )
        seen[slug] = (row, city)
    return seen


def projects_2025_graph(
    rows: Sequence[ProjectRow],
    cities: Sequence[CityRow],
    mapping: Mapping[str, Sequence[str]],
    base_iri: str = DEFAULT_BASE_IRI,
) -> Graph:
    """The projects of the M&E 2025 report, linked to cities, focus areas and statuses."""
    _check_base(base_iri)
    ascf = Namespace(f"{base_iri}def/")
    graph = Graph()
    _add_report(graph, ME_2025_REPORT, ME_2025_TITLE, ME_2025_AS_OF)
    for slug, (row, city) in _unique_project_slugs(
        rows, city_index(cities), project_2025_slug
    ).items():
        project = _instance(base_iri, "project", slug)
        _add_project_core(
            graph, project, row.project_name, city, report=ME_2025_REPORT, base_iri=base_iri
        )
        _add_framework_links(graph, project, _framework_targets(row, mapping), base_iri)
        status_slug = STATUS_BY_APPENDIX[row.appendix][1]
        graph.add((project, ascf.status, _instance(base_iri, "project-status", status_slug)))
        citation = (
            f"{ME_2025_CITED_AS}, Appendix {row.appendix}, no. {row.row_no}, p. {row.source_page}"
        )
        graph.add((project, DCTERMS.bibliographicCitation, Literal(citation, lang="en")))
    return graph


# ---------------------------------------------------------------------------
# Projects of the 2018 Smart City Action Plans


def _classification_of(
    row: ScapProjectRow, classifications: Mapping[tuple[str, int], ScapClassification]
) -> ScapClassification:
    """The classification row(s) of one SCAP project; it must be there, under its name."""
    found = classifications.get((row.city, row.project_no))
    if found is None:
        raise row.ref.error(
            "project_name",
            f"project {row.project_no} of {row.city} ({row.project_name!r}) is not in "
            f"{SCAP_CLASSIFICATION_CSV}: classify it there, or leave it unclassified with a reason",
        )
    if found.project_name != row.project_name:
        raise found.ref.error(
            "project_name", f"{found.project_name!r}, but the SCAP names it {row.project_name!r}"
        )
    return found


def _refuse_unused_classifications(
    rows: Sequence[ScapProjectRow], classifications: Mapping[tuple[str, int], ScapClassification]
) -> None:
    """A classification row for a project the SCAPs do not list is a mistake."""
    listed = {(row.city, row.project_no) for row in rows}
    for key, classification in classifications.items():
        if key not in listed:
            raise classification.ref.error(
                "city", f"project {key[1]} of {key[0]} is not in {PROJECTS_2018_CSV}"
            )


def _add_scap_classification(
    graph: Graph, project: URIRef, classification: ScapClassification, base_iri: str
) -> None:
    """The focus areas, sub-areas or urban systems, with the reasons as editorial notes;
    and why there is no focus area or sub-area where there is none."""
    ascf = Namespace(f"{base_iri}def/")
    if classification.not_classified_because is not None:
        reason = Literal(classification.not_classified_because, lang="en")
        graph.add((project, ascf.notClassifiedBecause, reason))
    _add_framework_links(graph, project, classification.framework_iris, base_iri)
    for iri, reason in zip(classification.framework_iris, classification.reasons, strict=True):
        note = f"Filed under <{_rebased(iri, base_iri)}> by ascf-graph, not by the SCAP: {reason}"
        graph.add((project, SKOS.editorialNote, Literal(note, lang="en")))


def _same_project_pairs(
    links: Sequence[SameProjectLink],
    scap: Mapping[str, tuple[ScapProjectRow, CityRow]],
    me2025: Mapping[str, tuple[ProjectRow, CityRow]],
) -> list[tuple[str, str]]:
    """(2018 slug, 2025 slug) for each link, each side checked against its source row."""
    scap_by_key = {(row.city, row.project_no): slug for slug, (row, _) in scap.items()}
    me_by_key = {(row.appendix, row.row_no): slug for slug, (row, _) in me2025.items()}
    pairs = []
    for link in links:
        old = scap_by_key.get((link.city, link.scap_project_no))
        if old is None or scap[old][0].project_name != link.scap_project_name:
            raise link.ref.error(
                "scap_project_name",
                f"{PROJECTS_2018_CSV} has no project {link.scap_project_no} of {link.city} "
                f"named {link.scap_project_name!r}",
            )
        new = me_by_key.get((link.appendix, link.row_no))
        if new is None or me2025[new][0].project_name != link.me2025_project_name:
            raise link.ref.error(
                "me2025_project_name",
                f"{PROJECTS_2025_CSV} has no row {link.appendix}{link.row_no} "
                f"named {link.me2025_project_name!r}",
            )
        if me2025[new][1] != scap[old][1]:
            raise link.ref.error(
                "me2025_row_no", f"row {link.appendix}{link.row_no} is in another city"
            )
        pairs.append((old, new))
    return pairs


def projects_2018_graph(
    rows: Sequence[ScapProjectRow],
    cities: Sequence[CityRow],
    classifications: Mapping[tuple[str, int], ScapClassification],
    links: Sequence[SameProjectLink],
    rows_2025: Sequence[ProjectRow],
    *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Graph:
    """The 2018 SCAP projects: city, overview, our classification, links to 2025 records.

    The SCAPs give no status, so none is stated.
    """
    _check_base(base_iri)
    ascf = Namespace(f"{base_iri}def/")
    index = city_index(cities)
    scap = _unique_project_slugs(rows, index, project_2018_slug)
    me2025 = _unique_project_slugs(rows_2025, index, project_2025_slug)
    _refuse_unused_classifications(rows, classifications)
    graph = Graph()
    _add_report(graph, SCAP_2018_REPORT, SCAP_2018_TITLE, SCAP_2018_AS_OF)
    for slug, (row, city) in scap.items():
        project = _instance(base_iri, "project", slug)
        _add_project_core(
            graph, project, row.project_name, city, report=SCAP_2018_REPORT, base_iri=base_iri
        )
        graph.add((project, DCTERMS.description, Literal(row.overview, lang="en")))
        citation = (
            f"{SCAP_2018_CITED_AS}, {city.name}, Smart City Project {row.project_no}, "
            f"PDF p. {row.source_pdf_page}"
        )
        graph.add((project, DCTERMS.bibliographicCitation, Literal(citation, lang="en")))
        _add_scap_classification(graph, project, _classification_of(row, classifications), base_iri)
    for old, new in _same_project_pairs(links, scap, me2025):
        graph.add(
            (
                _instance(base_iri, "project", old),
                ascf.sameProjectAs,
                _instance(base_iri, "project", new),
            )
        )
    return graph


# ---------------------------------------------------------------------------
# Headers and the whole import

_POPULATION_NOTE: Final = (
    "- population, population_year, population_wikidata_json, population_wiki_infobox_json:",
    "  PROVENANCE.md says the figures have no year, mix administrative scopes (city proper,",
    "  metropolitan area, province) and disagree between files; it says not to use them as",
    "  authoritative, so no ascf:population, ascf:populationYear or ascf:populationScope.",
)


def _snapshot_lines(files: str, snapshot: Snapshot) -> tuple[str, ...]:
    """Where the input files come from."""
    return (
        f"Source files: {files},",
        f"  and {PROVENANCE_MD} of the ASCN CSV extracts (shared/data/ascn), built from the",
        f"  snapshot of https://github.com/{snapshot.repository}",
        f"  at commit {snapshot.commit}.",
    )


def cities_header(snapshot: Snapshot) -> tuple[str, ...]:
    """The comment on top of ``ascn-cities.ttl``."""
    return (
        "ASCN member cities and their memberships of the ASEAN Smart Cities Network.",
        "Generated by ascf_graph.sources.ascn_import; do not edit by hand.",
        *_snapshot_lines(CITIES_CSV, snapshot),
        f"Roster, names and join years: {ASEAN_PAGE}",
        "Left out on purpose:",
        *_POPULATION_NOTE,
        "- wikidata_qid, latitude, longitude: empty in the CSV (no Wikidata ids, no coordinates).",
        "- country_iso2 (the code belongs to the country, ontology/countries.ttl), source and",
        "  in_me2025_appendix: bookkeeping columns of the extract.",
        "Note: some skos:altLabel spellings come from the repository author's query names,",
        "  not from ASEAN (see PROVENANCE.md, alt_names).",
    )


def projects_2025_header(snapshot: Snapshot) -> tuple[str, ...]:
    """The comment on top of ``ascn-projects-2025.ttl``."""
    return (
        "Smart city projects of the ASCN Monitoring and Evaluation Report 2025, Appendix A",
        "  (Ongoing and under Planning) and Appendix B (Completed), as of 30 September 2025.",
        "Generated by ascf_graph.sources.ascn_import; do not edit by hand.",
        *_snapshot_lines(f"{PROJECTS_2025_CSV}, {CITIES_CSV} (city spellings)", snapshot),
        f"Focus-area labels mapped by data/{LABEL_MAPPING_CSV}.",
        f"Report: {ME_2025_REPORT}",
        "Left out on purpose:",
        "- Ongoing vs Planning: the appendix does not tell Appendix A rows apart, so they all get",
        "  id/project-status/ongoing-and-under-planning.",
        "- source_pdf_page (the citation gives the printed page) and the country column (only",
        f"  checked against {CITIES_CSV}).",
        f"The 2018 records of the same projects are in {PROJECTS_2018_TTL}.",
        "Note: the appendix counts Built Infrastructure 32 and Quality Environment 25, while",
        "  Exhibit 1 fits 33 and 24; the appendix values are kept (PROVENANCE.md).",
    )


def projects_2018_header(snapshot: Snapshot) -> tuple[str, ...]:
    """The comment on top of ``ascn-projects-2018-scap.ttl``."""
    return (
        "The two priority projects of each of the 26 pilot cities in the ASEAN Smart Cities",
        "  Network Smart City Action Plans (SCAPs), as of 8 July 2018.",
        "Generated by ascf_graph.sources.ascn_import; do not edit by hand.",
        *_snapshot_lines(f"{PROJECTS_2018_CSV}, {CITIES_CSV} (city spellings)", snapshot),
        f"Report: {SCAP_2018_REPORT}",
        "Titles and dct:description (the OVERVIEW text) are the SCAP's, verbatim.",
        f"Focus areas and sub-areas are ours (data/{SCAP_CLASSIFICATION_CSV}): the extract",
        "  does not carry the SCAP's own focus areas, so a project is filed only where its name",
        "  or overview makes the area unambiguous (skos:editorialNote says why); otherwise",
        "  ascf:notClassifiedBecause says why not. A plan of a district is filed under the",
        "  urban system of paragraph 10 (ascf:urbanSystem) when no one focus area is named.",
        f"ascf:sameProjectAs links to the 2025 record only where data/{SAME_PROJECTS_CSV}",
        "  documents that the two clearly are the same project.",
        "Left out on purpose: a status (the SCAPs do not give one per project) and the",
        "  country column (only checked against cities.csv).",
        f"IRIs end in -{SCAP_2018_SLUG_SUFFIX}: the 2025 record of the same project often has",
        "  the same name, and each record keeps its own IRI, title and source.",
    )


def import_ascn(
    source_dir: Path,
    out_dir: Path,
    base_iri: str = DEFAULT_BASE_IRI,
    mappings_dir: Path | None = None,
) -> dict[str, int]:
    """Write the ASCN data files into ``out_dir``.

    The mapping tables are read from ``mappings_dir`` (default
    ``{out_dir}/mappings``). Returns the number of triples written, by file stem.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    mappings = Path(mappings_dir) if mappings_dir else out_dir / MAPPINGS
    snapshot = read_snapshot(source_dir / PROVENANCE_MD)
    cities = read_cities(source_dir / CITIES_CSV)
    projects_2025 = read_projects_2025(source_dir / PROJECTS_2025_CSV)
    projects_2018 = read_projects_2018(source_dir / PROJECTS_2018_CSV)
    label_mapping = load_label_mapping(mappings / LABEL_MAPPING_CSV.name)
    graphs = {
        CITIES_TTL: (cities_graph(cities, base_iri), cities_header(snapshot)),
        PROJECTS_2025_TTL: (
            projects_2025_graph(projects_2025, cities, label_mapping, base_iri),
            projects_2025_header(snapshot),
        ),
        PROJECTS_2018_TTL: (
            projects_2018_graph(
                projects_2018,
                cities,
                read_scap_classification(mappings / SCAP_CLASSIFICATION_CSV.name),
                read_same_project_links(mappings / SAME_PROJECTS_CSV.name),
                projects_2025,
                base_iri=base_iri,
            ),
            projects_2018_header(snapshot),
        ),
        PLACES_TTL: (
            places_graph(
                cities,
                read_geonames(source_dir / GEONAMES_CSV),
                read_subdivisions(mappings / SUBDIVISIONS_CSV),
                base_iri,
            ),
            places_header(_snapshot_lines(f"{GEONAMES_CSV}, {CITIES_CSV}", snapshot)),
        ),
        TIMELINE_TTL: (
            timeline_graph(
                [
                    row
                    for report in REPORTS
                    for row in read_report_rows(source_dir, report, city_index(cities))
                ],
                read_links(source_dir / LINKS_CSV),
                label_mapping,
                base_iri,
            ),
            timeline_header(
                _snapshot_lines(
                    f"projects-2022.csv to -2025.csv, {LINKS_CSV}, {CITIES_CSV}", snapshot
                )
            ),
        ),
    }
    index = city_index(cities)
    rows_2025 = {
        (row.appendix, str(row.row_no)): (
            project_2025_slug(resolve_city(row, index), row),
            row.project_name,
        )
        for row in projects_2025
    }
    graphs[FACTS_TTL] = (
        facts_graph(
            read_facts(source_dir / FACTS_CSV),
            rows_2025,
            ME_2025_REPORT,
            ME_2025_CITED_AS,
            base_iri,
        ),
        facts_header(_snapshot_lines(f"{FACTS_CSV}, {PROJECTS_2025_CSV}", snapshot)),
    )
    prefixes = project_prefixes(base_iri)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for file_name, (graph, header) in graphs.items():
        describe_graph(graph, file_name, base_iri)
        (out_dir / file_name).write_text(
            turtle(graph, prefixes, header), encoding="utf-8", newline="\n"
        )
        counts[Path(file_name).stem] = len(graph)
    return counts
