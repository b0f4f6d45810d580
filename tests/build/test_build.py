"""`ascf-graph build`: every file into its graph, reasoning, and no half-built store."""

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ascf_graph.build.pipeline import build, discover_sources
from ascf_graph.cli.main import app
from ascf_graph.core.errors import (
    InconsistentOntologyError,
    NonConformingDataError,
    RdfSyntaxError,
    ReasonerUnavailableError,
    StoreBusyError,
)
from ascf_graph.core.settings import Settings
from ascf_graph.rdf.io import parse_file
from ascf_graph.rdf.uploads import Upload
from ascf_graph.stewards.archive import Archive
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import Steward
from ascf_graph.stewards.submissions import Submissions
from ascf_graph.store.builds import current_build, new_build_folder
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import clone_settings, copy_content

BASE = "https://w3id.org/ascf/"
PREFIXES = f"""
@prefix ascf: <{BASE}def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
"""
A_VALID_PROJECT = (
    PREFIXES
    + f"""
<{BASE}id/project/da-nang-example> a ascf:SmartCityProject ;
    rdfs:label "Example project" ;
    ascf:city <{BASE}id/city/da-nang> ;
    ascf:subArea <{BASE}id/sub-area/urban-resilience> ;
    ascf:status <{BASE}id/project-status/planned> .
"""
)


def snapshot(settings: Settings) -> tuple[Path | None, dict[str, int]]:
    """Which build is published and what it holds."""
    store = EmbeddedStore.open(settings.data_dir)
    try:
        return current_build(settings.data_dir), store.graph_sizes()
    finally:
        store.close()


@pytest.fixture
def content(tmp_path: Path) -> Settings:
    """A private copy of the content, built once without the reasoner or the shapes (the
    shipped content's conformance is the shared build's to prove: tests/conftest.py)."""
    settings = copy_content(tmp_path)
    build(settings, reasoner=False, validate_content=False)
    return settings


def test_each_file_is_loaded_into_its_own_named_graph(built: Settings) -> None:
    _, sizes = snapshot_of_clone(built)
    for source in discover_sources(built):
        distinct = {(q.subject, q.predicate, q.object) for q in parse_file(source.path)}
        assert sizes[source.graph] == len(distinct), source.path
    assert f"{BASE}graph/def" in sizes
    assert f"{BASE}graph/framework" in sizes
    assert sizes[f"{BASE}graph/inferred"] > 0


def snapshot_of_clone(settings: Settings) -> tuple[Path | None, dict[str, int]]:

    with tempfile.TemporaryDirectory() as folder:
        return snapshot(clone_settings(settings, Path(folder)))


def test_the_inferred_graph_holds_memberships_inverses_and_class_closure(
    store: EmbeddedStore,
) -> None:
    inferred = f"<{BASE}graph/inferred>"
    assert (
        bool(
            store.query(f"""
        PREFIX ascf: <{BASE}def/>
        ASK {{ GRAPH {inferred} {{
          <{BASE}id/city/da-nang> ascf:memberOf <{BASE}id/organisation/ascn> .
          <{BASE}id/focus-area/tourism-does-not-matter> a ?unused .
        }} }}""")
        )
        is False
    )  # sanity: a pattern with an unknown IRI finds nothing
    assert bool(
        store.query(f"""
        PREFIX ascf: <{BASE}def/>
        ASK {{ GRAPH {inferred} {{
          <{BASE}id/city/da-nang> ascf:memberOf <{BASE}id/organisation/ascn> .
          <{BASE}id/focus-area/civic-and-social> a ascf:FrameworkElement .
          ?city ascf:hasProject ?project .
        }} }}""")
    )


def test_a_project_given_only_a_sub_area_is_inferred_to_be_in_its_focus_area(
    content: Settings,
) -> None:
    (content.instance_dir / "example.ttl").write_text(A_VALID_PROJECT, encoding="utf-8")
    build(content, reasoner=False)
    store = EmbeddedStore.open(content.data_dir)
    try:
        assert bool(
            store.query(f"""
            PREFIX ascf: <{BASE}def/>
            ASK {{ GRAPH <{BASE}graph/inferred> {{
              <{BASE}id/project/da-nang-example>
                  ascf:focusArea <{BASE}id/focus-area/quality-environment> }} }}""")
        )
    finally:
        store.close()


