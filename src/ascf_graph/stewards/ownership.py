"""Who may say what: every write is checked against the owners of what it describes.

Every resource under ``{base}id/`` has an owner:

- what the project ships (the network's roster and project lists, in
  ``graph/data/*``) is the **network**'s (its secretariat's);
- a city's organisation speaks for the member cities its token is bound to
  (``ascf-graph token create --city da-nang``): it describes them, except for
  network-level facts, and corrects the shipped records of their projects;
- what a submission created first (a project, an observation, a partner
  organisation) is the submitting **organisation**'s.

A token of the ``city`` role may write statements about its own organisation, its
cities, the resources of its cities it may correct, and the resources it owns;
new resources are named in the namespace the service gives it,
``{base}id/{kind}/{city-slug}-...`` for one of its cities (a project:
``{base}id/project/da-nang-smart-lighting``), and new organisations
(partners) anywhere under ``{base}id/organisation/``. Blank nodes belong to the
named resource they hang from. Statements that describe their object as much as
their subject (``ascf:hasProject``, ``ascf:partnerIn``, ``owl:sameAs``,
``ascf:sameProjectAs``) need the object to be the writer's too, and a city token's
``ascf:city`` points at its own cities. Network-level facts (membership, join
years, countries, what is a member city) are the ``network`` role's only; the
framework is no submission's (:mod:`ascf_graph.shacl.scope`).

:func:`refusals` lists what a submission may not say, each naming the subject and
its owner; :func:`ownership_report` makes them a report's Violations.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ascf_graph.core.graph_names import GraphRole, graph_role
from ascf_graph.rdf.terms import RDF_TYPE
from ascf_graph.shacl.reports import ValidationReport, ValidationResult, compact, report_of
from ascf_graph.shacl.scope import (
    OX_SCHEME_LINKS,
    framework_classes,
    is_protected,
    protected_prefixes,
)
from ascf_graph.stewards.credentials import Steward
from ascf_graph.stewards.provenance import SubmissionIris, read_records
from ascf_graph.store.base import Store

ORG = "http://www.w3.org/ns/org#"
SOSA = "http://www.w3.org/ns/sosa/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

# Our own terms by their names under ``{base}def/`` (the base is a deployment's), others
# by IRI: Vocabulary.under(base) writes them out.
#: Properties that state network-level facts: membership, join years, a city's country.
NETWORK_PROPERTIES = (
    "memberOf",
    "joinedYear",
    "country",
    f"{ORG}hasMembership",
    f"{ORG}member",
    f"{ORG}organization",
)
#: Classes whose members only the network declares: member cities, the network, memberships.
NETWORK_CLASSES = ("City", "Network", "NetworkMembership", f"{ORG}Membership")
#: Properties that place a resource in a city: the city's own organisation states them.
CITY_LINKS = ("city", f"{SOSA}hasFeatureOfInterest")
#: Properties whose statements describe their object as much as their subject (inverses of
#: the links a resource's own record states, and identity).
OBJECT_DESCRIBING = ("hasProject", "partnerIn", "sameProjectAs", OWL_SAME_AS)


@dataclass(frozen=True)
class Vocabulary:
    """The terms the ownership rules name, written out under a base IRI."""

    network_properties: frozenset[str]
    network_classes: frozenset[str]
    city_links: frozenset[str]
    object_describing: frozenset[str]
    city_class: str

    @classmethod
    def under(cls, base_iri: str) -> "Vocabulary":
        """The terms of a graph whose base IRI is ``base_iri``."""

        def iris(names: tuple[str, ...]) -> frozenset[str]:
            return frozenset(n if ":" in n else f"{base_iri}def/{n}" for n in names)

        return cls(
            iris(NETWORK_PROPERTIES),
            iris(NETWORK_CLASSES),
            iris(CITY_LINKS),
            iris(OBJECT_DESCRIBING),
            f"{base_iri}def/City",
        )


#: What the refusals call the network as an owner.
THE_NETWORK = "the network (its secretariat)"
#: The source shape and component of an ownership result.
OWNERSHIP_SHAPE = "https://w3id.org/ascf/def/shapes/Ownership"
OWNERSHIP_COMPONENT = "https://w3id.org/ascf/def/shapes/OwnershipConstraintComponent"


@dataclass(frozen=True)
class Refusal:
    """One thing a submission may not say."""

    subject: str
    """The node described: an IRI, or ``_:label`` for a blank node."""
    predicate: str | None
    """The property, when one statement is refused rather than the whole description."""
    owner: str
    """Whose the subject is, or who alone may say this."""
    message: str
    fix: str


def refusals(
    triples: Sequence[ox.Triple],
    steward: Steward,
    store: Store,
    base_iri: str,
    *,
    token_holders: Collection[str] = (),
) -> list[Refusal]:
    """What of ``triples`` ``steward`` may not write, in the order found (none for the
    network's own tokens: they answer only to the framework guard). ``token_holders``
    are the organisations tokens were issued to: each is its own, described or not."""
    if steward.role == "network":
        return []
    owners = _Owners(store, base_iri, steward, triples, token_holders)
    found: dict[tuple[str, str | None], Refusal] = {}

    def refuse(refusal: Refusal) -> None:
        found.setdefault((refusal.subject, refusal.predicate), refusal)

    parents = _blank_node_parents(triples)
    for triple in triples:
        subject, predicate, value = triple.subject, triple.predicate.value, triple.object
        if subject in owners.framework_declared:
            continue  # the framework guard reports it
        root = _root(subject, parents)
        if isinstance(root, ox.BlankNode):
            refuse(_unnamed(_name(subject), base_iri, steward))
            continue
        if owners.protected(root.value):
            continue  # the framework guard reports it
        verdict = owners.refusal(root.value)
        if verdict is not None:
            refuse(verdict if root == subject else _through_blank_node(_name(subject), verdict))
            continue
        statement = _statement_refusal(_name(subject), predicate, value, owners, steward)
        if statement is not None:
            refuse(statement)
    return list(found.values())


def member_cities(store: Store, base_iri: str) -> set[str]:
    """The slugs of the store's member cities (``{base}id/city/{slug}``, an ``ascf:City``)."""
    prefix = f"{base_iri}id/city/"
    city = ox.NamedNode(Vocabulary.under(base_iri).city_class)
    cities = store.statements(predicates=[RDF_TYPE], objects=[city])
    return {
        t.subject.value[len(prefix) :]
        for t in cities
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefix)
    }


