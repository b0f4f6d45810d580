"""The curated-query, steward, results-table and editor pages, rendered as plain functions:
Jinja templates on the site's layout and its one stylesheet, escaped, no inline style or
script, and links only where the data may be linked."""

import json
import re
from pathlib import Path

import pytest
import rdflib

from ascf_graph.html import curated, editor, results_table, stewards
from ascf_graph.shacl.reports import ValidationReport, ValidationResult
from ascf_graph.sparql.curated import CuratedQuery, load_curated
from tests.support.stores import REPO

HOSTILE = "<script>alert(1)</script>"
LISTING = [
    {
        "name": "projects_of_city",
        "title": f"Projects {HOSTILE}",
        "description": "A city's projects & their status.",
        "tags": ["projects", HOSTILE],
        "parameters": [{"name": "city", "kind": "iri", "description": f"the city {HOSTILE}"}],
        "url": "/queries/projects_of_city",
    }
]
ANSWER = json.dumps(
    {
        "head": {"vars": ["s", "label", "n", "b", "unbound"]},
        "results": {
            "bindings": [
                {
                    "s": {"type": "uri", "value": "javascript:alert(2)"},
                    "label": {"type": "literal", "value": HOSTILE, "xml:lang": "en"},
                    "n": {
                        "type": "literal",
                        "value": "3",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    },
                    "b": {"type": "bnode", "value": "b0"},
                },
                {"s": {"type": "uri", "value": "mailto:steward@example.org"}},
            ]
        },
    }
).encode()
REPORT = ValidationReport(
    False,
    (
        ValidationResult(
            "Violation",
            "https://w3id.org/ascf/id/project/x",
            "https://w3id.org/ascf/def/startDate",
            "2024-01-01",
            f"the end is before the start {HOSTILE}",
            None,
            "lessThan",
            "swap the dates",
        ),
    ),
    rdflib.Graph(),
)


def queries() -> list[CuratedQuery]:
    return list(load_curated(REPO / "queries").values())


def every_page() -> dict[str, str]:
    return {
        "listing": curated.listing_page(LISTING),
        "form": stewards.validate_form(4 * 1024 * 1024),
        "report": stewards.report_page(REPORT, source=f"{HOSTILE}.ttl"),
        "error": stewards.error_page(400, f"line 1, column 2: {HOSTILE}"),
        "table": results_table.render_table(
            ANSWER, query=f"SELECT * # {HOSTILE}", title=HOSTILE, download_url="/sparql?query=x"
        ),
        "editor": editor.editor_page(
            "/sparql", queries(), assets_dir=Path("/nowhere"), assets_url="/sparql/editor/"
        ),
    }


@pytest.mark.parametrize(("name", "page"), every_page().items())
def test_a_page_is_on_the_layout_with_the_one_stylesheet_and_no_inline_style(
    name: str, page: str
) -> None:
    assert page.startswith("<!doctype html>")
    assert '<link rel="stylesheet" href="/static/style.css">' in page
    assert '<header class="site">' in page
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert HOSTILE not in page, "something was not escaped"


def test_the_listing_keeps_its_sections_links_and_forms() -> None:
    page = curated.listing_page(LISTING)
    assert '<section id="projects_of_city">' in page
    for key in ("json", "csv", "tsv", "xml"):
        assert f'href="/queries/projects_of_city?format={key}"' in page
    assert '<form action="/queries/projects_of_city" method="get">' in page
    assert '<input type="text" name="city"' in page
    assert "projects, &lt;script&gt;" in page


def test_a_table_links_only_linkable_iris() -> None:
    page = every_page()["table"]
    assert "<td>&lt;javascript:alert(2)&gt;</td>" in page
    assert '<a href="mailto:steward@example.org">mailto:steward@example.org</a>' in page
    assert "<small>@en</small>" in page
    assert "3 <small>integer</small>" in page
    assert "_:b0" in page
    assert page.count("<tr>") == 3
    assert '<a href="/sparql?query=x&amp;format=csv">CSV</a>' in page
    assert "<p>2 rows</p>" in page


def test_the_report_keeps_its_verdict_and_rows() -> None:
    page = every_page()["report"]
    assert '<p class="verdict fails" id="verdict">' in page
    assert '<td class="Violation">Violation</td><td><code>ascf:startDate</code></td>' in page
    assert '<div class="fix">How to fix: swap the dates</div>' in page
    assert '<a href="/validate">Check other data</a>' in page


def test_the_editors_configuration_is_a_json_data_block_nothing_can_end_early() -> None:
    hostile = CuratedQuery(
        name="hostile",
        summary="</script><script>alert(3)</script>",
        description="<!-- <script>",
        text="SELECT * { ?s ?p ?o } # </script>",
        tags=(),
        parameters=(),
    )
    page = editor.editor_page(
        "/sparql?a=1&b=2",
        [hostile],
        assets_dir=Path("/nowhere"),
        assets_url="/sparql/editor/",
        queries_url="/queries",
    )
    block = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page)
    assert block is not None
    config = json.loads(block.group(1))
    assert config["examples"][0]["summary"] == hostile.summary
    assert config["examples"][0]["query"] == hostile.text
    assert config["endpoint"] == "/sparql?a=1&b=2"
    assert page.count("<script") == 3  # the data block, YASGUI and the page's own script
    assert '<code id="endpoint">/sparql?a=1&amp;b=2</code>' in page
    assert '<a href="/queries">curated queries as an API</a>' in page
    assert '<script src="/sparql/editor/editor.js"></script>' in page
