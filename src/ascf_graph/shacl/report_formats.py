"""A validation report in the format the client asks for.

``Accept`` (or ``?format=``) picks one of: the JSON summary (the default for
clients that accept anything), HTML for people, plain text (what
``ascf-graph validate`` prints), or the standard ``sh:ValidationReport`` as
Turtle, JSON-LD, RDF/XML or N-Triples.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import NotAcceptableError
from ascf_graph.shacl.validation import ValidationReport


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
    ReportFormat("turtle", "text/turtle", "turtle"),
    ReportFormat("jsonld", "application/ld+json", "json-ld"),
    ReportFormat("rdfxml", "application/rdf+xml", "xml"),
    ReportFormat("ntriples", "application/n-triples", "nt"),
)


def choose_format(
    accept: str | None, requested: str | None = None, *, html: bool = True
) -> ReportFormat:
    """The format named by ``requested`` (``?format=``), else the best for ``accept``
    (HTML only where a page exists: ``html``)."""
    offered = [f for f in FORMATS if html or f.name != "html"]
    if requested:
        for candidate in offered:
            if requested.strip().lower() in (candidate.name, candidate.media_type):
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
    return json.loads(report.to_json())


def render_report(
    report: ValidationReport,
    chosen: ReportFormat,
    *,
    extra: Mapping[str, Any] | None = None,
    html: Callable[[ValidationReport], str] | None = None,
) -> tuple[bytes, str]:
    """The report written in ``chosen``; ``extra`` keys go first in the JSON summary,
    ``html`` renders the page for people."""
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
