"""pyshacl with our constraint components (``sh:property`` and ``sh:or`` evaluated for
all value nodes at once where that cannot change the answer, no result written out as
text) reports exactly what pyshacl's own components report: on the W3C SHACL core suite,
on the stewards' examples against the shipped shapes and store, on the cases a review
built against an earlier version, on generated ``sh:or`` shapes whose members hold
results of every severity, and on generated nested shapes of every kind, with and
without the severities a run allows."""

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pyshacl
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyshacl import shape as pyshacl_shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from rdflib.namespace import RDF, SH, XSD

from ascf_graph.shacl import pyshacl_runs
from ascf_graph.shacl.pyshacl_components import OrAtOnce, PropertiesAtOnce
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore
from tests.shacl.test_w3c_core import graphs, name, read, results, suite_files
from tests.support.stores import TEST_DATA

EX = rdflib.Namespace("http://example.org/")
BASE = "https://w3id.org/ascf/"


@contextmanager
def pyshacl_own_components(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pyshacl as it comes: each value node checked on its own."""
    with monkeypatch.context() as patched:
        patched.setattr(
            pyshacl_shape,
            "CONSTRAINT_PARAMS",
            (ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP),
            raising=False,
        )
        yield


#: pyshacl's verdict and results (compared as the W3C suite's test compares them), or the
#: name of the error it raised.
Outcome = tuple[bool, Counter[tuple[str, ...]]] | str


def outcome(data: rdflib.Graph, shapes: rdflib.Graph, **options: bool) -> Outcome:
    """What pyshacl makes of ``data`` against ``shapes`` with ``options`` (``allow_warnings``,
    ``allow_infos``, ``abort_on_first``, ``advanced``)."""
    try:
        conforms, graph, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", do_owl_imports=False, **options
        )
    except Exception as error:  # the same error both ways is the same outcome
        return type(error).__name__
    return bool(conforms), results(graph, shapes, data)


def both_ways(
    monkeypatch: pytest.MonkeyPatch, data: rdflib.Graph, shapes: rdflib.Graph, **options: bool
) -> tuple[Outcome, Outcome]:
    """The outcome with our components, then with pyshacl's own."""
    ours = outcome(data, shapes, **options)
    with pyshacl_own_components(monkeypatch):
        theirs = outcome(data, shapes, **options)
    return ours, theirs


def allowing(severities: bool) -> dict[str, bool]:
    """The options of a run that allows Warnings and Infos, or neither."""
    return {"allow_warnings": severities, "allow_infos": severities}


def test_our_components_are_the_ones_pyshacl_uses_and_write_no_text() -> None:
    assert pyshacl_runs.pyshacl_shape is pyshacl_shape
    _, components = pyshacl_shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
    assert issubclass(components[SH.property], PropertiesAtOnce)
    assert issubclass(components[SH["or"]], OrAtOnce)
    assert components.keys() == CONSTRAINT_PARAMETERS_MAP.keys()
    for parameter, component in components.items():
        assert issubclass(component, CONSTRAINT_PARAMETERS_MAP[parameter])
    shapes = rdflib.Graph()
    shapes.add((EX.Shape, SH.targetNode, EX.a))
    shapes.add((EX.Shape, SH.property, EX.Name))
    shapes.add((EX.Name, SH.path, EX.name))
    shapes.add((EX.Name, SH.minCount, rdflib.Literal(1)))
    conforms, graph, text = pyshacl.validate(rdflib.Graph(), shacl_graph=shapes)
    assert not conforms
    assert (None, SH.resultPath, EX.name) in graph
    assert "Constraint Violation" not in text, "pyshacl's text report, which we never read"


@pytest.mark.parametrize("allow", [True, False], ids=["warnings allowed", "none allowed"])
def test_the_w3c_core_suite_gets_the_same_reports(
    monkeypatch: pytest.MonkeyPatch, allow: bool
) -> None:
    differ = []
    for path in suite_files():
        _, data, shapes = graphs(path)
        ours, theirs = both_ways(monkeypatch, data, shapes, **allowing(allow))
        if ours != theirs:
            differ.append(name(path))
    assert not differ


def test_the_examples_get_the_same_reports_against_the_shipped_shapes_and_the_store(
    monkeypatch: pytest.MonkeyPatch, store: EmbeddedStore
) -> None:
    context = ValidationContext.for_submissions(store, BASE)
    examples = sorted(p for p in (TEST_DATA / "validation").glob("*.ttl") if p.stem != "malformed")
    verdicts = set()
    for example in examples:
        ours = validate(read(example), context)
        with pyshacl_own_components(monkeypatch):
            theirs = validate(read(example), context)
        assert ours.conforms == theirs.conforms, example.name
        assert sorted(map(repr, ours.results)) == sorted(map(repr, theirs.results)), example.name
        verdicts.add(ours.conforms)
    assert verdicts == {True, False}, "the examples conform and fail"


def test_a_run_that_stops_at_the_first_failure_checks_each_node_as_pyshacl_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Node a fails the property shape's first constraint, node b only its second: checked
    together and stopped at the first failure, b's would be missed."""
    shapes = rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix ex: <http://example.org/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ] ;
            sh:property [ sh:path ex:q ; sh:or (
                [ sh:datatype xsd:string ; sh:minLength 3 ] [ sh:datatype xsd:integer ] ) ] .
        """,
        format="turtle",
    )
    data = rdflib.Graph().parse(
        data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:Thing ; ex:q "x" , 1.5 .
        ex:b a ex:Thing ; ex:p 1 , 2 ; ex:q "xyz" , 2 , "no" .
        """,
        format="turtle",
    )
    ours, theirs = both_ways(monkeypatch, data, shapes, **allowing(True), abort_on_first=True)
    assert ours == theirs
    assert sum(ours[1].values()) >= 2, "both nodes are reported"


