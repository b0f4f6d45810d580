"""`ascf-graph validate`: a steward hears what is wrong, where, and how to fix it.

Exit codes: 0 conforms, 1 violations, 2 unusable input.
"""

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH
from typer.testing import CliRunner

from ascf_graph.cli.main import app
from ascf_graph.core.settings import Settings
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import TEST_DATA

EXAMPLES = TEST_DATA / "validation"
BASE = "https://w3id.org/ascf/"

#: file -> (node named, property named, words of the fix the message must contain)
MISTAKES = {
    "missing-title.ttl": (f"{BASE}id/project/da-nang-example-valid-project", "rdfs:label", "title"),
    "unknown-focus-area.ttl": (
        f"{BASE}id/project/da-nang-example-valid-project",
        "ascf:focusArea",
        "focus area",
    ),
    "negative-population.ttl": (f"{BASE}id/city/da-nang", "ascf:population", "positive"),
    "latitude-out-of-range.ttl": (f"{BASE}id/city/da-nang", "wgs:lat", "-90"),
    "coordinates-in-another-country.ttl": (f"{BASE}id/city/da-nang", "wgs:lat", "lie in Lao PDR"),
    "end-before-start.ttl": (
        f"{BASE}id/project/da-nang-example-valid-project",
        "ascf:startDate",
        "end date",
    ),
    "status-not-in-list.ttl": (
        f"{BASE}id/project/da-nang-example-valid-project",
        "ascf:status",
        "ongoing",
    ),
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *args])
    return result.exit_code, result.output


def test_a_valid_city_and_project_conform(cli_settings: Settings) -> None:
    code, output = run(str(EXAMPLES / "valid-city-and-project.ttl"))
    assert code == 0, output
    assert output.startswith("conforms: 0 violations")


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_kind_of_mistake_exits_1_naming_node_property_and_fix(
    cli_settings: Settings, name: str
) -> None:
    node, prop, fix_words = MISTAKES[name]
    code, output = run(str(EXAMPLES / name))
    assert code == 1, output
    violation_lines = [line for line in output.splitlines() if "Violation" in line]
    assert violation_lines, output
    assert f"<{node}>" in output
    assert any(prop in line for line in violation_lines), output
    assert any(fix_words.lower() in line.lower() for line in violation_lines), output


def test_the_wkt_point_outside_wgs84_is_caught_too(cli_settings: Settings) -> None:
    code, output = run(str(EXAMPLES / "latitude-out-of-range.ttl"), "--report-format", "json")
    assert code == 1
    report = json.loads(output)
    messages = " ".join(
        result["message"] for node in report["focusNodes"] for result in node["results"]
    )
    assert "POINT" in messages or "WKT" in messages or "geometry" in messages.lower()


def test_malformed_turtle_exits_2_naming_line_and_column(cli_settings: Settings) -> None:
    code, output = run(str(EXAMPLES / "malformed.ttl"))
    assert code == 2
    assert "malformed.ttl, line 7, column" in output


def test_an_unknown_extension_asks_for_a_format(cli_settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "city.data"
    data.write_text("<urn:a> <urn:b> <urn:c> .", encoding="utf-8")
    code, output = run(str(data))
    assert code == 2
    assert "unknown RDF format" in output
    code, _ = run(str(data), "--format", "ntriples")
    assert code == 0


def test_a_missing_file_exits_2(cli_settings: Settings, tmp_path: Path) -> None:
    code, output = run(str(tmp_path / "nope.ttl"))
    assert code == 2
    assert "no such file" in output


def test_the_report_comes_as_standard_shacl_in_turtle(cli_settings: Settings) -> None:

    code, output = run(str(EXAMPLES / "missing-title.ttl"), "--report-format", "turtle")
    assert code == 1
    graph = rdflib.Graph().parse(data=output, format="turtle")
    assert (None, rdflib.RDF.type, SH.ValidationReport) in graph
    assert (None, SH.conforms, rdflib.Literal(False)) in graph


def test_json_report_groups_results_by_focus_node_with_counts(cli_settings: Settings) -> None:
    code, output = run(str(EXAMPLES / "negative-population.ttl"), "--report-format", "json")
    assert code == 1
    report = json.loads(output)
    assert report["conforms"] is False
    assert report["counts"]["Violation"] >= 1
    nodes = {node["focusNode"] for node in report["focusNodes"]}
    assert f"{BASE}id/city/da-nang" in nodes


def test_jsonld_input_is_read_by_extension(cli_settings: Settings, tmp_path: Path) -> None:

    graph = rdflib.Graph().parse(EXAMPLES / "valid-city-and-project.ttl")
    path = tmp_path / "valid.jsonld"
    path.write_text(graph.serialize(format="json-ld"), encoding="utf-8")
    code, output = run(str(path))
    assert code == 0, output


def test_beside_a_server_holding_the_store_it_checks_the_files_and_says_so_on_stderr(
    cli_settings: Settings,
) -> None:

    held = EmbeddedStore.open(cli_settings.data_dir)  # as a running server holds it
    try:
        result = CliRunner().invoke(
            app,
            ["validate", str(EXAMPLES / "negative-population.ttl"), "--report-format", "json"],
        )
    finally:
        held.close()
    assert result.exit_code == 1, result.output
    assert "without stewards' submissions" in result.stderr
    assert "in use by another process" in result.stderr
    assert json.loads(result.stdout)["conforms"] is False
