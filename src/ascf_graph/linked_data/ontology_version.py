"""The ontology's version IRI, ``{base}def/{major}.{minor}.{patch}`` (its ``owl:versionIRI``).

The store says which version is current; a request for that version is
answered like one for ``{base}def``. An earlier release keeps resolving: its
``def.ttl`` as released is kept in ``ontology/releases/{version}/`` and served
for its version IRI. Any other version is told which one is current. Term IRIs
(``{base}def/{Term}``) never look like a version: their names start with a letter.
"""

import re
from pathlib import Path

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


def released(ontology_dir: Path, number: str) -> Path | None:
    """The file of release ``number`` of the ontology, if it was released and kept.

    >>> released(Path("/nowhere"), "0.1.0") is None
    True
    """
    if not is_version(number):
        return None
    path = ontology_dir / "releases" / number / "def.ttl"
    return path if path.is_file() else None