def ownership_report(found: Sequence[Refusal]) -> ValidationReport:
    """A non-conforming report with a Violation per refusal (its ``sh:ValidationReport``
    too)."""
    return report_of(
        [
            ValidationResult(
                severity="Violation",
                focus_node=refusal.subject,
                path=refusal.predicate,
                value=None,
                message=refusal.message,
                shape=OWNERSHIP_SHAPE,
                constraint=OWNERSHIP_COMPONENT,
                fix=refusal.fix,
            )
            for refusal in found
        ]
    )


def summary(found: Sequence[Refusal], shown: int = 3) -> str:
    """The first refusals in a line, for the audit log and the error's message."""
    parts = [f"{compact(r.subject)} ({r.owner})" for r in found[:shown]]
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return "not yours to write: " + "; ".join(parts) + more


class _Owners:
    """What the store says about who owns the IRIs a submission describes."""

    def __init__(
        self,
        store: Store,
        base_iri: str,
        steward: Steward,
        data: Sequence[ox.Triple],
        token_holders: Collection[str],
    ) -> None:
        self.base_iri, self.steward = base_iri, steward
        self.terms = Vocabulary.under(base_iri)
        self.token_holders = frozenset(token_holders)
        self.ids = f"{base_iri}id/"
        self._protected = protected_prefixes(base_iri)
        self.own_organisation = f"{self.ids}organisation/{steward.organisation}"
        described = sorted(
            {t.subject.value for t in data if isinstance(t.subject, ox.NamedNode)}
            | {
                t.object.value
                for t in data
                if t.predicate.value in self.terms.object_describing
                and isinstance(t.object, ox.NamedNode)
            }
        )
        named = [ox.NamedNode(iri) for iri in described if not self.protected(iri)]
        self.graphs: dict[str, set[str]] = defaultdict(set)
        for quad in store.quads_about(named):
            self.graphs[quad.subject.value].add(quad.graph_name.value)
        self.cities: dict[str, set[str]] = defaultdict(set)
        for triple in store.statements(
            subjects=named,
            predicates=[ox.NamedNode(link) for link in sorted(self.terms.city_links)],
        ):
            self.cities[triple.subject.value].add(triple.object.value)
        submissions = [
            g for gs in self.graphs.values() for g in gs if self._role(g) is GraphRole.SUBMISSION
        ]
        self.organisations = (
            {
                SubmissionIris(base_iri, r.submission_id).graph: r.organisation
                for r in read_records(store, base_iri)
            }
            if submissions
            else {}
        )
        self._verdicts: dict[str, Refusal | None] = {}
        classes = set(framework_classes(store, base_iri))
        #: Nodes the data declares framework concepts, which the framework guard refuses.
        self.framework_declared = {
            t.subject
            for t in data
            if (t.predicate == RDF_TYPE and t.object.value in classes)
            or (t.predicate in OX_SCHEME_LINKS and self.protected(t.object.value))
        }

    def protected(self, iri: str) -> bool:
        return is_protected(iri, self._protected)

    def _role(self, graph: str) -> GraphRole:
        return graph_role(graph, self.base_iri)

    def city_slug(self, iri: str) -> str | None:
        """The slug of a member-city IRI (``{base}id/city/{slug}``), else None."""
        prefix = f"{self.ids}city/"
        return (
            iri[len(prefix) :] if iri.startswith(prefix) and "/" not in iri[len(prefix) :] else None
        )

    def refusal(self, iri: str) -> "Refusal | None":
        """Why ``iri`` may not be described by the steward (None: it may)."""
        if iri not in self._verdicts:
            self._verdicts[iri] = self._judge(iri)
        return self._verdicts[iri]

    def _judge(self, iri: str) -> Refusal | None:
        steward = self.steward
        if iri == self.own_organisation:
            return None
        organisations = f"{self.ids}organisation/"
        holder = iri[len(organisations) :] if iri.startswith(organisations) else None
        if holder in self.token_holders:
            return Refusal(
                iri,
                None,
                f"the organisation {holder!r}",
                f"{compact(iri)} is the organisation {holder!r}, which describes itself.",
                "Remove the statements about it; link to it from your own resources instead.",
            )
        slug = self.city_slug(iri)
        if slug is not None:
            if slug in steward.cities:
                return None
            known = bool(self.graphs.get(iri))
            return Refusal(
                iri,
                None,
                THE_NETWORK if not known else f"{THE_NETWORK}, and the organisations of {slug}",
                (
                    f"{compact(iri)} is a member city your token does not speak for"
                    if known
                    else f"{compact(iri)} is not a member city, and only the network adds cities"
                )
                + f" ({_your_cities(steward)}).",
                "Remove the statements about it; a city's own organisation describes it, "
                "with a token issued for that city.",
            )
        graphs = {g for g in self.graphs.get(iri, ()) if self._role(g) not in _NOT_ASSERTED}
        if graphs:
            return self._existing(iri, graphs)
        return self._new(iri)

    def _existing(self, iri: str, graphs: set[str]) -> Refusal | None:
        steward = self.steward
        shipped = any(self._role(g) is not GraphRole.SUBMISSION for g in graphs)
        if shipped:
            cities = {self.city_slug(c) for c in self.cities.get(iri, ())} - {None}
            if cities & set(steward.cities) and not iri.startswith(f"{self.ids}organisation/"):
                return None  # a correction of a shipped record of one of its cities
            whose = f" of {', '.join(sorted(c for c in cities if c))}" if cities else ""
            return Refusal(
                iri,
                None,
                THE_NETWORK,
                f"{compact(iri)} is a record the network publishes{whose}; only the network, "
                "or the organisation of the city it is in, may change it "
                f"({_your_cities(steward)}).",
                "Remove the statements about it, or ask the network's secretariat to correct it.",
            )
        others = sorted(
            {self.organisations.get(g, "an unknown organisation") for g in graphs}
            - {steward.organisation}
        )
        if not others:
            return None
        return Refusal(
            iri,
            None,
            f"the organisation {others[0]!r}",
            f"{compact(iri)} was described first by the organisation {others[0]!r}, whose it "
            f"is; a token of {steward.organisation!r} cannot change it.",
            "Remove the statements about it; link to it from your own resources instead.",
        )

    def _new(self, iri: str) -> Refusal | None:
        steward = self.steward
        if iri.startswith(f"{self.ids}organisation/"):
            return None  # a partner it declares: its own from now on
        if not iri.startswith(self.ids):
            return Refusal(
                iri,
                None,
                "nobody: it is outside this graph",
                f"{compact(iri)} is outside the graph's namespace ({self.ids}); a submission "
                "describes cities, projects and organisations named there.",
                "Link to it from your own resource (rdfs:seeAlso, owl:sameAs) instead of "
                "describing it.",
            )
        kind, _, name = (
            iri[len(self.ids) :].partition("/") if iri.startswith(self.ids) else ("", "", "")
        )
        namespaces = [f"{self.ids}{kind or 'project'}/{city}-..." for city in steward.cities]
        if kind and name and any(name.startswith(f"{city}-") for city in steward.cities):
            return None
        where = (
            " or ".join(namespaces)
            if namespaces
            else "a namespace of one of its cities, and this token has none"
        )
        return Refusal(
            iri,
            None,
            "nobody yet",
            f"{compact(iri)} is new, and a new resource of {steward.organisation!r} is named "
            f"under {where}.",
            f"Rename it, e.g. {namespaces[0].removesuffix('...')}{_tail(iri)}."
            if namespaces
            else "Ask for a token issued for your cities (ascf-graph token create --city ...).",
        )


