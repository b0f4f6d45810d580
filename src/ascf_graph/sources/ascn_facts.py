"""Partners, funders, implementers, years and status details of the 2025 report's projects,
each with its quote, as ``data/ascn-project-facts-2025.ttl``.

Each row of ``project-facts-2025.csv`` is one statement about the project of its appendix
row (the 2025 record's project, found by appendix, number and name, which must agree):
``ascf:partner``, ``ascf:implementer`` or ``ascf:funder`` an organisation,
``ascf:startYear`` or ``ascf:expectedCompletionYear`` a year, or ``ascf:statusDetail`` a
text. Organisations are resources of their own (``id/organisation/{slug}``, an
``ascf:Organisation``), one per name as printed, so the Asian Development Bank of two
projects is one. Every statement is also reified (``rdf:Statement``, ``{base}id/fact/
2025-{row}``) with the report's verbatim quote (``ascf:quote``), its printed page, the
report as ``dct:source``, the extract's confidence (``high`` or ``medium``) and note, so
what the report says, and how sure the reading is, answer by SPARQL. The facts file's
columns are checked as it is read; the shapes check the statements once built
(``shapes/facts.ttl``). Network-level initiatives with no appendix row
(``project-facts-2025-unmatched.csv``) are not city projects and are left out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ascf_graph.core.slugs import slugify
from ascf_graph.sources.ascn_sources import RowRef, read_table

FACTS_CSV: Final = "project-facts-2025.csv"
#: Each fact of the file, and the property that states it.
PROPERTY_OF: Final = {
    "partner": "partner",
    "implementer": "implementer",
    "funder": "funder",
    "start_year": "startYear",
    "expected_completion_year": "expectedCompletionYear",
    "status_detail": "statusDetail",
}
ORGANISATION_FACTS: Final = ("partner", "implementer", "funder")
YEAR_FACTS: Final = ("start_year", "expected_completion_year")
CONFIDENCES: Final = ("high", "medium")
KINDS: Final = (
    "city-government",
    "government-agency",
    "development-bank",
    "international-organisation",
    "private-company",
    "university",
    "other",
    "",
)


@dataclass(frozen=True)
class FactRow:
    """One row of the facts file."""

    appendix: str
    row_no: str
    project_name: str
    fact: str
    value: str
    organisation_kind: str
    quote: str
    source_page: int
    confidence: str
    note: str
    ref: RowRef


def read_facts(path: Path) -> list[FactRow]:
    """The facts file's rows, each cell of a known kind."""
    columns = (
        "appendix",
        "row_no",
        "city",
        "project_name",
        "fact",
        "value",
        "organisation_kind",
        "quote",
        "source_page",
        "confidence",
        "note",
    )
    records = read_table(path, columns)
    return [_fact(ref, record) for ref, record in records]


def _fact(ref: RowRef, record: Mapping[str, str]) -> FactRow:
    fact, value = record["fact"], record["value"]
    if fact not in PROPERTY_OF:
        raise ref.error("fact", f"{fact!r} is none of {', '.join(PROPERTY_OF)}")
    if not value:
        raise ref.error("value", "empty")
    if fact in YEAR_FACTS and not (value.isdigit() and len(value) == 4):
        raise ref.error("value", f"{value!r} is not a year")
    if record["organisation_kind"] not in KINDS:
        raise ref.error("organisation_kind", f"{record['organisation_kind']!r} is not a kind")
    if record["organisation_kind"] and fact not in ORGANISATION_FACTS:
        raise ref.error("organisation_kind", f"a kind of organisation for a {fact}")
    if record["confidence"] not in CONFIDENCES:
        raise ref.error("confidence", f"{record['confidence']!r} is neither high nor medium")
    if not record["quote"]:
        raise ref.error("quote", "every fact has its quote")
    if not record["source_page"].isdigit():
        raise ref.error("source_page", f"{record['source_page']!r} is not a page number")
    return FactRow(
        appendix=record["appendix"],
        row_no=record["row_no"],
        project_name=record["project_name"],
        fact=fact,
        value=value,
        organisation_kind=record["organisation_kind"],
        quote=record["quote"],
        source_page=int(record["source_page"]),
        confidence=record["confidence"],
        note=record["note"],
        ref=ref,
    )


