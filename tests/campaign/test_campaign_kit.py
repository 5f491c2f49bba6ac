"""The campaign's evidence from the records index (`zdlib.campaign.sources`) and the kit's gathering, report,
burn-down and OAuth-deadline views (`zdlib.runbook.campaign`), on realistic index lines and API entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from zdlib.campaign import report as campaign_report
from zdlib.campaign import sources
from zdlib.campaign.evidence import AccessRequest, Policy, RecordLine
from zdlib.record.layout import sha256_file
from zdlib.runbook import campaign as cp

AR = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/102"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def line(
    runbook: str, outcome: str, parameters: dict, changes: list[dict], name: str = "", at: str = ""
) -> dict:
    return {
        "name": name or f"20261201T100000Z_{runbook}",
        "runbook": runbook,
        "outcome": outcome,
        "parameters": parameters,
        "changes": changes,
        "finished_at": at or "2026-12-01T10:00:05Z",
        "instance": "http://127.0.0.1:8080",
    }


def client_change(client_id, status: str = "verified") -> dict:
    return {
        "object": "oauth_client",
        "id": client_id,
        "field": "description",
        "before": None,
        "after": AR,
        "status": status,
    }


def token_change(token_id: int, status: str) -> dict:
    return {
        "object": "api_token",
        "id": token_id,
        "field": "active",
        "before": True,
        "after": False,
        "status": status,
    }


LINES = [
    line("create_token", "planned", {"replaces_api_token": 2}, [client_change("(new)", "planned")], "dry"),
    line("create_token", "applied", {"replaces_api_token": 2}, [client_change(100001)], "issued"),
    line("create_token", "applied", {}, [client_change(100002)], "unrelated"),
    line("revoke_token", "waiting", {"token_id": 2}, [token_change(2, "waiting")], "waiting"),
    line(
        "revoke_token",
        "applied",
        {"token_id": 2},
        [token_change(2, "verified")],
        "verified",
        "2026-12-02T09:00:00Z",
    ),
]


def test_the_index_proves_the_issue_and_the_verified_deactivation_only() -> None:
    issued = sources.issued(LINES, 2)
    assert issued is not None and (issued.record, issued.client_id) == ("issued", 100001)
    assert sources.issued(LINES, 3) is None  # the unrelated client replaces nothing
    deactivated = sources.deactivation(LINES, 2)
    assert deactivated == RecordLine("verified", datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert sources.deactivation(LINES[:4], 2) is None  # waiting for Admin Center proves nothing
    assert sources.replaced_token({"parameters": {"replaces_api_token": "x"}}) is None


def test_soak_exceptions_parse_or_refuse_with_the_form_to_use() -> None:
    assert cp.soak_by_token(" 3:35, 8:14 ") == {3: timedelta(days=35), 8: timedelta(days=14)}
    assert cp.soak_by_token("") == {}
    with pytest.raises(cp.CampaignError, match="'API token id:days'"):
        cp.soak_by_token("3=35")


def test_the_access_request_is_found_in_a_description() -> None:
    assert cp.request_url_in(f"Reporting export {AR}.") == AR
    assert cp.request_url_in("Zapier test token") is None


class Requests:
    """GitLab as the campaign reads it: token 2's access request resolves; nothing else does."""

    def access_request(self, url: str, now: datetime) -> AccessRequest | None:
        return AccessRequest(url, "bob.builder", now) if url == AR else None

    def reminders(self, url: str) -> tuple[RecordLine, ...]:
        return ()

    def acknowledged_owners(self, campaign_issue_url: str) -> dict[int, AccessRequest]:
        return {3: AccessRequest(f"{campaign_issue_url}#note_7", "carol.owner", NOW - timedelta(days=1))}

    def owner_requests(self, campaign_issue_url: str) -> dict[int, tuple[RecordLine, ...]]:
        return {}

    def forget(self, url: str | None = None) -> None:
        pass


