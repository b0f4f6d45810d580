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

import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from ascf_graph.core.errors import CsvImportError
from ascf_graph.core.namespaces import ASCF, DCT, DEFAULT_BASE_IRI, PREFIXES, RDF, RDFS, XSD
from ascf_graph.core.slugs import slugify
from ascf_graph.rdf.language_tags import unregistered_subtag
from ascf_graph.sources.ascn_sources import RowRef, load_label_mapping, mapped_kind
from ascf_graph.sources.spreadsheets import Sheet, read_sheet
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
        is also matched by its slug, so ``&`` and ``and``, case, accents and script do not
        matter, and loosely (:func:`loose_name`): ``Ha Noi`` is Hanoi, ``Vientiane
        Capital`` Vientiane."""
        names = self.names.get(kind, {})
        found = names.get(text.strip().casefold())
        if found is None:
            try:
                found = names.get(slugify(text))
            except ValueError:
                return None
        if found is None:
            found = self._loose(kind).get(loose_name(text))
        return found

    def suggestions(self, kind: str, text: str, limit: int = 3) -> list[str]:
        """The names of ``kind`` closest to ``text``, for "did you mean"."""
        loose = self._loose(kind)
        close = difflib.get_close_matches(loose_name(text), list(loose), n=limit, cutoff=0.6)
        shown = {loose_name(label): label for label in self.labels.get(kind, ())}
        return [shown.get(name, loose[name].rsplit("/", 1)[-1]) for name in close]

    def _loose(self, kind: str) -> dict[str, str]:
        """The names of ``kind`` by :func:`loose_name` (the first name wins a tie)."""
        loose: dict[str, str] = {}
        for name, iri in self.names.get(kind, {}).items():
            if "/" not in name:
                loose.setdefault(loose_name(name), iri)
        return loose

    def known(self, kind: str, limit: int = 12) -> str:
        """Some of the names a cell of ``kind`` may hold, for an error message."""
        shown = self.labels.get(kind, ())
        more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
        return ", ".join(shown[:limit]) + more


#: The template column each property of a project (or its budget) comes from, by the
#: property's name under ``def/`` or its full IRI.
COLUMN_OF: Final[Mapping[str, str]] = {
    RDFS + "label": "title",
    "city": "city",
    DCT + "description": "description",
    "focusArea": "focus_areas",
    "subArea": "sub_areas",
    "status": "status",
    "startDate": "start_date",
    "endDate": "end_date",
    "budget": "budget_amount",
    "amount": "budget_amount",
    "currency": "budget_currency",
    "partner": "partners",
    "targetsOutcome": "outcomes",
    "usesEnabler": "enablers",
    DCT + "source": "source",
}


def template_columns(base_iri: str) -> dict[str, str]:
    """:data:`COLUMN_OF` by full property IRIs under ``base_iri``."""
    return {
        (key if "/" in key else f"{base_iri}def/{key}"): column for key, column in COLUMN_OF.items()
    }


@dataclass(frozen=True)
class ProjectSheet:
    """A projects CSV read: its triples, how the file was read, and which row each project,
    budget and new organisation came from (for reports in the spreadsheet's terms)."""

    triples: list[ox.Triple]
    reading: str
    rows: Mapping[str, int]
    """Node (IRI, or ``_:label`` for a budget) -> the spreadsheet row it came from."""


def read_projects_sheet(
    data: bytes | str, vocabulary: Vocabulary, *, source: str, charset: str | None = None
) -> ProjectSheet:
    """The RDF of every project row of a template CSV as an office saved it
    (:func:`ascf_graph.sources.spreadsheets.read_sheet`); :class:`CsvImportError` on any
    cell that cannot be read, naming row and column."""
    sheet = read_sheet(data, source, COLUMNS, charset=charset)
    for name in REQUIRED:
        if name not in sheet.header:
            raise CsvImportError(source, 1, name, "column missing from the header")
    if not sheet.rows:
        raise CsvImportError(source, 2, COLUMNS[0], "the file has a header but no project rows")
    builder = _ProjectGraph(vocabulary, _date_order(sheet, source))
    seen: dict[str, int] = {}
    for number, record in sheet.rows:
        ref = RowRef(source, number)
        cells = {name: record.get(name, "") for name in COLUMNS}
        slug = builder.add(ref, cells)
        if slug in seen:
            raise ref.error(
                "project_id" if cells["project_id"] else "title",
                f"project {slug!r} is already described in row {seen[slug]}; "
                "give one row per project, or set project_id to tell them apart",
            )
        seen[slug] = ref.row
    notes = [sheet.reading(), *builder.notes]
    return ProjectSheet(builder.triples, "; ".join(notes), builder.rows)


def projects_from_csv(
    data: bytes | str, vocabulary: Vocabulary, *, source: str, charset: str | None = None
) -> list[ox.Triple]:
    """The triples of :func:`read_projects_sheet`."""
    return read_projects_sheet(data, vocabulary, source=source, charset=charset).triples


class _ProjectGraph:
    """Accumulates the triples of the rows, one project at a time."""

    def __init__(self, vocabulary: Vocabulary, date_order: "DateOrder") -> None:
        self.vocabulary = vocabulary
        self.date_order = date_order
        self.triples: list[ox.Triple] = []
        self.rows: dict[str, int] = {}
        self.notes: list[str] = [date_order.note] if date_order.note else []
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
            suggested = language.replace("_", "-")
            hint = (
                f"; write {suggested!r} (subtags joined by '-')"
                if _LANGUAGE.fullmatch(suggested)
                else ""
            )
            raise ref.error(
                "language",
                f"{language!r} is not a BCP 47 language tag such as en, th, vi, vi-VN{hint}",
            )
        unknown = unregistered_subtag(language)
        if unknown is not None:
            raise ref.error(
                "language",
                f"{language!r} is not in the IANA Language Subtag Registry ({unknown!r} is no "
                "registered language, script or region); write a tag such as en, th, vi, vi-VN",
            )
        city = self._one(ref, cells, "city", "city")
        slug = self._slug(ref, cells, city)
        project = ox.NamedNode(f"{self._id}project/{slug}")
        self.rows.setdefault(project.value, ref.row)
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
                self._add(
                    project, self._def + term, self.date_order.read(ref, column, cells[column])
                )
        self._budget(ref, cells, project, slug)
        for partner in _split(cells["partners"]):
            self._add(project, self._def + "partner", self._organisation(ref, partner, language))
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
            title = slugify(cells["title"])
        except ValueError:  # only signs: a stable name from the title itself
            title = hashlib.sha256(cells["title"].encode("utf-8")).hexdigest()[:10]
        return f"{city.rsplit('/', 1)[-1]}-{title}"

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
        close = self.vocabulary.suggestions(kind, name)
        if close:
            return f"unknown {what} {name!r}; did you mean {' or '.join(repr(c) for c in close)}?"
        return f"unknown {what} {name!r}; use one of: {self.vocabulary.known(kind)}"

    def _budget(
        self, ref: RowRef, cells: Mapping[str, str], project: ox.NamedNode, slug: str
    ) -> None:
        amount, currency = cells["budget_amount"], cells["budget_currency"].strip()
        if not amount and not currency:
            return
        value, written = read_amount(ref, amount) if amount else (None, None)
        if written and currency and written != currency.upper():
            raise ref.error(
                "budget_currency",
                f"the amount is written in {written} but the currency column says {currency!r}; "
                "keep one",
            )
        currency = currency.upper() if currency else written or ""
        if value is None or not currency:
            missing = "budget_currency" if value is not None else "budget_amount"
            raise ref.error(missing, "a budget needs both an amount and a currency")
        if not _CURRENCY.fullmatch(currency):
            raise ref.error(
                "budget_currency", f"{currency!r} is not an ISO 4217 code such as USD, SGD, THB"
            )
        budget = ox.BlankNode(f"budget-{slug}")
        self.rows.setdefault(f"_:{budget.value}", ref.row)
        self._add(project, self._def + "budget", budget)
        self._add(budget, RDF + "type", ox.NamedNode(self._def + "MonetaryAmount"))
        self._add(
            budget, self._def + "amount", ox.Literal(format(value, "f"), datatype=_xsd("decimal"))
        )
        self._add(budget, self._def + "currency", ox.Literal(currency))

    def _organisation(self, ref: RowRef, name: str, language: str) -> ox.NamedNode:
        known = self.vocabulary.resolve("organisation", name)
        if known is not None:
            return ox.NamedNode(known)
        slug = slugify(name)
        if slug not in self._new_organisations:
            node = ox.NamedNode(f"{self._id}organisation/{slug}")
            self.rows.setdefault(node.value, ref.row)
            self._new_organisations[slug] = node
            self._add(node, RDF + "type", ox.NamedNode(self._def + "Organisation"))
            self._add(node, RDFS + "label", ox.Literal(name, language=language))
        return self._new_organisations[slug]


def _split(cell: str) -> list[str]:
    return [piece.strip() for piece in cell.split(SEPARATOR) if piece.strip()]


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_LOCAL_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class DateOrder:
    """How the file writes day and month in ``12/03/2024``: ``dmy`` (the region's way),
    ``mdy``, or None when no date of the file tells (then an ambiguous one is refused)."""

    order: str | None
    note: str = ""

    def read(self, ref: RowRef, column: str, text: str) -> ox.Literal:
        """The ``xsd:date`` of a cell written ``YYYY-MM-DD``, ``DD/MM/YYYY`` or ``D/M/YYYY``
        (``.`` or ``-`` between them too); refuses a date that does not exist, and one whose
        day and month could be either way round when the file does not say which."""
        iso = _ISO_DATE.fullmatch(text)
        local = _LOCAL_DATE.fullmatch(text)
        if iso:
            year, month, day = (int(part) for part in iso.groups())
        elif local:
            first, second, year = (int(part) for part in local.groups())
            order = self.order
            if order is None:
                if first <= 12 and second <= 12 and first != second:
                    raise ref.error(
                        column,
                        f"{text!r} could be {_spoken(year, second, first)} or "
                        f"{_spoken(year, first, second)}; write it YYYY-MM-DD "
                        f"({year}-{second:02d}-{first:02d} or {year}-{first:02d}-{second:02d})",
                    )
                order = "mdy" if second > 12 else "dmy"
            day, month = (first, second) if order == "dmy" else (second, first)
        else:
            raise ref.error(
                column,
                f"{text!r} is not a date; write it YYYY-MM-DD (e.g. 2021-03-01) or DD/MM/YYYY",
            )
        try:
            parsed = date(year, month, day)
        except ValueError:
            raise ref.error(column, f"{text!r} is not a date that exists") from None
        return ox.Literal(parsed.isoformat(), datatype=_xsd("date"))


def _date_order(sheet: Sheet, source: str) -> DateOrder:
    """The order of day and month the file's own dates show: a first number over 12 is a
    day (``25/03/2024``), a second one over 12 too (``03/25/2024``); both in one file is
    refused."""
    shown: dict[str, tuple[int, str, str]] = {}
    for number, cells in sheet.rows:
        for column in ("start_date", "end_date"):
            found = _LOCAL_DATE.fullmatch(cells.get(column, ""))
            if found:
                first, second = int(found[1]), int(found[2])
                if first > 12 >= second:
                    shown.setdefault("dmy", (number, column, found[0]))
                elif second > 12 >= first:
                    shown.setdefault("mdy", (number, column, found[0]))
    if len(shown) == 2:
        (row_a, column_a, a), (row_b, column_b, b) = shown["dmy"], shown["mdy"]
        raise CsvImportError(
            source,
            row_b,
            column_b,
            f"{b!r} puts the month first, but {a!r} (row {row_a}, column {column_a!r}) puts "
            "the day first; write every date one way, best YYYY-MM-DD",
        )
    if not shown:
        return DateOrder(None)
    order, (row, column, text) = next(iter(shown.items()))
    way = "DD/MM/YYYY" if order == "dmy" else "MM/DD/YYYY"
    return DateOrder(order, f"dates read as {way}, as {text!r} in row {row} shows")


def _spoken(year: int, month: int, day: int) -> str:
    return f"{day} {_MONTHS[month - 1]} {year}"


#: Currency signs and the ISO 4217 codes they stand for in the region's spreadsheets.
CURRENCY_SIGNS: Final = {
    "S$": "SGD",
    "B$": "BND",
    "US$": "USD",
    "$": "USD",
    "₫": "VND",
    "đ": "VND",
    "฿": "THB",
    "RM": "MYR",
    "Rp": "IDR",
    "₱": "PHP",
    "៛": "KHR",
    "₭": "LAK",
    "€": "EUR",
    "¥": "JPY",
    "£": "GBP",
}
_AMOUNT = re.compile(r"[+-]?(\d[\d\s.,'\u00a0\u202f]*)")


def read_amount(ref: RowRef, text: str) -> tuple[Decimal, str | None]:
    """The number of a budget cell as offices write it, and the currency it names if any:
    ``1,200,000``, ``1.200.000,50``, ``1 200 000``, ``$250,000``, ``250.000 ₫``, ``VND 5,000``.

    With both ``,`` and ``.``, the last one is the decimal mark; with one of them more
    than once, it separates thousands; once, followed by exactly three digits, thousands
    too (a budget has no thousandths), else the decimal mark.
    """
    rest, currency = text.strip(), None
    code = re.search(r"\b([A-Za-z]{3})\b", rest)
    if code:
        currency, rest = code[1].upper(), (rest[: code.start()] + rest[code.end() :]).strip()
    for sign in sorted(CURRENCY_SIGNS, key=len, reverse=True):
        if sign in rest:
            if currency is None:
                currency = CURRENCY_SIGNS[sign]
            rest = rest.replace(sign, "").strip()
    found = _AMOUNT.fullmatch(rest)
    negative = rest.startswith("-")
    if found is None:
        raise ref.error(
            "budget_amount",
            f"{text!r} is not an amount: write the number, e.g. 250000.50, 1,200,000 or "
            "1.200.000,50, with its currency in budget_currency",
        )
    digits = re.sub(r"[\s'\u00a0\u202f]", "", found[1])
    value = Decimal(_standard_number(digits))
    if negative:
        raise ref.error("budget_amount", f"{text!r} is negative; a budget is zero or more")
    return value, currency


def _standard_number(digits: str) -> str:
    """``digits`` with ``.`` as the only (decimal) mark, by :func:`read_amount`'s rules.

    >>> [_standard_number(t) for t in ("1,200,000", "1.200.000,50", "1,5", "1.500", "2.5")]
    ['1200000', '1200000.50', '1.5', '1500', '2.5']
    """
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return digits.replace(thousands, "").replace(decimal_mark, ".")
    for mark in (",", "."):
        if mark in digits:
            parts = digits.split(mark)
            if len(parts) > 2 or len(parts[1]) == 3:
                return digits.replace(mark, "")
            return digits.replace(mark, ".")
    return digits


#: Words a city's name may carry in a sheet that its name in the graph does not.
_GENERIC_WORDS: Final = frozenset(
    {
        "city",
        "capital",
        "metropolitan",
        "municipality",
        "province",
        "administration",
        "of",
        "thanh",
        "pho",
        "tp",
        "the",
    }
)


def loose_name(text: str) -> str:
    """A name with case, accents, script, spaces and generic words (city, capital...)
    left out, for matching what a sheet calls a city.

    >>> [loose_name(n) for n in ("Ha Noi", "Hà Nội", "Vientiane Capital", "TP. Đà Nẵng")]
    ['hanoi', 'hanoi', 'vientiane', 'danang']
    """
    try:
        words = slugify(text).split("-")
    except ValueError:
        return ""
    kept = [word for word in words if word not in _GENERIC_WORDS]
    return "".join(kept or words)


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
