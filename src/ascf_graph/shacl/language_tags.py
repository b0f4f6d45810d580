"""Language tags checked against the IANA Language Subtag Registry (BCP 47), not only
their syntax: ``xx-YY`` is well formed, but ``xx`` is no language.

The parsers already refuse a tag that is not well formed (``vi_VN``, with its fix); this
check refuses a well-formed tag whose subtags the registry does not have, naming the first
such subtag (:mod:`ascf_graph.rdf.language_tags`).
Checked here rather than in a shape because SHACL's ``sh:languageIn`` lists the tags a
shape allows, and no list of ours could be the registry.
"""

from collections.abc import Sequence

import pyoxigraph as ox

from ascf_graph.rdf.language_tags import unregistered_subtag
from ascf_graph.shacl.reports import ValidationResult, compact

#: The source shape and component of this check's results.
LANGUAGE_TAG_SHAPE = "https://w3id.org/ascf/def/shapes/Registered-language-tag"
LANGUAGE_TAG_COMPONENT = "https://w3id.org/ascf/def/shapes/RegisteredLanguageTagConstraintComponent"


def unregistered_language_tags(data: Sequence[ox.Triple]) -> list[ValidationResult]:
    """A Violation for each statement of ``data`` whose literal has a language tag with a
    subtag the registry does not have."""
    known: dict[str, str | None] = {}
    found = []
    for triple in data:
        value = triple.object
        if not isinstance(value, ox.Literal) or value.language is None:
            continue
        tag = value.language
        if tag not in known:
            known[tag] = unregistered_subtag(tag)
        if known[tag] is not None:
            found.append(_violation(triple, tag, known[tag]))
    return found


def _violation(triple: ox.Triple, tag: str, subtag: str) -> ValidationResult:
    subject = triple.subject
    focus = f"_:{subject.value}" if isinstance(subject, ox.BlankNode) else subject.value
    return ValidationResult(
        severity="Violation",
        focus_node=focus,
        path=triple.predicate.value,
        value=triple.object.value,
        message=(
            f"The language tag {tag!r} of {compact(triple.predicate.value)} "
            f"{triple.object.value!r} is not in the IANA Language Subtag Registry: "
            f"{subtag!r} is no registered language, script or region. Use a registered tag, "
            "such as 'vi', 'vi-VN', 'th', 'ms', 'id', 'km', 'lo', 'my', 'fil' or 'en'."
        ),
        shape=LANGUAGE_TAG_SHAPE,
        constraint=LANGUAGE_TAG_COMPONENT,
        fix=f"Replace the tag {tag!r} with a registered BCP 47 tag (e.g. 'vi-VN').",
    )
