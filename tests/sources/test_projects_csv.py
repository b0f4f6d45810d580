"""The projects spreadsheet template: the shipped example converts and conforms; every bad
cell is refused naming its row and column."""

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascf_graph.cli.main import app
from ascf_graph.core.errors import CsvImportError
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.sources.projects_csv import COLUMNS, LABEL_MAPPING, Vocabulary, projects_from_csv
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO

BASE = "https://w3id.org/ascf/"
TEMPLATES = REPO / "data" / "templates"
HEADER = ",".join(COLUMNS)


@pytest.fixture(scope="module")
def vocabulary(store: EmbeddedStore) -> Vocabulary:
    return Vocabulary.from_store(store, BASE, label_mapping=REPO / "data" / LABEL_MAPPING)


def row(**cells: str) -> str:
    """The template's header and one row: a valid project with ``cells`` changed."""
    base = {"city": "Da Nang", "title": "Example project", "focus_areas": "Civic & Social"}
    base.update(cells)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerows([COLUMNS, [base.get(c, "") for c in COLUMNS]])
    return text.getvalue()


def test_the_template_has_exactly_the_documented_columns() -> None:
    header = (TEMPLATES / "projects-template.csv").read_text(encoding="utf-8").splitlines()
    assert header == [HEADER]
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    assert all(f"`{column}`" in readme for column in COLUMNS)


def test_the_example_converts_and_conforms(vocabulary: Vocabulary, store: EmbeddedStore) -> None:
    example = (TEMPLATES / "projects-example.csv").read_bytes()
    triples = projects_from_csv(example, vocabulary, source="projects-example.csv")
    report = validate(to_rdflib_graph(triples), ValidationContext.for_submissions(store, BASE))
    assert report.conforms, report.to_text()
    projects = {t.subject.value for t in triples if t.object.value.endswith("SmartCityProject")}
    assert projects == {
        f"{BASE}id/project/da-nang-example-smart-parking-pilot-made-up-row",
        f"{BASE}id/project/bangkok-example-flood-sensors",
        f"{BASE}id/project/singapore-example-digital-permits-for-small-shops-made-up-row",
    }
    titles = [t.object.value for t in triples if t.predicate.value.endswith("#label")]
    assert all("EXAMPLE" in title or "Example" in title for title in titles)


def test_labels_slugs_and_report_spellings_all_resolve(vocabulary: Vocabulary) -> None:
    triples = projects_from_csv(
        row(
            focus_areas="civic-and-social; Health & Well-Being",
            sub_areas="Resources Access & Management; tourism",
            status="ongoing and under planning",
            outcomes="Competitive Economy",
        ),
        vocabulary,
        source="t.csv",
    )
    objects = {t.object.value for t in triples}
    assert f"{BASE}id/focus-area/health-and-well-being" in objects
    assert f"{BASE}id/sub-area/resource-access-and-management" in objects
    assert f"{BASE}id/project-status/ongoing-and-under-planning" in objects


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"start_date": "2024-02-30"}, "start_date", "not a date that exists"),
        ({"end_date": "03/04/2024"}, "end_date", "3 April 2024 or 4 March 2024"),
        ({"end_date": "next spring"}, "end_date", "YYYY-MM-DD"),
        ({"city": "Atlantis"}, "city", "unknown member city"),
        ({"focus_areas": "Happiness"}, "focus_areas", "unknown focus area"),
        ({"focus_areas": "Tourism"}, "focus_areas", "put it in sub_areas"),
        ({"status": "abandoned"}, "status", "unknown status"),
        (
            {"budget_amount": "about 250k", "budget_currency": "USD"},
            "budget_amount",
            "not an amount",
        ),
        ({"budget_amount": "-5", "budget_currency": "USD"}, "budget_amount", "negative"),
        ({"budget_amount": "$5", "budget_currency": "THB"}, "budget_currency", "written in USD"),
        ({"budget_amount": "100", "budget_currency": "dollars"}, "budget_currency", "ISO 4217"),
        ({"budget_amount": "100"}, "budget_currency", "both an amount and a currency"),
        ({"title": ""}, "title", "empty cell"),
        ({"project_id": "Not A Slug"}, "project_id", "not a slug"),
    ],
)
def test_a_bad_cell_names_row_and_column(
    vocabulary: Vocabulary, cells: dict[str, str], column: str, words: str
) -> None:
    with pytest.raises(CsvImportError) as error:
        projects_from_csv(row(**cells), vocabulary, source="t.csv")
    assert (error.value.row, error.value.column) == (2, column)
    assert words in error.value.message


def test_an_unknown_column_and_a_repeated_project_are_refused(vocabulary: Vocabulary) -> None:
    with pytest.raises(CsvImportError, match="not a column of the template") as error:
        projects_from_csv("city,title,budjet\nDa Nang,X,1\n", vocabulary, source="t.csv")
    assert (error.value.row, error.value.column) == (1, "budjet")
    twice = row() + row().split("\n", 1)[1]
    with pytest.raises(CsvImportError, match="already described in row 2") as error:
        projects_from_csv(twice, vocabulary, source="t.csv")
    assert error.value.row == 3


def test_the_cli_writes_the_turtle_of_a_template(cli_settings: object, tmp_path: Path) -> None:

    out = tmp_path / "example.ttl"
    result = CliRunner().invoke(
        app, ["import-csv", "projects", str(TEMPLATES / "projects-example.csv"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "ascf:SmartCityProject" in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(row(start_date="2024-13-01"), encoding="utf-8")
    result = CliRunner().invoke(app, ["import-csv", "projects", str(bad)])
    assert result.exit_code == 2
    assert "row 2, column 'start_date'" in result.output
