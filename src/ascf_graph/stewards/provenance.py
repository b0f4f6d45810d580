"""The provenance of submissions in PROV-O: what is written, and how it is read back.

All of it lives in the graph ``{base}graph/provenance`` (public, like every
graph), except each version's validation report, which is the graph
``{base}graph/provenance/{id}/{n}`` whose root node has that same IRI.

For a submission ``S = {base}graph/submission/{id}`` (the IRI of its graph):

```turtle
S a prov:Entity ; dct:identifier "{id}" ; dct:created "…"^^xsd:dateTime ;
  prov:wasAttributedTo <{base}id/organisation/{org}> .
<{base}id/organisation/{org}> a prov:Organization .
S/version/{n} a prov:Entity ; prov:specializationOf S ; schema:version n ;
  prov:generatedAtTime "…"^^xsd:dateTime ; prov:wasAttributedTo _:steward, <org> ;
  prov:wasGeneratedBy S/version/{n}/validation ; prov:wasRevisionOf S/version/{n-1} ;
  spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "…" ] ;
  void:triples 1234 ; dct:format "text/turtle" .
S/version/{n}/validation a prov:Activity ; prov:wasAssociatedWith _:steward ;
  prov:startedAtTime … ; prov:endedAtTime … ;
  prov:used [ a prov:Entity ; rdfs:label "ascf-graph shapes" ; owl:versionInfo "…" ;
              spdx:checksum [ … ] ] ;
  prov:generated <{base}graph/provenance/{id}/{n}> .
_:steward a prov:Agent ; rdfs:label "steward" ; dct:identifier "token id" ;
  prov:actedOnBehalfOf <org> .
```

A replaced version gets ``prov:invalidatedAtTime`` and ``prov:wasInvalidatedBy``
(the next version's validation); a retraction invalidates the submission and
its last version with a ``S/retraction`` activity. Nothing is ever deleted
from this graph: every change appends.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox
import rdflib

from ascf_graph.core.graph_names import INFERRED, PROVENANCE
from ascf_graph.core.namespaces import DCT, PROV, SCHEMA, SH, SPDX, VOID, XSD, graph_iri
from ascf_graph.rdf.terms import OWL_VERSION_INFO, RDF_TYPE, RDFS_LABEL
from ascf_graph.rdf.turtle import to_oxigraph_triples
from ascf_graph.stewards.credentials import Steward
from ascf_graph.store.base import Store


def _p(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


@dataclass(frozen=True)
class SubmissionIris:
    """The IRIs of one submission, its versions and reports."""

    base_iri: str
    submission_id: str

    @property
    def graph(self) -> str:
        """The submission, and the named graph that holds its current version."""
        return graph_iri(self.base_iri, f"submission/{self.submission_id}")

    @property
    def inferred(self) -> str:
        """The graph of what the rules conclude from the current version."""
        return graph_iri(self.base_iri, f"{INFERRED}/{self.submission_id}")

    def version(self, number: int) -> str:
        """Version ``number`` (from 1)."""
        return f"{self.graph}/version/{number}"

    def validation(self, number: int) -> str:
        """The activity that validated and accepted version ``number``."""
        return f"{self.version(number)}/validation"

    def report(self, number: int) -> str:
        """The validation report of version ``number``, and the graph that holds it."""
        return graph_iri(self.base_iri, f"{PROVENANCE}/{self.submission_id}/{number}")

    @property
    def retraction(self) -> str:
        """The activity that retracted the submission."""
        return f"{self.graph}/retraction"


@dataclass(frozen=True)
class ShapesVersion:
    """Which shapes a submission was checked against: their versionInfo and a digest."""

    label: str
    digest: str

    @classmethod
    def of(cls, shapes: rdflib.Graph) -> "ShapesVersion":
        """The ``owl:versionInfo`` of each shapes document, and a SHA-256 of the triples
        (blank nodes left out of the digest, since their labels change between builds)."""
        versions = sorted(
            f"{shapes.namespace_manager.normalizeUri(s)} {o}"
            for s, o in shapes.subject_objects(rdflib.OWL.versionInfo)
        )
        lines = sorted(
            " ".join(term.n3() for term in triple)
            for triple in shapes
            if not any(isinstance(term, rdflib.BNode) for term in triple)
        )
        digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        return cls("; ".join(versions) or "unversioned", digest)


@dataclass(frozen=True)
class NewVersion:
    """What is known about a version when it is accepted."""

    number: int
    steward: Steward
    started: datetime
    ended: datetime
    content_hash: str
    triples: int
    media_type: str
    shapes: ShapesVersion


def organisation_iri(base_iri: str, organisation: str) -> str:
    """``{base}id/organisation/{slug}``."""
    return f"{base_iri}id/organisation/{organisation}"


def provenance_graph(base_iri: str) -> str:
    """The graph that holds every submission's provenance."""
    return graph_iri(base_iri, PROVENANCE)


