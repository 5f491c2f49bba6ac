"""`zdlib sandbox admin-center`: play a person's Admin Center step on a running (persistent) sandbox.

A rehearsal only: Zendesk's public API cannot deactivate or delete an API token (zendesk-api.md 5.5), so
on a real instance a person does it in Admin Center; the sandbox plays that person through its control
API (`POST /sandbox/admin-center/api_tokens/{id}`, with the sandbox's key in `X-Sandbox-Key`). The URL and
key come from the env file `zdlib sandbox --env-file PATH` wrote, or from the environment.
"""

from __future__ import annotations

import argparse
import os
import sys

import httpx
from dotenv import dotenv_values, find_dotenv

from zdlib.sandbox.api_tokens import ADMIN_CENTER_ACTIONS
from zdlib.sandbox.identity import KEY_VARIABLE

COMMAND = "admin-center"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"zdlib sandbox {COMMAND}",
        description="Play a person's Admin Center step on a running sandbox (a rehearsal; on a real "
        "Zendesk a person does it in Admin Center > Apps and integrations > APIs > API tokens).",
        epilog="The sandbox is the one `zdlib sandbox --env-file PATH` started: give the same PATH, or set "
        f"ZENDESK_URL and {KEY_VARIABLE} in the environment.",
    )
    parser.add_argument("kind", choices=["api_tokens"], help="what the person changes")
    parser.add_argument("id", type=int, help="its id, e.g. 3")
    parser.add_argument("action", choices=list(ADMIN_CENTER_ACTIONS), help="what the person clicks")
    parser.add_argument("--env-file", metavar="PATH", help="the env file `zdlib sandbox --env-file` wrote")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    nearest = find_dotenv(usecwd=True)  # as the kit does: the environment over the nearest .env
    settings = {k: v for k, v in (dotenv_values(nearest) if nearest else {}).items() if v is not None}
    settings.update(os.environ)
    if args.env_file:
        if not os.path.isfile(args.env_file):
            print(
                f"zdlib sandbox {COMMAND}: no env file at {args.env_file}: start the sandbox with "
                f"`zdlib sandbox --env-file {args.env_file}` (and keep it running). Nothing was changed.",
                file=sys.stderr,
            )
            return 2
        settings.update({k: v for k, v in dotenv_values(args.env_file).items() if v is not None})
    url, key = settings.get("ZENDESK_URL", ""), settings.get(KEY_VARIABLE, "")
    if not url or not key:
        print(
            f"zdlib sandbox {COMMAND}: give --env-file (the file `zdlib sandbox --env-file` wrote), or set "
            f"ZENDESK_URL and {KEY_VARIABLE}. Nothing was changed.",
            file=sys.stderr,
        )
        return 2
    return _play(url.rstrip("/"), key, settings.get("ZENDESK_CA_BUNDLE") or True, args)


def _play(url: str, key: str, verify: str | bool, args: argparse.Namespace) -> int:
    target = f"{url}/sandbox/admin-center/api_tokens/{args.id}"
    try:
        answer = httpx.post(
            target, json={"action": args.action}, headers={"X-Sandbox-Key": key}, verify=verify, timeout=10
        )
    except httpx.HTTPError as error:
        print(
            f"zdlib sandbox {COMMAND}: no answer from the sandbox at {url} ({type(error).__name__}): is it "
            "still running? Nothing was changed.",
            file=sys.stderr,
        )
        return 1
    if answer.status_code != 200:
        print(
            f"zdlib sandbox {COMMAND}: the sandbox at {url} answered {answer.status_code}: "
            f"{answer.text[:300]}",
            file=sys.stderr,
        )
        return 1
    print(
        f"Played in the sandbox (a rehearsal, not Admin Center): {args.action} API token {args.id} on {url}."
    )
    return 0
