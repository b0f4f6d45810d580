"""The generation cache under writes: requests on two generations at once (one began before
a write, one after) must neither delete each other's files nor throw away each other's
memory, and a file handed out stays until its response is sent.

`make soak` found both: the cache kept one generation, so such requests switched it back and
forth, each switch deleting the other generation's folder (500s with FileNotFoundError, cut
downloads) and dropping its search index, rebuilt at every switch."""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message

from ascf_graph.app import create_app
from ascf_graph.core.settings import Settings
from ascf_graph.store.generation_cache import GenerationCache
from ascf_graph.web.held_files import HeldFileResponse
from ascf_graph.web.state import state_of
from tests.support.servers import serving_in_this_process
from tests.support.stores import clone_settings


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_first_served_survives_requests_switching_between_two_generations(
    tmp_path: Path,
) -> None:
    cache = GenerationCache(tmp_path / "cache")
    failures: list[BaseException] = []

    def serve(offset: int) -> None:
        for step in range(2000):
            try:
                cache.modified(f"build-x+{step // 2 + offset}")
            except OSError as error:  # pragma: no cover - the bug
                failures.append(error)

    four_requests_at_once(serve)
    assert failures == []


def test_a_file_handed_out_survives_requests_switching_between_two_generations(
    tmp_path: Path,
) -> None:
    cache = GenerationCache(tmp_path / "cache")
    failures: list[BaseException] = []

    def write(path: Path) -> None:
        time.sleep(0.001)  # a dump takes a while to write
        path.write_bytes(b"#" * 1000)

    def serve(offset: int) -> None:
        for step in range(200):
            try:
                cache.file(f"build-x+{step // 2 + offset}", "dumps/ascf.nq.gz", write).read_bytes()
            except OSError as error:
                failures.append(error)

    four_requests_at_once(serve)
    assert failures == []


def test_requests_alternating_between_two_generations_compute_each_value_once(
    tmp_path: Path,
) -> None:
    cache = GenerationCache(tmp_path / "cache")
    computed: list[str] = []
    for _ in range(5):
        for generation in ("g1", "g2"):
            cache.memo(generation, "search", lambda g=generation: computed.append(g) or g)
            cache.file(generation, "def.html", lambda path: path.write_text("page"))
    assert computed == ["g1", "g2"]
    assert (tmp_path / "cache" / "g1" / "def.html").exists()


def test_a_third_generation_drops_the_first_once_unused_for_the_grace_period(
    tmp_path: Path,
) -> None:
    clock = Clock()
    cache = GenerationCache(tmp_path / "cache", grace_seconds=10, clock=clock)
    first = cache.file("g1", "def.html", lambda path: path.write_text("one"))
    cache.modified("g2")
    cache.modified("g3")
    assert first.exists(), "a path just handed out outlives its generation for a while"
    clock.now = 11
    cache.modified("g3")
    assert not first.exists()
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == ["g2", "g3"]


def test_a_late_request_on_a_dropped_generation_does_not_push_out_a_newer_one(
    tmp_path: Path,
) -> None:
    cache = GenerationCache(tmp_path / "cache", grace_seconds=0)
    computed: list[str] = []
    for generation in ("g1", "g2", "g3", "g1", "g2", "g3"):
        cache.memo(generation, "k", lambda g=generation: computed.append(g) or g)
    assert computed == ["g1", "g2", "g3", "g1"], "g1, dropped, is computed again and not kept"


def test_a_held_generation_keeps_its_files_and_memory_however_old(tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path / "cache", grace_seconds=0)
    computed: list[str] = []
    with cache.hold("g1"):
        path = cache.file("g1", "dumps/ascf.nq.gz", lambda path: path.write_bytes(b"dump"))
        cache.memo("g1", "k", lambda: computed.append("g1"))
        for generation in ("g2", "g3", "g4"):
            cache.memo(generation, "k", lambda: None)
        cache.memo("g1", "k", lambda: computed.append("again"))
        assert path.read_bytes() == b"dump"
    assert computed == ["g1"]
    assert not path.exists(), "released, it goes"


def test_a_file_response_for_an_old_generation_completes_while_a_newer_one_is_in_use(
    tmp_path: Path,
) -> None:
    cache = GenerationCache(tmp_path / "cache", grace_seconds=0)
    body = bytes(range(256)) * 1024  # four chunks of FileResponse's 64 KiB
    with cache.hold("g1"):  # as the route does
        path = cache.file("g1", "dumps/ascf.nq.gz", lambda path: path.write_bytes(body))
        response = HeldFileResponse(path, cache.hold("g1"), media_type="application/gzip")
    sent: list[Message] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":  # stat done, the file not yet open
            for generation in ("g2", "g3"):  # writes land, newer requests come
                cache.memo(generation, "search", lambda: "index")
        sent.append(message)

    async def receive() -> Message:  # the client stays
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    scope = {"type": "http", "method": "GET", "headers": [], "extensions": {}}
    asyncio.run(response(scope, receive, send))
    assert b"".join(m.get("body", b"") for m in sent[1:]) == body
    assert cache.holders("g1") == 0
    cache.memo("g3", "search", lambda: "index")
    assert not path.exists(), "sent, the old generation's file goes"


@pytest.fixture(scope="module")
def served(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, httpx.Client]]:
    """The app served from this process, so that its cache can be looked at."""
    settings = clone_settings(built, tmp_path_factory.mktemp("cache-switching"))
    app = create_app(settings.model_copy(update={"query_workers": 0}))
    with serving_in_this_process(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield app, client


# pyLODE, which writes the ontology's page, leaves its stylesheet's file open.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*pylode:pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/dumps/ascf.nq.gz"),
        ("HEAD", "/dumps/ascf.nq.gz"),
        ("GET", "/dumps/no-such-dump"),
        ("GET", "/doc/graph/framework.ttl"),
        ("GET", "/doc/def.html"),
    ],
)
def test_downloads_let_their_generation_go_once_sent(
    served: tuple[FastAPI, httpx.Client], method: str, path: str
) -> None:
    app, client = served
    generation = client.get("/health").json()["generation"]
    answer = client.request(method, path)
    assert answer.status_code in {200, 404}
    etag = answer.headers.get("etag")
    if etag:  # and the 304
        assert client.request(method, path, headers={"If-None-Match": etag}).status_code == 304
    deadline = time.monotonic() + 10  # the last bytes reach the client before the release
    cache = state_of(app.state).generation_cache
    while cache.holders(generation) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.holders(generation) == 0


def four_requests_at_once(serve: Callable[[int], None]) -> None:
    """``serve(0)``, ``serve(1)``, ``serve(0)``, ``serve(1)`` in four threads, to their end:
    requests on two generations, interleaved."""
    threads = [threading.Thread(target=serve, args=(offset,)) for offset in (0, 1, 0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