def version_triples(iris: SubmissionIris, new: NewVersion) -> list[ox.Triple]:
    """The provenance of a newly accepted version (and, for version 1, of the submission)."""
    submission = ox.NamedNode(iris.graph)
    version = ox.NamedNode(iris.version(new.number))
    activity = ox.NamedNode(iris.validation(new.number))
    organisation = ox.NamedNode(organisation_iri(iris.base_iri, new.steward.organisation))
    steward = ox.BlankNode()
    shapes, shapes_checksum, checksum = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    triples = [
        (version, RDF_TYPE, _p(PROV, "Entity")),
        (version, _p(PROV, "specializationOf"), submission),
        (version, _p(SCHEMA, "version"), _integer(new.number)),
        (version, _p(PROV, "generatedAtTime"), _time(new.ended)),
        (version, _p(PROV, "wasAttributedTo"), steward),
        (version, _p(PROV, "wasAttributedTo"), organisation),
        (version, _p(PROV, "wasGeneratedBy"), activity),
        (version, _p(SPDX, "checksum"), checksum),
        (checksum, RDF_TYPE, _p(SPDX, "Checksum")),
        (checksum, _p(SPDX, "algorithm"), _p(SPDX, "checksumAlgorithm_sha256")),
        (checksum, _p(SPDX, "checksumValue"), ox.Literal(new.content_hash)),
        (version, _p(VOID, "triples"), _integer(new.triples)),
        (version, _p(DCT, "format"), ox.Literal(new.media_type)),
        (activity, RDF_TYPE, _p(PROV, "Activity")),
        (activity, RDFS_LABEL, ox.Literal(f"validation and acceptance of version {new.number}")),
        (activity, _p(PROV, "wasAssociatedWith"), steward),
        (activity, _p(PROV, "startedAtTime"), _time(new.started)),
        (activity, _p(PROV, "endedAtTime"), _time(new.ended)),
        (activity, _p(PROV, "used"), shapes),
        (activity, _p(PROV, "generated"), ox.NamedNode(iris.report(new.number))),
        (shapes, RDF_TYPE, _p(PROV, "Entity")),
        (shapes, RDFS_LABEL, ox.Literal("ascf-graph shapes")),
        (shapes, OWL_VERSION_INFO, ox.Literal(new.shapes.label)),
        (shapes, _p(SPDX, "checksum"), shapes_checksum),
        (shapes_checksum, RDF_TYPE, _p(SPDX, "Checksum")),
        (shapes_checksum, _p(SPDX, "algorithm"), _p(SPDX, "checksumAlgorithm_sha256")),
        (shapes_checksum, _p(SPDX, "checksumValue"), ox.Literal(new.shapes.digest)),
        (steward, RDF_TYPE, _p(PROV, "Agent")),
        (steward, RDFS_LABEL, ox.Literal(new.steward.steward)),
        (steward, _p(DCT, "identifier"), ox.Literal(new.steward.token_id)),
        (steward, _p(PROV, "actedOnBehalfOf"), organisation),
    ]
    if new.number == 1:
        triples += [
            (submission, RDF_TYPE, _p(PROV, "Entity")),
            (submission, _p(DCT, "identifier"), ox.Literal(iris.submission_id)),
            (submission, _p(DCT, "created"), _time(new.ended)),
            (submission, _p(PROV, "wasAttributedTo"), organisation),
            (organisation, RDF_TYPE, _p(PROV, "Organization")),
        ]
    else:
        previous = ox.NamedNode(iris.version(new.number - 1))
        triples += [
            (version, _p(PROV, "wasRevisionOf"), previous),
            (previous, _p(PROV, "invalidatedAtTime"), _time(new.ended)),
            (previous, _p(PROV, "wasInvalidatedBy"), activity),
        ]
    return [ox.Triple(*triple) for triple in triples]


def retraction_triples(
    iris: SubmissionIris, last_version: int, steward: Steward, when: datetime
) -> list[ox.Triple]:
    """The provenance of retracting a submission: it and its last version are invalidated."""
    submission = ox.NamedNode(iris.graph)
    activity = ox.NamedNode(iris.retraction)
    agent = ox.BlankNode()
    organisation = ox.NamedNode(organisation_iri(iris.base_iri, steward.organisation))
    triples = [
        (activity, RDF_TYPE, _p(PROV, "Activity")),
        (activity, RDFS_LABEL, ox.Literal("retraction")),
        (activity, _p(PROV, "wasAssociatedWith"), agent),
        (activity, _p(PROV, "endedAtTime"), _time(when)),
        (agent, RDF_TYPE, _p(PROV, "Agent")),
        (agent, RDFS_LABEL, ox.Literal(steward.steward)),
        (agent, _p(DCT, "identifier"), ox.Literal(steward.token_id)),
        (agent, _p(PROV, "actedOnBehalfOf"), organisation),
    ]
    for entity in (submission, ox.NamedNode(iris.version(last_version))):
        triples += [
            (entity, _p(PROV, "invalidatedAtTime"), _time(when)),
            (entity, _p(PROV, "wasInvalidatedBy"), activity),
        ]
    return [ox.Triple(*triple) for triple in triples]


