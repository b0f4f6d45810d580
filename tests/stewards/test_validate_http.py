"""POST /validate in every report format; the form itself is tested in tests/browser/."""

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from ascf_graph.rdf.formats import SYNTAXES, RdfSyntax, syntax_named
from ascf_graph.rdf.io import to_rdflib_graph
from tests.support.stores import REPO

EXAMPLES = REPO / "tests" / "data" / "validation"
INVALID = (EXAMPLES / "end-before-start.ttl").read_bytes()


def post(
    server: str, body: bytes, accept: str, content_type: str = "text/turtle"
) -> httpx.Response:
    return httpx.post(
        f"{server}/validate",
        content=body,
        headers={"Content-Type": content_type, "Accept": accept},
        timeout=60,
    )


def test_the_json_summary_groups_results_by_focus_node_with_fixes(server: str) -> None:
    answer = post(server, INVALID, "*/*")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["conforms"] is False
    assert body["counts"]["Violation"] == 1
    node = body["focusNodes"][0]
    assert node["focusNode"] == "https://w3id.org/ascf/id/project/da-nang-example-valid-project"
    result = node["results"][0]
    assert {"message", "path", "value", "shape", "fix"} <= result.keys()
    assert "ascf:endDate" in result["fix"]


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json"])
def test_the_rdf_report_is_a_standard_validation_report(server: str, accept: str) -> None:
    answer = post(server, INVALID, accept)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(accept)
    report = to_rdflib_graph(ox.parse(answer.content, format=syntax_named(accept).oxigraph))
    root = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert report.value(root, SH.conforms) == rdflib.Literal(False)
    # The swapped dates' Violation, and Da Nang's missing population (a Warning); the
    # shipped data gives Da Nang its point, so no Warning for the location.
    assert len(list(report.objects(root, SH.result))) == 2


@pytest.mark.parametrize("syntax", SYNTAXES, ids=[s.name for s in SYNTAXES])
def test_every_rdf_syntax_is_read_and_nothing_is_stored(server: str, syntax: RdfSyntax) -> None:
    valid = list(ox.parse(path=str(EXAMPLES / "valid-city-and-project.ttl")))
    before = httpx.get(f"{server}/health").json()
    body = ox.serialize(valid, format=syntax.oxigraph)
    answer = post(server, body, "application/json", syntax.media_type)
    assert answer.status_code == 200, answer.text
    assert answer.json()["conforms"] is True
    assert answer.json()["triples"] == len(valid)
    assert httpx.get(f"{server}/health").json() == before


def test_a_malformed_body_is_a_400_with_line_and_column(server: str) -> None:
    answer = post(server, (EXAMPLES / "malformed.ttl").read_bytes(), "application/json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "rdf-syntax"
    assert "line 7, column 43" in answer.json()["message"]


def test_the_template_is_served(server: str) -> None:
    answer = httpx.get(f"{server}/templates/projects-template.csv")
    assert answer.status_code == 200
    assert answer.text.startswith("project_id,city,title")
    assert httpx.get(f"{server}/templates/secrets.txt").status_code == 404


#: A Vietnamese office's sheet, semicolon-separated, with a title row above the header and
#: an end date before its start date (dates as the region writes them).
SHEET = (
    "Dự án thành phố thông minh;;;;\n"
    "city;title;focus_areas;start_date;end_date\n"
    "Đà Nẵng;Đèn đường thông minh;Built Infrastructure;25/03/2024;01/02/2023\n"
).encode()


def test_a_sheets_report_speaks_of_rows_and_columns_never_iris(server: str) -> None:
    answer = post(server, SHEET, "application/json", "text/csv")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["reading"].startswith("read as semicolon-separated UTF-8 text")
    assert "skipped the row above the header" in body["reading"]
    assert body["conforms"] is False
    (violation,) = [r for r in body["results"] if r["severity"] == "Violation"]
    assert (violation["row"], violation["severity"]) == (3, "Violation")
    assert violation["column"] in {"start_date", "end_date"}
    assert "end date is before the start date" in violation["message"]
    for text in (answer.text, post(server, SHEET, "text/plain", "text/csv").text):
        assert "https://" not in text
        assert "ascf:" not in text
        assert "sh:" not in text
    assert "row 3, column" in post(server, SHEET, "text/plain", "text/csv").text
    standard = post(server, SHEET, "text/turtle", "text/csv")  # for whoever asks for RDF
    assert "https://w3id.org/ascf/id/project/da-nang-den-duong-thong-minh" in standard.text


def test_a_sheet_in_a_declared_legacy_charset_is_read(server: str) -> None:
    body = "city;title;focus_areas\nDa Nang;Đô thông minh;Built Infrastructure\n"
    answer = post(server, body.encode("cp1258"), "text/turtle", "text/csv; charset=windows-1258")
    assert answer.status_code == 200, answer.text
    json = post(server, body.encode("cp1258"), "application/json", "text/csv; charset=cp1258")
    assert json.json()["reading"].startswith("read as semicolon-separated cp1258 text")


def test_a_citys_coordinates_in_another_country_are_refused_naming_it(server: str) -> None:
    body = b"""
    @prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
    <https://w3id.org/ascf/id/city/da-nang> wgs:lat 17.96667 ; wgs:long 102.6 .
    """
    answer = post(server, body, "application/json")
    assert answer.status_code == 200, answer.text
    assert answer.json()["conforms"] is False
    (node,) = answer.json()["focusNodes"]
    messages = [r["message"] for r in node["results"]]
    assert any("lie in Lao PDR, not in Viet Nam" in m for m in messages), messages
    rdf = post(server, body, "text/turtle")
    assert b"Lao PDR" in rdf.content
