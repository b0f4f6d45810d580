"""`ascf-graph build --skip-validation`: generated benchmark data is built without pyshacl.

The flag exists for bench/ only; without it the same content is refused.
"""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascf_graph.cli.main import app
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import copy_content

BASE = "https://w3id.org/ascf/"
UNTITLED_PROJECT = f"""
@prefix ascf: <https://w3id.org/ascf/def/> .
<{BASE}id/project/da-nang-untitled> a ascf:SmartCityProject ;
    ascf:city <{BASE}id/city/da-nang> ;
    ascf:focusArea <{BASE}id/focus-area/civic-and-social> .
"""


def test_skip_validation_builds_data_the_shapes_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_content(tmp_path)
    (settings.instance_dir / "untitled.ttl").write_text(UNTITLED_PROJECT, encoding="utf-8")
    monkeypatch.setenv("ASCF_CONTENT_DIR", str(settings.content_dir))
    monkeypatch.setenv("ASCF_DATA_DIR", str(settings.data_dir))

    refused = CliRunner().invoke(app, ["build", "--no-reasoner"])
    assert refused.exit_code == 1
    assert "violate the shapes" in refused.output

    built = CliRunner().invoke(app, ["build", "--no-reasoner", "--skip-validation"])
    assert built.exit_code == 0, built.output
    store = EmbeddedStore.open(settings.data_dir)
    try:
        assert f"{BASE}graph/data/untitled" in store.graph_sizes()
    finally:
        store.close()
