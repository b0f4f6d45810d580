"""Counting the crashes a client causes: a sliding window, a wait it is told, bounded memory."""

import pytest

from ascf_graph.core.crash_guard import CrashGuard
from ascf_graph.core.errors import TooManyCrashesError


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_is_held_off_until_its_oldest_crash_leaves_the_window() -> None:
    clock = Clock()
    guard = CrashGuard(3, 300, clock=clock)
    for _ in range(3):
        guard.check("192.0.2.1")
        guard.record("192.0.2.1")
        clock.now += 10
    with pytest.raises(TooManyCrashesError) as refused:
        guard.check("192.0.2.1")
    assert refused.value.status == 429
    assert refused.value.headers() == {"Retry-After": "270"}  # 300 s after the first, at 1000
    guard.check("192.0.2.2")  # another client is not held off

    clock.now = 1000 + 300
    guard.check("192.0.2.1")  # the first crash has left the window


def test_no_limit_and_unknown_addresses_hold_nobody_off() -> None:
    unlimited = CrashGuard(0, 300)
    for _ in range(100):
        unlimited.record("192.0.2.1")
    unlimited.check("192.0.2.1")
    guard = CrashGuard(1, 300)
    guard.record(None)
    guard.check(None)


def test_memory_is_bounded_by_forgetting_the_least_recent_clients() -> None:
    guard = CrashGuard(1, 300, max_clients=100)
    for n in range(1000):
        guard.record(f"198.51.100.{n}")
    guard.check("198.51.100.0")  # forgotten
    with pytest.raises(TooManyCrashesError):
        guard.check("198.51.100.999")
    assert guard.remembered == 100
