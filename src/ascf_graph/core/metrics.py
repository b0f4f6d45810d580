"""Prometheus metrics: a small registry per application and its text exposition (0.0.4).

Why hand-written rather than ``prometheus-client``: what we need is three
kinds (counter, gauge, histogram) with fixed label names, plus values other
components already keep (cache hits, worker restarts, body bytes held) read
at scrape time. That is a hundred lines, costs the hot path one dict lookup
and a few additions per request (the fast path exists for speed), needs no
dependency in the server, and cannot touch a process-wide default registry:
each :class:`Metrics` belongs to one app, created in ``create_app``. The
tests parse what ``/metrics`` serves with ``prometheus-client``'s own parser,
so the format is checked against the reference implementation.

Metrics are updated mostly from the event loop, but validation times are
observed from threads, so each metric guards its values with a lock (never
contended on the event loop, where it costs tens of nanoseconds).

Label values must come from bounded sets (route templates, status codes,
causes), never from a request's raw path: each distinct value is a time
series that lives as long as the process.
"""

import bisect
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

#: The media type of the text exposition format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Seconds: from a cached lookup (sub-millisecond) to a query at its time limit.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

Labels = tuple[str, ...]
#: A sample read at scrape time: its label values and its value.
Sample = tuple[Labels, float]


def _escape(value: str) -> str:
    r"""A label value as the exposition format writes it.

    >>> _escape('say "hi"\n\\')
    'say \\"hi\\"\\n\\\\'
    """
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    """A sample value: integers without a fraction, infinities as Prometheus spells them.

    >>> _number(3.0), _number(0.25), _number(math.inf)
    ('3', '0.25', '+Inf')
    """
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _label_text(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    pairs = ",".join(
        f'{name}="{_escape(value)}"' for name, value in zip(names, values, strict=True)
    )
    return "{" + pairs + "}"


class _Metric:
    kind = ""

    def __init__(self, name: str, description: str, labels: Sequence[str] = ()) -> None:
        self.name, self.description, self.labels = name, description, tuple(labels)
        self._lock = threading.Lock()

    def header(self) -> list[str]:
        """The ``# HELP`` and ``# TYPE`` lines."""
        description = self.description.replace("\\", "\\\\").replace("\n", "\\n")
        return [f"# HELP {self.name} {description}", f"# TYPE {self.name} {self.kind}"]

    def lines(self) -> list[str]:
        """The metric's lines of the exposition."""
        raise NotImplementedError


class Counter(_Metric):
    """A count that only goes up, per combination of label values.

    >>> requests = Counter("demo_total", "Demo.", ["status"])
    >>> requests.inc(("200",)); requests.inc(("200",), 2)
    >>> requests.lines()[2:]
    ['demo_total{status="200"} 3']
    """

    kind = "counter"

    def __init__(self, name: str, description: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, description, labels)
        self._values: dict[Labels, float] = {}

    def inc(self, labels: Labels = (), amount: float = 1) -> None:
        """Add ``amount`` to the count for ``labels``."""
        with self._lock:
            self._values[labels] = self._values.get(labels, 0) + amount

    def value(self, labels: Labels = ()) -> float:
        """The count for ``labels`` now."""
        return self._values.get(labels, 0)

    def lines(self) -> list[str]:
        with self._lock:
            values = sorted(self._values.items())
        body = [f"{self.name}{_label_text(self.labels, key)} {_number(v)}" for key, v in values]
        return self.header() + body


class Histogram(_Metric):
    """Observations counted into cumulative buckets, per combination of label values.

    >>> seconds = Histogram("demo_seconds", "Demo.", buckets=(0.1, 1))
    >>> seconds.observe(0.05); seconds.observe(0.5); seconds.observe(5)
    >>> seconds.lines()[2:]  # doctest: +NORMALIZE_WHITESPACE
    ['demo_seconds_bucket{le="0.1"} 1', 'demo_seconds_bucket{le="1"} 2',
     'demo_seconds_bucket{le="+Inf"} 3', 'demo_seconds_sum 5.55', 'demo_seconds_count 3']
    """

    kind = "histogram"

    def __init__(
        self,
        name: str,
        description: str,
        labels: Sequence[str] = (),
        *,
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        super().__init__(name, description, labels)
        self.buckets = tuple(sorted(buckets))
        # Per label values: a count per bucket (not cumulative; the last is +Inf), and the sum.
        self._values: dict[Labels, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, labels: Labels = ()) -> None:
        """Count ``value`` for ``labels``."""
        index = bisect.bisect_left(self.buckets, value)
        with self._lock:
            kept = self._values.get(labels)
            if kept is None:
                kept = self._values[labels] = ([0] * (len(self.buckets) + 1), [0.0])
            kept[0][index] += 1
            kept[1][0] += value

    def count(self, labels: Labels = ()) -> int:
        """How many values were observed for ``labels``."""
        kept = self._values.get(labels)
        return sum(kept[0]) if kept else 0

    def lines(self) -> list[str]:
        with self._lock:
            values = sorted((key, (list(c), s[0])) for key, (c, s) in self._values.items())
        body = []
        names = (*self.labels, "le")
        for key, (counts, total) in values:
            cumulative = 0
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                cumulative += count
                labels = _label_text(names, (*key, _number(bound)))
                body.append(f"{self.name}_bucket{labels} {cumulative}")
            labels = _label_text(self.labels, key)
            body.append(f"{self.name}_sum{labels} {_number(total)}")
            body.append(f"{self.name}_count{labels} {cumulative}")
        return self.header() + body


class Observed(_Metric):
    """A counter or gauge whose samples another component keeps, read when scraped.

    ``read`` returns the samples (label values, value); it runs on the event loop at
    each scrape, so it must be cheap and must not block.

    >>> held = Observed("demo_bytes", "Demo.", "gauge", lambda: [((), 42)])
    >>> held.lines()[2:]
    ['demo_bytes 42']
    """

    def __init__(
        self,
        name: str,
        description: str,
        kind: str,
        read: Callable[[], Iterable[Sample]],
        labels: Sequence[str] = (),
    ) -> None:
        super().__init__(name, description, labels)
        self.kind, self.read = kind, read

    def lines(self) -> list[str]:
        body = [
            f"{self.name}{_label_text(self.labels, key)} {_number(value)}"
            for key, value in sorted(self.read())
        ]
        return self.header() + body


_M = TypeVar("_M", bound=_Metric)


class Registry:
    """The metrics of one application, in the order they were added."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def add(self, metric: _M) -> _M:
        """Register ``metric`` (its name must be new) and return it."""
        if metric.name in self._metrics:
            raise ValueError(f"a metric named {metric.name} is registered already")
        self._metrics[metric.name] = metric
        return metric

    def remove(self, name: str) -> None:
        """Forget the metric named ``name``, if registered (a component that closed)."""
        self._metrics.pop(name, None)

    def exposition(self) -> bytes:
        """Every metric in the text exposition format."""
        lines: list[str] = []
        for metric in list(self._metrics.values()):
            lines += metric.lines()
        return ("\n".join(lines) + "\n").encode("utf-8")