#: A component of the shapes graph's own, whose parameter ``ex:needs`` could be any predicate.
NEEDS = """
ex:Needs a sh:ConstraintComponent ; sh:parameter [ sh:path ex:needs ] ;
    sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { $value $needs ?x }" ] .
"""
#: Shapes and data on which an earlier version of our components (``sh:or`` failures read
#: from any member's results, the members left once every node had passed one, property
#: shapes asked at once whatever lay below them) reported otherwise than pyshacl.
CASES = {
    "an sh:or member whose nested shape reports other nodes": (
        """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:or ( ex:M1 ex:M2 ) ] .
        ex:M1 sh:path ex:q ; sh:property [ sh:path ex:r ; sh:minCount 1 ] .
        ex:M2 sh:datatype xsd:string .
        """,
        "ex:a ex:p ex:v . ex:v ex:q ex:w .",
    ),
    "the same sh:or inside sh:not": (
        """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:not [ sh:or ( ex:M1 ex:M2 ) ] ] .
        ex:M1 sh:path ex:q ; sh:property [ sh:path ex:r ; sh:minCount 1 ] .
        ex:M2 sh:datatype xsd:string .
        """,
        "ex:a ex:p ex:v . ex:v ex:q ex:w .",
    ),
    "an sh:or member that conforms with a Warning shape's Violations below it": (
        """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:or ( ex:M1 ex:M2 ) ] .
        ex:M1 a sh:NodeShape ; sh:class ex:C ; sh:property ex:P2 .
        ex:P2 sh:path [ sh:zeroOrMorePath ex:q ] ; sh:severity sh:Warning ;
            sh:property [ sh:path ex:r ; sh:minCount 1 ] .
        ex:M2 sh:datatype xsd:string .
        """,
        "ex:a ex:p ex:v , ex:v2 . ex:v a ex:C .",
    ),
    "an sh:or member of Warning severity failing a component of the shapes' own": (
        NEEDS
        + """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:or ( ex:M1 ex:M2 ) ] .
        ex:M1 a sh:NodeShape ; sh:severity sh:Warning ; ex:needs ex:r .
        ex:M2 a sh:NodeShape ; sh:datatype xsd:string .
        """,
        "ex:a ex:p ex:v .",
    ),
    "a property shape over Warning shapes, one node failing each": (
        NEEDS
        + """
        ex:S a sh:NodeShape ; sh:targetNode ex:x , ex:y ; sh:property ex:P .
        ex:P sh:path [ sh:zeroOrMorePath ex:none ] ; sh:property ex:P2 , ex:P4 .
        ex:P2 sh:path ex:q ; sh:severity sh:Warning ; sh:property [ sh:path ex:r ; sh:minCount 1 ] .
        ex:P4 sh:path ex:s ; sh:severity sh:Warning ; ex:needs ex:r .
        """,
        "ex:x ex:s ex:u . ex:y ex:q ex:w .",
    ),
    "an sh:or member naming a missing shape after one every node passes": (
        """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:or ( ex:M1 ex:M2 ) ] .
        ex:M1 a sh:NodeShape ; sh:nodeKind sh:IRI .
        ex:M2 a sh:NodeShape ; sh:property ex:Missing .
        """,
        "ex:a ex:p ex:v .",
    ),
    "an sh:or member with a pattern that is no regular expression": (
        """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:or ( ex:M1 ex:M2 ) ] .
        ex:M1 a sh:NodeShape ; sh:nodeKind sh:IRI .
        ex:M2 a sh:NodeShape ; sh:pattern "(" .
        """,
        "ex:a ex:p ex:v .",
    ),
}
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix ex: <http://example.org/> .
"""
#: The prefixes the generated shapes' SPARQL declares (``sh:prefixes ex:``).
SHAPE_PREFIXES = """
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("advanced", [False, True], ids=["core", "advanced"])
def test_cases_an_earlier_version_got_wrong_get_pyshacls_reports(
    monkeypatch: pytest.MonkeyPatch, case: str, advanced: bool
) -> None:
    shapes_text, data_text = CASES[case]
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    data = rdflib.Graph().parse(data=PREFIXES + data_text, format="turtle")
    for warnings_allowed in (False, True):
        for infos_allowed in (False, True):
            options = {
                "allow_warnings": warnings_allowed,
                "allow_infos": infos_allowed,
                "advanced": advanced,
            }
            ours, theirs = both_ways(monkeypatch, data, shapes, **options)
            assert ours == theirs, options


