"""The kinds of things under ``{base}id/``, named by the URI's first segment.

>>> kind_of("https://w3id.org/ascf/id/sub-area/tourism", "https://w3id.org/ascf/")
'sub-area'
>>> KINDS["sub-area"].plural
'Sub-areas'
>>> kind_of("https://w3id.org/ascf/def/City", "https://w3id.org/ascf/") is None
True
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of resource, as people read it."""

    slug: str
    singular: str
    plural: str
    framework: bool
    """Whether its members are elements of the framework's concept scheme."""


_ORDERED = (
    Kind("framework", "Framework", "Frameworks", True),
    Kind("outcome", "Strategic outcome", "Strategic outcomes", True),
    Kind("urban-system", "Urban system", "Urban systems", True),
    Kind("principle", "Urban system principle", "Principles", True),
    Kind("focus-area", "Focus area", "Focus areas", True),
    Kind("sub-area", "Sub-area", "Sub-areas", True),
    Kind("goal", "Focus area goal", "Goals", True),
    Kind("enabler", "Enabler", "Enablers", True),
    Kind("solution", "Example solution", "Example solutions", True),
    Kind("city", "City", "Cities", False),
    Kind("project", "Smart city project", "Projects", False),
    Kind("project-record", "Project record", "Project records", False),
    Kind("country", "Country", "Countries", False),
    Kind("organisation", "Organisation", "Organisations", False),
    Kind("project-status", "Project status", "Project statuses", False),
)

KINDS: dict[str, Kind] = {kind.slug: kind for kind in _ORDERED}
KIND_ORDER: dict[str, int] = {kind.slug: rank for rank, kind in enumerate(_ORDERED)}


def kind_of(iri: str, base_iri: str) -> str | None:
    """The kind segment of one of our ``id/`` IRIs (``framework`` for the scheme itself)."""
    prefix = base_iri + "id/"
    if not iri.startswith(prefix):
        return None
    return iri[len(prefix) :].split("/", 1)[0] or None


def kind_label(kind: str | None) -> str:
    """The singular label of a kind, or a readable form of an unknown one.

    >>> kind_label("focus-area"), kind_label("dataset-x")
    ('Focus area', 'Dataset x')
    """
    if kind is None:
        return "Resource"
    known = KINDS.get(kind)
    return known.singular if known else kind.replace("-", " ").capitalize()
