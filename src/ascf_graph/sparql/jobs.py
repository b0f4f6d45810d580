"""One query to evaluate, in a form that crosses a process boundary, and its evaluation.

A :class:`QueryJob` says everything the engine needs (the text, the dataset,
bound terms, the answer's media type); :func:`evaluate` runs it against a
pyoxigraph store and writes the serialized answer into a binary file-like
object as the engine produces it, so no answer is ever held whole.

This module imports only the standard library, pyoxigraph and the light
``ascf_graph.rdf`` modules (the format registry, bound variables): the query
worker processes load it and nothing heavier.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import BinaryIO, Literal

import pyoxigraph as ox

from ascf_graph.rdf.datasets import query_options
from ascf_graph.rdf.formats import results_syntax_for_media_type, serialize_graph
from ascf_graph.rdf.formats import syntax_for_media_type as rdf_syntax_for_media_type
from ascf_graph.rdf.sparql_binding import prepare_bound

Term = ox.NamedNode | ox.BlankNode | ox.Literal

CHUNK_BYTES = 64 * 1024
"""How much of an answer is written at a time, by a worker or a thread."""
EncodedTerm = dict[str, str]


@dataclass(frozen=True)
class QueryJob:
    """A read-only query, its dataset and the format its answer is written in."""

    query: str
    media_type: str
    """The answer's media type: a SPARQL results format or an RDF format."""
    kind: Literal["results", "graph"]
    default_graphs: list[str] | None = None
    """The protocol's ``default-graph-uri`` values; None: the store's default."""
    named_graphs: list[str] | None = None
    """The protocol's ``named-graph-uri`` values; None: every named graph."""
    union_default_graph: bool = True
    """Without a protocol or query dataset, the default graph is the union of all graphs."""
    substitutions: dict[str, EncodedTerm] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    store_path: str = ""
    """For a worker process: the folder of the read-only store to answer from."""

    def to_json(self) -> bytes:
        """The job as UTF-8 JSON (every field is JSON already: no deep copy is needed)."""
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}).encode("utf-8")


def encode_terms(terms: Mapping[str, Term]) -> dict[str, EncodedTerm]:
    """Bound terms as plain dictionaries.

    >>> xsd_integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    >>> encode_terms({"year": ox.Literal("2018", datatype=xsd_integer)})
    {'year': {'literal': '2018', 'datatype': 'http://www.w3.org/2001/XMLSchema#integer'}}
    """
    return {name: _encode(term) for name, term in terms.items()}


def _encode(term: Term) -> EncodedTerm:
    if isinstance(term, ox.NamedNode):
        return {"iri": term.value}
    if isinstance(term, ox.BlankNode):
        return {"bnode": term.value}
    if term.language:
        return {"literal": term.value, "language": term.language}
    return {"literal": term.value, "datatype": term.datatype.value}


def decode_term(encoded: EncodedTerm) -> Term:
    """The term :func:`encode_terms` wrote."""
    if "iri" in encoded:
        return ox.NamedNode(encoded["iri"])
    if "bnode" in encoded:
        return ox.BlankNode(encoded["bnode"])
    if "language" in encoded:
        return ox.Literal(encoded["literal"], language=encoded["language"])
    return ox.Literal(encoded["literal"], datatype=ox.NamedNode(encoded["datatype"]))


def evaluate(store: ox.Store, job: QueryJob, output: BinaryIO) -> None:
    """Run ``job`` on ``store`` and stream its serialized answer into ``output``.

    Raises ``SyntaxError`` for a query that does not parse, ``ValueError`` for
    an answer that the job's format cannot carry.
    """
    substitutions = {name: decode_term(term) for name, term in job.substitutions.items()}
    text, leftover = prepare_bound(job.query, substitutions)
    options = query_options(
        job.default_graphs, job.named_graphs, union_default_graph=job.union_default_graph
    )
    if leftover:
        options["substitutions"] = leftover
    write_answer(store.query(text, **options), job, output)


def write_answer(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, job: QueryJob, output: BinaryIO
) -> None:
    """Serialize ``result`` in the job's format into ``output``, as it is produced."""
    if isinstance(result, ox.QueryTriples):
        if job.kind != "graph":
            raise ValueError("a CONSTRUCT or DESCRIBE answer needs an RDF format")
        syntax = rdf_syntax_for_media_type(job.media_type)
        if syntax is None:
            raise ValueError("no RDF format has this media type")
        serialize_graph(result, syntax, prefixes=job.prefixes, output=output)
        return
    if job.kind != "results":
        raise ValueError("a SELECT or ASK answer needs a SPARQL results format")
    results_syntax = results_syntax_for_media_type(job.media_type)
    if results_syntax is None:
        raise ValueError(f"no SPARQL results format has the media type {job.media_type}")
    result.serialize(output, results_syntax.oxigraph)
