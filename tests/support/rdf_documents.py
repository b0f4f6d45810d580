"""Reading the RDF documents the service answers with, by rdflib."""

import warnings

import rdflib

#: Each document extension: its media type and rdflib's name for the format.
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}


def parse(data: str | bytes, rdflib_format: str, base: str | None = None) -> rdflib.Graph:
    """Parse with rdflib; its own JSON-LD parser still builds a deprecated ConjunctiveGraph."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning
        )
        options = {"base": base} if base else {}
        return rdflib.Graph().parse(data=data, format=rdflib_format, **options)
