"""`zdlib campaign [--json] [--records DIR]`: the API-token campaign's latest state, from the records.

It reads the newest `migrate_api_tokens` run of the records folder that kept a `campaign.json`, checks that
file against the sha256 its index line holds (and the index's chain), and prints it: a table fitted to the
terminal, or with `--json` the object unchanged (`as_of`, `deadline`, `tokens` with `id`, `description`,
`state`, `since`, `evidence` and `next`), so an engineer and a scheduled job read the same thing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from zdlib.campaign.report import RUNBOOK, SIDE_FILE
from zdlib.runner import records
from zdlib.runner.cli import default_records_folder, shown_path
from zdlib.terminal import inert_json, visible

COLUMNS = ("id", "description", "state", "since", "next", "at risk")


class NoCampaign(Exception):
    """No campaign state can be shown; the message says why and what to run."""


def latest(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(index line, report) of the newest campaign run whose kept report matches its index line."""
    _, problem = records.verify(folder)
    if problem is not None:
        raise NoCampaign(f"{shown_path(folder)} does not verify ({problem}): run `zdlib records verify`")
    for line in reversed(records.read_index(folder)):
        if line.get("runbook") != RUNBOOK:
            continue
        kept = [n for n in line.get("hashes") or {} if n.endswith("." + SIDE_FILE)]
        if not kept:
            continue
        path = folder / kept[0]
        if not path.is_file() or records.sha256_file(path) != line["hashes"][kept[0]]:
            raise NoCampaign(f"{kept[0]} does not match its index line's sha256: run `zdlib records verify`")
        return line, _report(path)
    raise NoCampaign(f"no {RUNBOOK} record yet in {shown_path(folder)}: run `zdlib run {RUNBOOK}`")


def _report(path: Path) -> dict[str, Any]:
    """The kept report; a file that is not a JSON object is no report (it matched its sha256: as written)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise NoCampaign(f"{path.name} is not JSON ({exc}): re-run `zdlib run {RUNBOOK}`") from None
    if not isinstance(report, dict):
        raise NoCampaign(f"{path.name} holds no campaign object: re-run `zdlib run {RUNBOOK}`")
    return report


def flat(value: Any) -> str:
    """One terminal-safe line: whitespace runs (newlines too) as one space, control characters as escapes."""
    return visible(" ".join(str(value if value is not None else "").split()))


def header(line: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    """As of, deadline, days left, counts per state, and the record it came from."""
    as_of = flat(report.get("as_of"))
    deadline = flat(report.get("deadline"))
    try:
        left = f" ({(date.fromisoformat(deadline) - date.fromisoformat(as_of[:10])).days} days left)"
    except ValueError:
        left = ""
    counts = ", ".join(f"{flat(n)} {flat(state)}" for state, n in (report.get("counts") or {}).items() if n)
    return (
        f"API-token campaign as of {as_of}; every API token stops on {deadline}{left}\n"
        f"{counts or 'no API tokens'}\nfrom record {flat(line.get('name'))}"
    )


def rows(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per token, every value one inert line (the table is for a terminal)."""
    return [
        {
            "id": flat(t.get("id")),
            "description": flat(t.get("description")),
            "state": flat(t.get("state")),
            "since": flat(t.get("since"))[:10],
            "next": flat(f"{(t.get('next') or {}).get('who')}: {(t.get('next') or {}).get('what')}"),
            "at risk": "AT RISK" if t.get("at_risk") else "",
        }
        for t in report.get("tokens") or []
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="zdlib campaign", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=Path, help="records folder (default: records/ at the repo root)")
    parser.add_argument("--json", action="store_true", help="print the kept campaign.json object unchanged")
    args = parser.parse_args(argv)
    folder = (args.records or default_records_folder()).resolve()
    try:
        line, report = latest(folder)
    except NoCampaign as exc:
        print(f"zdlib campaign: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(inert_json(json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True)))
        return 0
    print(header(line, report))
    print()
    width = shutil.get_terminal_size((120, 24)).columns
    print(records.fitted_table(rows(report), width, COLUMNS))
    return 0
