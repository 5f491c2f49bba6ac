"""Where runbooks are: a notebook named or given by path, and the `notebooks/` folders searched."""

from __future__ import annotations

from pathlib import Path

from zdlib.record.layout import PACKAGE_REPO_ROOT


class RunbookNotFound(LookupError):
    """The runbook name or path does not lead to a notebook."""


def notebook_folders(cwd: Path | None = None) -> list[Path]:
    """`notebooks/` under the current directory first, then under the package's repo root."""
    here = (cwd or Path.cwd()).resolve()
    folders = [here / "notebooks", PACKAGE_REPO_ROOT / "notebooks"]
    return [folder for i, folder in enumerate(folders) if folder.is_dir() and folder not in folders[:i]]


def resolve_runbook(runbook: str | Path, cwd: Path | None = None) -> Path:
    """A path to an existing notebook, or a name looked up as `notebooks/<name>.ipynb`."""
    candidate = Path(runbook).expanduser()
    if candidate.suffix == ".ipynb" or len(candidate.parts) > 1:
        path = candidate if candidate.is_absolute() else (cwd or Path.cwd()) / candidate
        if path.is_file():
            return path.resolve()
        raise RunbookNotFound(f"runbook notebook {runbook} does not exist")
    folders = notebook_folders(cwd)
    for folder in folders:
        path = folder / f"{runbook}.ipynb"
        if path.is_file():
            return path.resolve()
    available = sorted({p.stem for folder in folders for p in folder.glob("*.ipynb")})
    where = ", ".join(str(f) for f in folders) or "no notebooks/ folder found"
    raise RunbookNotFound(
        f"no runbook named {runbook!r} in {where}. Available: {', '.join(available) or 'none'}"
    )
