"""Turn the ASCN's public CSV extracts (``shared/data/ascn``) into RDF.

The extracts and where every column comes from are described in the
``PROVENANCE.md`` beside them. This module reads them into frozen rows,
builds rdflib graphs that use only the terms of the term contract, and writes
them as deterministic Turtle (same input, byte-identical output):

* ``data/ascn-cities.ttl``: the 38 member cities and their ASCN memberships;
* ``data/ascn-projects-2025.ttl``: the 134 projects of the ASCN Monitoring and
  Evaluation Report 2025 (Appendix A and B).

Nothing is added that the CSVs or ``PROVENANCE.md`` do not say. The population
columns are deliberately left out (no year, mixed scopes; PROVENANCE.md warns
against using them), and coordinates and Wikidata ids are empty in the source.
Which printed focus-area label means which framework concept lives in
``data/mappings/focus-area-labels.csv``, not here.

Rows are counted as a spreadsheet shows them: the header is row 1, so the
first data row is row 2.
"""

import csv
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ascf_graph.errors import UnusableInputError
from ascf_graph.namespaces import DEFAULT_BASE_IRI, PREFIXES
from ascf_graph.slugs import slugify

ASEAN_PAGE: Final = URIRef("https://asean.org/our-communities/asean-smart-cities-network/")
ME_2025_REPORT: Final = URIRef(
    "https://asean.org/wp-content/uploads/2025/11/2025-ASCN-ME-Report-Final_30Sep2025-for-public.pdf"
)
ME_2025_TITLE: Final = "ASEAN Smart Cities Network Monitoring and Evaluation Report 2025"
ME_2025_AS_OF: Final = "2025-09-30"
ME_2025_CITED_AS: Final = "ASCN Monitoring and Evaluation Report 2025"

CITIES_CSV: Final = "cities.csv"
PROJECTS_2025_CSV: Final = "projects-2025.csv"
PROJECTS_2018_CSV: Final = "projects-2018-scap.csv"
PROVENANCE_MD: Final = "PROVENANCE.md"
LABEL_MAPPING_CSV: Final = Path("mappings") / "focus-area-labels.csv"
CITIES_TTL: Final = "ascn-cities.ttl"
PROJECTS_2025_TTL: Final = "ascn-projects-2025.ttl"

#: Appendix of the M&E 2025 report -> (its heading as the CSV's status, status slug).
STATUS_BY_APPENDIX: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "A": ("Ongoing and under Planning", "ongoing-and-under-planning"),
        "B": ("Completed", "completed"),
    }
)

#: The framework kinds a printed label may map to, and the project property for each.
_MAPPABLE_KINDS: Final = ("focus-area", "sub-area")