def test_building_twice_gives_the_same_graphs_and_a_new_generation(content: Settings) -> None:
    first_build, first = snapshot(content)
    build(content, reasoner=False)
    second_build, second = snapshot(content)
    assert second == first
    assert second_build != first_build
    assert not first_build.exists(), "the replaced build is removed"


def test_an_inconsistent_addition_is_named_and_leaves_the_store_as_it_was(
    content: Settings,
) -> None:
    before = snapshot(content)
    # Named to sort before the shipped data files: the culprit is not the last source.
    (content.instance_dir / "0-contradiction.ttl").write_text(
        PREFIXES
        + f"""
        <{BASE}id/project/not-a-city> a ascf:SmartCityProject, ascf:City ;
            rdfs:label "Both a project and a city" .
        """,
        encoding="utf-8",
    )
    with pytest.raises(InconsistentOntologyError) as raised:
        build(content)
    message = raised.value.message
    assert f"{BASE}id/project/not-a-city" in message
    assert "SmartCityProject" in message
    assert "City" in message
    assert "0-contradiction.ttl is added" in message
    assert snapshot(content) == before


def test_without_java_the_build_says_how_to_get_one_and_changes_nothing(
    content: Settings,
) -> None:
    before = snapshot(content)
    no_java = content.model_copy(update={"java": "/nonexistent/bin/java"})
    with pytest.raises(ReasonerUnavailableError, match="Java runtime"):
        build(no_java)
    assert snapshot(content) == before


def test_a_malformed_file_is_reported_with_line_and_column(content: Settings) -> None:
    before = snapshot(content)
    (content.instance_dir / "broken.ttl").write_text(
        PREFIXES + '<urn:a> rdfs:label "unterminated .\n', encoding="utf-8"
    )
    with pytest.raises(RdfSyntaxError) as raised:
        build(content, reasoner=False)
    assert "broken.ttl, line 5, column" in raised.value.message
    assert snapshot(content) == before


def test_shipped_data_that_violates_the_shapes_is_refused(content: Settings) -> None:
    before = snapshot(content)
    (content.instance_dir / "untitled.ttl").write_text(
        A_VALID_PROJECT.replace('rdfs:label "Example project" ;', ""), encoding="utf-8"
    )
    with pytest.raises(NonConformingDataError) as raised:
        build(content, reasoner=False)
    assert f"{BASE}id/project/da-nang-example" in raised.value.message
    assert snapshot(content) == before


def test_accepted_submissions_and_what_they_entail_survive_a_rebuild(content: Settings) -> None:
    graphs = [ox.NamedNode(f"{BASE}graph/{role}/test-1") for role in ("submission", "inferred")]
    store = EmbeddedStore.open(content.data_dir)
    for graph in graphs:
        store.oxigraph.add(
            ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), graph)
        )
    store.close()
    build(content, reasoner=False)
    _, sizes = snapshot(content)
    assert [sizes.get(graph.value) for graph in graphs] == [1, 1]


def test_a_citys_correction_still_takes_precedence_after_a_rebuild(
    content: Settings, tmp_path: Path
) -> None:
    project = f"{BASE}id/project/da-nang-smart-water-management-system"
    completed = ox.NamedNode(f"{BASE}id/project-status/completed")
    correction = [ox.Triple(ox.NamedNode(project), ox.NamedNode(f"{BASE}def/status"), completed)]
    store = EmbeddedStore.open(content.data_dir)
    try:
        submissions = Submissions(
            store,
            base_iri=BASE,
            archive=Archive(tmp_path / "archive"),
            audit=AuditLog(tmp_path / "audit.jsonl"),
        )
        steward = Steward("t1", "da-nang-city", "Da Nang City", "Lan", cities=("da-nang",))
        submissions.create(Upload(correction, "turtle", "text/turtle", "fix.ttl"), b"", steward)
    finally:
        store.close()

    def statuses() -> set[str]:
        store = EmbeddedStore.open(content.data_dir)
        try:
            status = ox.NamedNode(f"{BASE}def/status")
            return {t.object.value for t in store.statements([ox.NamedNode(project)], [status])}
        finally:
            store.close()

    assert statuses() == {completed.value}
    build(content, reasoner=False)  # the shipped status is loaded again, and withheld again
    assert statuses() == {completed.value}


