"""Running SPARQL and writing its answers in the formats the protocol names.

Plain functions shared by the HTTP endpoint, the CLI and the tests: parse and
run a query against a :class:`~ascf_graph.store.base.Store`, pick a results format
by name or media type, and serialize. The endpoint is read-only: updates are
refused before they reach the engine.
"""

from collections.abc import Mapping
from typing import Literal

import pyoxigraph as ox

from ascf_graph.core.errors import UnsupportedFormatError, UpdateRefusedError
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.rdf.formats import (
    results_syntax_named,
    serialize_graph,
    syntax_named,
)
from ascf_graph.rdf.sparql_text import analyse
from ascf_graph.store.base import QueryResult, Store, Term

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]


def is_update(sparql: str) -> bool:
    """Whether ``sparql`` is a SPARQL Update request rather than a query.

    >>> is_update("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    True
    >>> is_update("# delete nothing\\nSELECT * WHERE { ?s ?p ?o }")
    False
    """
    return analyse(sparql).is_update


def update_refused() -> UpdateRefusedError:
    """The error for any SPARQL Update sent to this read-only service."""
    return UpdateRefusedError(
        "this endpoint is read-only: SPARQL Update is refused; "
        "data is added through submissions, not through /sparql"
    )


def run(
    store: Store,
    sparql: str,
    *,
    substitutions: Mapping[str, Term] | None = None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> QueryResult:
    """Run a read-only query; updates are refused as unusable input."""
    if is_update(sparql):
        raise update_refused()
    return store.query(
        sparql,
        substitutions=substitutions,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
    )


def serialize_result(result: QueryResult, format_name: str) -> tuple[bytes, str]:
    """Write a result in the format called ``format_name``; return bytes and media type.

    SELECT and ASK take a results format (json, xml, csv, tsv); CONSTRUCT and
    DESCRIBE an RDF one (turtle, ntriples, jsonld, rdfxml, trig, nquads); any name,
    alias or media type of :mod:`ascf_graph.rdf.formats` will do.
    """
    if isinstance(result, ox.QueryTriples):
        syntax = syntax_named(format_name)
        return serialize_graph(result, syntax, prefixes=PREFIXES), syntax.media_type
    results_syntax = results_syntax_named(format_name)
    return result.serialize(format=results_syntax.oxigraph), results_syntax.media_type


def result_form(result: QueryResult) -> QueryForm:
    """Which kind of answer ``result`` is."""
    if isinstance(result, ox.QueryTriples):
        return "CONSTRUCT"
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    return "SELECT"


def as_table(result: QueryResult) -> str:
    """A plain-text table of a SELECT or ASK answer, for the terminal."""
    if isinstance(result, ox.QueryBoolean):
        return f"{bool(result)}\n"
    if isinstance(result, ox.QueryTriples):
        raise UnsupportedFormatError("a CONSTRUCT answer is a graph; choose an RDF format")
    names = [variable.value for variable in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    lines = ["  ".join(name.ljust(w) for name, w in zip(names, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    return term.value
