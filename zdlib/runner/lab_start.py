"""What `zdlib lab` opens on: a start page (the runbook catalogue, linked to the working copies) and
JupyterLab settings that keep it quiet and local.

- `records/interactive/START.md` is written at each start: one line per runbook with a link to its working
  copy, how a run goes in JupyterLab (where the Apply button appears, Admin Center steps and their rehearsal
  on the sandbox, where records go) and a link to runbooks.md. Markdown opens rendered (the setting below).
- The settings are *defaults* (`labconfig/default_setting_overrides.json` in a folder of ours on
  `JUPYTER_CONFIG_PATH`; jupyterlab_server reads it: `settings_utils._get_overrides`): no news prompt
  (`@jupyterlab/apputils-extension:notification` `fetchNews` "false": JupyterLab asks "Would you like to get
  notified about official Jupyter news?" only while it is "none"), and Markdown opens in its preview. A
  person's own JupyterLab settings still win.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from zdlib.record.markup import Markdown, md

START_PAGE = "START.md"
SETTING_DEFAULTS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
}
HOW_A_RUN_GOES = """\
## How a run goes here

1. Open a runbook from the table above (a working copy: your edits stay here; the templates in `notebooks/`
   are read-only).
2. Fill in its parameters cell, then **Run > Run All Cells**. With `dry_run = True` nothing changes: the plan
   is shown and a `planned` record is published into `records/`.
3. To apply: write the access request's URL, `approved_by` and `reviewed_by` in the parameters cell and run
   all again. Once the approval checks out, an **Apply this plan** button appears under the approval gate.
   Press it, then run the cells after it (**Run > Run Selected Cell and All Below**).
4. A step only a person can do in Admin Center (revoke_token for an API token) shows the clicks and a
   **Done in Admin Center** button that checks the result through the API. On the sandbox, which has no Admin
   Center, **Rehearsal: play it on the sandbox** does what the person would do.
5. Every `run.finish()` publishes a record: the list is `records/index.html` (open it in a browser), or
   `zdlib records` in a terminal.
"""


def write_start_page(folder: Path, titles: dict[str, str], runbooks_md: Path | None) -> Path:
    """`folder/START.md`: the catalogue, linked to the working copies in `folder` (rewritten each start)."""
    lines = ["# zdlib runbooks: start here", ""]
    if runbooks_md is not None:
        link = Path(os.path.relpath(runbooks_md, folder)).as_posix()
        lines += [
            md("Each runbook is explained in [runbooks.md]({link:raw}).", link=Markdown(quote(link))),
            "",
        ]
    lines += ["| runbook | what it does |", "|---|---|"]
    lines += [
        md(
            "| [{name}]({file:raw}) | {title} |",
            name=name,
            file=Markdown(quote(f"{name}.ipynb")),
            title=title,
        )
        for name, title in titles.items()
    ]
    page = folder / START_PAGE
    page.write_text("\n".join([*lines, "", HOW_A_RUN_GOES]), encoding="utf-8")
    return page


def quiet_settings_folder() -> Path:
    """A fresh folder holding `labconfig/default_setting_overrides.json`, for `JUPYTER_CONFIG_PATH`."""
    folder = Path(tempfile.mkdtemp(prefix="zdlib-lab-config-"))
    (folder / "labconfig").mkdir()
    overrides = folder / "labconfig" / "default_setting_overrides.json"
    overrides.write_text(json.dumps(SETTING_DEFAULTS, indent=2) + "\n", encoding="utf-8")
    return folder


def with_config_path(env: dict[str, str], folder: Path) -> dict[str, str]:
    """`env` with `folder` first on `JUPYTER_CONFIG_PATH` (the others kept after it)."""
    existing = env.get("JUPYTER_CONFIG_PATH", "")
    return {**env, "JUPYTER_CONFIG_PATH": os.pathsep.join(p for p in (str(folder), existing) if p)}
