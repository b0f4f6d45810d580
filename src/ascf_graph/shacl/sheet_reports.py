"""A report on a spreadsheet, in the spreadsheet's terms: rows and template columns.

A steward who sent a CSV never sees an IRI or a SHACL path: each result is placed
at the row its project (or budget, or partner) came from and the column its
property came from, and its message and fix are rewritten with IRIs as their
names (``<.../focus-area/civic-and-social>`` as ``civic-and-social``), properties
as columns (``ascf:focusArea`` as ``focus_areas``) and typed values as written
(``"2021-03-01"^^xsd:date`` as ``2021-03-01``). The standard
``sh:ValidationReport`` stays available in an RDF format for whoever asks.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.rdf.uploads import SheetPlaces
from ascf_graph.shacl.reports import ValidationReport, ValidationResult, result_order

_TYPED = re.compile(r'"([^"]*)"\^\^[A-Za-z][\w-]*:\w+')
_IRI = re.compile(r"<([^<>\s]+)>")
_PREFIXED = re.compile(r"\b([a-z][a-z0-9]*):([A-Za-z_][\w-]*)")


@dataclass(frozen=True)
class SheetResult:
    """One result where the steward will look for it."""

    row: int | None
    """The spreadsheet row (the header is row 1), None for what the sheet did not say
    (a member city as the graph already describes it)."""
    column: str | None
    severity: str
    message: str
    fix: str
    about: str
    """What the result is about, by name (``da-nang-smart-parking``)."""


def sheet_results(report: ValidationReport, places: SheetPlaces) -> list[SheetResult]:
    """The results of ``report``, placed and worded for the sheet, by row."""
    found = [_placed(result, places) for result in sorted(report.results, key=result_order)]
    return sorted(found, key=lambda r: (r.row or 0, r.column or "", r.severity != "Violation"))


def sheet_json(
    report: ValidationReport, places: SheetPlaces, extra: Mapping[str, Any] | None = None
) -> str:
    """The report as JSON for a sheet: how it was read, the verdict, counts and results by
    row and column."""
    body = {
        **(extra or {}),
        "reading": places.reading,
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in ("Violation", "Warning", "Info")},
        "results": [asdict(result) for result in sheet_results(report, places)],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def sheet_text(report: ValidationReport, places: SheetPlaces) -> str:
    """The report as text for a sheet, one result a line (and its fix below it)."""
    lines = [places.reading, report.summary()]
    for result in sheet_results(report, places):
        where = f"row {result.row}" if result.row is not None else result.about
        if result.column:
            where += f", column {result.column!r}"
        lines.append(f"{where}: {result.severity}: {result.message}")
        if result.fix:
            lines.append(f"  fix: {result.fix}")
    return "\n".join(lines) + "\n"


def in_sheet_terms(text: str, columns: Mapping[str, str]) -> str:
    """``text`` with typed values as written, IRIs as their names and properties as the
    template's columns.

    >>> in_sheet_terms('use ascf:focusArea <https://w3id.org/ascf/id/focus-area/x>, '
    ...     'e.g. "2021-03-01"^^xsd:date', {"https://w3id.org/ascf/def/focusArea": "focus_areas"})
    'use focus_areas x, e.g. 2021-03-01'
    """
    text = _TYPED.sub(r"\1", text)
    text = _IRI.sub(lambda m: columns.get(m[1]) or _name(m[1]), text)

    def prefixed(match: re.Match[str]) -> str:
        namespace = PREFIXES.get(match[1])
        if namespace is None:
            return match[0]
        iri = namespace + match[2]
        return columns.get(iri, match[2])

    return _PREFIXED.sub(prefixed, text)


def _placed(result: ValidationResult, places: SheetPlaces) -> SheetResult:
    node = result.focus_node
    row = places.rows.get(node, places.rows.get(f"_:{node}"))
    column = places.columns.get(result.path) if result.path else None
    return SheetResult(
        row=row,
        column=column,
        severity=result.severity,
        message=in_sheet_terms(result.message, places.columns),
        fix=in_sheet_terms(result.fix, places.columns),
        about=_name(node),
    )


def _name(iri: str) -> str:
    """The last segment of an IRI, as a name (a blank node's label as it is)."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
