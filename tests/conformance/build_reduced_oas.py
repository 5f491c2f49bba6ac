"""Rebuild `data/zendesk_oas_reduced.json` from Zendesk's official OpenAPI document (not run by the tests).

    .venv/bin/python -m tests.conformance.build_reduced_oas path/to/ticketing-2026-05.yaml

Keeps, verbatim, the operations the sandbox implements (OPERATIONS, one line each) with the components
they reference, and records where the document came from and what was cut under `info.x-provenance`.
Nothing is patched here: the document's flaws are handled in `oas_patches.py`, at load time, visibly.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUTPUT = Path(__file__).parent / "data" / "zendesk_oas_reduced.json"
SOURCE = {
    "file": "ticketing-2026-05.yaml (Zendesk Support API, OpenAPI 3.0.3, 605 operations)",
    "vendored_by": "pbu-projects/z4j src/main/resources/Ticketing.yaml"
    " @ 3e268b8af5d50b8cdd7e3fce388fdb43c626d6ea",
    "reduced_on": "2026-12-02",
}
OPERATIONS = (  # (method, path in the document): every Zendesk route zdlib.sandbox serves
    ("get", "/api/v2/users"),
    ("get", "/api/v2/users/me"),
    ("get", "/api/v2/users/search"),
    ("get", "/api/v2/users/show_many"),
    ("get", "/api/v2/users/count"),
    ("get", "/api/v2/users/{user_id}"),
    ("put", "/api/v2/users/{user_id}"),
    ("get", "/api/v2/incremental/users"),
    ("get", "/api/v2/incremental/users/cursor"),
    ("get", "/api/v2/automations"),
    ("post", "/api/v2/automations"),
    ("get", "/api/v2/automations/active"),
    ("get", "/api/v2/automations/search"),
    ("put", "/api/v2/automations/update_many"),
    ("delete", "/api/v2/automations/destroy_many"),
    ("get", "/api/v2/automations/{automation_id}"),
    ("put", "/api/v2/automations/{automation_id}"),
    ("delete", "/api/v2/automations/{automation_id}"),
    ("get", "/api/v2/oauth/clients"),
    ("get", "/api/v2/users/me/oauth/clients"),
    ("post", "/api/v2/oauth/clients"),
    ("get", "/api/v2/oauth/clients/{oauth_client_id}"),
    ("put", "/api/v2/oauth/clients/{oauth_client_id}"),
    ("delete", "/api/v2/oauth/clients/{oauth_client_id}"),
    ("put", "/api/v2/oauth/clients/{oauth_client_id}/generate_secret"),
    ("get", "/api/v2/oauth/tokens"),
    ("post", "/api/v2/oauth/tokens"),
    ("get", "/api/v2/oauth/tokens/current"),
    ("delete", "/api/v2/oauth/tokens/current"),
    ("get", "/api/v2/oauth/tokens/{oauth_token_id}"),
    ("delete", "/api/v2/oauth/tokens/{oauth_token_id}"),
    ("post", "/oauth/tokens"),
    ("get", "/api/v2/audit_logs"),
    ("get", "/api/v2/audit_logs/{audit_log_id}"),
    ("get", "/api/v2/custom_roles"),
    ("get", "/api/v2/search/count"),
    ("get", "/api/v2/search/export"),
)
CUT = [
    "every other path and operation of the document",
    "components not referenced (transitively) by the kept operations",
    "`examples` of request bodies and responses, and the components/examples section (size)",
    "the `multipart/form-data` alternative of UpdateUser's request body (the sandbox reads JSON only)",
]


def _load(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_scalar)  # bare `=` scalars
    return yaml.load(path.read_text(), Loader=loader)  # a safe loader


def _strip_examples(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_examples(v) for k, v in node.items() if k != "examples"}
    if isinstance(node, list):
        return [_strip_examples(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def reduce(document: dict[str, Any], sha256: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, path in OPERATIONS:
        item = document["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k == "parameters"})
        operation = _strip_examples(item[method])
        body = operation.get("requestBody", {}).get("content", {})
        body.pop("multipart/form-data", None)
        kept[method] = operation
    components: dict[str, dict[str, Any]] = {"securitySchemes": document["components"]["securitySchemes"]}
    pending, seen = _refs(paths), set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        if section == "examples":
            continue
        value = _strip_examples(document["components"][section][name])
        components.setdefault(section, {})[name] = value
        pending |= _refs(value)
    info = dict(document["info"])
    info["x-provenance"] = {**SOURCE, "sha256": sha256, "operations_kept": len(OPERATIONS), "cut": CUT}
    return {
        "openapi": document["openapi"],
        "info": info,
        "security": document.get("security", []),
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    source = Path(argv[0])
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    reduced = reduce(_load(source), sha256)
    OUTPUT.write_text(json.dumps(reduced, indent=1, sort_keys=False) + "\n")
    kept = sum(map(len, reduced["components"].values()))
    print(f"wrote {OUTPUT} ({len(OPERATIONS)} operations, {kept} components)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
