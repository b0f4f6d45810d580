"""Choosing the SHACL engine: ``ASCF_SHACL_ENGINE`` and ``ascf-graph validate --engine``.

pyshacl is the default; ``rudof`` is pyrudof for the core shapes with the
same report. An engine that is unknown, or that cannot run because pyrudof
cannot be imported, is refused at start-up with a message that says what
to do, before the service opens anything.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascf_graph.app import create_app
from ascf_graph.cli.main import app
from ascf_graph.core.errors import EngineUnavailableError
from ascf_graph.core.settings import Settings
from ascf_graph.shacl.engine import validation_engine
from ascf_graph.shacl.rudof import rudof_available, validate_fast
from ascf_graph.shacl.validation import validate
from tests.support.servers import free_port
from tests.support.stores import TEST_DATA, clone_settings

EXAMPLES = TEST_DATA / "validation"
VALID = EXAMPLES / "valid-city-and-project.ttl"
needs_pyrudof = pytest.mark.skipif(not rudof_available(), reason="pyrudof is not installed")


def ascf_graph(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m ascf_graph ARGS`` in its own process with ``env`` added to ours."""
    return subprocess.run(
        [sys.executable, "-m", "ascf_graph", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def store_env(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a process over a copy of the built store."""
    settings = clone_settings(built, tmp_path_factory.mktemp("engine-setting"))
    return {"ASCF_DATA_DIR": str(settings.data_dir), "ASCF_CONTENT_DIR": str(settings.content_dir)}


@pytest.fixture(scope="module")
def without_pyrudof(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment where ``import pyrudof`` fails, as where it is not installed."""
    shadow = tmp_path_factory.mktemp("no-pyrudof")
    (shadow / "pyrudof").mkdir()
    (shadow / "pyrudof" / "__init__.py").write_text(
        'raise ImportError("pyrudof is not installed here")\n', encoding="utf-8"
    )
    return {"PYTHONPATH": str(shadow)}


def test_pyshacl_is_the_default_and_the_environment_chooses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ASCF_SHACL_ENGINE", raising=False)
    assert Settings().shacl_engine == "pyshacl"
    assert validation_engine(Settings().shacl_engine) is validate
    monkeypatch.setenv("ASCF_SHACL_ENGINE", "rudof")
    assert Settings().shacl_engine == "rudof"


@needs_pyrudof
def test_rudof_names_the_fast_engine() -> None:
    assert validation_engine("rudof") is validate_fast


def test_an_unknown_engine_stops_the_server_naming_the_variable_and_the_choices(
    store_env: dict[str, str],
) -> None:
    port = str(free_port())
    finished = ascf_graph("serve", "--port", port, env={**store_env, "ASCF_SHACL_ENGINE": "fast"})
    assert finished.returncode == 2, finished.stderr
    assert "error: ASCF_SHACL_ENGINE='fast': Input should be 'pyshacl' or 'rudof'" in (
        finished.stderr
    )
    assert "Traceback" not in finished.stderr


def test_rudof_without_pyrudof_stops_the_server_saying_what_to_install(
    store_env: dict[str, str], without_pyrudof: dict[str, str]
) -> None:
    port = str(free_port())
    finished = ascf_graph(
        "serve", "--port", port, env={**store_env, **without_pyrudof, "ASCF_SHACL_ENGINE": "rudof"}
    )
    assert finished.returncode == 2, finished.stderr
    assert "error: the SHACL engine 'rudof' needs the pyrudof package" in finished.stderr
    assert "pip install 'ascf-graph[bench]'" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_rudof_without_pyrudof_is_refused_before_the_app_opens_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("ascf_graph.shacl.engine.rudof_available", lambda: False)
    with pytest.raises(EngineUnavailableError, match="needs the pyrudof package"):
        create_app(Settings(shacl_engine="rudof", data_dir=tmp_path / "store"))
    assert not (tmp_path / "store").exists()


def test_validate_takes_its_default_engine_from_the_setting(
    store_env: dict[str, str], without_pyrudof: dict[str, str]
) -> None:
    env = {**store_env, **without_pyrudof, "ASCF_SHACL_ENGINE": "rudof"}
    refused = ascf_graph("validate", str(VALID), env=env)
    assert refused.returncode == 2, refused.stderr
    assert "needs the pyrudof package" in refused.stderr
    chosen = ascf_graph("validate", "--engine", "pyshacl", str(VALID), env=env)
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.startswith("conforms: 0 violations")


def test_validate_refuses_an_unknown_engine_option(cli_settings: Settings) -> None:
    result = CliRunner().invoke(app, ["validate", "--engine", "fast", str(VALID)])
    assert result.exit_code == 2
    assert "unknown SHACL engine 'fast'; choose one of 'pyshacl', 'rudof'" in result.output


@needs_pyrudof
def test_validate_gives_the_same_report_with_either_engine(cli_settings: Settings) -> None:
    exit_codes = set()
    for example in sorted(p for p in EXAMPLES.glob("*.ttl") if p.name != "malformed.ttl"):
        runs = {
            engine: CliRunner().invoke(
                app, ["validate", "--engine", engine, "--report-format", "json", str(example)]
            )
            for engine in ("pyshacl", "rudof")
        }
        assert runs["rudof"].exit_code == runs["pyshacl"].exit_code, example.name
        assert json.loads(runs["rudof"].output) == json.loads(runs["pyshacl"].output), example.name
        exit_codes.add(runs["pyshacl"].exit_code)
    assert exit_codes == {0, 1}, "the examples hold data that conforms and data that does not"
