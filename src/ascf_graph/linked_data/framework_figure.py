"""The whole framework as its figure draws it, for the home page.

Outcomes over urban systems (with their principles) over focus areas (with
their sub-areas) over enablers (with their example solutions), each in the
order of its notation, and how many projects the latest report lists under each focus area.
"""

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ascf_graph.core.kinds import kind_of
from ascf_graph.core.namespaces import DCT, SKOS
from ascf_graph.linked_data.addresses import local_path
from ascf_graph.store.base import Store

_CONCEPTS = f"""
SELECT * WHERE {{
  ?concept <{SKOS}inScheme> ?scheme ; <{SKOS}prefLabel> ?label .
  OPTIONAL {{ ?concept <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?concept <{SKOS}broader> ?parent }}
}}
"""

# The latest report's own count per focus area it printed: never a sum over reports.
_PROJECT_COUNTS = f"""
SELECT ?concept (COUNT(DISTINCT ?record) AS ?projects) WHERE {{
  {{
    SELECT ?latest WHERE {{ ?any a ?class ; <{DCT}isPartOf> ?latest . ?latest <{DCT}date> ?day }}
    ORDER BY DESC(?day) LIMIT 1
  }}
  ?record <{DCT}isPartOf> ?latest ; ?printed ?concept .
}}
GROUP BY ?concept
"""


@dataclass
class FigureNode:
    """One element of the figure and the elements drawn inside it."""

    iri: str
    label: str
    notation: str
    href: str | None
    kind: str | None
    children: list["FigureNode"] = field(default_factory=list)
    projects: int = 0


@dataclass(frozen=True)
class FrameworkFigure:
    """The rows of the framework figure."""

    scheme: str
    outcomes: list[FigureNode]
    urban_systems: list[FigureNode]
    focus_areas: list[FigureNode]
    enablers: list[FigureNode]

    @property
    def size(self) -> int:
        """How many elements the figure shows."""
        rows = (self.outcomes, self.urban_systems, self.focus_areas, self.enablers)
        return sum(1 + len(node.children) for row in rows for node in row)


def notation_key(notation: str) -> tuple[object, ...]:
    """Sort key that puts F1.10 after F1.9.

    >>> sorted(["F1.10", "F1.9", "F1", "E2"], key=notation_key)
    ['E2', 'F1', 'F1.9', 'F1.10']
    """
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", notation))


def framework_figure(store: Store, base_iri: str) -> FrameworkFigure:
    """Read the figure's elements from the framework's concept scheme."""
    scheme = base_iri + "id/framework"
    nodes: dict[str, FigureNode] = {}
    parents: dict[str, str] = {}
    for row in store.query(_CONCEPTS, substitutions={"scheme": ox.NamedNode(scheme)}):
        iri = row["concept"].value
        notation = row["notation"].value if row["notation"] is not None else ""
        node = nodes.setdefault(
            iri,
            FigureNode(
                iri,
                row["label"].value,
                notation,
                local_path(iri, base_iri),
                kind_of(iri, base_iri),
            ),
        )
        node.label = min(node.label, row["label"].value)
        if row["parent"] is not None:
            parents[iri] = row["parent"].value
    counts = store.query(
        _PROJECT_COUNTS,
        substitutions={
            "class": ox.NamedNode(base_iri + "def/ProjectRecord"),
            "printed": ox.NamedNode(base_iri + "def/printedFocusArea"),
        },
    )
    for row in counts:
        node = nodes.get(row["concept"].value)
        if node is not None:
            node.projects = int(row["projects"].value)
    for iri, parent in sorted(parents.items()):
        if parent in nodes:
            nodes[parent].children.append(nodes[iri])
    for node in nodes.values():
        node.children.sort(key=lambda child: notation_key(child.notation))

    def row(kind: str, child_kind: str | None) -> list[FigureNode]:
        members = sorted(
            (n for n in nodes.values() if n.kind == kind), key=lambda n: notation_key(n.notation)
        )
        for member in members:
            member.children = [c for c in member.children if c.kind == child_kind]
        return members

    return FrameworkFigure(
        scheme=scheme,
        outcomes=row("outcome", None),
        urban_systems=row("urban-system", "principle"),
        focus_areas=row("focus-area", "sub-area"),
        enablers=row("enabler", "solution"),
    )
