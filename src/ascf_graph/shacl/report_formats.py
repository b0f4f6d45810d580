"""A validation report in the format the client asks for.

``Accept`` (or ``?format=``) picks one of: the JSON summary (the default for
clients that accept anything), HTML for people, plain text (what
``ascf-graph validate`` prints), or the standard ``sh:ValidationReport`` as
Turtle, JSON-LD, RDF/XML or N-Triples. The RDF formats are those of
:mod:`ascf_graph.rdf.formats`, so ``?format=`` takes their names, aliases and
media types too (``ttl``, ``owl``, ``text/n3``...); where a name is also a
report's own (``json``, ``application/json``, ``text/plain``), the report's
own format wins. ``Accept`` is matched against the registered media types only.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import NotAcceptableError
from ascf_graph.rdf.formats import find_syntax, syntax_named
from ascf_graph.rdf.uploads import SheetPlaces
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.sheet_reports import sheet_json, sheet_text


@dataclass(frozen=True)
class ReportFormat:
    """One way to write a report."""

    name: str
    media_type: str
    rdflib_name: str | None = None


FORMATS: tuple[ReportFormat, ...] = (
    ReportFormat("json", "application/json"),
    ReportFormat("html", "text/html"),
    ReportFormat("text", "text/plain"),
    *(
        ReportFormat(s.name, s.media_type, s.rdflib_name)
        for s in map(syntax_named, ("turtle", "jsonld", "rdfxml", "ntriples"))
    ),
)


def choose_format(
    accept: str | None, requested: str | None = None, *, html: bool = True
) -> ReportFormat:
    """The format named by ``requested`` (``?format=``), else the best for ``accept``
    (HTML only where a page exists: ``html``).

    >>> choose_format(None, "json").media_type, choose_format(None, "owl").name
    ('application/json', 'rdfxml')
    """
    offered = [f for f in FORMATS if html or f.name != "html"]
    if requested:
        key = requested.strip().lower()
        for candidate in offered:
            if key in (candidate.name, candidate.media_type):
                return candidate
        syntax = find_syntax(key)
        for candidate in offered:
            if syntax is not None and candidate.name == syntax.name:
                return candidate
        names = ", ".join(f.name for f in offered)
        raise NotAcceptableError(f"unknown report format {requested!r}; use one of {names}")
    chosen = negotiate(accept, [f.media_type for f in offered])
    if chosen is None:
        types = ", ".join(f.media_type for f in offered)
        raise NotAcceptableError(f"cannot answer in {accept}; reports come as {types}")
    return next(f for f in offered if f.media_type == chosen)


def report_json(report: ValidationReport) -> dict[str, Any]:
    """The JSON summary as a dict: conforms, counts, results grouped by focus node."""
    return report.as_dict()


def render_report(
    report: ValidationReport,
    chosen: ReportFormat,
    *,
    extra: Mapping[str, Any] | None = None,
    html: Callable[[ValidationReport], str] | None = None,
    sheet: SheetPlaces | None = None,
) -> tuple[bytes, str]:
    """The report written in ``chosen``; ``extra`` keys go first in the JSON summary,
    ``html`` renders the page for people. For a spreadsheet (``sheet``), the JSON and
    text reports speak of its rows and columns (:mod:`ascf_graph.shacl.sheet_reports`);
    the RDF ones are the standard report."""
    if sheet is not None and chosen.name == "json":
        return sheet_json(report, sheet, extra).encode("utf-8"), chosen.media_type
    if sheet is not None and chosen.name == "text":
        return sheet_text(report, sheet).encode("utf-8"), "text/plain; charset=utf-8"
    if chosen.name == "json":
        body = {**(extra or {}), **report_json(report)}
        text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        return text.encode("utf-8"), chosen.media_type
    if chosen.name == "html":
        if html is None:
            raise NotAcceptableError("this report has no HTML page; ask for JSON")
        return html(report).encode("utf-8"), "text/html; charset=utf-8"
    if chosen.name == "text":
        return report.to_text().encode("utf-8"), "text/plain; charset=utf-8"
    assert chosen.rdflib_name is not None
    return report.to_rdf(chosen.rdflib_name).encode("utf-8"), chosen.media_type
