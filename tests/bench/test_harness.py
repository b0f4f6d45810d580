"""The benchmark harness runs end to end at a tiny size and fails loudly on a wrong answer.

No assertion here is about time: only that every system answered, that the
answers agreed, and that the results, table and plot were written.
"""

import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.workers.worker_store import COPY_GATE
from bench.answers import agrees, normalise_graph, normalise_select
from bench.generator import generate, parse_size
from bench.inprocess import answer
from bench.loadgen import Request, RunStats
from bench.queries import EQUIVALENT, query_mix
from bench.run import check_answers
from bench.shacl import same_violations
from bench.systems import ours
from bench.vocabulary import load_vocabulary
from bench.workload import Plan, WorkloadResult, repeated_share
from tests.support.stores import REPO, clone_settings

SYSTEMS = ("pyoxigraph-memory", "pyoxigraph-disk", "ascf-graph", "oxigraph", "rdflib-endpoint")


@pytest.fixture(scope="module")
def tiny_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`python -m bench run` over 1000 generated triples, every system, a few requests each."""
    folder = tmp_path_factory.mktemp("bench")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "run",
            "--size",
            "1000",
            "--requests",
            "3",
            "--lookup-requests",
            "3",
            "--mix-requests",
            "28",
            "--concurrency",
            "2",
            "--leave-out",
            "cities_in_box",
            "--work",
            str(folder / "work"),
            "--results",
            str(folder / "results"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return completed, folder / "results"


@pytest.mark.slow
def test_every_system_answers_every_query_the_same(
    tiny_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    completed, results = tiny_run
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    document = json.loads((results / "1k.json").read_text())
    assert set(document["systems"]) == set(SYSTEMS)
    assert document["answers_checked"]
    assert document["left_out"] == ["cities_in_box"]
    assert "cities_in_box" not in document["queries"]
    for name, outcome in document["systems"].items():
        assert outcome["problems"] == [], name
        assert outcome["mix"]["answered"] == 28, name
        assert outcome["peak_rss_mb"] > 0, name
        expected = set(document["queries"]) - set(outcome["skipped"])
        assert set(outcome["queries"]) == expected, name
        assert all(run["answered"] == 3 for run in outcome["queries"].values()), name


@pytest.mark.slow
def test_the_report_has_the_ratio_table_and_the_plot(
    tiny_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    completed, results = tiny_run
    report = (results / "report.md").read_text()
    assert "req/s vs oxigraph" in report
    assert "req/s vs rdflib-endpoint" in report
    assert "| **mix** |" in report
    assert (results / "latency.png").read_bytes().startswith(b"\x89PNG")
    assert report.splitlines()[2] in completed.stdout


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, list]:
    """2000 generated triples plus the ontology in memory, and the query mix over them."""
    folder = tmp_path_factory.mktemp("generated")
    manifest = generate(load_vocabulary(REPO / "ontology"), 2000, 3, folder / "data.nt")
    store = ox.Store()
    store.bulk_load(path=str(folder / "data.nt"), format=ox.RdfFormat.N_TRIPLES)
    for name in ("def.ttl", "framework.ttl", "countries.ttl", "project-status.ttl"):
        store.load(path=str(REPO / "ontology" / name), format=ox.RdfFormat.TURTLE)
    return store, query_mix(manifest)


def test_a_dropped_row_is_reported_naming_system_and_query(small_store: tuple) -> None:
    store, mix = small_store
    query = next(q for q in mix if q.name == "projects_of_city")
    body = answer(store, query, 0)
    reference = {Request(query.name, 0).key: normalise_select(body, ordered=True)}
    document = json.loads(body)
    assert len(document["results"]["bindings"]) > 1
    document["results"]["bindings"].pop()
    wrong = RunStats(bodies={Request(query.name, 0).key: {"x": json.dumps(document).encode()}})
    problems = check_answers("some-peer", WorkloadResult(check=wrong), mix, reference)
    assert len(problems) == 1
    assert "some-peer" in problems[0]
    assert "projects_of_city" in problems[0]


def test_an_error_status_is_a_problem_too(small_store: tuple) -> None:
    _, mix = small_store
    failed = RunStats(errors=["cities_in_box#0: HTTP 500: boom"])
    problems = check_answers("some-peer", WorkloadResult(check=failed), mix, {})
    assert problems == ["some-peer: cities_in_box#0: HTTP 500: boom"]


def test_numbers_compare_by_value_and_order_matters_only_when_ordered() -> None:
    def select(rows: list[str], datatype: str) -> bytes:
        bindings = [{"n": {"type": "literal", "value": v, "datatype": datatype}} for v in rows]
        return json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": bindings}}).encode()

    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    a = normalise_select(select(["1.50", "2.0"], decimal), ordered=False)
    b = normalise_select(select(["2", "1.5000000000000000001"], decimal), ordered=False)
    assert agrees(a, b, "equal")
    ordered_a = normalise_select(select(["1.5", "2"], decimal), ordered=True)
    ordered_b = normalise_select(select(["2", "1.5"], decimal), ordered=True)
    assert not agrees(ordered_a, ordered_b, "equal")
    assert not agrees(a, normalise_select(select(["1.6", "2"], decimal), ordered=False), "equal")


def test_a_document_says_what_the_peer_says_plus_only_statements_about_itself() -> None:
    about = b'<http://e/a> <http://e/p> "x" .\n'
    itself = b"<https://w3id.org/ascf/doc/a> <http://e/primaryTopic> <http://e/a> .\n"
    more = b"<http://e/b> <http://e/q> <http://e/a> .\n"
    assert agrees(normalise_graph(about), normalise_graph(about + itself), "document")
    assert not agrees(normalise_graph(about), normalise_graph(about + more), "document")
    assert not agrees(normalise_graph(about + more), normalise_graph(about + itself), "document")


def test_not_exists_and_minus_agree_on_the_generated_data(small_store: tuple) -> None:
    store, mix = small_store
    queries = {query.name: query for query in mix}
    for first, second in EQUIVALENT:
        for index in range(6):
            one = normalise_select(answer(store, queries[first], index), ordered=False)
            two = normalise_select(answer(store, queries[second], index), ordered=False)
            assert one == two
    assert any(
        normalise_select(answer(store, queries[EQUIVALENT[0][0]], i), ordered=False).rows
        for i in range(6)
    )


def test_every_query_of_the_mix_has_answers_on_generated_data(small_store: tuple) -> None:
    store, mix = small_store
    empty = [
        query.name
        for query in mix
        if not any(
            (
                normalise_graph
                if query.form == "CONSTRUCT"
                else lambda b: normalise_select(b, ordered=False)
            )(answer(store, query, i)).rows
            for i in range(3)
        )
    ]
    assert empty == []


def test_the_generator_is_deterministic_and_uses_only_real_framework_concepts(
    tmp_path: Path,
) -> None:
    vocabulary = load_vocabulary(REPO / "ontology")
    first = generate(vocabulary, 3000, 11, tmp_path / "a.nt")
    second = generate(vocabulary, 3000, 11, tmp_path / "b.nt")
    other = generate(vocabulary, 3000, 12, tmp_path / "c.nt")
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()
    assert (tmp_path / "a.nt").read_bytes() != (tmp_path / "c.nt").read_bytes()
    assert first == second != other
    assert 3000 - 6 < first.triples <= 3000
    known = set(vocabulary.sub_areas) | set()
    known_iris = {s.iri for s in known} | set(vocabulary.focus_areas) | set(vocabulary.outcomes)
    known_iris |= set(vocabulary.enablers) | set(vocabulary.solutions)
    framework_objects = {
        quad.object.value
        for quad in ox.parse(path=str(tmp_path / "a.nt"), format=ox.RdfFormat.N_TRIPLES)
        if quad.predicate.value.removeprefix("https://w3id.org/ascf/def/")
        in ("subArea", "focusArea", "targetsOutcome", "usesEnabler", "usesSolution")
    }
    assert framework_objects
    assert framework_objects <= known_iris


def test_sizes_read_as_people_write_them() -> None:
    assert parse_size("10k") == 10_000
    assert parse_size("1M") == 1_000_000
    with pytest.raises(ValueError, match="size"):
        parse_size("lots")


def test_the_plan_sends_the_same_requests_on_every_system(small_store: tuple) -> None:
    _, mix = small_store
    plan = Plan(requests=4, mix_requests=30, repeat_requests=200)
    assert plan.mix_plan(mix) == plan.mix_plan(mix)
    assert plan.repeat_plan(mix) == plan.repeat_plan(mix)


def _runs(plan: Plan, mix: list) -> dict[str, list[Request]]:
    per_query = [request for query in mix for request in plan.query_requests(query)]
    return {
        "check": plan.check_requests(mix),
        "per query": per_query,
        "mix": plan.mix_plan(mix),
        "repeats": plan.repeat_plan(mix),
    }


def test_no_cache_can_answer_the_check_per_query_and_mix_runs(small_store: tuple) -> None:
    """Every request of those runs has a text of its own, and each run asks about
    parameters (resources for /id/ lookups) that no earlier run asked about."""
    _, mix = small_store
    queries = {query.name: query for query in mix}
    runs = _runs(Plan(requests=5, mix_requests=40, repeat_requests=100), mix)
    texts = [
        queries[r.query].text(r.index, r.salt)
        for name in ("check", "per query", "mix", "repeats")
        for r in runs[name]
    ]
    evaluating = len(runs["check"]) + len(runs["per query"]) + len(runs["mix"])
    assert len(set(texts[:evaluating])) == evaluating
    assert not set(texts[:evaluating]) & set(texts[evaluating:])
    indexes = {name: {(r.query, r.index) for r in requests} for name, requests in runs.items()}
    names = list(indexes)
    for i, earlier in enumerate(names):
        for later in names[i + 1 :]:
            assert not indexes[earlier] & indexes[later], (earlier, later)


def test_the_repeat_run_asks_again_as_often_as_asked(small_store: tuple) -> None:
    _, mix = small_store
    for share in (0.5, 0.8, 0.9):
        repeats = Plan(repeat_requests=400, repeat_share=share).repeat_plan(mix)
        assert len(repeats) == 400
        assert repeated_share(repeats) == pytest.approx(share, abs=0.02)
        counts = sorted(Counter(repeats).values(), reverse=True)
        assert counts[0] > 4 * counts[len(counts) // 2]  # a few questions are asked most


def test_leaving_out_an_unknown_query_is_refused_before_any_work(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench", "run", "--size", "1000", "--leave-out", "nope"]
    command += ["--work", str(tmp_path / "work"), "--results", str(tmp_path / "results")]
    completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "no such queries to leave out: nope" in completed.stderr
    assert not (tmp_path / "work").exists()


def test_the_shacl_timing_names_every_violation_the_engines_disagree_on() -> None:
    sh = "http://www.w3.org/ns/shacl#"
    seeded = (
        "urn:city",
        "urn:population",
        "urn:shape",
        f"{sh}MinInclusiveConstraintComponent",
        "-5",
    )
    second = ("urn:city", "urn:population", "urn:shape", f"{sh}MaxCountConstraintComponent", None)
    agreeing = {"ours": {seeded}, "ours-rudof": {seeded}, "pyshacl-whole-store": {seeded}}
    false_class = ("urn:p", "urn:focusArea", "urn:s", "ClassConstraintComponent", "urn:fa")
    assert same_violations("1k", {**agreeing, "pyshacl-ont-graph": {false_class}}) == []
    missed = same_violations("100k", {**agreeing, "pyshacl-whole-store": {seeded, second}})
    assert missed == [f"100k: pyshacl-whole-store found 1 Violation ours did not, e.g. {second}"]
    extra = same_violations("10k", {**agreeing, "ours-rudof": {seeded, second}})
    assert extra == [f"10k: ours-rudof found 1 Violation ours did not, e.g. {second}"]
    # A check beyond the shapes: plain pyshacl cannot make it, our engines all must.
    beyond = ("urn:city", "urn:lat", "urn:in-country", "urn:LocationInCountry", "POINT(1 2)")
    ours = {"ours": {seeded, beyond}, "ours-service": {seeded, beyond}}
    assert same_violations("1k", {**agreeing, **ours, "ours-rudof": {seeded, beyond}}) == []
    missing = same_violations("1k", {**agreeing, **ours})
    assert missing == [f"1k: ours found 1 Violation ours-rudof did not, e.g. {beyond}"]


def test_our_cold_start_ends_at_the_first_answer_and_the_warm_runs_wait_for_the_copies(
    built: Settings, tmp_path: Path
) -> None:
    """The cold-start column is spawn to first answer, which ours gives from disk; the warm
    runs begin only once /health says the copies are no longer loading. The copies are
    held back (``ASCF_TEST_COPY_GATE``) until the test has seen the first answer."""
    settings = clone_settings(built, tmp_path)
    gate = tmp_path / "copies-may-start"
    system = ours(settings.data_dir, settings.content_dir, tmp_path / "ours.log")
    system.env = {**system.env, COPY_GATE: str(gate), "ASCF_QUERY_WORKERS": "2"}

    async def start_while_the_copies_are_held() -> dict[str, object]:
        starting = asyncio.create_task(system.start(concurrency=1))
        try:
            while system.cold_start == 0 and not starting.done():
                await asyncio.sleep(0.05)
            assert system.cold_start > 0, "the first answer came"
            assert not starting.done(), "start() still waits, for the copies"
            gate.touch()
            await starting
            assert system.client is not None
            return json.loads((await system.client.get("/health")).content)
        finally:
            await system.stop()

    health = asyncio.run(start_while_the_copies_are_held())
    assert health["memory_copies"] == "complete"
    assert system.warm_after >= system.cold_start