#: Graphs whose statements say nothing about ownership: derived or bookkeeping.
_NOT_ASSERTED = (
    GraphRole.INFERRED,
    GraphRole.SUBMISSION_INFERRED,
    GraphRole.PROVENANCE,
    GraphRole.SYSTEM,
)


def _statement_refusal(
    subject: str, predicate: str, value: object, owners: _Owners, steward: Steward
) -> Refusal | None:
    """Why the statement may not be made even by the subject's owner (None: it may)."""
    terms = owners.terms
    if predicate in terms.network_properties or (
        predicate == RDF_TYPE.value
        and isinstance(value, ox.NamedNode)
        and value.value in terms.network_classes
    ):
        what = compact(value.value) if predicate == RDF_TYPE.value else compact(predicate)
        return Refusal(
            subject,
            predicate,
            THE_NETWORK,
            f"{what} is a network-level fact (membership, join years, a city's country, "
            "what is a member city): only the network's own token states it.",
            "Remove these statements; the network's roster already says them.",
        )
    if not isinstance(value, ox.NamedNode):
        return None
    if predicate in terms.city_links:
        slug = owners.city_slug(value.value)
        if slug is not None and slug not in steward.cities:
            return Refusal(
                subject,
                predicate,
                f"the organisations of {slug}",
                f"places a resource in {compact(value.value)}, a city your token does not "
                f"speak for ({_your_cities(steward)}).",
                "Point it at one of your own cities.",
            )
        return None
    if (
        predicate in terms.object_describing
        and value.value.startswith(owners.ids)
        and not owners.protected(value.value)
    ):
        about_object = owners.refusal(value.value)
        if about_object is not None:
            return Refusal(
                subject,
                predicate,
                about_object.owner,
                f"says something about {compact(value.value)} too, which is not yours: "
                + about_object.message,
                "State the link from your own resource (ascf:city, ascf:partner) or leave it out.",
            )
    return None


