"""The kernel's environment: which instance it talks to, and the runner's side channels.

The kernel is launched with an environment of its own (the runner's, with these overrides), so the
runner's `os.environ` is never changed and runs in threads of one process do not see each other's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dotenv import dotenv_values

from zdlib.schemes import PREFERENCE, scheme_of

AUTH_KIND_BY_VARIABLE = tuple((scheme_of(kind).secret_variable, kind.value) for kind in PREFERENCE)


def instance_overrides(instance_env: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str | None]:
    """Replace every inherited `ZENDESK_*` variable by the given instance's (None removes a variable).

    The kit reads settings with the environment winning over `.env`, but a `.env` credential the instance
    env does not mention would still be picked up; so `.env` loading is switched off for the kernel
    (`PYTHON_DOTENV_DISABLED`) and `ZENDESK_AUTH` names the credential kind the instance env carries.
    """
    overrides: dict[str, str | None] = {name: None for name in environ if name.startswith("ZENDESK_")}
    overrides.update(instance_env)
    overrides["PYTHON_DOTENV_DISABLED"] = "1"
    if "ZENDESK_AUTH" not in instance_env:
        kind = next((k for var, k in AUTH_KIND_BY_VARIABLE if instance_env.get(var)), None)
        if kind:
            overrides["ZENDESK_AUTH"] = kind
    return overrides


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of a dotenv file (e.g. `.env.sandbox` from `zdlib lab`)."""
    if not path.is_file():
        raise FileNotFoundError(f"env file {path} does not exist")
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def with_overrides(environ: Mapping[str, str], overrides: Mapping[str, str | None]) -> dict[str, str]:
    """A copy of `environ` with `overrides` set (None removes a variable): the kernel's environment."""
    merged = dict(environ)
    for name, value in overrides.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


@contextmanager
def sandbox_instance(**options: object) -> Iterator[dict[str, str]]:
    """An ephemeral in-process sandbox; yields its `ZENDESK_*` environment."""
    try:
        from zdlib.sandbox.server import SandboxServer
    except ImportError as exc:
        raise RuntimeError(f"the sandbox is not available in this install ({exc})") from exc
    with SandboxServer(**options) as sandbox:
        yield dict(sandbox.env)