#: Literal values, of several datatypes and languages.
LITERALS = [
    rdflib.Literal("text"),
    rdflib.Literal("texte", lang="fr"),
    rdflib.Literal(7),
    rdflib.Literal("7.5", datatype=XSD.decimal),
]
#: Values that are nodes with values of their own (``ex:q``).
NODES = [EX[f"v{index}"] for index in range(4)]
SEVERITIES = [SH.Violation, SH.Warning, SH.Info]
DATATYPES = [XSD.string, RDF.langString, XSD.integer, XSD.decimal]


@st.composite
def nodes_and_shapes(draw: st.DrawFn) -> tuple[rdflib.Graph, rdflib.Graph]:
    """Things with values of ``ex:p``, literals or nodes that have ``ex:q`` values; a node
    shape whose property shape on ``ex:p`` has an ``sh:or`` of members, each a datatype
    or a shape of any severity whose property shapes on ``ex:q``, of any severity, ask a
    datatype or a count; and, through ``ex:r``, a node that is a value node of several
    things (which pyshacl reports once for each)."""
    data, shapes = rdflib.Graph(), rdflib.Graph()
    for node in NODES:
        for value in draw(st.lists(st.sampled_from(LITERALS), max_size=2, unique=True)):
            data.add((node, EX.q, value))
    for index in range(draw(st.integers(1, 6))):
        thing = EX[f"thing{index}"]
        data.add((thing, RDF.type, EX.Thing))
        for value in draw(st.lists(st.sampled_from(LITERALS + NODES), max_size=3, unique=True)):
            data.add((thing, EX.p, value))
        if draw(st.booleans()):
            data.add((thing, EX.r, EX.shared))
    data.add((EX.shared, EX.p, draw(st.sampled_from(LITERALS + NODES))))
    root, on_p, on_r, listed = EX.Shape, rdflib.BNode(), rdflib.BNode(), rdflib.BNode()
    shapes.add((root, RDF.type, SH.NodeShape))
    shapes.add((root, SH.targetClass, EX.Thing))
    shapes.add((root, SH.property, on_p))
    shapes.add((on_p, SH.path, EX.p))
    shapes.add((on_p, SH.severity, draw(st.sampled_from(SEVERITIES))))
    members = []
    for _ in range(draw(st.integers(1, 3))):
        member = rdflib.BNode()
        members.append(member)
        if draw(st.booleans()):
            shapes.add((member, SH.datatype, draw(st.sampled_from(DATATYPES))))
            continue
        shapes.add((member, SH.nodeKind, SH.IRI))
        shapes.add((member, SH.severity, draw(st.sampled_from(SEVERITIES))))
        for _ in range(draw(st.integers(1, 2))):
            nested = rdflib.BNode()
            shapes.add((member, SH.property, nested))
            shapes.add((nested, SH.path, EX.q))
            if draw(st.booleans()):
                shapes.add((nested, SH.datatype, draw(st.sampled_from(DATATYPES))))
            else:
                shapes.add((nested, SH.minCount, rdflib.Literal(draw(st.integers(1, 2)))))
            shapes.add((nested, SH.severity, draw(st.sampled_from(SEVERITIES))))
    rdflib.collection.Collection(shapes, listed, members)
    shapes.add((on_p, SH["or"], listed))
    shapes.add((root, SH.property, on_r))
    shapes.add((on_r, SH.path, EX.r))
    shapes.add((on_r, SH.property, on_p))  # ex:shared's values: value nodes of several things
    return data, shapes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes_and_shapes(), st.booleans())
