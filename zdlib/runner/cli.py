"""`zdlib run` and `zdlib records`: parse arguments and delegate."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from zdlib.runner import records
from zdlib.runner.parameters import ParameterError, load_parameter_file
from zdlib.runner.run import RunResult, UsageError, run_runbook

EXIT_USAGE = 2


def run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zdlib run",
        description="Run a runbook notebook with papermill and keep a scanned record of the run.",
        epilog="Exit status: 0 planned/applied/no-op, 1 refused/failed, 2 bad arguments (nothing ran).",
    )
    parser.add_argument("runbook", help="a name in notebooks/ (e.g. deactivate_automation) or a path")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; the value is converted to the type declared in the parameters cell",
    )
    parser.add_argument(
        "-f",
        "--parameters-file",
        type=Path,
        action="append",
        default=[],
        help="a YAML mapping of parameters (-p wins over it)",
    )
    parser.add_argument("--records", type=Path, help="records folder (default: records/ at the repo root)")
    parser.add_argument("--sandbox", action="store_true", help="rehearse against an ephemeral sandbox")
    parser.add_argument("--hide-input", action="store_true", help="HTML record without code (for reviewers)")
    parser.add_argument(
        "--env-file",
        type=Path,
        help="take the ZENDESK_* settings from this file instead of the environment and .env",
    )
    return parser


def collect_parameters(files: list[Path], pairs: list[list[str]]) -> dict[str, Any]:
    """YAML files in order, then `-p` pairs (as strings, coerced later to the declared types)."""
    parameters: dict[str, Any] = {}
    for path in files:
        parameters.update(load_parameter_file(path))
    for name, value in pairs:
        parameters[name] = value
    return parameters


def main_run(argv: list[str]) -> int:
    args = run_parser().parse_args(argv)
    try:
        parameters = collect_parameters(args.parameters_file, args.parameter)
        print(f"running {args.runbook} ...", flush=True)
        result = run_runbook(
            args.runbook,
            parameters,
            records_dir=args.records,
            sandbox=args.sandbox,
            hide_input=args.hide_input,
            env_file=args.env_file,
        )
    except (UsageError, ParameterError, FileNotFoundError) as exc:
        print(f"zdlib run: {exc}\nNothing was run or written.", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as exc:  # e.g. the sandbox could not start
        print(f"zdlib run: {exc}", file=sys.stderr)
        return 1
    print(describe_result(result))
    return result.exit_code


def describe_result(result: RunResult) -> str:
    lines = [f"outcome: {result.outcome}" + (f" ({result.reason})" if result.reason else "")]
    for label, path in (("record", result.ipynb), ("html", result.html)):
        if path:
            lines.append(f"{label}: {shown_path(path)}")
    lines += [f"file: {shown_path(path)}" for path in result.side_files]
    lines.append(f"index: {shown_path(result.records_dir / records.INDEX_NAME)}")
    return "\n".join(lines)


def shown_path(path: Path) -> str:
    """Relative to the current directory when below it."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def records_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zdlib records", description="List the records index.")
    parser.add_argument("--records", type=Path, help="records folder (default: records/ at the repo root)")
    parser.add_argument("--json", action="store_true", help="print the index entries as a JSON array")
    return parser


def main_records(argv: list[str]) -> int:
    args = records_parser().parse_args(argv)
    folder = args.records or default_records_folder()
    entries = records.read_index(folder)
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    elif not entries:
        print(f"no records in {shown_path(folder)}")
    else:
        print(records.format_table(records.table_rows(entries)))
    return 0


def default_records_folder() -> Path:
    """`records/` beside the `notebooks/` folder the runner would use, else in the current directory."""
    from zdlib.runner.locate import notebook_folders

    folders = notebook_folders()
    return folders[0].parent / "records" if folders else Path.cwd() / "records"
