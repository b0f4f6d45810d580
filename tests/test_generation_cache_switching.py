"""Regression: requests on two generations at once (one began before a write, one after)
switch the generation cache back and forth, and each switch deletes the other generation's
folder. Making the first-served mark raced with that deletion: FileNotFoundError, a 500 on
/doc/ and /search that `make soak` found with 24 clients (fixed). Files written into the
folder (dumps, graph documents, the ontology's page) race with it too (open)."""

import threading
import time
from pathlib import Path

import pytest

from ascf_graph.generation_cache import GenerationCache


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

    threads = [threading.Thread(target=serve, args=(offset,)) for offset in (0, 1, 0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.xfail(
    strict=True,
    reason="open: a switch deletes the other generation's folder, with files being written "
    "or served in it (docs/review-findings.md, 'Generation cache under writes')",
)
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

    threads = [threading.Thread(target=serve, args=(offset,)) for offset in (0, 1, 0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
