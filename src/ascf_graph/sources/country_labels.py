"""Country names in the languages of ASEAN, from Unicode CLDR, as ``ontology/country-labels.ttl``.

The names come from the Common Locale Data Repository (CLDR) of the Unicode
Consortium, the source operating systems and browsers take them from, through
the Babel package that ships a copy of it. Which CLDR version was used is
written into the file, and Babel is pinned in ``pyproject.toml``, so the file
is reproducible: ``ascf-graph country-labels`` writes it byte for byte again.

For each country of ``ontology/countries.ttl`` (found by its ``ascf:isoCode``)
the file holds one ``skos:prefLabel`` per language below, and CLDR's English
name as ``skos:altLabel`` where it differs from the ASEAN short name that is
the English ``skos:prefLabel`` (``Laos`` for ``Lao PDR``).
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from ascf_graph.core.errors import UnusableInputError
from ascf_graph.core.namespaces import ASCF, DCT, DEFAULT_BASE_IRI, SKOS, VOID
from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.rdf.turtle import turtle

#: BCP 47 tag -> CLDR locale: the official and national languages of the ASEAN
#: member states that CLDR covers. Tetum (Timor-Leste) has no CLDR locale with
#: territory names, so Timor-Leste's Portuguese stands for it.
LANGUAGES: Final[Mapping[str, str]] = {
    "fil": "fil",  # Philippines
    "id": "id",  # Indonesia
    "km": "km",  # Cambodia
    "lo": "lo",  # Lao PDR
    "ms": "ms",  # Brunei Darussalam, Malaysia, Singapore
    "my": "my",  # Myanmar
    "pt": "pt",  # Timor-Leste
    "ta": "ta",  # Singapore
    "th": "th",  # Thailand
    "vi": "vi",  # Viet Nam
    "zh-Hans": "zh_Hans",  # Singapore
}

_PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
_ALT_LABEL = ox.NamedNode(SKOS + "altLabel")
_GRAPH = ox.NamedNode(DEFAULT_BASE_IRI + "graph/country-labels")
_VOID_DATASET = ox.NamedNode(VOID + "Dataset")
_PREFIXES: Final = {
    "dct": DCT,
    "skos": SKOS,
    "void": "http://rdfs.org/ns/void#",
}

_COUNTRIES_QUERY = """
SELECT ?country ?code ?name WHERE {
  ?country a ascf:Country ; ascf:isoCode ?code ; skos:prefLabel ?name .
  FILTER(LANG(?name) = "en")
} ORDER BY ?code
"""


def read_countries(path: Path) -> list[tuple[ox.NamedNode, str, str]]:
    """(country IRI, ISO 3166-1 alpha-2 code, English name) of each country in ``path``."""
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    prefixes = {"ascf": ASCF, "skos": SKOS}
    rows = [
        (row["country"], row["code"].value, row["name"].value)
        for row in store.query(_COUNTRIES_QUERY, prefixes=prefixes)  # type: ignore[union-attr]
    ]
    if not rows:
        raise UnusableInputError(
            f"{path}: no ascf:Country with an ascf:isoCode and an English name"
        )
    return rows  # type: ignore[return-value]


def cldr_version() -> str:
    """The Unicode CLDR version of the installed Babel."""
    # Imported here: Babel is a development dependency, used only to write the labels.
    from babel.core import get_cldr_version  # noqa: PLC0415

    return get_cldr_version()


def country_label_triples(countries: list[tuple[ox.NamedNode, str, str]]) -> list[ox.Triple]:
    """The labels of each country in every language of :data:`LANGUAGES`, from CLDR."""
    # Imported here: Babel is a development dependency, used only to write the labels.
    import babel  # noqa: PLC0415
    from babel import Locale  # noqa: PLC0415

    english = Locale.parse("en").territories
    triples = [
        ox.Triple(_GRAPH, RDF_TYPE, _VOID_DATASET),
        ox.Triple(
            _GRAPH,
            ox.NamedNode(DCT + "title"),
            ox.Literal("Names of the ASEAN member states in the languages of ASEAN", language="en"),
        ),
        ox.Triple(
            _GRAPH,
            ox.NamedNode(DCT + "source"),
            ox.NamedNode(f"https://cldr.unicode.org/index/downloads/cldr-{cldr_version()}"),
        ),
        ox.Triple(
            _GRAPH,
            ox.NamedNode(DCT + "description"),
            ox.Literal(
                f"Territory names of Unicode CLDR {cldr_version()}, read through Babel "
                f"{babel.__version__}, for the ISO 3166-1 codes of ontology/countries.ttl.",
                language="en",
            ),
        ),
    ]
    for country, code, name in countries:
        if code not in english:
            raise UnusableInputError(f"CLDR has no territory {code!r} ({name})")
        if english[code] != name:
            triples.append(ox.Triple(country, _ALT_LABEL, ox.Literal(english[code], language="en")))
        for tag, locale in LANGUAGES.items():
            label = Locale.parse(locale).territories[code]
            triples.append(ox.Triple(country, _PREF_LABEL, ox.Literal(label, language=tag)))
    return triples


def write_country_labels(countries_ttl: Path, out: Path) -> int:
    """Write the CLDR labels of the countries in ``countries_ttl`` to ``out``; return the count."""
    triples = country_label_triples(read_countries(countries_ttl))
    header = (
        "Country names in the languages of ASEAN, from the Unicode Common Locale Data",
        f"Repository (CLDR) {cldr_version()}.",
        "Generated by `ascf-graph country-labels` (ascf_graph.sources.country_labels) from the",
        "ascf:isoCode of each country in ontology/countries.ttl; do not edit by hand.",
        "Languages: " + ", ".join(LANGUAGES) + " (BCP 47). Tetum has no CLDR territory names.",
        "English: CLDR's name is a skos:altLabel where it differs from ASEAN's short name.",
    )
    out.write_text(turtle(triples, _PREFIXES, header), encoding="utf-8", newline="\n")
    return len(triples)
