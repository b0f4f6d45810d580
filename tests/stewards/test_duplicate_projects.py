"""The same project twice, over POST /validate: a project of a city with the title of
another record of that city (shipped, or in the same file) is a Warning naming the other
record; the record itself, one linked as the same project, or one in another city is not."""

import httpx
import pytest
import rdflib
from rdflib.namespace import SH

ID = "https://w3id.org/ascf/id/"
SHIPPED = f"{ID}project/da-nang-smart-water-management-system"


def project(slug: str, title: str, city: str = "da-nang", extra: str = "") -> str:
    return f"""<{ID}project/{slug}> a ascf:SmartCityProject ; rdfs:label "{title}"@en ;
    ascf:city <{ID}city/{city}> ;
    ascf:focusArea <{ID}focus-area/quality-environment> {extra}.
"""


def warnings_about_twins(server: str, turtle: str) -> list[dict[str, str]]:
    body = (
        "@prefix ascf: <https://w3id.org/ascf/def/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + turtle
    )
    answer = httpx.post(
        f"{server}/validate",
        content=body.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return [
        {"focus": node["focusNode"], "value": result["value"], "message": result["message"]}
        for node in answer.json()["focusNodes"]
        for result in node["results"]
        if result["constraint"].endswith("DuplicateProjectConstraintComponent")
    ]


def test_a_new_record_with_a_shipped_records_title_names_it(server: str) -> None:
    found = warnings_about_twins(
        server, project("da-nang-example-water", "Smart water management system!")
    )
    assert [(w["focus"], w["value"]) for w in found] == [
        (f"{ID}project/da-nang-example-water", SHIPPED)
    ]
    assert "the same project twice?" in found[0]["message"]


def test_two_records_in_one_file_name_each_other(server: str) -> None:
    found = warnings_about_twins(
        server,
        project("da-nang-example-a", "Example Parking Sensors")
        + project("da-nang-example-b", "example parking-sensors"),
    )
    assert {(w["focus"].rsplit("/", 1)[-1], w["value"].rsplit("/", 1)[-1]) for w in found} == {
        ("da-nang-example-a", "da-nang-example-b"),
        ("da-nang-example-b", "da-nang-example-a"),
    }


@pytest.mark.parametrize(
    "turtle",
    [
        project("da-nang-smart-water-management-system", "Smart Water Management System"),
        project(
            "da-nang-example-water",
            "Smart Water Management System",
            extra=f"; ascf:sameProjectAs <{SHIPPED}> ",
        ),
        project("bangkok-example-water", "Smart Water Management System", city="bangkok"),
    ],
    ids=["the record itself", "linked as the same project", "another city"],
)
def test_no_warning_where_there_is_no_twin(server: str, turtle: str) -> None:
    assert warnings_about_twins(server, turtle) == []


def test_the_warning_is_in_the_standard_report_too(server: str) -> None:
    body = (
        "@prefix ascf: <https://w3id.org/ascf/def/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        + project("da-nang-example-water", "Smart Water Management System")
    )
    answer = httpx.post(
        f"{server}/validate",
        content=body.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "application/n-triples"},
        timeout=60,
    )
    report = rdflib.Graph().parse(data=answer.text, format="nt")
    component = rdflib.URIRef(
        "https://w3id.org/ascf/def/shapes/DuplicateProjectConstraintComponent"
    )
    (result,) = report.subjects(SH.sourceConstraintComponent, component)
    assert report.value(result, SH.value) == rdflib.URIRef(SHIPPED)
    root = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert (root, SH.result, result) in report
