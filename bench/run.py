"""`python -m bench.run [--quick | --full] [--only NAME ...]`: every workload, Zenpy then zdlib.

Standard mode is what `make bench` runs and what BENCHMARKS.md shows; `--full` adds workload 1 at
Zendesk's real 700 requests per 60 s; `--quick` runs everything at reduced sizes (about 3 minutes) and
writes `*-quick.json` files without touching BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from datetime import UTC, datetime

from bench import machine, report

WORKLOADS = ("rate_mix", "latency_writes", "faults", "scale", "runbook_overhead", "census")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--quick", action="store_true", help="reduced sizes, for development")
    modes.add_argument("--full", action="store_true", help="also workload 1 at 700 requests per 60 s")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, help="run only these workloads")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    mode = "quick" if args.quick else "full" if args.full else "standard"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    results = []
    for name in args.only or WORKLOADS:
        started = time.perf_counter()
        print(f"[bench] {name} ({mode}) ...", flush=True)
        result = importlib.import_module(f"bench.workloads.{name}").run(mode)
        result.update(mode=mode, date=stamp, bench_wall_s=round(time.perf_counter() - started, 1))
        path = report.write_json(result, stamp, "-quick" if args.quick else "")
        print(report.table(result), flush=True)
        print(f"[bench] {name}: {result['bench_wall_s']} s -> {path}", flush=True)
        results.append(result)
    if not args.quick and not args.only:
        command = "python -m bench.run" + (" --full" if args.full else "") + " (make bench)"
        report.update_benchmarks_md(report.markdown(results, machine.describe(), command, stamp))
        print(f"[bench] tables written to {report.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
