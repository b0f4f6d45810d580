"""A 503 says when to come back: a busy endpoint in 5 seconds, a store a build just swapped
(or a CLI holds) in 1."""

import json

import pytest

from ascf_graph.core.errors import AscfError, EndpointBusyError, StoreBusyError
from ascf_graph.web.errors import error_response


@pytest.mark.parametrize(
    ("error", "retry_after"),
    [(EndpointBusyError("all workers busy"), "5"), (StoreBusyError("a new build"), "1")],
)
def test_a_busy_answer_is_503_with_retry_after_and_the_reason(
    error: AscfError, retry_after: str
) -> None:
    answer = error_response(error)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == retry_after
    assert json.loads(answer.body)["message"] == error.message
