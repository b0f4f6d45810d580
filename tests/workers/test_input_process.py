"""The input worker's job loop: Python's cycle collector paused while a job runs, and
the garbage of a large job collected as soon as its answer is written."""

import gc
import io
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from ascf_graph.workers import input_process
from ascf_graph.workers.protocol import read_message, write_message


class Cycle:
    """An object that only the cycle collector frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def collector_on_again() -> Iterator[None]:
    """Python's cycle collector on after each test, whatever the test left."""
    yield
    gc.enable()


def jobs(*headers: dict[str, Any]) -> io.BytesIO:
    """A stream of job messages with these headers and no payloads."""
    stream = io.BytesIO()
    for header in headers:
        write_message(stream, header)
    stream.seek(0)
    return stream


def test_a_job_runs_with_the_collector_paused_and_a_large_one_is_collected_after_its_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collector is off while each job runs; a large job's cyclic garbage is gone
    before the worker reads the next job."""
    seen: list[bool] = []
    left: list[weakref.ref[Cycle]] = []

    def answer(_: input_process.InputWorker, header: dict[str, Any], payload: bytes) -> Any:
        seen.append(gc.isenabled())
        made = [Cycle() for _ in range(header["objects"])]
        left.append(weakref.ref(made[0]))
        return {"ok": True}, b""

    collected_before_reading: list[bool] = []

    def read(source: io.BytesIO) -> Any:
        # No container made before the look (it would set the collector off itself).
        collected_before_reading.append(bool(left) and left[-1]() is None)
        return read_message(source)

    monkeypatch.setattr(input_process.InputWorker, "answer", answer)
    monkeypatch.setattr(input_process, "read_message", read)
    answers = io.BytesIO()
    gc.collect()
    input_process.serve(jobs({"objects": 10}, {"objects": 200_000}), answers)
    assert seen == [False, False]
    assert gc.isenabled()
    assert collected_before_reading[-1], "a large job's garbage is gone before the next read"
    answers.seek(0)
    assert read_message(answers) == ({"ok": True}, b"")


def test_the_collector_is_on_again_after_an_answer_that_cannot_be_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server gone mid-answer: the worker's loop ends with the error, the collector on."""

    def answer(*_: object) -> Any:
        return {"ok": True}, b""

    def write(*_: object) -> None:
        raise BrokenPipeError("the server is gone")

    monkeypatch.setattr(input_process.InputWorker, "answer", answer)
    monkeypatch.setattr(input_process, "write_message", write)
    with pytest.raises(BrokenPipeError):
        input_process.serve(jobs({"objects": 1}), io.BytesIO())
    assert gc.isenabled()


def test_a_job_that_fails_is_answered_with_its_code_and_the_collector_on_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A job the data makes fail is answered as the client's problem."""

    def answer(*_: object) -> Any:
        raise ValueError("not RDF")

    monkeypatch.setattr(input_process.InputWorker, "answer", answer)
    answers = io.BytesIO()
    input_process.serve(jobs({"objects": 1}), answers)
    assert gc.isenabled()
    answers.seek(0)
    header, _ = read_message(answers) or ({}, b"")
    assert header["code"] == "unusable-input"
