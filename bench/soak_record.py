"""What the soak's clients saw: one :class:`Outcome` per request, all in a :class:`Record`,
and which 503s the limits document as "busy, retry" rather than as a failure."""

from dataclasses import dataclass, field

HOST = "127.0.0.1"
#: The 503s the limits document as "busy, retry": with Retry-After, none of them a failure.
BUSY_CODES = frozenset(
    {"validation-busy", "endpoint-busy", "too-many-connections", "body-memory-exhausted"}
)


@dataclass
class Outcome:
    """One request (or one hostile client), as the soak saw it.

    ``status`` 0: the server closed the connection without an answer; -1: the
    connection broke or the answer did not come in time (``note`` says which).
    """

    kind: str
    status: int
    seconds: float
    code: str = ""
    busy: bool = False
    expected: bool = True
    note: str = ""


@dataclass
class Record:
    """Everything the clients and the probes saw, for the report and the verdict."""

    outcomes: list[Outcome] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    health_seconds: list[float] = field(default_factory=list)
    rss_samples: list[tuple[float, int, int]] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


def is_busy(status: int, headers: dict[str, str], code: str) -> bool:
    """A documented busy 503: retry later, and the server says when."""
    return status == 503 and code in BUSY_CODES and "retry-after" in headers
