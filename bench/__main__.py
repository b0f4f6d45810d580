"""``python -m bench``: run the side-by-side benchmark, the SHACL timing, or redraw the report.

Exit codes: 0 every answer agreed, 1 a system answered differently (or with
an error), 2 the harness itself could not run.
"""

import argparse
import asyncio
import shlex
import sys
from pathlib import Path

from bench.dataset import REPO
from bench.generator import parse_size
from bench.report import write_report
from bench.run import ALL_SYSTEMS, Options, RunFailedError, UnknownQueryError, failures, run
from bench.shacl import run_shacl
from bench.workload import Plan

EXIT_OK, EXIT_DIFFERENT, EXIT_BROKEN = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser("run", help="every system over one generated dataset")
    bench.add_argument("--size", default="10k", help="triples: 10k, 100k, 1M, 10M or a number")
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument(
        "--systems", default=",".join(ALL_SYSTEMS), help=f"comma-separated, of {ALL_SYSTEMS}"
    )
    bench.add_argument(
        "--leave-out",
        default="",
        help="comma-separated queries to leave out (e.g. the NOT EXISTS form at 10M)",
    )
    bench.add_argument("--requests", type=int, default=30, help="requests per analytic query")
    bench.add_argument("--lookup-requests", type=int, default=300, help="requests per lookup query")
    bench.add_argument("--mix-requests", type=int, default=200, help="requests in the mixed run")
    bench.add_argument(
        "--repeat-requests",
        type=int,
        default=300,
        help="requests in the repeat run (Zipf-distributed questions; 0 leaves it out)",
    )
    bench.add_argument(
        "--repeat-share", type=float, default=0.8, help="share of the repeat run asked before"
    )
    bench.add_argument("--concurrency", type=int, default=4)
    bench.add_argument("--query-budget", type=float, default=20.0, help="seconds per query run")
    bench.add_argument("--mix-budget", type=float, default=60.0, help="seconds for the mix")
    bench.add_argument("--work", type=Path, default=REPO / "bench" / "out")
    bench.add_argument("--results", type=Path, default=REPO / "bench" / "results")

    report = commands.add_parser("report", help="the Markdown table and plot from results/*.json")
    report.add_argument("--results", type=Path, default=REPO / "bench" / "results")

    shacl = commands.add_parser("shacl", help="time validating steward submissions")
    shacl.add_argument("--sizes", default="1k,10k", help="submission sizes in triples")
    shacl.add_argument("--store-size", default="100k", help="triples of data in the store")
    shacl.add_argument("--seed", type=int, default=42)
    shacl.add_argument("--work", type=Path, default=REPO / "bench" / "out")
    shacl.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.command == "report":
        print(write_report(args.results), end="")
        return EXIT_OK
    if args.command == "shacl":
        run_shacl(
            sizes=[parse_size(s) for s in args.sizes.split(",")],
            store_triples=parse_size(args.store_size),
            seed=args.seed,
            work=args.work,
            results=args.results,
            command=command,
        )
        return EXIT_OK
    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    left_out = tuple(q.strip() for q in args.leave_out.split(",") if q.strip())
    unknown = sorted(set(systems) - set(ALL_SYSTEMS))
    if unknown:
        print(f"unknown systems {unknown}; choose from {ALL_SYSTEMS}", file=sys.stderr)
        return EXIT_BROKEN
    options = Options(
        triples=parse_size(args.size),
        seed=args.seed,
        systems=systems,
        plan=Plan(
            left_out=left_out,
            requests=args.requests,
            lookup_requests=args.lookup_requests,
            mix_requests=args.mix_requests,
            repeat_requests=args.repeat_requests,
            repeat_share=args.repeat_share,
            concurrency=args.concurrency,
            query_budget=args.query_budget,
            mix_budget=args.mix_budget,
        ),
        work=args.work,
        results=args.results,
    )
    try:
        document = asyncio.run(run(options, command))
    except RunFailedError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return EXIT_DIFFERENT
    except UnknownQueryError as error:
        print(error, file=sys.stderr)
        return EXIT_BROKEN
    print(write_report(options.results), end="")
    problems = failures(document)
    if problems:
        print(f"\nFAILED: {len(problems)} wrong or missing answers:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_DIFFERENT
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
