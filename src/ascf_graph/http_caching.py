"""ETags and conditional requests (RFC 9110 8.8.3, 13.1.2) for answers derived from the store."""

import hashlib
import json


def entity_tag(generation: str, *parts: object) -> str:
    """A weak ETag for an answer: the store's generation plus everything the request chose.

    Weak, because the same query over the same data gives an equivalent answer,
    not always the same bytes.

    >>> entity_tag("build-1", "ASK {}", "text/csv") == entity_tag("build-1", "ASK {}", "text/csv")
    True
    >>> entity_tag("build-1", "q") != entity_tag("build-2", "q")
    True
    """
    digest = hashlib.sha256(json.dumps([generation, *parts], default=str).encode("utf-8"))
    return f'W/"{digest.hexdigest()[:32]}"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison), so 304.

    >>> none_match('"x", W/"abc"', 'W/"abc"')
    True
    >>> none_match('"abc"', 'W/"abc"')
    True
    >>> none_match("*", 'W/"abc"')
    True
    >>> none_match('"other"', 'W/"abc"') or none_match(None, 'W/"abc"')
    False
    """
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(tag) == wanted for tag in if_none_match.split(","))


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def cache_control(max_age: int) -> str:
    """``Cache-Control`` for answers: revalidate with the ETag unless a max-age is set."""
    return f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"
