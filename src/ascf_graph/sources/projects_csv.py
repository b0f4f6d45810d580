"""The projects spreadsheet template: one row per project, turned into RDF with our terms.

The template (``data/templates/projects-template.csv``, documented in the
README beside it) has these columns; only ``city`` and ``title`` must be filled:

| column | what | becomes |
|---|---|---|
| ``project_id`` | optional; default ``{city-slug}-{title-slug}`` | ``{base}id/project/{slug}`` |
| ``city`` | a member city by name, other spelling, slug or IRI | ``ascf:city`` |
| ``title`` | the project's name | ``rdfs:label`` |
| ``description`` | a few sentences | ``dct:description`` |
| ``focus_areas`` | focus areas by label or slug, ``;`` between several | ``ascf:focusArea`` |
| ``sub_areas`` | sub-areas by label or slug, ``;`` between several | ``ascf:subArea`` |
| ``status`` | Planned, Ongoing, Completed, Suspended, Cancelled... | ``ascf:status`` |
| ``start_date``, ``end_date`` | ``YYYY-MM-DD`` | ``ascf:startDate``, ``ascf:endDate`` |
| ``budget_amount``, ``budget_currency`` | ``250000.50`` and an ISO 4217 code | ``ascf:budget`` |
| ``partners`` | organisation names, ``;`` between several | ``ascf:partner`` |
| ``outcomes`` | strategic outcomes by label or slug | ``ascf:targetsOutcome`` |
| ``enablers`` | enablers by label or slug | ``ascf:usesEnabler`` |
| ``source`` | the report's URL, or a citation as text | ``dct:source`` |
| ``language`` | language of title and description, default ``en`` | language tags |

Labels are the framework's own (from the store) plus the report spellings of
``data/mappings/focus-area-labels.csv`` that the ASCN import uses. Every
problem is a :class:`~ascf_graph.sources.ascn_sources.CsvImportError` naming row and
column (the header is row 1). Rules the shapes check (a focus area or sub-area
given, dates in order) are left to validation, which names the project.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from ascf_graph.core.errors import CsvImportError
from ascf_graph.core.namespaces import ASCF, DCT, DEFAULT_BASE_IRI, PREFIXES, RDF, RDFS, XSD
from ascf_graph.core.slugs import slugify
from ascf_graph.sources.ascn_sources import RowRef, load_label_mapping, mapped_kind
from ascf_graph.store.base import Store

COLUMNS: Final = (
    "project_id",
    "city",
    "title",
    "description",
    "focus_areas",
    "sub_areas",
    "status",
    "start_date",
    "end_date",
    "budget_amount",
    "budget_currency",
    "partners",
    "outcomes",
    "enablers",
    "source",
    "language",
)
REQUIRED: Final = ("city", "title")
SEPARATOR: Final = ";"
#: Where the report spellings of focus areas and sub-areas live, under ``data/``.
LABEL_MAPPING: Final = Path("mappings") / "focus-area-labels.csv"

#: Kind of thing a cell names -> (its class under ``def/``, what a person calls it).
KINDS: Final[Mapping[str, tuple[str, str]]] = {
    "focus-area": ("FocusArea", "focus area"),
    "sub-area": ("SubArea", "sub-area"),
    "project-status": ("ProjectStatus", "status"),
    "outcome": ("StrategicOutcome", "strategic outcome"),
    "enabler": ("Enabler", "enabler"),
    "city": ("City", "member city"),
    "organisation": ("Organisation", "organisation"),
}
#: A focus area put under sub-areas, or the other way round: the kind and column it belongs to.
_OTHER_AREA: Final = {
    "focus-area": ("sub-area", "sub_areas"),
    "sub-area": ("focus-area", "focus_areas"),
}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CURRENCY = re.compile(r"[A-Z]{3}")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*")
_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?thing ?label ?class WHERE {
    ?thing a ?class .
    OPTIONAL { ?thing rdfs:label|skos:prefLabel|skos:altLabel ?label }
}
"""


