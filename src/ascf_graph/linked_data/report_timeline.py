"""How many projects each of the network's reports lists: the home page's timeline, so that
no page adds the counts of different reports together."""

from dataclasses import dataclass

import pyoxigraph as ox

from ascf_graph.core.namespaces import DCT
from ascf_graph.store.base import Store

# Reports whose rows are records (the monitoring reports), and reports that are only the
# source of the projects they list (the 2018 action plans).
_LISTED = f"""
SELECT ?report (SAMPLE(?name) AS ?title) (SAMPLE(?day) AS ?date)
  (COUNT(DISTINCT ?entry) AS ?projects)
WHERE {{
  {{ ?entry a ?record ; <{DCT}isPartOf> ?report }}
  UNION
  {{
    ?entry a ?project ; <{DCT}source> ?report
    FILTER NOT EXISTS {{ ?any <{DCT}isPartOf> ?report }}
  }}
  ?report <{DCT}title> ?name ; <{DCT}date> ?day .
}}
GROUP BY ?report
ORDER BY ?date
"""


@dataclass(frozen=True)
class ReportCount:
    """One report, its date, and how many projects it lists."""

    iri: str
    title: str
    date: str
    projects: int


def report_timeline(store: Store, base_iri: str) -> list[ReportCount]:
    """Every report that lists projects, oldest first, with its own count."""
    rows = store.query(
        _LISTED,
        substitutions={
            "record": ox.NamedNode(f"{base_iri}def/ProjectRecord"),
            "project": ox.NamedNode(f"{base_iri}def/SmartCityProject"),
        },
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [
        ReportCount(
            row["report"].value, row["title"].value, row["date"].value, int(row["projects"].value)
        )
        for row in rows
    ]
