"""Which IRIs a page may turn into a link, so that data cannot attack its readers.

Stewards submit RDF, and an RDF object may be any IRI: ``javascript:...``,
``data:text/html,...``, ``vbscript:...``. Rendered as ``<a href>``, such an
IRI runs script (or opens a forged page) on our origin when a reader clicks
it. Every page therefore links only IRIs with an ``http``, ``https`` or
``mailto`` scheme, and paths on this site; anything else is shown as text.
"""

import re

#: Schemes a link may have; anything else is shown, not linked.
LINKABLE_SCHEMES = frozenset({"http", "https", "mailto"})

# RFC 3986 scheme syntax. Browsers also drop leading spaces and control
# characters, and tabs and newlines anywhere, before they read the scheme,
# which is why the check refuses those characters rather than stripping them.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


def is_linkable(iri: str | None) -> bool:
    """Whether ``iri`` may be the ``href`` of a link on our pages.

    An absolute IRI with a scheme in :data:`LINKABLE_SCHEMES`, or a path on
    this site (``/...`` or ``?...``, as our own pages link them).

    >>> [is_linkable(i) for i in ("https://w3id.org/ascf/", "HTTP://x.org", "mailto:a@b.org")]
    [True, True, True]
    >>> [is_linkable(i) for i in ("/doc/city/hue", "?page=2")]
    [True, True]
    >>> [is_linkable(i) for i in ("javascript:alert(1)", "JavaScript:alert(1)",
    ...                           "data:text/html,<script>", "vbscript:x", "urn:isbn:1")]
    [False, False, False, False, False]
    >>> [is_linkable(i) for i in (" javascript:alert(1)", "java\\tscript:x", "//evil.org/",
    ...                           "/\\\\evil.org", "", None)]
    [False, False, False, False, False, False]
    """
    if not iri or _UNSAFE_CHARACTERS.search(iri):
        return False
    if iri.startswith("?") or (iri.startswith("/") and not iri.startswith("//")):
        return True
    scheme = _SCHEME.match(iri)
    return scheme is not None and scheme.group(1).lower() in LINKABLE_SCHEMES


def safe_href(iri: str | None) -> str | None:
    """``iri`` if it may be linked (see :func:`is_linkable`), else None.

    >>> safe_href("https://sdgs.un.org/goals/goal11"), safe_href("javascript:alert(1)")
    ('https://sdgs.un.org/goals/goal11', None)
    """
    return iri if is_linkable(iri) else None
