"""The ontology's version IRI, ``{base}def/{major}.{minor}.{patch}`` (its ``owl:versionIRI``).

The store says which version is current; a request for that version is
answered like one for ``{base}def``, and one for any other version is told
which version is current. Term IRIs (``{base}def/{Term}``) never look like a
version: their names start with a letter.
"""

import re

import pyoxigraph as ox

from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.store.base import Store

_VERSION = re.compile(r"^\d+\.\d+\.\d+$")

_VERSION_IRIS = f"SELECT * WHERE {{ ?ontology <{PREFIXES['owl']}versionIRI> ?version }}"


def is_version(path: str) -> bool:
    """Whether a path under ``def/`` is a version number (``major.minor.patch``).

    >>> is_version("0.1.0"), is_version("10.20.30")
    (True, True)
    >>> is_version("FocusArea"), is_version("0.1"), is_version("0.1.0.ttl"), is_version("v0.1.0")
    (False, False, False, False)
    """
    return _VERSION.match(path) is not None


def current_version(store: Store, base_iri: str) -> str | None:
    """The version number of the ontology's ``owl:versionIRI`` under ``{base}def/``, if it
    declares one (the highest, should it declare several)."""
    ontology = base_iri + "def"
    rows = store.query(_VERSION_IRIS, substitutions={"ontology": ox.NamedNode(ontology)})
    prefix = ontology + "/"
    versions = [
        row["version"].value[len(prefix) :]
        for row in rows
        if isinstance(row["version"], ox.NamedNode) and row["version"].value.startswith(prefix)
    ]
    numbered = [version for version in versions if is_version(version)]
    return max(numbered, key=lambda v: tuple(int(n) for n in v.split(".")), default=None)
