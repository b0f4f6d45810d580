"""Validators and conditional requests (RFC 9110 8.8 and 13), and ``Link`` headers (RFC 8288).

Every document the service derives from the store is a function of the
store's generation and of which representation was asked for, so its entity
tag is a hash of the two, and its last-modified time is when the generation
was first served (see :mod:`ascf_graph.store.generation_cache`).
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Validators:
    """The validators of one representation."""

    etag: str
    last_modified: datetime

    def headers(self) -> dict[str, str]:
        """``ETag``, ``Last-Modified`` and ``Cache-Control`` for the response."""
        return {
            "ETag": self.etag,
            "Last-Modified": http_date(self.last_modified),
            "Cache-Control": CACHE_CONTROL,
        }


def entity_tag(generation: str, *representation: object) -> str:
    """A weak entity tag for one representation of one generation.

    >>> tag = entity_tag("build-1", "/doc/city/hue", "text/turtle")
    >>> tag.startswith('W/"'), tag == entity_tag("build-2", "/doc/city/hue", "text/turtle")
    (True, False)
    """
    text = "\x1f".join([generation, *(str(part) for part in representation)])
    return f'W/"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def http_date(moment: datetime) -> str:
    """An IMF-fixdate, as HTTP headers write dates.

    >>> from datetime import UTC
    >>> http_date(datetime(2026, 11, 25, 9, 30, tzinfo=UTC))
    'Wed, 25 Nov 2026 09:30:00 GMT'
    """
    return format_datetime(moment, usegmt=True)


def not_modified(request_headers: Mapping[str, str], validators: Validators) -> bool:
    """Whether a GET/HEAD with these headers may be answered 304 Not Modified.

    ``If-None-Match`` wins over ``If-Modified-Since`` (RFC 9110 13.2.2), and
    entity tags compare weakly.

    >>> from datetime import UTC
    >>> v = Validators('W/"abc"', datetime(2026, 1, 1, tzinfo=UTC))
    >>> not_modified({"if-none-match": '"x", W/"abc"'}, v)
    True
    >>> not_modified({"if-none-match": '"x"', "if-modified-since": http_date(v.last_modified)}, v)
    False
    >>> not_modified({"if-modified-since": "Thu, 01 Jan 2026 00:00:00 GMT"}, v)
    True
    >>> not_modified({"if-modified-since": "not a date"}, v)
    False
    """
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        return none_match(if_none_match, validators.etag)
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return validators.last_modified <= since


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
    wanted = {_opaque(tag) for tag in if_none_match.split(",") if tag.strip()}
    return "*" in wanted or _opaque(etag) in wanted


_LISTED_TAG = re.compile(r'\s*(\*|(?:W/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def entity_tags(header: str) -> list[str] | None:
    """The entity tags an ``If-Match`` or ``If-None-Match`` header lists, in order (``*``
    as itself); None if the header is not such a list (RFC 9110 13.1.1). A comma may sit
    inside a tag's quotes.

    >>> entity_tags('"v3", W/"a,b" ,"v4"')
    ['"v3"', 'W/"a,b"', '"v4"']
    >>> entity_tags("*")
    ['*']
    >>> entity_tags("v3") is None
    True
    """
    tags: list[str] = []
    position = 0
    while position < len(header):
        found = _LISTED_TAG.match(header, position)
        if found is None or found.end() == position:
            return None
        tags.append(found.group(1))
        position = found.end()
    return tags or None


def cache_control(max_age: int) -> str:
    """``Cache-Control`` for answers: revalidate with the ETag unless a max-age is set.

    >>> cache_control(0), cache_control(60)
    ('public, no-cache', 'public, max-age=60')
    """
    return f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"


def _opaque(tag: str) -> str:
    """The opaque part of an entity tag, for weak comparison."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


@dataclass(frozen=True)
class Link:
    """One link of a ``Link`` header."""

    target: str
    rel: str
    media_type: str | None = None
    title: str | None = None

    def __str__(self) -> str:
        parts = [f"<{self.target}>", f'rel="{self.rel}"']
        if self.media_type:
            parts.append(f'type="{self.media_type}"')
        if self.title:
            parts.append(f'title="{self.title}"')
        return "; ".join(parts)


def link_header(links: Iterable[Link]) -> str:
    """The value of a ``Link`` header.

    >>> link_header([Link("/doc/city/hue.ttl", "alternate", "text/turtle")])
    '</doc/city/hue.ttl>; rel="alternate"; type="text/turtle"'
    """
    return ", ".join(str(link) for link in links)
