"""A bounded in-process cache of small, complete answers, emptied when the data changes.

Keys are ETags, which already include the store's generation; the cache also
remembers the generation it holds answers for and drops them all the first
time it is asked about a newer one, so their memory is freed at once. It
counts its hits and misses, which ``/metrics`` reports.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedAnswer:
    """An answer as it was sent."""

    body: bytes
    media_type: str
    #: Headers that belong to the answer itself (e.g. a document's ``Link``).
    headers: tuple[tuple[str, str], ...] = ()


class AnswerCache:
    """Least-recently-used answers up to ``capacity_bytes`` in total; safe across threads.

    >>> cache = AnswerCache(10)
    >>> cache.put("g1", "a", CachedAnswer(b"12345", "text/csv"))
    >>> cache.put("g1", "b", CachedAnswer(b"678901", "text/csv"))
    >>> cache.get("g1", "a") is None  # evicted to make room for b
    True
    >>> cache.get("g1", "b").body
    b'678901'
    >>> cache.get("g2", "b") is None  # a new generation empties the cache
    True
    >>> cache.hits, cache.misses
    (1, 2)
    """

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self._answers: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._size = 0
        self._generation: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        """Lookups that found an answer."""
        self.misses = 0
        """Lookups that found none."""

    def get(self, generation: str, key: str) -> CachedAnswer | None:
        """The answer stored under ``key`` for this generation, if any."""
        with self._lock:
            self._follow(generation)
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
            else:
                self.hits += 1
                self._answers.move_to_end(key)
            return answer

    def put(self, generation: str, key: str, answer: CachedAnswer) -> None:
        """Keep ``answer``, evicting the least recently used ones to make room."""
        with self._lock:
            self._follow(generation)
            if len(answer.body) > self.capacity_bytes or key in self._answers:
                return
            self._answers[key] = answer
            self._size += len(answer.body)
            while self._size > self.capacity_bytes:
                _, evicted = self._answers.popitem(last=False)
                self._size -= len(evicted.body)

    @property
    def size_bytes(self) -> int:
        """Bytes held now."""
        return self._size

    def _follow(self, generation: str) -> None:
        if generation != self._generation:
            self._answers.clear()
            self._size = 0
            self._generation = generation
