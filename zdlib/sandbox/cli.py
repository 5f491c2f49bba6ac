"""`zdlib sandbox`: start the local Zendesk sandbox and keep it running until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading

from zdlib.sandbox.options import PLAN_LIMITS, Options
from zdlib.sandbox.server import SandboxServer

DESCRIPTION = """Start a local Zendesk Support API look-alike (loopback only by default) with a seeded
account: admins, agents (incl. light agents), end users, automations (incl. 12345), OAuth clients and
tokens, API tokens and audit logs. Rehearse runbooks against it; point zdlib, curl or Zenpy at its URL.

Control API (not Zendesk, not rate limited, not counted): POST /sandbox/reset,
POST /sandbox/clock {"as_of": DATE} | {"advance_days": N}, GET|POST /sandbox/faults,
GET|DELETE /sandbox/stats, GET /sandbox/credentials.

`zdlib sandbox admin-center --env-file PATH api_tokens ID deactivate|delete` plays a person's Admin Center
step on a running sandbox (a rehearsal of revoke_token's waiting step)."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="zdlib sandbox", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1, loopback)")
    p.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    p.add_argument(
        "--plan",
        choices=list(PLAN_LIMITS),
        default="enterprise",
        help="Zendesk plan, which sets the account rate limit: "
        + ", ".join(f"{k} {v}/min" for k, v in PLAN_LIMITS.items())
        + " (default enterprise)",
    )
    p.add_argument(
        "--rate-limit",
        type=int,
        metavar="N",
        help="override the plan: N API requests per window for the whole account",
    )
    p.add_argument(
        "--window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="length of the fixed rate-limit window, also used by the endpoint limits (default 60)",
    )
    p.add_argument(
        "--users",
        type=int,
        default=2000,
        metavar="N",
        help="users in the seeded account, up to 1,000,000; generated on demand, so memory "
        "does not grow with N (default 2000)",
    )
    p.add_argument(
        "--automations",
        type=int,
        default=8,
        metavar="N",
        help="automations in the account: the 8 seeded ones (incl. 12345) plus generated ones "
        "up to N (default 8)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="N",
        help="seed of the deterministic data and secrets (default 1)",
    )
    p.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="added latency for every API request (default 0)",
    )
    p.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="share (0-1) of API requests answered with a 500, 502 or 503 (default 0)",
    )
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="start the sandbox clock at DATE (2026-11-28 or an ISO datetime); time flows on "
        "from there. Zendesk's credential timeline is judged on this clock: password "
        "access before 2026-01-01 only, API token creation refused from 2026-10-27, "
        "idle tokens deactivated from 2026-07-28, all API tokens refused from "
        "2027-04-30. Default: the real current time",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve https with a fresh self-signed CA; its file is printed (trust it with "
        "ZENDESK_CA_BUNDLE, REQUESTS_CA_BUNDLE or curl --cacert)",
    )
    p.add_argument(
        "--api-token-writes",
        action="store_true",
        help="also serve POST/PUT/DELETE /api/v2/api_tokens[/ID], which Zendesk's public API does not "
        "have (off by default: they answer 404 InvalidEndpoint); Admin Center actions are played with "
        "POST /sandbox/admin-center/api_tokens/ID instead",
    )
    p.add_argument(
        "--env-file", metavar="PATH", help="write the seeded admin's ZENDESK_* variables to PATH (mode 0600)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "admin-center":  # `zdlib sandbox admin-center ...`: play a person's step
        from zdlib.sandbox.admin_center_cli import main as admin_center

        return admin_center(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        options = Options(
            host=args.host,
            port=args.port,
            plan=args.plan,
            rate_limit=args.rate_limit,
            window=args.window,
            users=args.users,
            automations=args.automations,
            seed=args.seed,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            as_of=args.as_of,
            tls=args.tls,
            env_file=args.env_file,
            api_token_writes=args.api_token_writes,
        )
    except ValueError as exc:
        print(f"zdlib sandbox: {exc}", file=sys.stderr)
        return 2
    server = SandboxServer(**vars(options))
    server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:  # a Ctrl-C while the lines below print still stops the sandbox and removes its env file
        _announce(server, args.env_file)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        _remove_env_file(args.env_file)
    return 0


def _announce(server: SandboxServer, env_file: str | None) -> None:
    print(f"Zendesk sandbox listening on {server.url}", flush=True)
    if server.ca_file:
        print(f"CA certificate to trust: {server.ca_file}", flush=True)
    if env_file:
        print(f"Credentials of the seeded admin written to {env_file}", flush=True)
    else:
        print(
            f"Seeded admin: {server.env['ZENDESK_EMAIL']} "
            f"(credentials: GET {server.url}/sandbox/credentials)",
            flush=True,
        )
    print("Press Ctrl-C to stop.", flush=True)


def _remove_env_file(path: str | None) -> None:
    """The env file holds this sandbox's credentials and key, dead once it stops: removed, as `zdlib lab`
    removes its `.env.sandbox` (first-use F22)."""
    if not path:
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    print(f"Sandbox stopped; {path} removed.", flush=True)
