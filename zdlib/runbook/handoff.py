"""Hand a new secret over exactly once: to a private file, or to a 1Password vault through `op`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from zdlib.redact import fingerprint
from zdlib.runbook.files import register_secret


@dataclass(frozen=True)
class HandOff:
    """Where a secret went, and its fingerprint: what a record may show."""

    destination: str
    location: str
    fingerprint: str


def handoff_dir() -> Path:
    """The private folder for hand-off files (mode 0700), outside the records folder."""
    folder = Path(os.environ.get("ZDLIB_HANDOFF_DIR") or Path.home() / ".zdlib" / "handoff").expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def parse_destination(deliver_to: str) -> tuple[str, str]:
    """`file` (the default) or `1password:<vault>` / `op:<vault>`; anything else is a clear error."""
    value = (deliver_to or "file").strip()
    if value == "file":
        return "file", ""
    kind, _, vault = value.partition(":")
    if kind in ("1password", "op") and vault.strip():
        return "1password", vault.strip()
    raise ValueError(
        f"deliver_to={value!r} is not a destination: use 'file' (a private file for the operator) "
        "or '1password:<vault name>' (needs the 1Password `op` command line tool)."
    )


def hand_off(label: str, secret: str, deliver_to: str, details: dict) -> HandOff:
    """Deliver `secret` once; register it with the runner's scan; return only where it went."""
    register_secret(label, secret)
    kind, vault = parse_destination(deliver_to)
    if kind == "1password":
        return _to_1password(label, secret, vault, details)
    return _to_file(label, secret, details)


def _to_file(label: str, secret: str, details: dict) -> HandOff:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = handoff_dir() / f"{stamp}_{_slug(label)}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as stream:
        json.dump({"label": label, "secret": secret, **details}, stream, indent=2, default=str)
        stream.write("\n")
    return HandOff("file", str(path), fingerprint(secret))


def _to_1password(label: str, secret: str, vault: str, details: dict) -> HandOff:
    op = shutil.which("op")
    if not op:
        raise RuntimeError(
            "deliver_to asks for 1Password but the `op` command line tool is not installed: install it "
            "and sign in (`op signin`), or use deliver_to='file'."
        )
    template = {
        "title": label,
        "category": "API_CREDENTIAL",
        "fields": [
            {"id": "credential", "type": "CONCEALED", "label": "credential", "value": secret},
            *[
                {"id": _slug(k), "type": "STRING", "label": k, "value": str(v)}
                for k, v in details.items()
                if v is not None
            ],
        ],
    }
    created = subprocess.run(
        [op, "item", "create", "--vault", vault, "--format", "json", "-"],
        input=json.dumps(template),
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0:
        raise RuntimeError(
            f"`op item create` failed (exit {created.returncode}); the secret was not stored. "
            "Check `op whoami` and the vault name; the credential should be revoked and created again."
        )
    item_id = _item_id(created.stdout)
    return HandOff("1password", f"1Password vault {vault!r}, item {item_id}", fingerprint(secret))


def _item_id(stdout: str) -> str:
    try:
        return str(json.loads(stdout).get("id") or "?")
    except (ValueError, AttributeError):
        return "?"


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "secret"
