"""Zenpy (a real client no one here wrote) against the sandbox, pointed at loopback as peers.md 7.2 says."""

from __future__ import annotations

import pytest
from zenpy import Zenpy

from tests.sandbox.support import client
from zdlib.sandbox.server import SandboxServer


@pytest.fixture
def zenpy_client(fresh_sandbox: SandboxServer, monkeypatch):
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", fresh_sandbox.url.split("://", 1)[1])
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    env = fresh_sandbox.env
    return Zenpy(subdomain="sandbox", email=env["ZENDESK_EMAIL"], token=env["ZENDESK_API_TOKEN"])


def test_zenpy_lists_every_user(fresh_sandbox, zenpy_client):
    ids = [user.id for user in zenpy_client.users()]
    assert len(ids) == len(set(ids)) == fresh_sandbox.options.users


def test_zenpy_updates_an_automation(fresh_sandbox, zenpy_client):
    automation = zenpy_client.automations(id=12345)
    automation.active = False
    zenpy_client.automations.update(automation)
    with client(fresh_sandbox) as http:
        assert http.get("/api/v2/automations/12345").json()["automation"]["active"] is False
        audit = http.get(
            "/api/v2/audit_logs", params={"filter[source_id]": 12345, "filter[source_type]": "rule"}
        )
    assert audit.json()["audit_logs"][0]["change_description"] == "Deactivated"


def test_zenpy_over_tls_with_the_default_https_path(monkeypatch):
    with SandboxServer(tls=True, users=150) as secure:
        monkeypatch.setenv("ZENPY_FORCE_NETLOC", secure.url.split("://", 1)[1])
        monkeypatch.delenv("ZENPY_FORCE_SCHEME", raising=False)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", secure.ca_file)
        env = secure.env
        zenpy = Zenpy(subdomain="sandbox", email=env["ZENDESK_EMAIL"], oauth_token=env["ZENDESK_OAUTH_TOKEN"])
        assert len({user.id for user in zenpy.users()}) == 150
        assert secure.control.stats()["by_status"] == {"200": 2}
