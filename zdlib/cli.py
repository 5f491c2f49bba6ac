"""The `zdlib` command: a thin dispatcher; each sub-command lives with the wing it belongs to."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

USAGE = """usage: zdlib COMMAND [options]   (zdlib --version)

commands:
  sandbox   start the local Zendesk sandbox (zdlib sandbox --help)
  run       run a runbook notebook and keep its record (zdlib run --help)
  records   list the records (newest first), verify them (zdlib records --help)
  campaign  the API-token campaign's latest state, from the records (zdlib campaign --help)
  demo      run every runbook on an embedded sandbox (what `make demo` does)
  lab       JupyterLab on this repository with a sandbox (zdlib lab --help)
"""


def _load(command: str) -> Callable[[list[str]], int] | None:
    if command == "sandbox":
        from zdlib.sandbox.cli import main as run
    elif command == "run":
        from zdlib.runner.cli import main_run as run
    elif command == "records":
        from zdlib.runner.cli import main_records as run
    elif command == "campaign":
        from zdlib.runner.campaign_cli import main as run
    elif command == "demo":
        from zdlib.runner.demo import main as run
    elif command == "lab":
        from zdlib.runner.lab import main as run
    else:
        return None
    return run


def main(argv: list[str] | None = None) -> int:
    """Dispatch; the terminal shows control characters from values as escapes, and a closed pipe
    (`zdlib records | head`) ends the command quietly."""
    from zdlib.terminal import SafeStream

    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(stdout), SafeStream(stderr)
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        devnull = open(os.devnull, "w")  # noqa: SIM115 - stays open until the process exits
        os.dup2(devnull.fileno(), stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports it
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args[0] in ("-V", "--version"):
        from zdlib._version import __version__

        print(f"zdlib {__version__}")
        return 0
    run = _load(args[0])
    if run is None:
        print(f"zdlib: unknown command {args[0]!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    return run(args[1:])


if __name__ == "__main__":
    sys.exit(main())
