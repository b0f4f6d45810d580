"""The network's projects over four monitoring reports (2022-2025), as
``data/ascn-project-timeline.ttl``.

Each row of ``projects-2022.csv`` ... ``projects-2025.csv`` becomes an
``ascf:ProjectRecord``: what that report printed (name, focus area, the heading of its
list, row and page), a ``prov:specializationOf`` one project and ``dct:isPartOf`` the
report. The rows of ``project-links-across-reports.csv`` chain the records of one project
from report to report (``prov:wasRevisionOf``, with how each pair was matched), so a
project keeps one IRI across the years: the IRI of its 2025 record's project
(``data/ascn-projects-2025.ttl``) when the 2025 report lists it, else
``{city}-{its last printed name}``, described here (a project the 2025 report no longer
lists; its ``dct:source`` is the last report that does). Every link must join two rows
the files have, in the city it names, under the names it gives.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ascf_graph.core.slugs import slugify
from ascf_graph.sources.ascn_sources import (
    STATUS_BY_APPENDIX,
    CityRow,
    RowRef,
    mapped_kind,
    read_table,
    split_labels,
)

LINKS_CSV: Final = "project-links-across-reports.csv"
MATCHES: Final = ("exact", "normalised", "judged")


@dataclass(frozen=True)
class Report:
    """One monitoring and evaluation report of the network."""

    year: int
    url: str
    title: str
    as_of: str

    @property
    def csv_name(self) -> str:
        """The extract of its appendix."""
        return f"projects-{self.year}.csv"

    @property
    def cited_as(self) -> str:
        """How a citation names it."""
        return f"ASCN Monitoring and Evaluation Report {self.year}"


#: The reports and their public addresses and dates, as PROVENANCE.md gives them.
REPORTS: Final = (
    Report(
        2022,
        "https://asean.org/wp-content/uploads/2022/10/2022-ASCN-ME-Report-Final_21Sep2022-for-public.pdf",
        "ASCN Monitoring and Evaluation Report 2022",
        "2022-09-21",
    ),
    Report(
        2023,
        "https://asean.org/wp-content/uploads/2023/09/2023-ASCN-ME-Report-Final_14Aug2023-for-public.pdf",
        "ASCN Monitoring and Evaluation Report 2023",
        "2023-08-14",
    ),
    Report(
        2024,
        "https://asean.org/wp-content/uploads/2024/10/2024-ASCN-ME-Report-Final_25Sep2024-for-public.pdf",
        "ASCN Monitoring and Evaluation Report 2024",
        "2024-09-25",
    ),
    Report(
        2025,
        "https://asean.org/wp-content/uploads/2025/11/2025-ASCN-ME-Report-Final_30Sep2025-for-public.pdf",
        "ASEAN Smart Cities Network Monitoring and Evaluation Report 2025",
        "2025-09-30",
    ),
)


@dataclass(frozen=True)
class ReportRow:
    """One project as one report's appendix printed it."""

    report: Report
    appendix: str
    row_no: int
    city: CityRow
    project_name: str
    focus_area: str
    source_page: int
    ref: RowRef

    @property
    def key(self) -> tuple[int, str]:
        """The row as the link file names it: year, and letter + number (number alone in
        the unlettered lists of 2022 and 2023)."""
        return self.report.year, f"{self.appendix}{self.row_no}"

    @property
    def citation(self) -> str:
        """Where it is printed."""
        where = (
            f"Appendix {self.appendix}, no. {self.row_no}"
            if self.appendix
            else (f"Appendix, no. {self.row_no}")
        )
        return f"{self.report.cited_as}, {where}, p. {self.source_page}"


@dataclass(frozen=True)
class Link:
    """One row of the link file: two reports' rows of one project."""

    city: str
    earlier: tuple[int, str]
    later: tuple[int, str]
    names: tuple[str, str]
    match: str
    note: str
    ref: RowRef


def _number(ref: RowRef, record: Mapping[str, str], column: str) -> int:
    text = record[column]
    if not text.isdigit() or int(text) < 1:
        raise ref.error(column, f"{text!r} is not a positive whole number")
    return int(text)


def read_report_rows(
    source_dir: Path, report: Report, cities: Mapping[str, CityRow]
) -> list[ReportRow]:
    """A report's appendix rows, their cities resolved through the roster's spellings and
    their list headings checked against their appendix letters."""
    columns = ("appendix", "row_no", "city", "project_name", "focus_area", "status", "source_page")
    rows = []
    for ref, record in read_table(source_dir / report.csv_name, columns):
        appendix, status = record["appendix"], record["status"]
        if appendix and (
            appendix not in STATUS_BY_APPENDIX or STATUS_BY_APPENDIX[appendix][0] != status
        ):
            raise ref.error("status", f"{status!r} is not the heading of appendix {appendix!r}")
        if not appendix and status:
            raise ref.error("status", "a status in a report whose list has no heading")
        city = cities.get(record["city"].casefold())
        if city is None:
            raise ref.error("city", f"{record['city']!r} is no member city's name or spelling")
        if not record["project_name"]:
            raise ref.error("project_name", "empty")
        rows.append(
            ReportRow(
                report=report,
                appendix=appendix,
                row_no=_number(ref, record, "row_no"),
                city=city,
                project_name=record["project_name"],
                focus_area=record["focus_area"],
                source_page=_number(ref, record, "source_page"),
                ref=ref,
            )
        )
    return rows


