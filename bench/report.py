"""Results as JSON files in bench/results/ and as Markdown tables inside BENCHMARKS.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"
COLUMNS = [
    ("client", "client"),
    ("wall_s", "wall s"),
    ("floor_s", "floor s"),
    ("ratio_to_floor", "ratio"),
    ("speedup_vs_zenpy", "vs Zenpy"),
    ("overhead_s", "overhead s"),
    ("process_wall_s", "process s"),
    ("rate_limited", "429s"),
    ("requests", "requests"),
    ("errors", "errors"),
    ("peak_rss_mb", "peak RSS MB"),
    ("correct", "correct"),
]


def write_json(result: dict[str, Any], stamp: str, suffix: str = "") -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{stamp}_{result['workload']}{suffix}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def _cell(run: dict[str, Any], key: str) -> str:
    value = run.get(key)
    if key == "correct":
        return "yes" if value else f"**no**{_why(run)}"
    if key == "client" and run.get("crashed"):
        return f"{value} (crashed: {run['crashed'][:90]})"
    return "" if value is None else str(value)


def _why(run: dict[str, Any]) -> str:
    checks = run.get("checks") or {}
    shown = ", ".join(f"{k}={v}" for k, v in checks.items())
    return f" ({shown})" if shown else ""


def table(result: dict[str, Any]) -> str:
    lines = [f"### {result['title']}", ""]
    for case in result["cases"]:
        runs = case["runs"]
        used = [(k, label) for k, label in COLUMNS if any(r.get(k) is not None for r in runs)]
        settings = ", ".join(f"{k}={v}" for k, v in case["settings"].items())
        lines += [f"Settings: {settings}", ""]
        lines.append("| " + " | ".join(label for _, label in used) + " |")
        lines.append("|" + "---|" * len(used))
        lines += ["| " + " | ".join(_cell(r, k) for k, _ in used) + " |" for r in runs]
        target = case["target"]
        verdict = {True: "**met**", False: "**not met**", None: "measured"}[target["met"]]
        lines += ["", f"Target: {target['goal']}: {verdict} ({target['measured']}).", ""]
        lines += _breakdown_table(case.get("breakdown_s"))
    return "\n".join(lines)


def _breakdown_table(breakdown: dict[str, Any] | None) -> list[str]:
    """Where one in-process run spent its time, stage by stage (workload 5)."""
    if not breakdown:
        return []
    if "error" in breakdown:
        return [f"Breakdown failed: `{str(breakdown['error'])[-200:]}`", ""]
    rows = [f"| {stage} | {seconds} |" for stage, seconds in breakdown.items()]
    return ["| stage (one in-process run) | s |", "|---|---|", *rows, ""]


def markdown(results: list[dict[str, Any]], machine: dict[str, Any], command: str, stamp: str) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v)
    head = [
        f"Measured {stamp} with `{command}`.",
        "",
        f"Machine: {machine['nproc']} CPUs, {machine['ram_gb']} GB RAM, Python {machine['python']}, "
        f"{machine['platform']}. Packages: {packages}.",
        "",
    ]
    return "\n".join(head + [table(r) for r in results])


def update_benchmarks_md(body: str) -> None:
    """Replace the generated block of BENCHMARKS.md, keeping the hand-written analysis around it."""
    text = BENCHMARKS.read_text() if BENCHMARKS.is_file() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    before, _, rest = text.partition(BEGIN)
    _, _, after = rest.partition(END)
    BENCHMARKS.write_text(f"{before}{BEGIN}\n{body}\n{END}{after}")
