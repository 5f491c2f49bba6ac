"""What a run leaves, and how the kit and the runner find it: the record format, as plain data.

The kit (`zdlib.runbook`, in the kernel) writes a run's summary, checkpoints and side files; the runner
(`zdlib.runner`) stages, scans, publishes and indexes them. Both read this package and nothing of each other.
It imports only the standard library and zdlib's top level: no IPython, pandas or papermill.

| module    | what it holds                                                                         |
|-----------|---------------------------------------------------------------------------------------|
| `outcome` | `Outcome` (how a run ended, its exit code), `ChangeStatus` (one change's state and    |
|           | its moves), `Mode` (read-only, dry run, apply), `never_sent`                          |
| `channel` | `Channel`: the runner's side channels to the kernel; every `ZDLIB_*` name, once       |
| `layout`  | the records folder (`records_home`, the one finder), names, file modes, the index     |
| `stage`   | `records/.staging/<name>/`: reserve a name, own it (flock), orphans, publish lock      |
| `summary` | `SUMMARY_MIME`, the checkpoint side file, the summary's Markdown, `read_summary`      |
| `markup`  | values into Markdown safely (`md`, `code`, `bullets`); `soft_breaks`; `plain` text    |
| `delivery`| `Delivery`: where a credential went (never the secret), for the terminal and banner  |

A published record is `records/<UTC>_<runbook>_<target>.ipynb` + `.html` + side files `<name>.<suffix>`,
read-only, with one line per run in `records/index.jsonl` (hash-chained); see docs/architecture.md.
"""

from zdlib.record.channel import (
    GROUP_READABLE_VARIABLE,
    HANDOFF_VARIABLE,
    RECORD_STEM_VARIABLE,
    RECORDS_VARIABLE,
    RUN_SECRETS_VARIABLE,
    Channel,
)
from zdlib.record.layout import (
    INDEX_NAME,
    MAX_TARGET_CHARS,
    STAGING_DIR,
    ensure_records_dir,
    folder_mode,
    group_readable,
    index_mode,
    read_index,
    record_mode,
    record_name,
    records_home,
    repository_of,
    repository_of_notebook,
    runbook_records,
    slugify,
    target_slug,
    utc_stamp,
    write_private,
)
from zdlib.record.outcome import EXIT_USAGE, EXIT_WAITING, ChangeStatus, Mode, Outcome, never_sent, outcome_of
from zdlib.record.stage import (
    Stage,
    StageMode,
    list_stages,
    orphaned_stages,
    owned_here,
    owner_alive,
    publishing,
    release,
    reserve,
)
from zdlib.record.summary import (
    CHECKPOINT_SUFFIX,
    SUMMARY_MIME,
    is_checkpoint,
    read_summary,
    summary_markdown,
)

__all__ = [
    "CHECKPOINT_SUFFIX",
    "EXIT_USAGE",
    "EXIT_WAITING",
    "GROUP_READABLE_VARIABLE",
    "HANDOFF_VARIABLE",
    "INDEX_NAME",
    "MAX_TARGET_CHARS",
    "RECORDS_VARIABLE",
    "RECORD_STEM_VARIABLE",
    "RUN_SECRETS_VARIABLE",
    "STAGING_DIR",
    "SUMMARY_MIME",
    "ChangeStatus",
    "Channel",
    "Mode",
    "Outcome",
    "Stage",
    "StageMode",
    "ensure_records_dir",
    "folder_mode",
    "group_readable",
    "index_mode",
    "is_checkpoint",
    "list_stages",
    "never_sent",
    "orphaned_stages",
    "outcome_of",
    "owned_here",
    "owner_alive",
    "publishing",
    "read_index",
    "read_summary",
    "record_mode",
    "record_name",
    "records_home",
    "release",
    "repository_of",
    "repository_of_notebook",
    "reserve",
    "runbook_records",
    "slugify",
    "summary_markdown",
    "target_slug",
    "utc_stamp",
    "write_private",
]
