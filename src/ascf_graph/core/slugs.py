"""Slugs for framework and instance URIs, as the URI contract defines them.

The English label, lower case, ``&`` as ``and``, every run of other characters
as one ``-``; letters of other scripts, and Latin ones no accent stripping makes
ASCII (Vietnamese ``Đ``), are transliterated first (``anyascii``):

>>> slugify("Health and Well-being")
'health-and-well-being'
>>> slugify("Industry & Innovation")
'industry-and-innovation'
>>> slugify("Public Safety, City Surveillance and Crime Prevention")
'public-safety-city-surveillance-and-crime-prevention'
>>> slugify("Improving efficiency of Phnom Penh’s Public Transport Services")
'improving-efficiency-of-phnom-penh-s-public-transport-services'
>>> slugify("Hà Nội")
'ha-noi'
>>> slugify("Đà Nẵng")
'da-nang'
>>> slugify("ระบบขนส่งอัจฉริยะ")
'rabbkhnsngoachchriya'
"""

import re
import unicodedata

from anyascii import anyascii

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(label: str) -> str:
    """Turn an English label into the slug the URI contract prescribes."""
    decomposed = unicodedata.normalize("NFKD", anyascii(label))
    unaccented = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = unaccented.lower().replace("&", " and ")
    slug = _NON_SLUG.sub("-", lowered).strip("-")
    if not slug:
        raise ValueError(f"the label {label!r} has no letters or digits to make a slug from")
    return slug