def api_token(token_id: int, description: str, active: bool = True, last_used: str | None = None) -> dict:
    return {
        "id": token_id,
        "description": description,
        "active": active,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-11-01T00:00:00Z",
        "last_used": last_used,
    }


def test_gathered_evidence_gives_each_token_its_state_and_a_deleted_one_stays_done() -> None:
    listed = cp.listed_tokens(
        [
            api_token(2, f"Reporting export {AR}", last_used="2026-11-20T00:00:00Z"),
            api_token(3, "Zapier test token", last_used="2026-12-04T06:00:00Z"),
            api_token(4, "Old data migration", active=False),
        ]
    )
    uses = cp.oauth_uses([{"id": 9, "client_id": 100001, "used_at": "2026-12-01T12:00:00Z"}])
    lines = LINES[:3]
    found = cp.Sources(
        listed, uses, lines, Requests(), "https://gitlab.example/c/-/issues/1", frozenset({2, 77})
    )
    evidence = cp.gather(found, NOW)
    assert [e.token_id for e in evidence] == [2, 3, 4, 77]
    pairs = cp.standings(evidence, NOW, Policy(), {3: timedelta(days=35)})
    report = campaign_report.build(pairs, NOW, instance="http://127.0.0.1:8080")
    got = {t["id"]: t["state"] for t in report["tokens"]}
    assert got == {2: "switched", 3: "owner_known", 4: "auto_deactivated", 77: "done"}
    token3 = next(t for t in report["tokens"] if t["id"] == 3)
    assert token3["owner"] == "carol.owner" and token3["last_safe_switch"] == "2027-03-12"  # 35 + 14 days
    assert report["counts"]["switched"] == 1 and sum(report["counts"].values()) == 4
    table = cp.token_table(report)
    assert list(table["state"]) == ["switched", "owner_known", "auto_deactivated", "done"]
    assert "issued" in set(cp.evidence_table(report)["record"])


def test_the_burn_down_reads_earlier_reports_whose_hash_the_index_holds(tmp_path) -> None:
    def kept(name: str, as_of: str, counts: dict) -> dict:
        path = tmp_path / f"{name}.{campaign_report.SIDE_FILE}"
        path.write_text(json.dumps({"as_of": as_of, "counts": counts, "tokens": [{"id": 2}]}))
        return {"runbook": campaign_report.RUNBOOK, "hashes": {path.name: sha256_file(path)}}

    lines = [
        kept("a", "2026-11-23T06:00:00Z", {"inventoried": 3}),
        kept("b", "2026-11-30T06:00:00Z", {"inventoried": 1, "owner_known": 2}),
    ]
    tampered = kept("c", "2026-12-01T06:00:00Z", {"done": 3})
    (tmp_path / f"c.{campaign_report.SIDE_FILE}").write_text('{"as_of": "2026-12-01T06:00:00Z"}')
    earlier = cp.earlier_reports(tmp_path, [*lines, tampered])
    assert [r["as_of"] for r in earlier] == ["2026-11-23T06:00:00Z", "2026-11-30T06:00:00Z"]
    assert cp.followed(earlier) == frozenset({2})
    weeks = cp.burn_down(earlier)
    assert list(weeks.index) == ["2026-11-23", "2026-11-30"]
    assert weeks.loc["2026-11-30", "owner_known"] == 2 and weeks.loc["2026-11-23", "inventoried"] == 3


def test_oauth_clients_with_tokens_that_never_expire_count_down_to_2027_04_01() -> None:
    clients = [{"id": 1, "name": "Zapier"}, {"id": 2, "name": "Reporting"}]
    tokens = [{"client_id": 1, "expires_at": None}, {"client_id": 2, "expires_at": "2026-12-05T00:00:00Z"}]
    frame = cp.non_expiring_clients(clients, tokens, NOW)
    assert frame.to_dict("records") == [
        {
            "client id": 1,
            "name": "Zapier",
            "non-expiring tokens": 1,
            "must expire by": "2027-04-01",
            "days left": 118,
        }
    ]