def facts_graph(
    facts: Sequence[FactRow],
    projects: Mapping[tuple[str, str], tuple[str, str]],
    report: URIRef,
    cited_as: str,
    base_iri: str,
) -> Graph:
    """The facts' statements, each reified with its quote; ``projects`` maps a 2025 row
    (appendix, number) to its project's slug and printed name."""
    ascf = Namespace(f"{base_iri}def/")
    graph = Graph()
    for fact in facts:
        found = projects.get((fact.appendix, fact.row_no))
        if found is None:
            raise fact.ref.error("row_no", f"no row {fact.appendix}{fact.row_no} in the report")
        slug, printed = found
        if printed != fact.project_name:
            raise fact.ref.error("project_name", f"{fact.project_name!r} is not {printed!r}")
        project = URIRef(f"{base_iri}id/project/{slug}")
        predicate = ascf[PROPERTY_OF[fact.fact]]
        value = _value(graph, fact, ascf, base_iri)
        graph.add((project, predicate, value))
        statement = URIRef(f"{base_iri}id/fact/2025-{fact.ref.row}")
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, project))
        graph.add((statement, RDF.predicate, predicate))
        graph.add((statement, RDF.object, value))
        graph.add((statement, ascf.quote, Literal(fact.quote, lang="en")))
        graph.add((statement, ascf.sourcePage, Literal(fact.source_page, datatype=XSD.integer)))
        graph.add((statement, DCTERMS.source, report))
        graph.add(
            (
                statement,
                DCTERMS.bibliographicCitation,
                Literal(f"{cited_as}, p. {fact.source_page}", lang="en"),
            )
        )
        graph.add((statement, ascf.confidence, Literal(fact.confidence)))
        if fact.note:
            graph.add((statement, SKOS.editorialNote, Literal(fact.note, lang="en")))
    return graph


def _value(graph: Graph, fact: FactRow, ascf: Namespace, base_iri: str) -> URIRef | Literal:
    if fact.fact in YEAR_FACTS:
        return Literal(fact.value, datatype=XSD.gYear)
    if fact.fact not in ORGANISATION_FACTS:
        return Literal(fact.value, lang="en")
    organisation = URIRef(f"{base_iri}id/organisation/{slugify(fact.value)}")
    graph.add((organisation, RDF.type, ascf.Organisation))
    graph.add((organisation, RDFS.label, Literal(fact.value, lang="en")))
    if fact.organisation_kind:
        graph.add((organisation, DCTERMS.type, Literal(fact.organisation_kind)))
    return organisation


def facts_header(snapshot_lines: Sequence[str]) -> tuple[str, ...]:
    """The comment on top of ``ascn-project-facts-2025.ttl``."""
    return (
        "Partners, implementers, funders, years and status details of projects, from the",
        "  narrative of the ASCN Monitoring and Evaluation Report 2025, each with its quote.",
        "Generated by ascf_graph.sources.ascn_facts; do not edit by hand.",
        *snapshot_lines,
        "Each statement is reified as an rdf:Statement (id/fact/2025-{row of the file}) with",
        "  ascf:quote (verbatim), ascf:sourcePage (printed), dct:source (the report),",
        "  ascf:confidence (high, or medium where the reading was judged) and the note.",
        "Organisations: one resource per name as printed (id/organisation/{slug}),",
        "  dct:type their kind where the extract gives one.",
        "'funder' only where the report says funding; 'supported by' is a partner (the note",
        "  gives the role as printed).",
        "Left out on purpose: project-facts-2025-unmatched.csv (network-level initiatives with",
        "  no appendix row), source_pdf_page (the citation gives the printed page).",
    )
