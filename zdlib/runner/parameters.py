"""Parameters: read the notebook's `parameters` cell, then check and coerce what the operator gave.

Papermill only warns about unknown names and never checks types (reference notebooks.md 1.2-1.3), so
the runner does it before anything executes.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import papermill
import yaml

from zdlib.yamlfile import strict_yaml


class ParameterError(ValueError):
    """The parameters cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class Declared:
    """One assignment of the `parameters` cell."""

    name: str
    type_name: str  # int, float, bool, str, list, dict, or "" when unknown
    optional: bool  # `int | None` / `Optional[int]`: None is accepted
    default: Any
    default_source: str
    help: str

    @property
    def required(self) -> bool:
        return self.help.strip().lower().startswith("required")


SIMPLE_TYPES = ("int", "float", "bool", "str", "list", "dict")
UNSET = object()


def declared_parameters(notebook: Path) -> dict[str, Declared]:
    """The notebook's parameters, with types from annotations (or from the default's literal)."""
    declared = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        default = _literal(info["default"])
        type_name, optional = _simple_type(info["inferred_type_name"], default)
        declared[name] = Declared(
            name, type_name, optional, default, info["default"], (info.get("help") or "").strip()
        )
    return declared


def _literal(source: str) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return UNSET


def _simple_type(annotation: str, default: Any) -> tuple[str, bool]:
    """`int` -> ('int', False); `Optional[str]` / `str | None` -> ('str', True); unknown -> from default."""
    text = (annotation or "").replace(" ", "")
    optional = False
    match = re.fullmatch(r"(?:typing\.)?Optional\[(.+)\]", text)
    if match:
        text, optional = match.group(1), True
    parts = [part for part in text.split("|") if part]
    if "None" in parts:
        optional = True
        parts = [part for part in parts if part != "None"]
    if len(parts) == 1:
        base = re.sub(r"\[.*\]$", "", parts[0]).removeprefix("typing.").lower()
        if base in SIMPLE_TYPES:
            return base, optional
        if annotation and annotation != "None":
            return "", optional
    if default is None:
        return "", True
    for kind in (bool, int, float, str, list, dict):  # bool before int: True is an int too
        if isinstance(default, kind):
            return kind.__name__, optional
    return "", optional


def load_parameter_file(path: Path) -> dict[str, Any]:
    """A YAML (or JSON) mapping of parameter names to values (no anchors or aliases)."""
    try:
        loaded = strict_yaml(path.read_text())
    except ValueError as exc:
        raise ParameterError(f"the parameter file {path} {exc}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"cannot read the parameter file {path}: {exc}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError(f"the parameter file {path} must hold a mapping of names to values")
    return {str(key): value for key, value in loaded.items()}


def validate(given: Mapping[str, Any], declared: Mapping[str, Declared]) -> dict[str, Any]:
    """Coerced parameters, or ParameterError naming every unknown, mistyped or missing one."""
    problems: list[str] = []
    coerced: dict[str, Any] = {}
    for name, value in given.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(f"unknown parameter {name!r} (this runbook takes: {known})")
            continue
        try:
            coerced[name] = coerce(value, declared[name])
            check_number(name, coerced[name])
        except ValueError as exc:
            problems.append(f"parameter {name!r}: {exc}")
    for name, spec in declared.items():
        if not spec.required or (name in given and name not in coerced):
            continue  # optional, or already reported as mistyped
        if _missing(coerced.get(name, UNSET), spec):
            problems.append(f"missing required parameter {name!r} ({spec.help})")
    if problems:
        raise ParameterError("\n".join(problems))
    return coerced


def _missing(value: Any, spec: Declared) -> bool:
    """A `required` parameter must be given, and not as None or an empty string.

    A given value equal to the default counts (notebooks may default to a demo object, e.g. the
    sandbox's automation 12345); the point is that the operator names the target explicitly.
    """
    return value is UNSET or value is None or value == ""


def coerce(value: Any, spec: Declared) -> Any:
    """The value as the declared type; strings (from `-p`) are parsed, other values must already fit."""
    kind = spec.type_name
    if value is None or (isinstance(value, str) and value == "None" and kind != "str"):
        if spec.optional or not kind:
            return None
        raise ValueError(f"expected {kind}, got None")
    if not kind:
        return value
    if isinstance(value, str):
        return _parse_string(value, kind)
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "str" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if kind == "list" and isinstance(value, list | tuple):
        return list(value)
    if kind == "dict" and isinstance(value, dict):
        return dict(value)
    raise ValueError(f"expected {kind}, got {type(value).__name__} {value!r}")


def is_id_name(name: str) -> bool:
    """`automation_id`, `client_id`, `ids`, `userId`: a parameter that names Zendesk objects by id."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().split("_")
    return words[-1] in ("id", "ids")


def check_number(name: str, value: Any) -> None:
    """Ids are positive (Zendesk ids start at 1) and counts are never negative; lists of ids too."""
    items = value if isinstance(value, list) and is_id_name(name) else [value]
    for item in items:
        if not isinstance(item, int) or isinstance(item, bool):
            continue
        if is_id_name(name) and item <= 0:
            raise ValueError(
                f"an id is a positive whole number (Zendesk ids start at 1), got {item}. Pass the object's "
                "id as shown in Admin Center, or leave the parameter out."
            )
        if item < 0:
            raise ValueError(f"a count cannot be negative, got {item}. Pass 0 or more.")


ASCII_INTEGER = re.compile(r"[0-9]+")
TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}


def _parse_string(text: str, kind: str) -> Any:
    if kind == "str":
        return text
    if kind == "bool":
        if text.strip().lower() in TRUE_WORDS:
            return True
        if text.strip().lower() in FALSE_WORDS:
            return False
        raise ValueError(f"expected a bool (True/False), got {text!r}")
    if kind == "int":
        # int() also takes "-1", "12_345", " 7 " and other scripts' digits ("١٢٣"): only ASCII digits here
        if not ASCII_INTEGER.fullmatch(text.strip()):
            raise ValueError(
                f"expected an int, got {text!r}: write a whole number with the digits 0-9 only (no sign, "
                "separators or other scripts' digits)"
            )
        return int(text.strip())
    if kind == "float":
        try:
            return float(text.strip())
        except ValueError:
            raise ValueError(f"expected a float, got {text!r}") from None
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise ValueError(f"the {kind} is nested too deeply to be a parameter") from None
    except json.JSONDecodeError:
        try:
            parsed = strict_yaml(text)
        except yaml.YAMLError:
            parsed = None
    wanted = list if kind == "list" else dict
    if not isinstance(parsed, wanted):
        raise ValueError(f"expected a {kind} (JSON or YAML), got {text!r}")
    return parsed