def test_the_cli_exits_1_with_the_reason_when_the_build_is_refused(
    content: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCF_CONTENT_DIR", str(content.content_dir))
    monkeypatch.setenv("ASCF_DATA_DIR", str(content.data_dir))
    (content.instance_dir / "untitled.ttl").write_text(
        A_VALID_PROJECT.replace('rdfs:label "Example project" ;', ""), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["build", "--no-reasoner"])
    assert result.exit_code == 1
    assert "violate the shapes" in result.output


def test_the_cli_reports_graphs_and_triple_counts(
    content: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCF_CONTENT_DIR", str(content.content_dir))
    monkeypatch.setenv("ASCF_DATA_DIR", str(content.data_dir))
    result = CliRunner().invoke(app, ["build", "--no-reasoner"])
    assert result.exit_code == 0, result.output
    assert f"{BASE}graph/framework" in result.output
    assert "triples" in result.output


def test_asking_for_no_reasoner_in_the_environment_skips_it_as_the_option_does(
    content: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCF_CONTENT_DIR", str(content.content_dir))
    monkeypatch.setenv("ASCF_DATA_DIR", str(content.data_dir))
    monkeypatch.setenv("ASCF_JAVA", "/nonexistent/java")  # HermiT would fail to start
    monkeypatch.setenv("ASCF_REASONER", "none")
    result = CliRunner().invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    assert "none (skipped)" in result.output


def test_a_write_to_a_store_retired_by_a_rebuild_is_refused_not_lost(content: Settings) -> None:
    build(content, reasoner=False)
    served = EmbeddedStore.open(content.data_dir)  # as a running server holds it
    try:
        build(content, reasoner=False)  # publishes a new store beside it
        late = GraphChange(
            replace={f"{BASE}graph/submission/late": [ox.Triple(*(ox.NamedNode("urn:x"),) * 3)]}
        )
        with pytest.raises(StoreBusyError, match="new build was published"):
            served.apply(late)
    finally:
        served.close()
    current = EmbeddedStore.open(content.data_dir)
    try:
        assert f"{BASE}graph/submission/late" not in current.graph_sizes()
        assert current.apply(late)  # the same write to the published store is taken
        assert f"{BASE}graph/submission/late" in current.graph_sizes()
    finally:
        current.close()


def store_folders(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "stores").iterdir())


def test_a_build_that_fails_midway_leaves_no_folder_behind(
    content: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = store_folders(content)

    def broken(*_args: object) -> None:
        raise OSError("the disk filled up")

    monkeypatch.setattr("ascf_graph.build.pipeline._carry_submissions", broken)
    with pytest.raises(OSError, match="disk filled up"):
        build(content, reasoner=False)
    assert store_folders(content) == published


KILLED_MIDWAY = """
import os, signal, sys
from ascf_graph.build import pipeline as build
from ascf_graph.core.settings import Settings

def killed(*_args):  # the store is half written when the process dies
    os.kill(os.getpid(), signal.SIGKILL)

build._carry_submissions = killed
build.build(Settings(content_dir=sys.argv[1], data_dir=sys.argv[2]), reasoner=False)
"""


def test_the_folder_a_killed_build_left_is_removed_when_the_next_build_starts(
    content: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = store_folders(content)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MIDWAY, str(content.content_dir), str(content.data_dir)],
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    left = [f for f in store_folders(content) if f not in published]
    assert len(left) == 1, "the killed build should have left its folder"

    # Removed even though the next build fails too: it goes before the next one writes.
    def broken(*_args: object) -> None:
        raise OSError("the disk filled up")

    monkeypatch.setattr("ascf_graph.build.pipeline._carry_submissions", broken)
    with pytest.raises(OSError, match="disk filled up"):
        build(content, reasoner=False)
    assert store_folders(content) == published


def test_publishing_a_build_leaves_another_build_in_progress_alone(content: Settings) -> None:
    with new_build_folder(content.data_dir) as running:
        (content.data_dir / "stores" / "build-leftover").mkdir()
        build(content, reasoner=False)
        assert running.is_dir(), "a build removed another one's folder while it was written"
        assert not (content.data_dir / "stores" / "build-leftover").exists()
        assert store_folders(content) == sorted([running, current_build(content.data_dir)])
    assert not running.exists(), "an unpublished folder goes when its build ends"