@dataclass(frozen=True)
class Vocabulary:
    """What the cells may name: for each kind, label, slug or IRI (case-folded) -> IRI."""

    base_iri: str
    names: Mapping[str, Mapping[str, str]]
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_store(
        cls, store: Store, base_iri: str, *, label_mapping: Path | None = None
    ) -> "Vocabulary":
        """The framework concepts, statuses, cities and organisations ``store`` knows,
        with the report spellings of ``label_mapping`` added to focus areas and sub-areas."""
        names: dict[str, dict[str, str]] = {}
        labels: dict[str, tuple[str, ...]] = {}
        for kind, (class_name, _) in KINDS.items():
            found: dict[str, str] = {}
            shown: set[str] = set()
            rows = store.query(
                _LABELS, substitutions={"class": ox.NamedNode(f"{base_iri}def/{class_name}")}
            )
            for row in rows:  # type: ignore[union-attr]
                iri = row["thing"].value
                found[iri.casefold()] = iri
                found[iri.rsplit("/", 1)[-1].casefold()] = iri
                if row["label"] is not None:
                    found.setdefault(row["label"].value.casefold(), iri)
                    shown.add(row["label"].value)
            names[kind], labels[kind] = found, tuple(sorted(shown))
        if label_mapping is not None and label_mapping.is_file():
            for label, iris in load_label_mapping(label_mapping).items():
                for iri in iris:
                    kind = mapped_kind(iri)
                    if kind is not None:
                        names[kind].setdefault(label.casefold(), _rebase(iri, base_iri))
        return cls(base_iri, names, labels)

    def resolve(self, kind: str, text: str) -> str | None:
        """The IRI of the ``kind`` named ``text`` (label, slug or IRI), if known; a label
        is also matched by its slug, so ``&`` and ``and`` or accents do not matter."""
        names = self.names.get(kind, {})
        found = names.get(text.strip().casefold())
        if found is None:
            try:
                found = names.get(slugify(text))
            except ValueError:
                return None
        return found

    def known(self, kind: str, limit: int = 12) -> str:
        """Some of the names a cell of ``kind`` may hold, for an error message."""
        shown = self.labels.get(kind, ())
        more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
        return ", ".join(shown[:limit]) + more


def projects_from_csv(data: bytes | str, vocabulary: Vocabulary, *, source: str) -> list[ox.Triple]:
    """The RDF of every project row of a template CSV; :class:`CsvImportError` on any bad cell."""
    builder = _ProjectGraph(vocabulary)
    seen: dict[str, int] = {}
    for ref, record in _rows(data, source):
        slug = builder.add(ref, record)
        if slug in seen:
            raise ref.error(
                "project_id" if record["project_id"] else "title",
                f"project {slug!r} is already described in row {seen[slug]}; "
                "give one row per project, or set project_id to tell them apart",
            )
        seen[slug] = ref.row
    if not seen:
        raise CsvImportError(source, 2, COLUMNS[0], "the file has a header but no project rows")
    return builder.triples


