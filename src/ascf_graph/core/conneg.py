"""Content negotiation on ``Accept`` headers, q-values honoured (RFC 9110 12.5.1)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    quality: float
    order: int

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2 exact, 1 type/*, 0 */*, -1 none."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == kind and self.subtype == "*":
            return 1
        return 2 if (self.type, self.subtype) == (kind, sub) else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; an absent header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        if "/" not in media:
            continue
        kind, _, sub = media.lower().partition("/")
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality, order))
    return ranges


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or None if it accepts none of them.

    Ties go to the order of ``offered`` (our preference).

    >>> negotiate("text/html;q=0.9, text/turtle", ["text/html", "text/turtle"])
    'text/turtle'
    >>> negotiate("application/*;q=0.5, */*;q=0.1", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    >>> negotiate(None, ["text/turtle", "application/ld+json"])
    'text/turtle'
    """
    ranges = parse_accept(header)
    best: tuple[float, int] | None = None
    chosen = None
    for preference, media_type in enumerate(offered):
        quality = _quality(ranges, media_type)
        if quality <= 0:
            continue
        key = (quality, -preference)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen


def _quality(ranges: list[MediaRange], media_type: str) -> float:
    """The quality of the most specific range that matches ``media_type``."""
    matching = [(r.matches(media_type), r.quality) for r in ranges if r.matches(media_type) >= 0]
    return max(matching)[1] if matching else 0.0
