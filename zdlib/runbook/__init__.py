"""The runbook kit: what every notebook calls, so each notebook reads like the procedure it replaces.

It runs in the kernel and may load IPython and pandas freely: the runner never imports it (they share
`zdlib.record`). Notebooks import it as `from zdlib import runbook as rb`.

| module        | what it does                                                                              |
|---------------|-------------------------------------------------------------------------------------------|
| `run`         | `start_run` and `Run`: identity, header, gates, plan, snapshot, apply, verify, finish     |
| `changes`     | `Change`: one planned write and where it stands                                           |
| `approval`    | the approval gate over `zdlib.approval` (GitLab evidence, the policy)                     |
| `display`     | notes, warnings, tables, charts and progress in the record                                |
| `summary`     | shows the run's summary and checkpoints (the runner reads them: `zdlib.record.summary`)   |
| `files`       | side files, checkpoints, and the secrets the runner must scan for                         |
| `handoff`     | new secrets to a one-time destination; records keep fingerprints                          |
| `manual`      | a step only Admin Center can do: shown, recorded `waiting`, verified by a later run       |
| `progress_lines` | a headless run's progress for the terminal (pages, counts, rate-limit waits)           |
| `interactive` | a JupyterLab kernel's run, staged and published like a headless one                       |
| `plans/`      | the credential procedures (issue, revoke, integration) as plans                           |
| `views`, `census`, `requests`, `credentials`, `issuing`, `snapshots` | helpers per subject            |
| `errors`      | `Refused`, `Failed`: how a run stops                                                       |
"""

from zdlib._imports import skip_slow_optional_imports

skip_slow_optional_imports()  # before the imports below load nbformat (interactive runs)

from zdlib.record.summary import SUMMARY_MIME  # noqa: E402
from zdlib.runbook.approval import Approval, approval_problems  # noqa: E402
from zdlib.runbook.changes import Change  # noqa: E402
from zdlib.runbook.display import bar_chart, code_block, note, progress, table, warn  # noqa: E402
from zdlib.runbook.errors import Failed, Refused, RunbookStop  # noqa: E402
from zdlib.runbook.handoff import HandOff, hand_off  # noqa: E402
from zdlib.runbook.run import Run, start_run  # noqa: E402

__all__ = [
    "SUMMARY_MIME",
    "Approval",
    "Change",
    "Failed",
    "HandOff",
    "Refused",
    "Run",
    "RunbookStop",
    "approval_problems",
    "bar_chart",
    "code_block",
    "hand_off",
    "note",
    "progress",
    "start_run",
    "table",
    "warn",
]
