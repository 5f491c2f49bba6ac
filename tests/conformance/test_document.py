"""The reduced document is what it says: provenance, the sandbox's routes, patches that only add."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conformance.build_reduced_oas import OPERATIONS
from tests.conformance.oas_patches import NULLABLE, patched
from zdlib.sandbox import api_audit, api_automations, api_oauth, api_search, api_users

DOCUMENT = json.loads((Path(__file__).parent / "data" / "zendesk_oas_reduced.json").read_text())


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_provenance_is_recorded():
    provenance = DOCUMENT["info"]["x-provenance"]
    assert provenance["sha256"] == "258334ecfff485f4e1369cfc0bb9c4396706666015c3de7fed706c40115508f8"
    assert provenance["reduced_on"] == "2026-12-02" and provenance["cut"]
    assert provenance["operations_kept"] == len(OPERATIONS) == 37


def test_every_zendesk_route_of_the_sandbox_is_checked():
    """A new sandbox route must be added to build_reduced_oas.OPERATIONS (or be invented surface)."""
    served = {
        (method.lower(), _shape(route.path))
        for module in (api_users, api_search, api_automations, api_oauth, api_audit)
        for route in module.routes()
        for method in route.methods - {"HEAD"}
    }
    documented = {(m, _shape(p)) for p, item in DOCUMENT["paths"].items() for m in item if m != "parameters"}
    current = {("get", "/api/v2/oauth/tokens/current"), ("delete", "/api/v2/oauth/tokens/current")}
    assert served == documented - current  # `current` is served by the {token_id} routes


def test_patches_only_add_to_the_document():
    fixed = patched(DOCUMENT)
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                assert fixed["paths"][path][method]["responses"][code] == response
    for name, schema in DOCUMENT["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            changed = fixed["components"]["schemas"][name]["properties"][field]
            if changed != spec:
                assert field in NULLABLE[name] and changed == {**spec, "nullable": True}
