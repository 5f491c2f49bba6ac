"""YAML read strictly: PyYAML's safe loader, refusing duplicate keys and anchors or aliases.

A duplicate key silently keeps the last value (`allow_manual: false` ... `allow_manual: true` loads as
true), so a reviewer of the file reads one thing and the program another; an alias bomb expands a few
lines into billions of values. Both are refused before anything is built from the document.
"""

from __future__ import annotations

from typing import Any

import yaml

NO_ALIASES = (
    "uses a YAML anchor or alias (`&name` / `*name`), which is refused: a few nested aliases can "
    "expand to billions of values. Write every value out in full."
)


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, with a mapping constructor that refuses a key given twice."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} is given twice (duplicate keys are refused)",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def strict_yaml(text: str, *, aliases: bool = False) -> Any:
    """The document's value; raises ValueError (aliases) or yaml.YAMLError (duplicate keys, syntax).

    Events are read lazily first, so an alias bomb stops at its first anchor (in microseconds).
    `aliases=True` allows them, for the project's own files (the demo plan repeats parameter sets).
    """
    for event in [] if aliases else yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ValueError(NO_ALIASES)
    return yaml.load(text, Loader=_StrictLoader)