def _blank_node_parents(
    data: Iterable[ox.Triple],
) -> dict[ox.BlankNode, ox.NamedNode | ox.BlankNode]:
    """For each blank node the data uses as an object, one node that points at it."""
    parents: dict[ox.BlankNode, ox.NamedNode | ox.BlankNode] = {}
    for triple in data:
        value, subject = triple.object, triple.subject
        if isinstance(value, ox.BlankNode) and value not in parents and value != subject:
            parents[value] = subject  # type: ignore[assignment]  # a triple term is no subject here
    return parents


def _root(
    node: object, parents: dict[ox.BlankNode, ox.NamedNode | ox.BlankNode]
) -> ox.NamedNode | ox.BlankNode:
    """The named node a blank node hangs from (itself, for a named node), or the blank node
    at the top of its chain when none does."""
    seen = set()
    while isinstance(node, ox.BlankNode) and node in parents and node not in seen:
        seen.add(node)
        node = parents[node]
    assert isinstance(node, ox.NamedNode | ox.BlankNode)
    return node


def _name(node: object) -> str:
    return (
        f"_:{node.value}" if isinstance(node, ox.BlankNode) else str(getattr(node, "value", node))
    )


def _unnamed(subject: str, base_iri: str, steward: Steward) -> Refusal:
    city = steward.cities[0] if steward.cities else "your-city"
    return Refusal(
        subject,
        None,
        "nobody",
        "describes a resource without a name that hangs from no named resource of yours; "
        "a submission names what it describes.",
        f"Give it an IRI, e.g. {base_iri}id/project/{city}-..., or nest it under one of your "
        "own resources.",
    )


def _through_blank_node(subject: str, verdict: Refusal) -> Refusal:
    return Refusal(
        subject,
        None,
        verdict.owner,
        f"hangs from {compact(verdict.subject)}: {verdict.message}",
        verdict.fix,
    )


def _your_cities(steward: Steward) -> str:
    return (
        f"your token speaks for {', '.join(steward.cities)}"
        if steward.cities
        else "your token speaks for no city"
    )


def _tail(iri: str) -> str:
    """The last segment of ``iri`` (for a suggested name)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or "name"
