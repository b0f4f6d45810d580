"""Every script and language, over POST /validate: a project's title in several languages
(one per language tag), an empty title, and language tags written as locales (``vi_VN``)
named with the BCP 47 form to use instead."""

import httpx
import pytest

PROJECT = "https://w3id.org/ascf/id/project/da-nang-example-titles"
PREFIXES = """@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def project(titles: str) -> bytes:
    return (
        PREFIXES
        + f"""<{PROJECT}> a ascf:SmartCityProject ; rdfs:label {titles} ;
    rdfs:comment "Example data for tests, not a real project" ;
    ascf:city <https://w3id.org/ascf/id/city/da-nang> ;
    ascf:focusArea <https://w3id.org/ascf/id/focus-area/built-infrastructure> .
"""
    ).encode()


def validate(server: str, body: bytes, content_type: str = "text/turtle") -> httpx.Response:
    return httpx.post(
        f"{server}/validate",
        content=body,
        headers={"Content-Type": content_type, "Accept": "application/json"},
        timeout=60,
    )


def title_violations(answer: httpx.Response) -> list[str]:
    return [
        result["message"]
        for node in answer.json()["focusNodes"]
        for result in node["results"]
        if result["severity"] == "Violation" and result["path"] and result["path"].endswith("label")
    ]


def test_a_title_in_several_languages_conforms(server: str) -> None:
    answer = validate(server, project('"Đèn đường thông minh"@vi, "Smart street lights"@en'))
    assert answer.status_code == 200, answer.text
    assert title_violations(answer) == []


@pytest.mark.parametrize(
    ("titles", "words"),
    [
        ('"Smart street lights"@en, "Smart lights"@en', "one title per language"),
        ('"Smart street lights", "Smart lights"', "without a language tag"),
        ('"   "', "empty or only spaces"),
        ('""@vi', "empty or only spaces"),
    ],
)
def test_titles_that_break_a_rule_are_violations(server: str, titles: str, words: str) -> None:
    answer = validate(server, project(titles))
    assert answer.status_code == 200, answer.text
    messages = title_violations(answer)
    assert any(words in message for message in messages), messages


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (project('"Đèn đường thông minh"@vi_VN'), "text/turtle"),
        (
            b'{"@id": "https://w3id.org/ascf/id/project/da-nang-x", '
            b'"http://www.w3.org/2000/01/rdf-schema#label": '
            b'{"@value": "Den", "@language": "vi_VN"}}',
            "application/ld+json",
        ),
        (b"city,title,language\nDa Nang,Den duong,vi_VN\n", "text/csv"),
    ],
    ids=["turtle", "jsonld", "csv"],
)
def test_a_locale_written_as_a_language_tag_names_the_bcp47_form(
    server: str, body: bytes, content_type: str
) -> None:
    answer = validate(server, body, content_type)
    assert answer.status_code == 400, answer.text
    assert "'vi_VN'" in answer.text
    assert "'vi-VN'" in answer.text


@pytest.mark.parametrize(
    ("tag", "subtag"), [("xx-YY", "'xx'"), ("vi-Abcd", "'abcd'"), ("en-GB-abcdefgh", "'abcdefgh'")]
)
def test_a_well_formed_tag_the_registry_does_not_have_is_a_violation_naming_the_subtag(
    server: str, tag: str, subtag: str
) -> None:
    answer = validate(server, project(f'"Smart street lights"@{tag}'))
    assert answer.status_code == 200, answer.text
    assert answer.json()["conforms"] is False
    (message,) = title_violations(answer)
    assert f"language tag '{tag.lower()}'" in message  # tags are read case-insensitively
    assert f"{subtag} is no registered language, script or region" in message


def test_a_sheets_language_the_registry_does_not_have_is_refused_in_its_column(
    server: str,
) -> None:
    answer = validate(server, b"city,title,language\nDa Nang,Den duong,xx\n", "text/csv")
    assert answer.status_code == 400, answer.text
    assert "column 'language'" in answer.json()["message"]
    assert "'xx' is no registered language" in answer.json()["message"]


@pytest.mark.parametrize("tag", ["vi", "vi-VN", "zh-Hant-TW", "fil", "en-GB-oxendict", "VI-vn"])
def test_registered_tags_in_any_case_conform(server: str, tag: str) -> None:
    answer = validate(server, project(f'"Smart street lights"@{tag}'))
    assert title_violations(answer) == []
