"""Fixtures shared by the tests of one pytest process: a real store built on disk once,
clones of it, a server. (``make test`` runs two processes side by side and then one for
the tests marked ``alone``: each builds its own.)

Helpers that tests import live in :mod:`tests.support`.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from ascf_graph.build.pipeline import build
from ascf_graph.core.settings import Settings
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.remote_stores import Endpoints, start_oxigraph, start_virtuoso
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import REPO, clone_settings


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The project's content built once a process, with HermiT, into a temporary folder."""
    settings = Settings(content_dir=REPO, data_dir=tmp_path_factory.mktemp("built") / "store")
    build(settings)
    return settings


@pytest.fixture(scope="session")
def store(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The built store, opened for in-process queries (on its own copy)."""
    opened = EmbeddedStore.open(clone_settings(built, tmp_path_factory.mktemp("store")).data_dir)
    yield opened
    opened.close()


@pytest.fixture
def private_store(built: Settings, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """The built store, copied, opened for writing like the server opens it."""
    opened = EmbeddedStore.open(clone_settings(built, tmp_path).data_dir)
    yield opened
    opened.close()


@pytest.fixture
def anyio_backend() -> str:
    """anyio's tests run on asyncio, as the server does."""
    return "asyncio"


@pytest.fixture
def cli_settings(built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A copy of the built store that the CLI under test finds through ASCF_DATA_DIR."""
    settings = clone_settings(built, tmp_path)
    monkeypatch.setenv("ASCF_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASCF_CONTENT_DIR", str(settings.content_dir))
    return settings


@pytest.fixture(scope="session")
def served(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The service over a copy of the built store, for every test of this process."""
    with running_server(clone_settings(built, tmp_path_factory.mktemp("served"))) as process:
        yield process


@pytest.fixture(scope="session")
def server(served: ServerProcess) -> str:
    """The base URL of the server of this process's tests."""
    return served.url


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoints]:
    """A real SPARQL server with an empty on-disk database of its own."""
    start = start_oxigraph if request.param == "oxigraph" else start_virtuoso
    process, endpoints = start(tmp_path_factory.mktemp(request.param))
    try:
        yield endpoints
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def remote_settings(remote_server: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The project's content, built into the remote server (not validated again: the
    ``built`` fixture's build proves it conforms)."""
    settings = Settings(
        content_dir=REPO,
        data_dir=tmp_path_factory.mktemp("unused") / "store",
        store_url=remote_server.query,
        store_update_url=remote_server.update,
    )
    build(settings, reasoner=False, validate_content=False)
    return settings
