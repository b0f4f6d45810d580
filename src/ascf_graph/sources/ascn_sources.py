"""Read the ASCN's public CSV extracts and our mapping tables into checked rows.

The extracts (``shared/data/ascn``, described by the ``PROVENANCE.md`` beside
them) say what the reports say; the mapping tables under ``data/mappings/``
say what we make of it, each row with its reason:

* ``focus-area-labels.csv``: a report's printed focus-area label -> framework IRIs;
* ``scap-2018-classification.csv``: each 2018 SCAP project -> the focus areas or
  sub-areas its name or overview makes unambiguous, or none, and why;
* ``same-projects-2018-2025.csv``: a 2018 SCAP project and a 2025 report row
  that clearly are the same project, and why.

Every problem is a :class:`CsvImportError` naming file, row and column. Rows are
counted as a spreadsheet shows them: the header is row 1, so the first data
row is row 2.
"""

import csv
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Final

from ascf_graph.core.errors import CsvImportError, UnusableInputError
from ascf_graph.core.namespaces import DEFAULT_BASE_IRI

#: Appendix of the M&E 2025 report -> (its heading as the CSV's status, status slug).
STATUS_BY_APPENDIX: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "A": ("Ongoing and under Planning", "ongoing-and-under-planning"),
        "B": ("Completed", "completed"),
    }
)

#: The framework kinds a printed label may map to.
LABEL_KINDS: Final = ("focus-area", "sub-area")
#: The framework kinds our classification of a 2018 plan may file it under: a plan of a
#: city or district belongs to an urban system rather than to a focus area.
CLASSIFICATION_KINDS: Final = (*LABEL_KINDS, "urban-system")

