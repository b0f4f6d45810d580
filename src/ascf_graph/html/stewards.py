"""Server-rendered HTML for data stewards: the validate form and the report (no JavaScript).

Rendered from ``validate.html``, ``validation_report.html`` and
``validation_error.html``, which Jinja escapes.
"""

from dataclasses import dataclass

from ascf_graph.html.pages import environment, layout_context
from ascf_graph.rdf.formats import SYNTAXES
from ascf_graph.rdf.uploads import SheetPlaces
from ascf_graph.shacl.reports import ValidationReport, ValidationResult, compact
from ascf_graph.shacl.sheet_reports import sheet_results


@dataclass(frozen=True)
class ReportRow:
    """One result as a row of the report's table, its IRIs compacted."""

    severity: str
    path: str
    message: str
    fix: str
    value: str | None

    @classmethod
    def of(cls, result: ValidationResult) -> "ReportRow":
        """The row that shows ``result``.

        >>> ReportRow.of(ValidationResult("Violation", "urn:x", "https://w3id.org/ascf/def/city",
        ...                               None, "no city", None, "minCount"))
        ReportRow(severity='Violation', path='ascf:city', message='no city', fix='', value=None)
        """
        return cls(
            severity=result.severity,
            path=compact(result.path) if result.path else "",
            message=result.message,
            fix=result.fix,
            value=compact(result.value) if result.value is not None else None,
        )


def validate_form(max_bytes: int) -> str:
    """The page where a steward pastes or uploads data to check it."""
    accept = ",".join([f".{s.extension}" for s in SYNTAXES] + [".csv"])
    context = layout_context("Validate") | {
        "max_bytes": max_bytes,
        "accept": accept,
        "syntaxes": SYNTAXES,
    }
    return environment().get_template("validate.html").render(context)


def report_page(report: ValidationReport, *, source: str, sheet: SheetPlaces | None = None) -> str:
    """The report for people: the verdict, then each node's problems with how to fix them;
    for a spreadsheet (``sheet``), how it was read and each problem by row and column."""
    nodes = [
        (compact(node), [ReportRow.of(result) for result in results])
        for node, results in report.by_focus_node().items()
    ]
    context = layout_context("Validation report") | {
        "report": report,
        "source": source,
        "nodes": nodes,
        "reading": sheet.reading if sheet is not None else None,
        "sheet_rows": sheet_results(report, sheet) if sheet is not None else None,
    }
    return environment().get_template("validation_report.html").render(context)


def error_page(status: int, message: str) -> str:
    """An error for people, e.g. a syntax error with its line and column."""
    context = layout_context("Cannot check the data") | {"status": status, "message": message}
    return environment().get_template("validation_error.html").render(context)
