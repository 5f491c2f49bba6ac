"""What `zdlib run` says about runbooks: the catalogue (one line each) and one runbook's parameters."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from zdlib.runner.locate import notebook_folders
from zdlib.runner.parameters import declared_parameters


def runbooks() -> dict[str, Path]:
    """Every runbook notebook the runner finds, by name (the first folder wins, as for `zdlib run`)."""
    found: dict[str, Path] = {}
    for folder in notebook_folders():
        for path in sorted(folder.glob("*.ipynb")):
            found.setdefault(path.stem, path)
    return found


def title_of(notebook: Path) -> str:
    """The notebook's first Markdown heading ("" when it has none)."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").strip()
    return ""


def catalogue() -> str:
    """`zdlib run` without a name: each runbook with its title, then how to learn more."""
    found = runbooks()
    if not found:
        return "No runbooks found (no notebooks/ folder here or beside the zdlib package)."
    width = max(len(name) for name in found)
    lines = ["Runbooks (zdlib run NAME -p PARAMETER VALUE ...; add --sandbox to rehearse):", ""]
    lines += [f"  {name:<{width}}  {title_of(path)}" for name, path in found.items()]
    lines += ["", "zdlib run NAME --help lists a runbook's parameters; runbooks.md explains each runbook."]
    return "\n".join(lines)


def parameter_help(notebook: Path) -> str:
    """One runbook's parameters from its parameters cell: name, type, default and meaning."""
    declared = declared_parameters(notebook)
    title = title_of(notebook)
    lines = [f"{notebook.stem}: {title}" if title else notebook.stem, "", "parameters (-p NAME VALUE):"]
    width = max((len(name) for name in declared), default=0)
    for spec in declared.values():
        kind = (spec.type_name or "any") + (" or None" if spec.optional and spec.type_name else "")
        default = "required" if spec.required else f"default {spec.default_source}"
        meaning = spec.help.removeprefix("required:").removeprefix("required").strip(" :") or "-"
        head = f"  {spec.name:<{width}}  {kind}, {default}"
        lines.append(head)
        lines += textwrap.wrap(
            meaning, width=100, initial_indent=" " * (width + 4), subsequent_indent=" " * (width + 4)
        )
    return "\n".join(lines)
