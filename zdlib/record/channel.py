"""The runner's side channels to the kernel: every `ZDLIB_*` variable they use, named once.

The runner builds a `Channel` for a headless run and hands it to the kernel with `as_env()`; the kit reads
it back with `Channel.from_env()`. A JupyterLab kernel (no runner) has no record stem: it is not headless.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

RECORDS_VARIABLE = "ZDLIB_RECORDS_DIR"  # the records folder; set by the runner and by `zdlib lab`
RECORD_STEM_VARIABLE = "ZDLIB_RECORD_STEM"  # the record to be, without suffix: set for a headless run only
RUN_SECRETS_VARIABLE = "ZDLIB_RUN_SECRETS"  # the stage's secrets file, where the kit registers new secrets
HANDOFF_VARIABLE = "ZDLIB_HANDOFF_DIR"  # where new secrets are handed off (a private folder)
SANDBOX_HANDOFF_VARIABLE = "ZDLIB_SANDBOX_HANDOFF_DIR"  # where a rehearsal's secrets go (never the real one)
PROGRESS_VARIABLE = "ZDLIB_PROGRESS_FILE"  # progress lines for the runner's terminal (never the record)
OPERATOR_CWD_VARIABLE = "ZDLIB_OPERATOR_CWD"  # where the operator typed `zdlib run` (relative paths)
FRESH_SANDBOX_VARIABLE = "ZDLIB_FRESH_SANDBOX"  # "1": `--sandbox`, a sandbox started for this run only
GROUP_READABLE_VARIABLE = "ZDLIB_RECORDS_GROUP_READABLE"  # records readable by the operator's group
DEFAULT_HANDOFF_DIR = Path("~/.zdlib/handoff")
#: A run on the proven sandbox hands off here: a rehearsal never writes into the operator's real folder,
#: and never into the records folder (records must hold no secret, sandbox ones included).
DEFAULT_SANDBOX_HANDOFF_DIR = Path("~/.zdlib/sandbox-handoff")

#: The variables that make a kernel a headless run's: a JupyterLab kernel must never inherit them.
RUNNER_ONLY = (
    RECORD_STEM_VARIABLE,
    RUN_SECRETS_VARIABLE,
    PROGRESS_VARIABLE,
    OPERATOR_CWD_VARIABLE,
    FRESH_SANDBOX_VARIABLE,
)


@dataclass(frozen=True)
class Channel:
    """What the runner tells the kit: where the record goes, where secrets are reported, where they go."""

    record_stem: Path | None = None
    secrets_file: Path | None = None
    records_dir: Path | None = None
    handoff_dir: Path = DEFAULT_HANDOFF_DIR
    sandbox_handoff_dir: Path = DEFAULT_SANDBOX_HANDOFF_DIR
    progress_file: Path | None = None
    operator_cwd: Path | None = None
    fresh_sandbox: bool = False  # the instance is a sandbox started for this run, gone when it ends

    @property
    def headless(self) -> bool:
        """True when the runner (papermill) executes the notebook: no one is watching widgets."""
        return self.record_stem is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Channel:
        """The channel as the kernel sees it (the kit's side)."""
        env = os.environ if environ is None else environ

        def path(name: str) -> Path | None:
            value = env.get(name)
            return Path(value) if value else None

        return cls(
            record_stem=path(RECORD_STEM_VARIABLE),
            secrets_file=path(RUN_SECRETS_VARIABLE),
            records_dir=path(RECORDS_VARIABLE),
            handoff_dir=handoff_from(env),
            sandbox_handoff_dir=sandbox_handoff_from(env),
            progress_file=path(PROGRESS_VARIABLE),
            operator_cwd=path(OPERATOR_CWD_VARIABLE),
            fresh_sandbox=env.get(FRESH_SANDBOX_VARIABLE) == "1",
        )

    def as_env(self) -> dict[str, str]:
        """The variables for the kernel's environment (the runner's side); unset fields are left out."""
        values = {
            RECORD_STEM_VARIABLE: self.record_stem,
            RUN_SECRETS_VARIABLE: self.secrets_file,
            RECORDS_VARIABLE: self.records_dir,
            HANDOFF_VARIABLE: self.handoff_dir.expanduser(),
            SANDBOX_HANDOFF_VARIABLE: self.sandbox_handoff_dir.expanduser(),
            PROGRESS_VARIABLE: self.progress_file,
            OPERATOR_CWD_VARIABLE: self.operator_cwd,
            FRESH_SANDBOX_VARIABLE: "1" if self.fresh_sandbox else None,
        }
        return {name: str(value) for name, value in values.items() if value is not None}


def handoff_from(environ: Mapping[str, str]) -> Path:
    """The hand-off folder a run's kernel gets: the operator's `ZDLIB_HANDOFF_DIR`, else the default."""
    return Path(environ.get(HANDOFF_VARIABLE) or DEFAULT_HANDOFF_DIR).expanduser()


def sandbox_handoff_from(environ: Mapping[str, str]) -> Path:
    """The rehearsals' hand-off folder: `ZDLIB_SANDBOX_HANDOFF_DIR`, else `~/.zdlib/sandbox-handoff`."""
    return Path(environ.get(SANDBOX_HANDOFF_VARIABLE) or DEFAULT_SANDBOX_HANDOFF_DIR).expanduser()