def _rows(data: bytes | str, source: str) -> Iterable[tuple[RowRef, dict[str, str]]]:
    """The rows of the CSV as ``column -> stripped cell``, checked against the template."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CsvImportError(
                source,
                1,
                COLUMNS[0],
                f"not UTF-8 text ({error.reason}); save the sheet as UTF-8 CSV",
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    for name in header:
        if name not in COLUMNS:
            raise CsvImportError(
                source,
                1,
                name,
                f"not a column of the template; the columns are {', '.join(COLUMNS)}",
            )
    for name in REQUIRED:
        if name not in header:
            raise CsvImportError(source, 1, name, "column missing from the header")
    for number, record in enumerate(reader, start=2):
        ref = RowRef(source, number)
        if None in record:
            raise ref.error(header[-1], "row has more cells than the header")
        cells = {name: (record.get(name) or "").strip() for name in COLUMNS}
        if any(cells.values()):
            yield ref, cells


class _ProjectGraph:
    """Accumulates the triples of the rows, one project at a time."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.triples: list[ox.Triple] = []
        self._new_organisations: dict[str, ox.NamedNode] = {}
        base = vocabulary.base_iri
        self._def = base + "def/"
        self._id = base + "id/"

    def add(self, ref: RowRef, cells: Mapping[str, str]) -> str:
        """Add one row's project; return its slug."""
        for name in REQUIRED:
            if not cells[name]:
                raise ref.error(name, "empty cell; every project needs a city and a title")
        language = cells["language"] or "en"
        if not _LANGUAGE.fullmatch(language):
            raise ref.error("language", f"{language!r} is not a language tag such as en, th, vi")
        city = self._one(ref, cells, "city", "city")
        slug = self._slug(ref, cells, city)
        project = ox.NamedNode(f"{self._id}project/{slug}")
        self._add(project, RDF + "type", ox.NamedNode(self._def + "SmartCityProject"))
        self._add(project, RDFS + "label", ox.Literal(cells["title"], language=language))
        self._add(project, self._def + "city", ox.NamedNode(city))
        if cells["description"]:
            self._add(
                project, DCT + "description", ox.Literal(cells["description"], language=language)
            )
        for column, kind, term in (
            ("focus_areas", "focus-area", "focusArea"),
            ("sub_areas", "sub-area", "subArea"),
            ("outcomes", "outcome", "targetsOutcome"),
            ("enablers", "enabler", "usesEnabler"),
        ):
            for iri in self._many(ref, cells, column, kind):
                self._add(project, self._def + term, ox.NamedNode(iri))
        if cells["status"]:
            status = self._one(ref, cells, "status", "project-status")
            self._add(project, self._def + "status", ox.NamedNode(status))
        for column, term in (("start_date", "startDate"), ("end_date", "endDate")):
            if cells[column]:
                self._add(project, self._def + term, _date(ref, column, cells[column]))
        self._budget(ref, cells, project, slug)
        for partner in _split(cells["partners"]):
            self._add(project, self._def + "partner", self._organisation(partner, language))
        if cells["source"]:
            self._add(project, DCT + "source", _source(cells["source"]))
        return slug

    def _add(self, subject: ox.NamedNode | ox.BlankNode, predicate: str, value: object) -> None:
        self.triples.append(ox.Triple(subject, ox.NamedNode(predicate), value))  # type: ignore[arg-type]

    def _slug(self, ref: RowRef, cells: Mapping[str, str], city: str) -> str:
        if cells["project_id"]:
            if not _SLUG.fullmatch(cells["project_id"]):
                raise ref.error(
                    "project_id",
                    f"{cells['project_id']!r} is not a slug: lower-case letters, digits and "
                    "single hyphens, e.g. da-nang-smart-parking",
                )
            return cells["project_id"]
        try:
            return f"{city.rsplit('/', 1)[-1]}-{slugify(cells['title'])}"
        except ValueError:
            raise ref.error("title", "the title has no letters or digits") from None

    def _one(self, ref: RowRef, cells: Mapping[str, str], column: str, kind: str) -> str:
        values = self._many(ref, cells, column, kind)
        if len(values) != 1:
            raise ref.error(column, f"give exactly one {KINDS[kind][1]}")
        return values[0]

    def _many(self, ref: RowRef, cells: Mapping[str, str], column: str, kind: str) -> list[str]:
        found = []
        for name in _split(cells[column]):
            iri = self.vocabulary.resolve(kind, name)
            if iri is None:
                raise ref.error(column, self._unknown(kind, name))
            found.append(iri)
        return found

    def _unknown(self, kind: str, name: str) -> str:
        what = KINDS[kind][1]
        other = _OTHER_AREA.get(kind)
        if other is not None and self.vocabulary.resolve(other[0], name):
            return f"{name!r} is a {KINDS[other[0]][1]}, not a {what}: put it in {other[1]}"
        return f"unknown {what} {name!r}; use one of: {self.vocabulary.known(kind)}"

    def _budget(
        self, ref: RowRef, cells: Mapping[str, str], project: ox.NamedNode, slug: str
    ) -> None:
        amount, currency = cells["budget_amount"], cells["budget_currency"]
        if not amount and not currency:
            return
        if not amount or not currency:
            missing = "budget_currency" if amount else "budget_amount"
            raise ref.error(missing, "a budget needs both an amount and a currency")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            raise ref.error(
                "budget_amount",
                f"{amount!r} is not an amount: write digits with a dot for decimals, "
                "no currency sign or thousands separator, e.g. 250000.50",
            )
        if not _CURRENCY.fullmatch(currency):
            raise ref.error(
                "budget_currency", f"{currency!r} is not an ISO 4217 code such as USD, SGD, THB"
            )
        budget = ox.BlankNode(f"budget-{slug}")
        self._add(project, self._def + "budget", budget)
        self._add(budget, RDF + "type", ox.NamedNode(self._def + "MonetaryAmount"))
        self._add(
            budget, self._def + "amount", ox.Literal(format(value, "f"), datatype=_xsd("decimal"))
        )
        self._add(budget, self._def + "currency", ox.Literal(currency))

    def _organisation(self, name: str, language: str) -> ox.NamedNode:
        known = self.vocabulary.resolve("organisation", name)
        if known is not None:
            return ox.NamedNode(known)
        slug = slugify(name)
        if slug not in self._new_organisations:
            node = ox.NamedNode(f"{self._id}organisation/{slug}")
            self._new_organisations[slug] = node
            self._add(node, RDF + "type", ox.NamedNode(self._def + "Organisation"))
            self._add(node, RDFS + "label", ox.Literal(name, language=language))
        return self._new_organisations[slug]


def _split(cell: str) -> list[str]:
    return [piece.strip() for piece in cell.split(SEPARATOR) if piece.strip()]


def _date(ref: RowRef, column: str, text: str) -> ox.Literal:
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) != 10:
        raise ref.error(
            column, f"{text!r} is not a date written YYYY-MM-DD (e.g. 2021-03-01) that exists"
        )
    return ox.Literal(text, datatype=_xsd("date"))


def _source(text: str) -> ox.NamedNode | ox.Literal:
    if text.startswith(("http://", "https://")) and " " not in text:
        try:
            return ox.NamedNode(text)
        except ValueError:
            pass
    return ox.Literal(text)


def _xsd(name: str) -> ox.NamedNode:
    return ox.NamedNode(XSD + name)


def _rebase(iri: str, base_iri: str) -> str:
    return base_iri + iri[len(DEFAULT_BASE_IRI) :] if iri.startswith(DEFAULT_BASE_IRI) else iri


def template_prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes for Turtle written from the template, under ``base_iri``."""
    return {name: _rebase(iri, base_iri) for name, iri in PREFIXES.items()} | {
        "ascf": _rebase(ASCF, base_iri)
    }