_ISO2 = re.compile(r"[A-Z]{2}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_YEAR = re.compile(r"[0-9]{4}")
_SNAPSHOT = re.compile(r"repository (?P<repo>\S+), \*\*commit `(?P<commit>[0-9a-f]{40})`")


class CsvImportError(UnusableInputError, ValueError):
    """A CSV cell the importer cannot use; the message names file, row and column."""

    code = "csv-import"

    def __init__(self, path: str, row: int, column: str, problem: str) -> None:
        super().__init__(f"{path}, row {row}, column {column!r}: {problem}")
        self.path, self.row, self.column = path, row, column


# ---------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class RowRef:
    """Where a row came from: the file and its spreadsheet row number."""

    path: str
    row: int

    def error(self, column: str, problem: str) -> CsvImportError:
        """An error about ``column`` of this row."""
        return CsvImportError(self.path, self.row, column, problem)


@dataclass(frozen=True)
class CityRow:
    """One ASCN member city of ``cities.csv`` (population columns not read)."""

    name: str
    alt_names: tuple[str, ...]
    country: str
    country_iso2: str
    joined_year: int
    admin_level_as_named: str | None
    ref: RowRef = field(compare=False)


@dataclass(frozen=True)
class ProjectRow:
    """One project of the M&E 2025 report appendix, ``projects-2025.csv``."""

    appendix: str
    row_no: int
    country: str
    city: str
    project_name: str
    focus_area: str
    status: str
    source_page: int
    source_pdf_page: int
    ref: RowRef = field(compare=False)


@dataclass(frozen=True)
class ScapProjectRow:
    """One priority project of the 2018 Smart City Action Plans, ``projects-2018-scap.csv``."""

    country: str
    city: str
    project_no: int
    project_name: str
    overview: str
    source_pdf_page: int
    ref: RowRef = field(compare=False)


@dataclass(frozen=True)
class Snapshot:
    """The repository snapshot the extracts were built from (from PROVENANCE.md)."""

    repository: str
    commit: str


def _read_table(path: Path, columns: Sequence[str]) -> list[tuple[RowRef, dict[str, str]]]:
    """The rows of a UTF-8 CSV file with the given columns, cells stripped."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header = reader.fieldnames or []
        for column in columns:
            if column not in header:
                raise CsvImportError(str(path), 1, column, "column missing from the header")
        rows = []
        for number, record in enumerate(reader, start=2):
            ref = RowRef(str(path), number)
            if None in record:
                raise ref.error(header[-1], "row has more cells than the header")
            short = [name for name, value in record.items() if value is None]
            if short:
                raise ref.error(short[0], "row has fewer cells than the header")
            rows.append((ref, {name: value.strip() for name, value in record.items()}))
    return rows


def _text(ref: RowRef, record: Mapping[str, str], column: str) -> str:
    """A cell that must not be empty."""
    value = record[column]
    if not value:
        raise ref.error(column, "empty cell")
    return value


def _positive_int(ref: RowRef, record: Mapping[str, str], column: str) -> int:
    """A cell holding a positive whole number."""
    value = _text(ref, record, column)
    if not value.isdigit() or int(value) == 0:
        raise ref.error(column, f"{value!r} is not a positive whole number")
    return int(value)


def _year(ref: RowRef, record: Mapping[str, str], column: str) -> int:
    """A cell holding a four-digit year."""
    value = _text(ref, record, column)
    if not _YEAR.fullmatch(value):
        raise ref.error(column, f"{value!r} is not a four-digit year")
    return int(value)


def _alt_names(ref: RowRef, record: Mapping[str, str]) -> tuple[str, ...]:
    """The ';'-separated other spellings of a city (none when the cell is empty)."""
    value = record["alt_names"]
    if not value:
        return ()
    names = tuple(name.strip() for name in value.split(";"))
    if "" in names:
        raise ref.error("alt_names", f"empty name in {value!r}")
    return names


def _city_row(ref: RowRef, record: Mapping[str, str]) -> CityRow:
    """One row of ``cities.csv``."""
    iso2 = _text(ref, record, "country_iso2")
    if not _ISO2.fullmatch(iso2):
        raise ref.error("country_iso2", f"{iso2!r} is not an ISO 3166-1 alpha-2 code")
    return CityRow(
        name=_text(ref, record, "name"),
        alt_names=_alt_names(ref, record),
        country=_text(ref, record, "country"),
        country_iso2=iso2,
        joined_year=_year(ref, record, "joined_year"),
        admin_level_as_named=record["admin_level_as_named"] or None,
        ref=ref,
    )


def read_cities(path: Path) -> list[CityRow]:
    """The member cities of ``cities.csv``, in file order."""
    columns = (
        "name",
        "alt_names",
        "country",
        "country_iso2",
        "joined_year",
        "admin_level_as_named",
    )
    return [_city_row(ref, record) for ref, record in _read_table(path, columns)]


def _project_row(ref: RowRef, record: Mapping[str, str]) -> ProjectRow:
    """One row of ``projects-2025.csv``; its status must be its appendix's heading."""
    appendix = _text(ref, record, "appendix")
    if appendix not in STATUS_BY_APPENDIX:
        raise ref.error("appendix", f"{appendix!r} is neither A nor B")
    status = _text(ref, record, "status")
    heading = STATUS_BY_APPENDIX[appendix][0]
    if status != heading:
        raise ref.error(
            "status", f"{status!r} is not {heading!r}, the heading of appendix {appendix}"
        )
    return ProjectRow(
        appendix=appendix,
        row_no=_positive_int(ref, record, "row_no"),
        country=_text(ref, record, "country"),
        city=_text(ref, record, "city"),
        project_name=_text(ref, record, "project_name"),
        focus_area=_text(ref, record, "focus_area"),
        status=status,
        source_page=_positive_int(ref, record, "source_page"),
        source_pdf_page=_positive_int(ref, record, "source_pdf_page"),
        ref=ref,
    )


def read_projects_2025(path: Path) -> list[ProjectRow]:
    """The projects of the M&E 2025 report appendix, in file order."""
    columns = (
        "appendix",
        "row_no",
        "country",
        "city",
        "project_name",
        "focus_area",
        "status",
        "source_page",
        "source_pdf_page",
    )
    return [_project_row(ref, record) for ref, record in _read_table(path, columns)]


def _scap_row(ref: RowRef, record: Mapping[str, str]) -> ScapProjectRow:
    """One row of ``projects-2018-scap.csv``."""
    return ScapProjectRow(
        country=_text(ref, record, "country"),
        city=_text(ref, record, "city"),
        project_no=_positive_int(ref, record, "project_no"),
        project_name=_text(ref, record, "project_name"),
        overview=_text(ref, record, "overview"),
        source_pdf_page=_positive_int(ref, record, "source_pdf_page"),
        ref=ref,
    )


def read_projects_2018(path: Path) -> list[ScapProjectRow]:
    """The priority projects of the 2018 consolidated SCAPs, in file order (not imported yet)."""
    columns = ("country", "city", "project_no", "project_name", "overview", "source_pdf_page")
    return [_scap_row(ref, record) for ref, record in _read_table(path, columns)]


def read_snapshot(path: Path) -> Snapshot:
    """The source repository and commit that ``PROVENANCE.md`` names."""
    found = _SNAPSHOT.search(path.read_text(encoding="utf-8"))
    if found is None:
        raise UnusableInputError(f"{path}: names no repository and **commit `...`** snapshot")
    return Snapshot(found["repo"], found["commit"])


# ---------------------------------------------------------------------------
# Focus-area labels


def _mapped_kind(iri: str) -> str | None:
    """``focus-area`` or ``sub-area`` if ``iri`` is such a framework IRI (default base)."""
    for kind in _MAPPABLE_KINDS:
        prefix = f"{DEFAULT_BASE_IRI}id/{kind}/"
        if iri.startswith(prefix) and _SLUG.fullmatch(iri[len(prefix) :]):
            return kind
    return None


def load_label_mapping(path: Path) -> dict[str, list[str]]:
    """Printed label -> framework focus-area or sub-area IRIs, from the mapping CSV.

    IRIs are written under the default base; a label may have several rows.
    """
    mapping: dict[str, list[str]] = {}
    for ref, record in _read_table(path, ("label", "framework_iri", "note")):
        label, iri = _text(ref, record, "label"), _text(ref, record, "framework_iri")
        if _mapped_kind(iri) is None:
            raise ref.error(
                "framework_iri",
                f"{iri!r} is not a focus-area or sub-area IRI under {DEFAULT_BASE_IRI}id/",
            )
        targets = mapping.setdefault(label, [])
        if iri in targets:
            raise ref.error("framework_iri", f"{label!r} -> {iri} is listed twice")
        targets.append(iri)
    return mapping


def split_labels(cell: str, known: Collection[str]) -> list[str]:
    """The known labels a report cell lists, separated by commas.

    A label may itself hold commas; the longest known run of pieces wins:

    >>> split_labels("Upskilling, Research", {"Upskilling", "Research"})
    ['Upskilling', 'Research']
    >>> split_labels("A, B, C", {"A, B", "C"})
    ['A, B', 'C']

    Raises ``LookupError`` with the first piece no known label covers.
    """
    pieces = [piece.strip() for piece in cell.split(",")]
    labels: list[str] = []
    start = 0
    while start < len(pieces):
        end = next(
            (end for end in range(len(pieces), start, -1) if ", ".join(pieces[start:end]) in known),
            None,
        )
        if end is None:
            raise LookupError(pieces[start])
        labels.append(", ".join(pieces[start:end]))
        start = end
    return labels


# ---------------------------------------------------------------------------
# Graphs


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


def _new_graph(base_iri: str) -> Graph:
    """An empty graph that knows the project prefixes."""
    graph = Graph(bind_namespaces="none")
    for name, iri in project_prefixes(base_iri).items():
        graph.bind(name, Namespace(iri))
    return graph


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
    """The triples of one city and its ASCN membership."""
    ascf = Namespace(f"{base_iri}def/")
    city = _instance(base_iri, "city", slugify(row.name))
    graph.add((city, RDF.type, ascf.City))
    graph.add((city, RDFS.label, Literal(row.name, lang="en")))
    for alt_name in row.alt_names:
        graph.add((city, SKOS.altLabel, Literal(alt_name, lang="en")))
    graph.add((city, ascf.country, _instance(base_iri, "country", slugify(row.country))))
    if row.admin_level_as_named:
        graph.add((city, ascf.administrationAsNamed, Literal(row.admin_level_as_named)))
    graph.add((city, DCTERMS.source, ASEAN_PAGE))
    membership = BNode()
    graph.add((city, ORG.hasMembership, membership))
    graph.add((membership, RDF.type, ascf.NetworkMembership))
    graph.add((membership, ORG.organization, _instance(base_iri, "organisation", "ascn")))
    graph.add((membership, ascf.joinedYear, Literal(str(row.joined_year), datatype=XSD.gYear)))
    graph.add((membership, DCTERMS.source, ASEAN_PAGE))


def cities_graph(rows: Sequence[CityRow], base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The member cities, each with one ASCN membership and its join year."""
    _check_base(base_iri)
    _unique_slugs(rows)
    graph = _new_graph(base_iri)
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


def _citation(row: ProjectRow) -> Literal:
    """Where in the report the project is listed, as a citation."""
    return Literal(
        f"{ME_2025_CITED_AS}, Appendix {row.appendix}, no. {row.row_no}, p. {row.source_page}",
        lang="en",
    )


def _add_report(graph: Graph) -> None:
    """The M&E 2025 report as the source entity of the projects."""
    graph.add((ME_2025_REPORT, RDF.type, PROV.Entity))
    graph.add((ME_2025_REPORT, DCTERMS.title, Literal(ME_2025_TITLE, lang="en")))
    graph.add((ME_2025_REPORT, DCTERMS.date, Literal(ME_2025_AS_OF, datatype=XSD.date)))


def _add_project(
    graph: Graph, row: ProjectRow, city: CityRow, targets: Sequence[str], base_iri: str
) -> None:
    """The triples of one project of the M&E 2025 report."""
    ascf = Namespace(f"{base_iri}def/")
    project = _instance(base_iri, "project", _project_slug(city, row))
    graph.add((project, RDF.type, ascf.SmartCityProject))
    graph.add((project, RDFS.label, Literal(row.project_name, lang="en")))
    graph.add((project, ascf.city, _instance(base_iri, "city", slugify(city.name))))
    for iri in targets:
        prop = ascf.focusArea if _mapped_kind(iri) == "focus-area" else ascf.subArea
        graph.add((project, prop, _rebased(iri, base_iri)))
    status_slug = STATUS_BY_APPENDIX[row.appendix][1]
    graph.add((project, ascf.status, _instance(base_iri, "project-status", status_slug)))
    graph.add((project, DCTERMS.source, ME_2025_REPORT))
    graph.add((project, DCTERMS.bibliographicCitation, _citation(row)))


def _project_slug(city: CityRow, row: ProjectRow) -> str:
    """``{city-slug}-{project-name-slug}``, the city slug taken from ``cities.csv``."""
    return f"{slugify(city.name)}-{slugify(row.project_name)}"


def projects_2025_graph(
    rows: Sequence[ProjectRow],
    cities: Sequence[CityRow],
    mapping: Mapping[str, Sequence[str]],
    base_iri: str = DEFAULT_BASE_IRI,
) -> Graph:
    """The projects of the M&E 2025 report, linked to cities, focus areas and statuses."""
    _check_base(base_iri)
    index = city_index(cities)
    graph = _new_graph(base_iri)
    _add_report(graph)
    seen: dict[str, ProjectRow] = {}
    for row in rows:
        city = resolve_city(row, index)
        slug = _project_slug(city, row)
        if slug in seen:
            raise row.ref.error(
                "project_name", f"project slug {slug!r} already used by row {seen[slug].ref.row}"
            )
        seen[slug] = row
        _add_project(graph, row, city, _framework_targets(row, mapping), base_iri)
    return graph


# ---------------------------------------------------------------------------
# Deterministic Turtle

_LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INDENT = "    "


class _TurtleWriter:
    """Writes one graph as sorted Turtle; blank nodes are nested where they are used."""

    def __init__(self, graph: Graph, prefixes: Mapping[str, str]) -> None:
        self.graph = graph
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self.used: set[str] = set()
        self.written = 0

    def iri(self, iri: URIRef) -> str:
        """A prefixed name where the local part is plain, else ``<iri>``."""
        for name, namespace in self.prefixes:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(local):
                self.used.add(name)
                return f"{name}:{local}"
        if _NOT_IN_IRI.search(iri):
            raise ValueError(f"IRI {iri!r} has characters Turtle cannot write")
        return f"<{iri}>"

    def literal(self, literal: Literal) -> str:
        """A quoted literal with its language tag or datatype (none for xsd:string)."""
        text = "".join(_ESCAPES.get(char, char) for char in str(literal))
        text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04X}", text)
        if literal.language:
            return f'"{text}"@{literal.language}'
        if literal.datatype is None or literal.datatype == XSD.string:
            return f'"{text}"'
        return f'"{text}"^^{self.iri(literal.datatype)}'

    def term(self, term: Node, depth: int) -> str:
        """Any object: IRI, literal or a nested blank node."""
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            return self.nested(term, depth)
        raise TypeError(f"cannot write {term!r} as Turtle")

    def predicate_objects(self, subject: Node, depth: int) -> list[str]:
        """``predicate object`` lines of a subject: ``a`` first, then sorted."""
        lines = []
        for predicate, obj in self.graph.predicate_objects(subject):
            verb = "a" if predicate == RDF.type else self.iri(predicate)
            lines.append((verb != "a", verb, self.term(obj, depth + 1)))
        self.written += len(lines)
        return [f"{verb} {obj}" for _, verb, obj in sorted(lines)]

    def nested(self, node: BNode, depth: int) -> str:
        """A blank node as ``[ ... ]`` at the given nesting depth."""
        inner = _INDENT * (depth + 1)
        body = f" ;\n{inner}".join(self.predicate_objects(node, depth))
        return f"[\n{inner}{body}\n{_INDENT * depth}]" if body else "[]"

    def subject_block(self, subject: URIRef) -> str:
        """One named subject with all its statements."""
        lines = self.predicate_objects(subject, 0)
        return f"{self.iri(subject)} " + f" ;\n{_INDENT}".join(lines) + " .\n"

    def check_blank_nodes(self) -> None:
        """Refuse blank nodes that cannot be nested exactly once under a named subject."""
        uses = Counter(o for o in self.graph.objects() if isinstance(o, BNode))
        for node in set(self.graph.subjects()) | set(uses):
            if isinstance(node, BNode) and uses[node] != 1:
                raise ValueError(
                    f"blank node {node} is the object of {uses[node]} triples; "
                    "turtle() writes only blank nodes used exactly once"
                )

    def document(self, header: Sequence[str]) -> str:
        """Header comment, the prefixes used, then one block per named subject."""
        self.check_blank_nodes()
        named = sorted({s for s in self.graph.subjects() if isinstance(s, URIRef)})
        blocks = [self.subject_block(subject) for subject in named]
        if self.written != len(self.graph):
            raise ValueError("blank nodes not reachable from a named subject cannot be written")
        prefix_lines = [
            f"@prefix {name}: <{namespace}> ."
            for name, namespace in sorted(self.prefixes)
            if name in self.used
        ]
        comments = [f"# {line}".rstrip() for line in header]
        head = "\n".join([*comments, *([""] if comments else []), *prefix_lines])
        return head + "\n\n" + "\n".join(blocks)


def turtle(
    graph: Graph, header: Sequence[str] = (), prefixes: Mapping[str, str] | None = None
) -> str:
    """``graph`` as Turtle that depends only on its triples: sorted and stable.

    Named subjects are sorted by IRI, statements by predicate (``a`` first) and
    object; each blank node must be the object of exactly one triple and is
    written nested there. ``header`` lines become ``#`` comments on top.
    """
    writer = _TurtleWriter(graph, prefixes if prefixes is not None else PREFIXES)
    return writer.document(header)


# ---------------------------------------------------------------------------
# Headers and the whole import

_POPULATION_NOTE: Final = (
    "- population, population_year, population_wikidata_json, population_wiki_infobox_json:",
    "  PROVENANCE.md says the figures have no year, mix administrative scopes (city proper,",
    "  metropolitan area, province) and disagree between files; it says not to use them as",
    "  authoritative, so no ascf:population, ascf:populationYear or ascf:populationScope.",
)


def cities_header(snapshot: Snapshot) -> tuple[str, ...]:
    """The comment on top of ``ascn-cities.ttl``."""
    return (
        "ASCN member cities and their memberships of the ASEAN Smart Cities Network.",
        "Generated by ascf_graph.ascn_import; do not edit by hand.",
        f"Source files: {CITIES_CSV} and {PROVENANCE_MD} of the ASCN CSV extracts",
        "  (shared/data/ascn), built from the snapshot of",
        f"  https://github.com/{snapshot.repository} at commit {snapshot.commit}.",
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
        "Generated by ascf_graph.ascn_import; do not edit by hand.",
        f"Source files: {PROJECTS_2025_CSV}, {CITIES_CSV} (to resolve city spellings) and",
        f"  {PROVENANCE_MD} of the ASCN CSV extracts (shared/data/ascn), built from the",
        f"  snapshot of https://github.com/{snapshot.repository} at commit {snapshot.commit};",
        "  focus-area labels mapped by data/mappings/focus-area-labels.csv.",
        f"Report: {ME_2025_REPORT}",
        "Left out on purpose:",
        "- Ongoing vs Planning: the appendix does not tell Appendix A rows apart, so they all get",
        "  id/project-status/ongoing-and-under-planning.",
        "- source_pdf_page (the citation gives the printed page) and the country column (only",
        f"  checked against {CITIES_CSV}).",
        f"- The 2018 SCAP projects ({PROJECTS_2018_CSV}): not imported yet.",
        "Note: the appendix counts Built Infrastructure 32 and Quality Environment 25, while",
        "  Exhibit 1 fits 33 and 24; the appendix values are kept (PROVENANCE.md).",
    )


def import_ascn(
    source_dir: Path,
    out_dir: Path,
    base_iri: str = DEFAULT_BASE_IRI,
    mapping_path: Path | None = None,
) -> dict[str, int]:
    """Write ``ascn-cities.ttl`` and ``ascn-projects-2025.ttl`` into ``out_dir``.

    The label mapping defaults to ``{out_dir}/mappings/focus-area-labels.csv``.
    Returns the number of triples written, by file stem.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    snapshot = read_snapshot(source_dir / PROVENANCE_MD)
    cities = read_cities(source_dir / CITIES_CSV)
    projects = read_projects_2025(source_dir / PROJECTS_2025_CSV)
    mapping = load_label_mapping(mapping_path or out_dir / LABEL_MAPPING_CSV)
    graphs = {
        CITIES_TTL: (cities_graph(cities, base_iri), cities_header(snapshot)),
        PROJECTS_2025_TTL: (
            projects_2025_graph(projects, cities, mapping, base_iri),
            projects_2025_header(snapshot),
        ),
    }
    prefixes = project_prefixes(base_iri)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for file_name, (graph, header) in graphs.items():
        (out_dir / file_name).write_text(
            turtle(graph, header, prefixes), encoding="utf-8", newline="\n"
        )
        counts[Path(file_name).stem] = len(graph)
    return counts
