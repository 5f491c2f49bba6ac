"""Hand a new secret over exactly once: to a private file, or to a 1Password vault through `op`."""

from __future__ import annotations

import json
import os
import re
import secrets as _random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from zdlib.config import read_settings
from zdlib.instance import is_sandbox
from zdlib.record.channel import HANDOFF_VARIABLE, SANDBOX_HANDOFF_VARIABLE
from zdlib.redact import fingerprint
from zdlib.runbook.files import channel, register_secret


@dataclass(frozen=True)
class HandOff:
    """Where the secrets went, and their fingerprints: what a record may show."""

    destination: str
    location: str
    fingerprints: dict[str, str]


def handoff_dir(sandbox: bool = False) -> Path:
    """The private folder for hand-off files: created with mode 0700; an existing one must be private.

    A run on the proven sandbox (a rehearsal) gets its own folder (`ZDLIB_SANDBOX_HANDOFF_DIR`, default
    `~/.zdlib/sandbox-handoff`): it never writes into the operator's real one.
    """
    own = channel()
    folder = (own.sandbox_handoff_dir if sandbox else own.handoff_dir).expanduser()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        variable = SANDBOX_HANDOFF_VARIABLE if sandbox else HANDOFF_VARIABLE
        raise ValueError(
            f"The hand-off folder {folder} can be read by other users: point {variable} at a private "
            "folder (mode 0700), or `chmod 700` it. No credential was created."
        )
    return folder


def on_sandbox() -> bool:
    """True when the configured instance proves it is the local sandbox (zdlib.instance)."""
    return is_sandbox(read_settings("ZENDESK_URL").get("ZENDESK_URL"))


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


@dataclass
class Destination:
    """Where one hand-off will go, checked and reserved before any credential exists.

    The name carries the access request's number and a random suffix, so two requests (or two runs of one)
    never collide; a file destination is created empty (mode 0600, `O_EXCL`) as the reservation.
    """

    kind: str  # "file" or "1password"
    name: str
    vault: str = ""
    path: Path | None = None
    delivered: bool = False

    def deliver(self, label: str, secrets: dict[str, str], details: dict) -> HandOff:
        """Hand the secrets over once (they are registered with the run's scan first)."""
        for secret_name, value in secrets.items():
            register_secret(f"{label} {secret_name}", value)
        prints = {secret_name: fingerprint(value) for secret_name, value in secrets.items()}
        if self.kind == "1password":
            location = _to_1password(self.name, secrets, self.vault, {"label": label, **details})
        else:
            location = _write_file(self._reserved(), label, secrets, details)
        self.delivered = True
        return HandOff(self.kind, location, prints)

    def release(self) -> None:
        """Give the reservation back (after a failure): an empty reserved file is removed."""
        if (
            self.path is not None
            and not self.delivered
            and self.path.exists()
            and not self.path.stat().st_size
        ):
            self.path.unlink()

    def _reserved(self) -> Path:
        assert self.path is not None
        return self.path


def prepare_destination(
    deliver_to: str, request_url: str, kind: str, *, sandbox: bool = False
) -> Destination:
    """Check the destination before anything is created: a private writable folder, or `op` signed in
    (a rehearsal on the sandbox writes into the sandbox's hand-off folder: `handoff_dir`).

    Raises ValueError (what is wrong, what to do); nothing is created by a failing check.
    """
    destination, vault = parse_destination(deliver_to)
    number = re.sub(r"[^0-9a-zA-Z]+", "-", request_url.rstrip("/").rsplit("/", 1)[-1])[:20] or "request"
    name = f"zendesk-{kind}-request-{number}-{_random.token_hex(4)}"
    if destination == "1password":
        _op_ready(vault)
        return Destination("1password", name, vault=vault)
    folder = handoff_dir(sandbox)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"The hand-off folder {folder} is not writable: fix its permissions. No credential was created."
        )
    path = folder / f"{name}.json"
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise ValueError(f"The hand-off file {path} already exists: re-run (a new name is drawn).") from None
    return Destination("file", name, path=path)


def _op_ready(vault: str) -> None:
    op = shutil.which("op")
    if not op:
        raise ValueError(
            "deliver_to asks for 1Password but the `op` command line tool is not installed: install it and "
            "sign in (`op signin`), or use deliver_to='file'. No credential was created."
        )
    signed_in = subprocess.run([op, "whoami"], capture_output=True, text=True, check=False)
    if signed_in.returncode != 0:
        raise ValueError(
            "The 1Password `op` tool is not signed in (`op whoami` failed): run `op signin`, then re-run. "
            "No credential was created."
        )


def hand_off(
    label: str, secrets: dict[str, str], deliver_to: str, details: dict, *, sandbox: bool = False
) -> HandOff:
    """Deliver `secrets` (name -> value) once to a fresh destination; say where they went."""
    return prepare_destination(deliver_to, label, "secret", sandbox=sandbox).deliver(label, secrets, details)


def read_handoff_file(path: str, *, sandbox: bool | None = None) -> dict:
    """The secrets and details a hand-off file holds (for verifying a revocation with the real secret).

    The secrets are registered with the runner's scan, since the run now holds them. A relative path
    (`AR-4242-k3f9.json`, as create_token names it) is a file in the hand-off folder (`handoff_dir()`):
    the kernel runs in the notebook's folder, never where the operator typed the path, so no other
    folder would be the one they meant. On the sandbox (`sandbox`, proven through the configured
    instance when None) that folder is the rehearsals' own.
    """
    given = Path(path).expanduser()
    folder = handoff_dir(on_sandbox() if sandbox is None else sandbox) if not given.is_absolute() else None
    source = given if folder is None else folder / given
    if not source.is_file():
        raise ValueError(
            f"handoff_file {path!r} is not a file ({source} does not exist). Give the absolute path "
            f"create_token printed, or the file's name in the hand-off folder {folder or handoff_dir()}."
        )
    try:
        handed = json.loads(source.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"handoff_file {source} cannot be read as a hand-off file ({error}).") from error
    for name, value in (handed.get("secrets") or {}).items():
        register_secret(f"{handed.get('label', 'hand-off')} {name}", value)
    return handed


def _write_file(path: Path, label: str, secrets: dict[str, str], details: dict) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as stream:
        json.dump({"label": label, "secrets": secrets, **details}, stream, indent=2, default=str)
        stream.write("\n")
    return str(path)


def _to_1password(label: str, secrets: dict[str, str], vault: str, details: dict) -> str:
    op = shutil.which("op")
    if not op:
        raise RuntimeError("the 1Password `op` tool disappeared after the check: the secret was not stored.")
    template = {
        "title": label,
        "category": "API_CREDENTIAL",
        "fields": [
            *[
                {"id": _slug(name), "type": "CONCEALED", "label": name, "value": value}
                for name, value in secrets.items()
            ],
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
    return f"1Password vault {vault!r}, item {_item_id(created.stdout)}"


def _item_id(stdout: str) -> str:
    try:
        return str(json.loads(stdout).get("id") or "?")
    except (ValueError, AttributeError):
        return "?"


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "secret"
