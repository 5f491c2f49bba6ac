"""JupyterLab's file access in `zdlib lab`: the committed templates under `notebooks/` are read-only.

`zdlib lab` makes this the server's contents manager, so a save (Ctrl+S, autosave, Save As, a rename, a
delete, a checkpoint) under `notebooks/` is refused with a message saying where to work instead, and
JupyterLab shows those files as read-only. Everything else behaves as JupyterLab's default manager.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError
from traitlets import List, Unicode

WORKING_COPIES = "records/interactive"
REFUSAL = (
    "{path} is a committed runbook template: notebooks/ is read-only in `zdlib lab`, so nothing was "
    "changed there. Run the working copy in " + WORKING_COPIES + "/ instead (it is refreshed from the "
    "template when `zdlib lab` starts; every run there leaves a record in records/)."
)


class TemplateGuard(AsyncLargeFileManager):
    """The default contents manager, except that `read_only_folders` can be read and never changed."""

    read_only_folders = List(
        Unicode(),
        default_value=["notebooks"],
        config=True,
        help="Folders (relative to the server's root) that JupyterLab may read but never change.",
    )

    def guarded(self, path: str) -> bool:
        """True when `path` is a read-only folder or lies inside one."""
        parts = str(path).replace("\\", "/").split("/")
        normalized = "/".join(part for part in parts if part not in ("", "."))
        return any(
            normalized == folder.strip("/") or normalized.startswith(folder.strip("/") + "/")
            for folder in self.read_only_folders
        )

    def _refuse(self, *paths: str) -> None:
        for path in paths:
            if self.guarded(path):
                raise HTTPError(403, REFUSAL.format(path=path.strip("/")))

    def is_writable(self, path: str) -> bool:
        return not self.guarded(path) and super().is_writable(path)

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        self._refuse(path)
        return await super().save(model, path)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        self._refuse(old_path, new_path)
        await super().rename_file(old_path, new_path)

    async def delete_file(self, path: str) -> None:
        self._refuse(path)
        await super().delete_file(path)

    async def create_checkpoint(self, path: str) -> dict[str, Any]:
        self._refuse(path)
        return await super().create_checkpoint(path)

    async def restore_checkpoint(self, checkpoint_id: str, path: str) -> None:
        self._refuse(path)
        await super().restore_checkpoint(checkpoint_id, path)