_ISO2 = re.compile(r"[A-Z]{2}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_YEAR = re.compile(r"[0-9]{4}")
_SNAPSHOT = re.compile(r"repository (?P<repo>\S+), \*\*commit `(?P<commit>[0-9a-f]{40})`")


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


def read_table(path: Path, columns: Sequence[str]) -> list[tuple[RowRef, dict[str, str]]]:
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
    return [_city_row(ref, record) for ref, record in read_table(path, columns)]


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
    return [_project_row(ref, record) for ref, record in read_table(path, columns)]


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
    """The priority projects of the 2018 consolidated SCAPs, in file order."""
    columns = ("country", "city", "project_no", "project_name", "overview", "source_pdf_page")
    return [_scap_row(ref, record) for ref, record in read_table(path, columns)]


def read_snapshot(path: Path) -> Snapshot:
    """The source repository and commit that ``PROVENANCE.md`` names."""
    found = _SNAPSHOT.search(path.read_text(encoding="utf-8"))
    if found is None:
        raise UnusableInputError(f"{path}: names no repository and **commit `...`** snapshot")
    return Snapshot(found["repo"], found["commit"])


# ---------------------------------------------------------------------------
# Focus-area labels


def mapped_kind(iri: str, kinds: Sequence[str] = LABEL_KINDS) -> str | None:
    """The kind (``focus-area``, ``sub-area``...) among ``kinds`` of the framework IRI
    ``iri`` under the default base, or None."""
    for kind in kinds:
        prefix = f"{DEFAULT_BASE_IRI}id/{kind}/"
        if iri.startswith(prefix) and _SLUG.fullmatch(iri[len(prefix) :]):
            return kind
    return None


def load_label_mapping(path: Path) -> dict[str, list[str]]:
    """Printed label -> framework focus-area or sub-area IRIs, from the mapping CSV.

    IRIs are written under the default base; a label may have several rows.
    """
    mapping: dict[str, list[str]] = {}
    for ref, record in read_table(path, ("label", "framework_iri", "note")):
        label, iri = _text(ref, record, "label"), _text(ref, record, "framework_iri")
        if mapped_kind(iri) is None:
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
# Classification of the 2018 SCAP projects


@dataclass(frozen=True)
class ScapClassification:
    """What we file one 2018 SCAP project under, with the reasons, and why not where not.

    ``framework_iris`` are focus-area, sub-area or urban-system IRIs under the default
    base, each with its reason in ``reasons``; ``not_classified_because`` says why the
    project's name and overview make no focus area or sub-area unambiguous (a plan of a
    district may still be filed under an urban system).
    """

    city: str
    project_no: int
    project_name: str
    framework_iris: tuple[str, ...]
    reasons: tuple[str, ...]
    not_classified_because: str | None
    ref: RowRef = field(compare=False)

    @property
    def classified(self) -> bool:
        """Whether the project is filed under at least one focus area or sub-area."""
        return any(mapped_kind(iri) is not None for iri in self.framework_iris)


def read_scap_classification(path: Path) -> dict[tuple[str, int], ScapClassification]:
    """(city, project number) -> its classification, from ``scap-2018-classification.csv``.

    A project has one row per framework IRI it is filed under and, when it is filed under
    no focus area or sub-area, one row with an empty IRI; every row needs a reason.
    """
    columns = ("city", "project_no", "project_name", "framework_iri", "reason")
    grouped: dict[tuple[str, int], ScapClassification] = {}
    for ref, record in read_table(path, columns):
        key = (_text(ref, record, "city"), _positive_int(ref, record, "project_no"))
        name, reason, iri = _text(ref, record, "project_name"), _text(ref, record, "reason"), ""
        if record["framework_iri"]:
            iri = record["framework_iri"]
            if mapped_kind(iri, CLASSIFICATION_KINDS) is None:
                raise ref.error(
                    "framework_iri",
                    f"{iri!r} is not a focus-area, sub-area or urban-system IRI"
                    f" under {DEFAULT_BASE_IRI}id/",
                )
        first = key not in grouped
        earlier = grouped.get(key) or ScapClassification(
            city=key[0],
            project_no=key[1],
            project_name=name,
            framework_iris=(),
            reasons=(),
            not_classified_because=None,
            ref=ref,
        )
        see = "" if first else f" (see row {earlier.ref.row})"
        if earlier.project_name != name:
            raise ref.error(
                "project_name",
                f"{name!r}, but row {earlier.ref.row} says so too with {earlier.project_name!r}",
            )
        if iri in earlier.framework_iris:
            raise ref.error("framework_iri", f"{iri} is listed twice for this project{see}")
        if iri:
            entry = replace(
                earlier,
                framework_iris=(*earlier.framework_iris, iri),
                reasons=(*earlier.reasons, reason),
            )
        elif earlier.not_classified_because is None:
            entry = replace(earlier, not_classified_because=reason)
        else:
            raise ref.error("framework_iri", f"the project is left unclassified twice{see}")
        if entry.classified and entry.not_classified_because is not None:
            raise ref.error(
                "framework_iri",
                f"project {key[1]} of {key[0]} is both left unclassified and filed under "
                f"a focus area or sub-area{see}",
            )
        grouped[key] = entry
    for entry in grouped.values():
        if not entry.classified and entry.not_classified_because is None:
            raise entry.ref.error(
                "framework_iri",
                f"project {entry.project_no} of {entry.city} is filed under no focus area "
                "or sub-area: add a row with an empty IRI and the reason",
            )
    return grouped


# ---------------------------------------------------------------------------
# The same project in the 2018 SCAPs and the 2025 report


@dataclass(frozen=True)
class SameProjectLink:
    """A 2018 SCAP project and a row of the 2025 report that are the same project, and why."""

    city: str
    scap_project_no: int
    scap_project_name: str
    appendix: str
    row_no: int
    me2025_project_name: str
    reason: str
    ref: RowRef = field(compare=False)


def read_same_project_links(path: Path) -> list[SameProjectLink]:
    """The links of ``same-projects-2018-2025.csv``, in file order."""
    columns = (
        "city",
        "scap_project_no",
        "scap_project_name",
        "me2025_appendix",
        "me2025_row_no",
        "me2025_project_name",
        "reason",
    )
    links = []
    for ref, record in read_table(path, columns):
        appendix = _text(ref, record, "me2025_appendix")
        if appendix not in STATUS_BY_APPENDIX:
            raise ref.error("me2025_appendix", f"{appendix!r} is neither A nor B")
        links.append(
            SameProjectLink(
                city=_text(ref, record, "city"),
                scap_project_no=_positive_int(ref, record, "scap_project_no"),
                scap_project_name=_text(ref, record, "scap_project_name"),
                appendix=appendix,
                row_no=_positive_int(ref, record, "me2025_row_no"),
                me2025_project_name=_text(ref, record, "me2025_project_name"),
                reason=_text(ref, record, "reason"),
                ref=ref,
            )
        )
    return links
