"""Country names in the languages of ASEAN come from Unicode CLDR and are reproducible."""

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ascf_graph.cli.main import app
from ascf_graph.sources.country_labels import LANGUAGES, cldr_version, write_country_labels
from tests.support.stores import REPO

LABELS = REPO / "ontology" / "country-labels.ttl"
COUNTRIES = REPO / "ontology" / "countries.ttl"
SKOS = "http://www.w3.org/2004/02/skos/core#"
COUNTRY = "https://w3id.org/ascf/id/country/"


@pytest.fixture(scope="module")
def labels() -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(LABELS), format=ox.RdfFormat.TURTLE)]


def pref_labels(triples: list[ox.Triple], country: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for t in triples:
        if t.subject == ox.NamedNode(COUNTRY + country) and t.predicate.value == SKOS + "prefLabel":
            assert t.object.language not in found, "one preferred label per language"
            found[t.object.language] = t.object.value
    return found


def test_the_committed_file_is_what_the_command_writes(tmp_path: Path) -> None:
    out = tmp_path / "country-labels.ttl"
    write_country_labels(COUNTRIES, out)
    assert out.read_text(encoding="utf-8") == LABELS.read_text(encoding="utf-8"), (
        "ontology/country-labels.ttl is stale: run ascf-graph country-labels"
    )
    assert f"CLDR) {cldr_version()}." in out.read_text(encoding="utf-8")


def test_every_country_has_one_name_in_each_language_of_asean(
    labels: list[ox.Triple],
) -> None:
    countries = {t.subject for t in labels if t.predicate.value == SKOS + "prefLabel"}
    assert len(countries) == 11
    for country in countries:
        slug = country.value.removeprefix(COUNTRY)
        assert set(pref_labels(labels, slug)) == {tag.lower() for tag in LANGUAGES}


def test_known_names_are_cldrs(labels: list[ox.Triple]) -> None:
    assert pref_labels(labels, "thailand")["th"] == "ไทย"
    assert pref_labels(labels, "viet-nam")["vi"] == "Việt Nam"
    assert pref_labels(labels, "cambodia")["km"] == "កម្ពុជា"
    assert pref_labels(labels, "lao-pdr")["lo"] == "ລາວ"
    english_alt = {
        t.subject.value.removeprefix(COUNTRY): t.object.value
        for t in labels
        if t.predicate.value == SKOS + "altLabel"
    }
    assert english_alt["lao-pdr"] == "Laos"
    assert "singapore" not in english_alt, "no altLabel where CLDR and ASEAN agree"


def test_the_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "labels.ttl"
    result = CliRunner().invoke(
        app, ["country-labels", "--countries", str(COUNTRIES), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == LABELS.read_bytes()


def test_a_countries_file_without_countries_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "none.ttl"
    empty.write_text("<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["country-labels", "--countries", str(empty), "--out", str(tmp_path / "o.ttl")]
    )
    assert result.exit_code == 2
    assert "no ascf:Country" in result.output
    assert not (tmp_path / "o.ttl").exists()