def report_triples(iris: SubmissionIris, number: int, report: rdflib.Graph) -> list[ox.Triple]:
    """The validation report graph with its root node named ``iris.report(number)``."""
    root = report.value(predicate=rdflib.RDF.type, object=rdflib.URIRef(SH + "ValidationReport"))
    named = rdflib.URIRef(iris.report(number))
    renamed = rdflib.Graph()
    for s, p, o in report:
        renamed.add((named if s == root else s, p, named if o == root else o))
    return to_oxigraph_triples(renamed)


@dataclass(frozen=True)
class VersionRecord:
    """One version of a submission, as the provenance graph tells it."""

    number: int
    generated: str
    steward: str
    token_id: str
    content_hash: str
    triples: int
    media_type: str
    report: str
    invalidated: str | None


@dataclass(frozen=True)
class SubmissionRecord:
    """A submission and its versions, oldest first."""

    submission_id: str
    graph: str
    organisation: str
    created: str
    retracted: str | None
    versions: tuple[VersionRecord, ...]

    @property
    def current(self) -> VersionRecord:
        """The latest version (the one in the store, unless retracted)."""
        return self.versions[-1]

    @property
    def active(self) -> bool:
        """Whether the submission's graph is in the store."""
        return self.retracted is None


_RECORDS = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT * WHERE {
  GRAPH ?provenance {
    ?submission dct:identifier ?id ; dct:created ?created ; prov:wasAttributedTo ?organisation .
    OPTIONAL { ?submission prov:invalidatedAtTime ?retracted }
    ?version prov:specializationOf ?submission ; schema:version ?number ;
      prov:generatedAtTime ?generated ; void:triples ?triples ; dct:format ?format ;
      prov:wasAttributedTo ?agent ; spdx:checksum/spdx:checksumValue ?hash ;
      prov:wasGeneratedBy/prov:generated ?report .
    ?agent prov:actedOnBehalfOf ?organisation ; rdfs:label ?steward ; dct:identifier ?token .
    OPTIONAL { ?version prov:invalidatedAtTime ?invalidated }
  }
}
"""


def read_records(
    store: Store, base_iri: str, submission_id: str | None = None
) -> list[SubmissionRecord]:
    """Every submission (or the one with ``submission_id``) with its versions, oldest first."""
    substitutions: dict[str, ox.NamedNode | ox.Literal] = {
        "provenance": ox.NamedNode(provenance_graph(base_iri))
    }
    if submission_id is not None:
        substitutions["submission"] = ox.NamedNode(SubmissionIris(base_iri, submission_id).graph)
    rows = store.query(_RECORDS, substitutions=substitutions)
    grouped: dict[str, dict[str, object]] = {}
    versions: dict[str, dict[int, VersionRecord]] = {}
    for row in rows:  # type: ignore[union-attr]
        key = row["id"].value
        grouped.setdefault(
            key,
            {
                "submission_id": key,
                "graph": row["submission"].value,
                "organisation": row["organisation"].value.rsplit("/", 1)[-1],
                "created": row["created"].value,
                "retracted": _value(row["retracted"]),
            },
        )
        number = int(row["number"].value)
        versions.setdefault(key, {})[number] = VersionRecord(
            number=number,
            generated=row["generated"].value,
            steward=row["steward"].value,
            token_id=row["token"].value,
            content_hash=row["hash"].value,
            triples=int(row["triples"].value),
            media_type=row["format"].value,
            report=row["report"].value,
            invalidated=_value(row["invalidated"]),
        )
    records = [
        SubmissionRecord(
            versions=tuple(versions[key][n] for n in sorted(versions[key])),
            **fields,  # type: ignore[arg-type]
        )
        for key, fields in grouped.items()
    ]
    return sorted(records, key=lambda r: (r.created, r.submission_id))


def _value(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return term.value if term is not None else None


def _integer(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer"))


def _time(moment: datetime) -> ox.Literal:
    return ox.Literal(
        moment.isoformat(timespec="milliseconds"), datatype=ox.NamedNode(XSD + "dateTime")
    )