def read_links(path: Path) -> list[Link]:
    """The link file's rows, each between consecutive reports."""
    columns = ("city", "year_a", "row_a", "year_b", "row_b", "name_a", "name_b", "match", "note")
    links = []
    for ref, record in read_table(path, columns):
        year_a, year_b = _number(ref, record, "year_a"), _number(ref, record, "year_b")
        if year_b != year_a + 1:
            raise ref.error("year_b", f"{year_b} does not follow {year_a}")
        if record["match"] not in MATCHES:
            raise ref.error("match", f"{record['match']!r} is none of {', '.join(MATCHES)}")
        if record["match"] == "judged" and not record["note"]:
            raise ref.error("note", "a judged link gives its evidence")
        links.append(
            Link(
                city=record["city"],
                earlier=(year_a, record["row_a"]),
                later=(year_b, record["row_b"]),
                names=(record["name_a"], record["name_b"]),
                match=record["match"],
                note=record["note"],
                ref=ref,
            )
        )
    return links


def chains(rows: Sequence[ReportRow], links: Sequence[Link]) -> list[list[ReportRow]]:
    """The rows of each project, earliest first: the link file's chains, and every row no
    link joins on its own. A link must join two rows the reports have, in its city, under
    its names, and no row may be linked twice in one direction."""
    by_key = {row.key: row for row in rows}
    following: dict[tuple[int, str], tuple[int, str]] = {}
    preceded: set[tuple[int, str]] = set()
    for link in links:
        _check_link(link, by_key)
        if link.earlier in following or link.later in preceded:
            raise link.ref.error("row_a", "a row linked twice in one direction")
        following[link.earlier] = link.later
        preceded.add(link.later)
    found = []
    for row in sorted(rows, key=lambda r: (r.report.year, r.appendix, r.row_no)):
        if row.key in preceded:
            continue
        chain = [row]
        while chain[-1].key in following:
            chain.append(by_key[following[chain[-1].key]])
        found.append(chain)
    return found


def _check_link(link: Link, by_key: Mapping[tuple[int, str], ReportRow]) -> None:
    for key, name, side in zip((link.earlier, link.later), link.names, "ab", strict=True):
        row = by_key.get(key)
        if row is None:
            raise link.ref.error(f"row_{side}", f"no row {key[1]} in the {key[0]} report")
        if row.project_name != name:
            raise link.ref.error(
                f"name_{side}", f"{name!r} is not {row.project_name!r}, row {key[1]} of {key[0]}"
            )
        if row.city.name != link.city:
            raise link.ref.error(
                "city", f"{link.city!r} is not {row.city.name!r}, the city of row {key[1]}"
            )


def timeline_graph(
    rows: Sequence[ReportRow],
    links: Sequence[Link],
    mapping: Mapping[str, Sequence[str]],
    base_iri: str,
) -> Graph:
    """The records of every report row, chained into projects; the reports before 2025;
    and the projects the 2025 report no longer lists."""
    latest = max(report.year for report in REPORTS)
    graph = Graph()
    writer = _Writer(graph, mapping, base_iri)
    for report in REPORTS:
        if report.year != latest:  # the 2025 report is described with its projects
            graph.add((URIRef(report.url), RDF.type, PROV.Entity))
            graph.add((URIRef(report.url), DCTERMS.title, Literal(report.title, lang="en")))
            graph.add((URIRef(report.url), DCTERMS.date, Literal(report.as_of, datatype=XSD.date)))
    match_of = {link.later: link for link in links}
    projects = _project_slugs(chains(rows, links), latest)
    for slug, chain in projects.items():
        project = URIRef(f"{base_iri}id/project/{slug}")
        if chain[-1].report.year != latest:
            writer.dropped_project(project, chain[-1])
        earlier = None
        for row in chain:
            record = URIRef(f"{base_iri}id/project-record/{row.key[0]}-{row.key[1].lower()}")
            writer.record(record, project, row)
            if earlier is not None:
                link = match_of[row.key]
                graph.add((record, PROV.wasRevisionOf, earlier))
                graph.add((record, writer.ascf.matchedBy, Literal(link.match)))
                if link.note:
                    graph.add((record, SKOS.editorialNote, Literal(link.note, lang="en")))
            earlier = record
    return graph


