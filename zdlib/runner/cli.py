"""`zdlib run` and `zdlib records [verify|publish|recover]`: parse arguments and delegate."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from zdlib.record.outcome import EXIT_USAGE, Outcome, never_sent
from zdlib.record.summary import ran_on_sandbox
from zdlib.runner import push_cli, records
from zdlib.runner.guidance import Invocation, delivery_lines, waiting_lines
from zdlib.runner.parameters import ParameterError, load_parameter_file
from zdlib.runner.publish import Published
from zdlib.runner.run import RunResult, UsageError, run_runbook


def run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zdlib run",
        description="Run a runbook notebook with papermill and keep a scanned record of the run. "
        "`zdlib run` alone lists the runbooks.",
        epilog="Exit status: 0 planned/applied/no-op, 1 refused/failed/interrupted, 2 bad arguments "
        "(nothing ran), 3 waiting for a person.",
    )
    parser.add_argument("runbook", help="a name in notebooks/ (e.g. deactivate_automation) or a path")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter (also NAME=VALUE); the value is converted to the type declared in the "
        "parameters cell. `zdlib run NAME --help` lists them",
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
    parser.add_argument(
        "--hide-input",
        action="store_true",
        help="leave the code out of the HTML record (by default it is there, hidden behind 'Show code')",
    )
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


def split_name_value(argv: list[str]) -> list[str]:
    """`-p name=value` (papermill's and many shells' habit) as `-p name value`: a parameter's name never
    holds "=", so the first word after -p that does is NAME=VALUE."""
    out: list[str] = []
    for word in argv:
        previous = out[-1] if out else ""
        name, equals, value = word.partition("=")
        if previous in ("-p", "--parameter") and equals and name.isidentifier():
            out += [name, value]
        else:
            out.append(word)
    return out


def _explain(argv: list[str]) -> int | None:
    """`zdlib run` alone lists the runbooks; `zdlib run NAME --help` adds NAME's parameters."""
    from zdlib.runner.catalogue import catalogue, parameter_help
    from zdlib.runner.locate import RunbookNotFound, resolve_runbook

    if not argv:
        print(catalogue())
        return 0
    if not {"-h", "--help"} & set(argv):
        return None
    print(run_parser().format_help())
    names = [word for word in argv if not word.startswith("-")]
    if not names:
        print(catalogue())
        return 0
    try:
        print(parameter_help(resolve_runbook(names[0])))
    except RunbookNotFound as exc:
        print(f"zdlib run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def main_run(argv: list[str]) -> int:
    explained = _explain(argv)
    if explained is not None:
        return explained
    args = run_parser().parse_args(split_name_value(argv))
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
    except KeyboardInterrupt:  # stopped before the run was staged: nothing ran
        print("zdlib run: stopped before the run started; nothing was run or written.", file=sys.stderr)
        return 1
    for earlier in result.recovered:
        print(describe_recovered(earlier))
    print(describe_result(result))
    invocation = Invocation(argv, args.sandbox, str(args.env_file) if args.env_file else None)
    for line in waiting_lines(result.summary, invocation):
        print(line)
    if result.outcome is Outcome.FAILED and result.kernel_log.strip():  # an interruption's is only noise
        print("kernel log (the kernel's own messages):\n" + result.kernel_log.rstrip(), file=sys.stderr)
    return result.exit_code


def describe_recovered(result: Published) -> str:
    where = shown_path(result.ipynb) if result.ipynb else "no notebook"
    return f"published a run a stopped runner left behind: {result.name} ({result.outcome}) -> {where}"


def describe_result(result: RunResult) -> str:
    """The story of the run: the plan, what was applied and verified, the outcome and where the record is."""
    summary = result.summary or {}
    changes = [c for c in summary.get("changes") or [] if isinstance(c, dict)]
    lines = [f"{result.runbook} on {_instance(summary)} as {_operator(summary)}"]
    if changes:
        lines.append("plan:")
        lines += [f"  {_change(c, summary.get('outcome'))}" for c in changes]
        done = [c for c in changes if c.get("status") in ("applied", "verified")]
        if done:
            lines.append("applied:")
            lines += [
                f"  {c.get('object')} {c.get('id')} {c.get('field')}: "
                + (
                    "verified by reading it back"
                    if c.get("status") == "verified"
                    else "applied, NOT verified"
                )
                + (f" (request id {c['request_id']})" if c.get("request_id") else "")
                for c in done
            ]
    elif summary:
        lines.append("plan: nothing to change")
    lines += delivery_lines(summary)
    lines.append(f"outcome: {result.outcome}" + (f" ({result.reason})" if result.reason else ""))
    for label, path in (("record", result.ipynb), ("html", result.html)):
        if path:
            lines.append(f"{label}: {shown_path(path)}")
    lines += [f"file: {shown_path(path)}" for path in result.side_files]
    lines.append(f"index: {shown_path(result.records_dir / records.INDEX_NAME)}")
    if result.index_page:
        lines.append(f"index page: {shown_path(result.index_page)}")
    if result.pushed is not None:  # the records project (zdlib.runner.push)
        lines.append(f"records project: {result.pushed}")
    return "\n".join(lines)


def _change(change: dict[str, Any], outcome: object = None) -> str:
    """`automation 12345 active: True -> False`, with the status unless the `applied:` lines tell it."""
    status = change.get("status")
    shown = "" if status in ("applied", "verified") else f" [{status}]"
    if never_sent(status, outcome):
        shown = f" [{status}: not sent]"
    return (
        f"{change.get('object')} {change.get('id')} {change.get('field')}: "
        f"{change.get('before')!r} -> {change.get('after')!r}{shown}"
    )


def _instance(summary: dict[str, Any]) -> str:
    instance = summary.get("instance") or "?"
    return f"{instance} (SANDBOX)" if ran_on_sandbox(summary) else str(instance)


def _operator(summary: dict[str, Any]) -> str:
    operator = summary.get("operator") or {}
    return str(operator.get("email") or operator.get("name") or "?") if isinstance(operator, dict) else "?"


def shown_path(path: Path) -> str:
    """Relative to the current directory when below it."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


RECORDS_COMMANDS = ("list", "verify", "publish", "recover", "push", "pull")


def records_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zdlib records",
        description="List (the default: newest first, fitted to the terminal), verify and publish records; "
        "staged runs of stopped runners are published first.",
        epilog="verify: check the index chain and every record's sha256 (exit 1 at the first break). "
        "publish STAGE_DIR: publish one staged run (what an interactive finish() calls). "
        "recover: publish every staged run whose owner is gone. "
        "push: send runs not yet in the records project (ZDLIB_RECORDS_PROJECT), oldest first; --all: every "
        "run of the index. pull: bring the project's runs this folder lacks (each file checked; what a "
        "scheduled job starts with). verify --remote: compare the index and files with the project's copy.",
    )
    parser.add_argument("command", nargs="?", default="list", choices=RECORDS_COMMANDS)
    parser.add_argument("stage", nargs="?", type=Path, help="for publish: the stage folder")
    parser.add_argument("--records", type=Path, help="records folder (default: records/ at the repo root)")
    parser.add_argument("--json", action="store_true", help="print the index entries as a JSON array")
    parser.add_argument("--wide", action="store_true", help="every column, whole (wider than a terminal)")
    parser.add_argument("--hide-input", action="store_true", help="HTML records without code")
    parser.add_argument("--all", action="store_true", help="for push: every run of the index")
    parser.add_argument("--remote", action="store_true", help="for verify: against the records project")
    return parser


def main_records(argv: list[str]) -> int:
    args = records_parser().parse_args(argv)
    if args.command == "publish":
        return _publish_one(args.stage, args.hide_input)
    if (args.all and args.command != "push") or (args.remote and args.command != "verify"):
        print("zdlib records: --all goes with push, --remote with verify", file=sys.stderr)
        return EXIT_USAGE
    folder = (args.records or default_records_folder()).resolve()
    if args.command == "verify":
        local = _verify(folder)
        return max(local, push_cli.main_verify_remote(folder)) if args.remote else local
    if args.command == "pull":
        pulled = push_cli.main_pull(folder)
        return pulled or _verify(folder)
    recovered = _recover(folder, args.hide_input)
    if args.command == "push":
        return push_cli.main_push(folder, _secrets(), args.all)
    push_cli.push_quietly(folder, _secrets())  # what the last runs could not push (records project)
    if args.command == "recover":
        if not recovered:
            print(f"nothing to recover in {shown_path(folder)}")
        return 0
    entries = records.read_index(folder)
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    elif not entries:
        print(f"no records in {shown_path(folder)}")
    else:
        rows = records.table_rows(reversed(entries))  # newest first, like index.html
        width = shutil.get_terminal_size((100, 24)).columns
        print(records.format_table(rows) if args.wide else records.fitted_table(rows, width))
    return 0


def _secrets() -> list[Any]:
    from zdlib.runner.credentials import configured_secrets, read_configured_values
    from zdlib.runner.locate import notebook_folders

    files = [Path.cwd() / ".env", *(folder.parent / ".env" for folder in notebook_folders())]
    files += [folder / ".env" for folder in notebook_folders()]
    return configured_secrets(read_configured_values(files))


def _recover(folder: Path, hide_input: bool) -> list[Published]:
    from zdlib.runner.publish import recover

    found = recover(folder, _secrets(), hide_input=hide_input)
    for result in found:
        print(describe_recovered(result), file=sys.stderr)  # stdout stays the listing (or JSON)
    return found


def _publish_one(stage_dir: Path | None, hide_input: bool) -> int:
    from zdlib.record.stage import Stage
    from zdlib.runner.publish import Context, publish_stage

    if stage_dir is None:
        print("zdlib records publish: give the stage folder (records/.staging/<name>)", file=sys.stderr)
        return EXIT_USAGE
    try:
        stage = Stage.at(stage_dir)
    except ValueError as exc:
        print(f"zdlib records publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = publish_stage(stage, _secrets(), Context(hide_input=hide_input))
    if result is None:
        print(f"zdlib records publish: {stage_dir} is being published by another process", file=sys.stderr)
        return 1
    print(describe_result(result))
    return result.exit_code


def _verify(folder: Path) -> int:
    count, problem = records.verify(folder)
    if problem is not None:
        print(f"zdlib records verify: {shown_path(folder / records.INDEX_NAME)} {problem}", file=sys.stderr)
        return 1
    print(f"{count} index lines and their records verified in {shown_path(folder)}")
    return 0


def default_records_folder() -> Path:
    """`records/` beside the `notebooks/` folder the runner would use, else in the current directory."""
    from zdlib.runner.locate import notebook_folders

    folders = notebook_folders()
    return folders[0].parent / "records" if folders else Path.cwd() / "records"