def test_generated_or_members_of_every_severity_get_the_same_reports(
    graphs_drawn: tuple[rdflib.Graph, rdflib.Graph], allow: bool
) -> None:
    data, shapes = graphs_drawn
    with pytest.MonkeyPatch.context() as monkeypatch:
        ours, theirs = both_ways(monkeypatch, data, shapes, **allowing(allow))
    assert ours == theirs


class NestedShapes:
    """Random shapes nested up to three deep, of every kind pyshacl evaluates (node and
    property shapes; logical, shape-based, value, pair and SPARQL constraints; a component of
    the shapes graph's own; severities, deactivation, messages), and data for them."""

    PROPERTIES = ("ex:p", "ex:q", "ex:r")
    PATHS = (
        *PROPERTIES,
        "[ sh:inversePath ex:p ]",
        "[ sh:zeroOrMorePath ex:q ]",
        "( ex:p ex:q )",
        "[ sh:alternativePath ( ex:p ex:r ) ]",
    )
    NODES = ("ex:n0", "ex:n1", "ex:n2", "ex:n3", "_:b0", "_:b1")
    LITERALS = ('"a"', '"bb"@en', '"cc"@fr', "1", "2", "3.5", '"x"^^xsd:token')
    QUERIES = (
        "SELECT $this ?value WHERE { $this ex:p ?value . FILTER(isLiteral(?value)) }",
        "SELECT $this WHERE { FILTER(isBlank($this)) }",
        "SELECT $this ?x WHERE { $this ex:q ?x . ?x a ex:D }",
    )

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.written: list[str] = []

    def data(self) -> str:
        pick = self.random.choice
        statements = []
        for _ in range(self.random.randint(3, 14)):
            value = pick(
                self.NODES + self.LITERALS if self.random.random() < 0.7 else self.LITERALS
            )
            statements.append(f"{pick(self.NODES)} {pick(self.PROPERTIES)} {value} .")
        statements += [
            f"{node} a {pick(('ex:C', 'ex:D'))} ."
            for node in self.NODES
            if self.random.random() < 0.5
        ]
        return "\n".join(statements)

    def shapes(self) -> str:
        top = self.shape(self.random.choice(("node", "node", "property")), 0)
        target = self.random.choice(
            (
                "sh:targetClass ex:C",
                "sh:targetSubjectsOf ex:p",
                "sh:targetNode ex:n0 , ex:n1 , _:b0",
                "sh:targetObjectsOf ex:p",
            )
        )
        return NEEDS + "\n".join(self.written) + f"\n{top} {target} ."

    def shape(self, kind: str, depth: int) -> str:
        name = f"ex:s{len(self.written)}_{self.random.randrange(10**6)}"
        said = [f"{name} a sh:{'NodeShape' if kind == 'node' else 'PropertyShape'}"]
        if kind == "property":
            said.append(f"sh:path {self.random.choice(self.PATHS)}")
        if self.random.random() < 0.3:
            said.append(f"sh:severity sh:{self.random.choice(('Warning', 'Info', 'Violation'))}")
        if self.random.random() < 0.04:
            said.append("sh:deactivated true")
        if self.random.random() < 0.3:
            said.append(f'sh:message "message of {name}"')
        kinds = ["datatype", "nodeKind", "class", "in", "hasValue", "minLength", "pattern"]
        kinds += ["minInclusive", "sparql", "needs"]
        if depth < 3:
            kinds += ["not", "and", "or", "or", "xone", "node", "property", "property"]
        if kind == "property":
            kinds += ["minCount", "maxCount", "lessThan", "equals", "disjoint", "uniqueLang"]
            kinds += ["qualifiedValueShape"] if depth < 3 else []
        else:
            kinds += ["closed"]
        said += [
            self.constraint(chosen, kind, depth)
            for chosen in self.random.sample(kinds, self.random.randint(1, 3))
        ]
        self.written.append(" ;\n    ".join(said) + " .")
        return name

    def constraint(self, chosen: str, kind: str, depth: int) -> str:
        pick = self.random.choice
        nested = lambda kinds=("node", "property"): self.shape(pick(kinds), depth + 1)  # noqa: E731
        if chosen == "datatype":
            return f"sh:datatype {pick(('xsd:string', 'xsd:integer', 'rdf:langString'))}"
        if chosen == "nodeKind":
            return f"sh:nodeKind sh:{pick(('IRI', 'BlankNode', 'Literal', 'IRIOrLiteral'))}"
        if chosen == "class":
            return f"sh:class {pick(('ex:C', 'ex:D'))}"
        if chosen == "in":
            return f"sh:in ( {' '.join(self.random.sample(self.NODES[:4] + self.LITERALS, 3))} )"
        if chosen == "hasValue":
            return f"sh:hasValue {pick(self.NODES[:4] + self.LITERALS)}"
        if chosen in ("minCount", "maxCount"):
            return f"sh:{chosen} {self.random.randint(0, 2)}"
        if chosen in ("lessThan", "equals", "disjoint"):
            return f"sh:{chosen} {pick(self.PROPERTIES)}"
        if chosen == "sparql":
            return f'sh:sparql [ sh:select "{pick(self.QUERIES)}" ; sh:prefixes ex: ]'
        if chosen in ("or", "and", "xone"):
            members = " ".join(nested(("node", "node", "property")) for _ in range(3))
            return f"sh:{chosen} ( {members} )"
        if chosen in ("not", "node", "property", "qualifiedValueShape"):
            shape = nested(
                ("node",)
                if chosen == "node"
                else ("property",)
                if chosen == "property"
                else ("node", "property")
            )
            count = " ; sh:qualifiedMinCount 1" if chosen == "qualifiedValueShape" else ""
            return f"sh:{chosen} {shape}{count}"
        return {
            "minLength": "sh:minLength 2",
            "pattern": 'sh:pattern "^[ab]"',
            "minInclusive": "sh:minInclusive 2",
            "uniqueLang": "sh:uniqueLang true",
            "closed": "sh:closed true ; sh:ignoredProperties ( rdf:type ex:r )",
            "needs": f"ex:needs {pick(self.PROPERTIES)}",
        }[chosen]


def test_generated_nested_shapes_of_every_kind_get_pyshacls_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    differ = []
    for seed in range(400):
        generated = NestedShapes(seed)
        data_text, shapes_text = generated.data(), generated.shapes()
        shapes = rdflib.Graph().parse(data=PREFIXES + SHAPE_PREFIXES + shapes_text, format="turtle")
        data = rdflib.Graph().parse(data=PREFIXES + data_text, format="turtle")
        warnings_allowed, infos_allowed, advanced = (generated.random.random() < 0.5 for _ in "abc")
        options = {
            "allow_warnings": warnings_allowed,
            "allow_infos": infos_allowed,
            "advanced": advanced,
        }
        ours, theirs = both_ways(monkeypatch, data, shapes, **options)
        if isinstance(ours, str) and isinstance(theirs, str):
            continue  # both raise (pyshacl's own errors; not always the same one first)
        if ours != theirs:
            differ.append((seed, options))
    assert not differ
