"""Label search over framework concepts, cities, projects and everything else under ``id/``.

The index is built in Python from the labels in the store (once per store
generation) and searched in Python, so a query string never reaches SPARQL.
Matching ignores case and accents; every word of the query must begin a word
of a label (or the whole query begin the label or the notation). Hits rank
by how well they match, then by kind (framework first), then by label length.

>>> index = LabelIndex([
...     Entry("https://w3id.org/ascf/id/city/ha-noi", "Hà Nội", "city", None, ("Hanoi",)),
...     Entry("https://w3id.org/ascf/id/sub-area/healthcare", "Healthcare", "sub-area", "F2.2"),
...     Entry("https://w3id.org/ascf/id/focus-area/health-and-well-being",
...           "Health and Well-being", "focus-area", "F2"),
... ])
>>> [hit.label for hit in index.search("heal")]
['Health and Well-being', 'Healthcare']
>>> [hit.label for hit in index.search("WELL")]
['Health and Well-being']
>>> [hit.label for hit in index.search("ha noi")]
['Hà Nội']
>>> [hit.label for hit in index.search("f2.2")]
['Healthcare']
"""

import re
import unicodedata
from dataclasses import dataclass

from ascf_graph.core.kinds import KIND_ORDER, kind_label, kind_of
from ascf_graph.core.namespaces import RDFS, SKOS
from ascf_graph.linked_data.addresses import local_path
from ascf_graph.store.base import Store

_WORD = re.compile(r"[a-z0-9]+")

_LABELS = f"""
SELECT ?s ?property ?label WHERE {{
  VALUES ?property {{ <{SKOS}prefLabel> <{RDFS}label> <{SKOS}altLabel> <{SKOS}notation> }}
  ?s ?property ?label . FILTER(isIRI(?s) && isLiteral(?label))
}}
"""

EXACT, WHOLE_PREFIX, WORD_PREFIX = 0, 1, 2


def normalise(text: str) -> str:
    """Lower case, accents removed, every run of other characters one space.

    >>> normalise("  Hà Nội's  Well-being ")
    'ha noi s well being'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_WORD.findall(plain))


@dataclass(frozen=True)
class Entry:
    """One resource as the index knows it."""

    iri: str
    label: str
    kind: str | None
    notation: str | None = None
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One search result."""

    iri: str
    label: str
    kind: str | None
    kind_label: str
    notation: str | None
    matched: str
    tier: int

    def to_json(self, base_iri: str) -> dict[str, object]:
        """The hit as the JSON answer lists it."""
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "kindLabel": self.kind_label,
            "notation": self.notation,
            "matched": self.matched,
            "page": local_path(self.iri, base_iri),
        }


class LabelIndex:
    """Resources and their labels, normalised once, searched by prefix."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries
        self._keys = [
            [(normalise(text), text, text is not entry.label) for text in _texts(entry)]
            for entry in entries
        ]

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def from_store(cls, store: Store, base_iri: str) -> "LabelIndex":
        """Every IRI under ``{base}id/`` that has a label, with its labels and notation."""
        found: dict[str, dict[str, list[str]]] = {}
        for row in store.query(_LABELS):
            iri = row["s"].value
            if not iri.startswith(base_iri + "id/"):
                continue
            name = row["property"].value.rsplit("#", 1)[-1]
            found.setdefault(iri, {}).setdefault(name, []).append(row["label"].value)
        entries = []
        for iri, labels in sorted(found.items()):
            names = sorted(set(labels.get("prefLabel", []) + labels.get("label", [])))
            if not names:
                continue
            label = min(labels.get("prefLabel") or names)
            alternatives = tuple(sorted(set(names + labels.get("altLabel", [])) - {label}))
            notation = min(labels["notation"]) if "notation" in labels else None
            entries.append(Entry(iri, label, kind_of(iri, base_iri), notation, alternatives))
        return cls(entries)

    def search(self, query: str, *, limit: int = 20, kind: str | None = None) -> list[Hit]:
        """The best ``limit`` hits for ``query`` (empty when it has no letters or digits)."""
        wanted = normalise(query)
        if not wanted:
            return []
        words = wanted.split()
        scored = []
        for entry, keys in zip(self._entries, self._keys, strict=True):
            if kind is not None and entry.kind != kind:
                continue
            best = _best_match(wanted, words, keys)
            if best is None:
                continue
            tier, text, is_alternative = best
            rank = (
                tier,
                is_alternative,
                KIND_ORDER.get(entry.kind or "", len(KIND_ORDER)),
                len(entry.label),
                entry.label,
            )
            scored.append((rank, entry, text, tier))
        scored.sort(key=lambda item: item[0])
        return [
            Hit(e.iri, e.label, e.kind, kind_label(e.kind), e.notation, text, tier)
            for _, e, text, tier in scored[:limit]
        ]


def _texts(entry: Entry) -> list[str]:
    texts = [entry.label, *entry.alt_labels]
    if entry.notation:
        texts.append(entry.notation)
    return texts


def _best_match(
    wanted: str, words: list[str], keys: list[tuple[str, str, bool]]
) -> tuple[int, str, bool] | None:
    """The best (tier, text, is-alternative) over an entry's texts, or None."""
    best = None
    for normalised, text, is_alternative in keys:
        tier = _tier(wanted, words, normalised)
        if tier is not None and (best is None or (tier, is_alternative) < best[::2]):
            best = (tier, text, is_alternative)
    return best


def _tier(wanted: str, words: list[str], text: str) -> int | None:
    if text == wanted:
        return EXACT
    if text.startswith(wanted):
        return WHOLE_PREFIX
    label_words = text.split()
    if all(any(w.startswith(q) for w in label_words) for q in words):
        return WORD_PREFIX
    return None
