"""The runner: executes runbook notebooks with papermill and keeps scanned, indexed records.

It never imports the kit (`zdlib.runbook`); both read the record format in `zdlib.record`.

| module          | what it does                                                                       |
|-----------------|------------------------------------------------------------------------------------|
| `run`           | the pipeline as named stages: prepare, recover, stage, kernel, execute, publish    |
| `parameters`    | the notebook's declared parameters, and checking what the operator gave            |
| `guard`         | refuses parameters that hold a configured credential                               |
| `credentials`   | the configured secrets (and their encodings) every record is scanned for           |
| `environment`   | the kernel's environment: the instance's settings, env files                       |
| `kernel`        | the run's own kernel: launched early, asked to exit, killed if it will not         |
| `execute`       | papermill runs the cells on that kernel; `signals`: stop signals become `Stopped`  |
| `progress`      | prints the kernel's progress lines live in the terminal (never into the record)    |
| `guidance`      | after a run: where a credential went; a waiting run's steps and how to go on       |
| `summary`       | the runner's judgement: outcome and reason from the kit's last summary             |
| `publish`       | judge, scan, render, move into `records/`, index; `recover` for orphaned stages   |
| `scan`          | finds and redacts secrets in a staged record                                       |
| `render`, `sanitize`, `banner`, `record_view` | the HTML record                                      |
| `records`, `index_page` | the index: listing, verifying the chain, the index page                    |
| `cli`, `demo`, `lab`, `lab_contents`, `locate`, `orphans` | the commands and what they need         |
"""

from zdlib._imports import skip_slow_optional_imports

skip_slow_optional_imports()  # before nbformat and papermill are imported below

from zdlib.runner.run import RunResult, UsageError, prepare_run, run_runbook  # noqa: E402

__all__ = ["RunResult", "UsageError", "prepare_run", "run_runbook"]
