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
GROUP_READABLE_VARIABLE = "ZDLIB_RECORDS_GROUP_READABLE"  # records readable by the operator's group
DEFAULT_HANDOFF_DIR = Path("~/.zdlib/handoff")

#: The variables that make a kernel a headless run's: a JupyterLab kernel must never inherit them.
RUNNER_ONLY = (RECORD_STEM_VARIABLE, RUN_SECRETS_VARIABLE)


@dataclass(frozen=True)
class Channel:
    """What the runner tells the kit: where the record goes, where secrets are reported, where they go."""

    record_stem: Path | None = None
    secrets_file: Path | None = None
    records_dir: Path | None = None
    handoff_dir: Path = DEFAULT_HANDOFF_DIR

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
        )

    def as_env(self) -> dict[str, str]:
        """The variables for the kernel's environment (the runner's side); unset fields are left out."""
        values = {
            RECORD_STEM_VARIABLE: self.record_stem,
            RUN_SECRETS_VARIABLE: self.secrets_file,
            RECORDS_VARIABLE: self.records_dir,
            HANDOFF_VARIABLE: self.handoff_dir.expanduser(),
        }
        return {name: str(value) for name, value in values.items() if value is not None}


def handoff_from(environ: Mapping[str, str]) -> Path:
    """The hand-off folder a run's kernel gets: the operator's `ZDLIB_HANDOFF_DIR`, else the default."""
    return Path(environ.get(HANDOFF_VARIABLE) or DEFAULT_HANDOFF_DIR).expanduser()