def _project_slugs(found: Sequence[list[ReportRow]], latest: int) -> dict[str, list[ReportRow]]:
    """Each project's slug: ``{city}-{name}`` of its last record (its 2025 IRI when the
    latest report lists it), with the year of that record added when another project,
    the latest report's first, has the slug."""
    slugs: dict[str, list[ReportRow]] = {}
    for chain in sorted(found, key=lambda c: c[-1].report.year != latest):
        last = chain[-1]
        slug = f"{slugify(last.city.name)}-{slugify(last.project_name)}"
        if slug in slugs:
            if last.report.year == latest:
                raise last.ref.error("project_name", f"project slug {slug!r} used twice")
            slug = f"{slug}-{last.report.year}"
        slugs[slug] = chain
    return slugs


@dataclass(frozen=True)
class _Writer:
    """Writes records and projects into one graph, under one base IRI."""

    graph: Graph
    mapping: Mapping[str, Sequence[str]]
    base_iri: str

    @property
    def ascf(self) -> Namespace:
        return Namespace(f"{self.base_iri}def/")

    def focus_areas(self, row: ReportRow) -> list[URIRef]:
        """The focus areas a row prints, as IRIs; a label that maps to no focus area (a
        sub-area's) is refused, as no appendix prints one."""
        try:
            labels = split_labels(row.focus_area, self.mapping)
        except LookupError as unknown:
            raise row.ref.error(
                "focus_area", f"unknown focus-area label {unknown.args[0]!r}; add it to the mapping"
            ) from None
        found = []
        for iri in (iri for label in labels for iri in self.mapping[label]):
            if mapped_kind(iri) != "focus-area":
                raise row.ref.error("focus_area", f"{row.focus_area!r} is not a focus area")
            found.append(URIRef(iri.replace("https://w3id.org/ascf/", self.base_iri, 1)))
        return found

    def record(self, record: URIRef, project: URIRef, row: ReportRow) -> None:
        """What one report printed of one project."""
        graph, ascf = self.graph, self.ascf
        graph.add((record, RDF.type, ascf.ProjectRecord))
        graph.add((record, RDFS.label, Literal(f"{row.project_name} ({row.citation})", lang="en")))
        graph.add((record, ascf.nameAsPrinted, Literal(row.project_name, lang="en")))
        graph.add((record, PROV.specializationOf, project))
        graph.add((record, DCTERMS.isPartOf, URIRef(row.report.url)))
        graph.add((record, DCTERMS.bibliographicCitation, Literal(row.citation, lang="en")))
        for area in self.focus_areas(row):
            graph.add((record, ascf.printedFocusArea, area))
        if row.appendix:
            status = STATUS_BY_APPENDIX[row.appendix][1]
            graph.add(
                (record, ascf.printedStatus, URIRef(f"{self.base_iri}id/project-status/{status}"))
            )

    def dropped_project(self, project: URIRef, last: ReportRow) -> None:
        """A project the latest report no longer lists, as the last report that did saw it."""
        graph, ascf = self.graph, self.ascf
        city = URIRef(f"{self.base_iri}id/city/{slugify(last.city.name)}")
        graph.add((project, RDF.type, ascf.SmartCityProject))
        graph.add((project, RDFS.label, Literal(last.project_name, lang="en")))
        graph.add((project, ascf.city, city))
        graph.add((project, DCTERMS.source, URIRef(last.report.url)))
        graph.add((project, DCTERMS.bibliographicCitation, Literal(last.citation, lang="en")))
        for area in self.focus_areas(last):
            graph.add((project, ascf.focusArea, area))


def timeline_header(snapshot_lines: Sequence[str]) -> tuple[str, ...]:
    """The comment on top of ``ascn-project-timeline.ttl``."""
    return (
        "The network's projects over its monitoring reports of 2022, 2023, 2024 and 2025:",
        "  one ascf:ProjectRecord per appendix row (name, focus area and list heading as",
        "  printed, row and page), a prov:specializationOf its project, dct:isPartOf its report.",
        "Generated by ascf_graph.sources.ascn_timeline; do not edit by hand.",
        *snapshot_lines,
        f"Records of one project are chained by {LINKS_CSV}",
        "  (prov:wasRevisionOf, with ascf:matchedBy exact, normalised or judged, and the",
        "  evidence of each judged link).",
        "A project keeps one IRI: its 2025 one (ascn-projects-2025.ttl) when the 2025 report",
        "  lists it; else {city}-{last printed name}, described here with the last report",
        "  that lists it as dct:source.",
        "Left out on purpose: the country column (checked through cities.csv) and",
        "  source_pdf_page (the citation gives the printed page). The 2022 and 2023 lists",
        "  have no status heading, so their records have no ascf:printedStatus.",
    )
