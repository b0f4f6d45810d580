"""Where the repository is, and private copies of the built store and of its content."""

import shutil
from pathlib import Path

from ascf_graph.core.settings import Settings

REPO = Path(__file__).resolve().parents[2]


SHARED = REPO.parent / "shared"
#: The tests' own data files.
TEST_DATA = REPO / "tests" / "data"


def clone_settings(settings: Settings, destination: Path) -> Settings:
    """Settings for a copy of ``settings``' built store (RocksDB allows one opener)."""
    target = destination / "store"
    shutil.copytree(settings.data_dir, target, symlinks=True)
    return settings.model_copy(update={"data_dir": target})


def copy_content(destination: Path) -> Settings:
    """Settings over a private copy of ontology/, shapes/, data/ and queries/."""
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / folder, destination / folder)
    return Settings(content_dir=destination, data_dir=destination / "var" / "store")
