"""migrate_api_tokens' reads and views: the API-token campaign's evidence gathered, its states derived, its
report, table, burn-down and the OAuth side's own deadline (issue 23 part 2).

Evidence comes from three places and nothing else (never a hand-kept list): Zendesk's public API
(`GET /api/v2/api_tokens`, `GET /api/v2/oauth/tokens?all=true`, `GET /api/v2/oauth/clients`), the records
index (`zdlib.campaign.sources`: the create_token run that issued a replacing client, the revoke_token run
that verified a deactivation) and the access requests in GitLab (`CampaignGitLab`: the owner, a `campaign:
retired` note, our reminders). The states are derived by the pure `zdlib.campaign.states.derive`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from zdlib.campaign import report as campaign_report
from zdlib.campaign import sources as from_index
from zdlib.campaign.evidence import (
    DEADLINE,
    AccessRequest,
    ListedToken,
    OAuthTokenUse,
    Policy,
    RecordLine,
    TokenEvidence,
)
from zdlib.campaign.states import Standing, State, derive
from zdlib.record.layout import read_index, sha256_file

#: An access-request issue's web URL inside a token's description (GitLab's `/-/issues/N` form).
ISSUE_URL = re.compile(r"https?://[^\s<>()\"'`]+/-/issues/\d+")
#: Zendesk's announcement (shared/reference/zendesk-2026-12-updates.md §1.1 #1, DOC [ZD-REFRESH-ANN]):
#: customers must adopt expiring (refresh-token) OAuth tokens by 2027-04-01.
EXPIRING_TOKENS_BY = date(2027, 4, 1)
STATE_ORDER = [str(s) for s in State]


class CampaignError(ValueError):
    """A campaign parameter that cannot be used; the message says what to give instead."""


class AccessRequests(Protocol):
    """What the campaign reads from (and writes to) GitLab: `zdlib.runbook.campaign_gitlab`."""

    def access_request(self, url: str, now: datetime) -> AccessRequest | None: ...

    def reminders(self, url: str) -> tuple[RecordLine, ...]: ...

    def acknowledged_owners(self, campaign_issue_url: str) -> dict[int, AccessRequest]: ...

    def owner_requests(self, campaign_issue_url: str) -> dict[int, tuple[RecordLine, ...]]: ...

    def forget(self, url: str | None = None) -> None: ...


def request_url_in(description: str) -> str | None:
    """The first access-request issue URL a token's description names, or None."""
    found = ISSUE_URL.search(description or "")
    return found.group(0) if found else None


def soak_by_token(text: str) -> dict[int, timedelta]:
    """`"3:35, 8:14"` (token id: soak days) as a mapping; an empty text is no exception to the default."""
    soaks: dict[int, timedelta] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        token, _, days = part.partition(":")
        if not (token.strip().isdigit() and days.strip().isdigit()):
            raise CampaignError(
                f"consumer_soak_days: {part!r} is not 'API token id:days' (e.g. '3:35, 8:14' for a monthly "
                "consumer on token 3 and a fortnightly one on token 8). Nothing was read."
            )
        soaks[int(token)] = timedelta(days=int(days))
    return soaks


def listed_tokens(entries: Iterable[Mapping[str, Any]]) -> list[ListedToken]:
    """`GET /api/v2/api_tokens` entries as typed listing entries (the secret field is never kept)."""
    return [ListedToken.from_api(dict(e)) for e in entries]


def oauth_uses(entries: Iterable[Mapping[str, Any]]) -> list[OAuthTokenUse]:
    """`GET /api/v2/oauth/tokens` entries: which client each belongs to and when it was last used
    (OAS `OAuthTokenObject.used_at`: "the latest time this token was used for authentication")."""
    uses = []
    for e in entries:
        used = e.get("used_at")
        at = datetime.fromisoformat(str(used).replace("Z", "+00:00")) if used else None
        uses.append(OAuthTokenUse(int(e["id"]), int(e["client_id"]), at))
    return uses


def instance_lines(records_dir: Path, instance: str) -> list[dict[str, Any]]:
    """The records index's lines of runs on this instance (a record of another account is no evidence)."""
    wanted = instance.rstrip("/").lower()
    return [e for e in read_index(records_dir) if str(e.get("instance") or "").rstrip("/").lower() == wanted]


@dataclass(frozen=True)
class Sources:
    """Everything read for one campaign run."""

    listed: Sequence[ListedToken]
    oauth: Sequence[OAuthTokenUse]
    lines: Sequence[Mapping[str, Any]]
    gitlab: AccessRequests | None = None
    campaign_issue: str = ""
    followed: frozenset[int] = frozenset()  # tokens the last campaign report listed


def gather(sources: Sources, now: datetime) -> list[TokenEvidence]:
    """Each listed API token's evidence, plus tokens an earlier record moved that are gone from the list.
    GitLab is read afresh: each issue once, however many tokens name it."""
    gitlab, issue = sources.gitlab, sources.campaign_issue
    if gitlab:
        gitlab.forget()
    acknowledged = gitlab.acknowledged_owners(issue) if gitlab and issue else {}
    asked = gitlab.owner_requests(issue) if gitlab and issue else {}  # ownerless tokens' weekly asks
    known = {t.id: t for t in sources.listed}
    gone = sources.followed - known.keys()  # followed before, gone from the listing now: deleted
    evidence = []
    for token_id in sorted(known.keys() | gone):
        listed = known.get(token_id)
        url = request_url_in(listed.description) if listed else None
        request = gitlab.access_request(url, now) if gitlab and url else None
        reminders = gitlab.reminders(url) if gitlab and url and request else asked.get(token_id, ())
        if request is None:
            request = acknowledged.get(token_id)  # the owner said so on the campaign issue
        issued = from_index.issued(sources.lines, token_id)
        evidence.append(
            TokenEvidence(
                token_id,
                listed,
                access_request=request,
                issued=issued,
                oauth_tokens=tuple(o for o in sources.oauth if issued and o.client_id == issued.client_id),
                deactivation=from_index.deactivation(sources.lines, token_id),
                reminders=reminders,
            )
        )
    return evidence


def followed(reports: Sequence[Mapping[str, Any]]) -> frozenset[int]:
    """The tokens the newest earlier report followed (a token deleted since still shows, as `done`)."""
    if not reports:
        return frozenset()
    newest = max(reports, key=lambda r: r["as_of"])
    return frozenset(int(t["id"]) for t in newest["tokens"])


def standings(
    evidence: Iterable[TokenEvidence], as_of: datetime, policy: Policy, soaks: Mapping[int, timedelta]
) -> list[tuple[TokenEvidence, Standing]]:
    """Each token's derived standing under its own soak window."""
    return [
        (ev, derive(ev, as_of, replace(policy, soak=soaks[ev.token_id]) if ev.token_id in soaks else policy))
        for ev in evidence
    ]


def token_table(report: Mapping[str, Any]) -> pd.DataFrame:
    """One row per token for people: state, since, next action and who, dates, at risk."""
    rows = [
        {
            "id": t["id"],
            "description": t["description"],
            "state": t["state"],
            "since": (t["since"] or "")[:10],
            "next": f"{t['next']['who']}: {t['next']['what']}",
            "last safe switch": t["last_safe_switch"],
            "purge on": t["purge_on"] or "",
            "at risk": "AT RISK" if t["at_risk"] else "",
            "owner": t["owner"] or "",
        }
        for t in report["tokens"]
    ]
    return pd.DataFrame(rows)


def evidence_table(report: Mapping[str, Any]) -> pd.DataFrame:
    """Every fact behind every state: token, what was seen, when, and the record that showed it."""
    rows = [
        {
            "id": t["id"],
            "state": t["state"],
            "fact": f["what"],
            "at": f["at"] or "",
            "record": f["record"] or "",
        }
        for t in report["tokens"]
        for f in t["evidence"]
    ]
    return pd.DataFrame(rows)


def earlier_reports(records_dir: Path, lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The reports earlier campaign runs kept (`campaign.json`), each checked against its index hash; a
    file that does not match is left out (the burn-down shows what the records prove)."""
    import json

    found = []
    for line in lines:
        if line.get("runbook") != campaign_report.RUNBOOK:
            continue
        for name, digest in (line.get("hashes") or {}).items():
            path = records_dir / name
            if (
                name.endswith("." + campaign_report.SIDE_FILE)
                and path.is_file()
                and sha256_file(path) == digest
            ):
                found.append(json.loads(path.read_text(encoding="utf-8")))
    return found


def burn_down(reports: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Tokens per state per week (its last report): weeks (Mondays) as rows, states as columns."""
    weekly: dict[date, Mapping[str, Any]] = {}
    for rep in sorted(reports, key=lambda r: r["as_of"]):
        day = datetime.fromisoformat(rep["as_of"].replace("Z", "+00:00")).date()
        weekly[day - timedelta(days=day.weekday())] = rep
    frame = pd.DataFrame(
        [{"week": week.isoformat(), **rep["counts"]} for week, rep in sorted(weekly.items())],
        columns=["week", *STATE_ORDER],
    )
    return frame.set_index("week").fillna(0).astype(int)


def burn_down_chart(frame: pd.DataFrame, as_of: date, deadline: date = DEADLINE) -> None:
    """Stacked bars of tokens per state per week, on a time axis that runs to the deadline."""
    import matplotlib.pyplot as plt
    from IPython.display import display
    from matplotlib.ticker import MaxNLocator

    shown = frame.loc[:, (frame != 0).any(axis=0)]
    if shown.empty:
        return
    weeks = [date.fromisoformat(w) for w in shown.index]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bottom = [0] * len(weeks)
    for state in shown.columns:
        values = shown[state].tolist()
        ax.bar(weeks, values, width=5, bottom=bottom, label=state)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.axvline(deadline, color="#b00020", linestyle="--")
    ax.annotate(f"every API token stops: {deadline}", (deadline, max(bottom) or 1), ha="right", fontsize=8)
    ax.set_xlim(min(weeks[0], as_of) - timedelta(days=7), deadline + timedelta(days=7))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("API tokens")
    ax.set_title("API tokens per state, week by week, against the deadline")
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    display(fig)
    plt.close(fig)


def non_expiring_clients(
    clients: Iterable[Mapping[str, Any]], tokens: Iterable[Mapping[str, Any]], as_of: datetime
) -> pd.DataFrame:
    """OAuth clients whose tokens never expire (`expires_at: null`), with the days left until 2027-04-01,
    when Zendesk requires expiring tokens (migration-research.md §1, DOC [ZD-REFRESH-ANN])."""
    never: dict[int, int] = {}
    for t in tokens:
        if t.get("expires_at") is None:
            never[int(t["client_id"])] = never.get(int(t["client_id"]), 0) + 1
    left = max((EXPIRING_TOKENS_BY - as_of.astimezone(UTC).date()).days, 0)
    rows = [
        {
            "client id": c["id"],
            "name": c.get("name") or "",
            "non-expiring tokens": never[int(c["id"])],
            "must expire by": EXPIRING_TOKENS_BY.isoformat(),
            "days left": left,
        }
        for c in clients
        if int(c["id"]) in never
    ]
    return pd.DataFrame(
        rows, columns=["client id", "name", "non-expiring tokens", "must expire by", "days left"]
    )


__all__ = [
    "CampaignError",
    "Sources",
    "burn_down",
    "burn_down_chart",
    "earlier_reports",
    "evidence_table",
    "followed",
    "gather",
    "instance_lines",
    "listed_tokens",
    "non_expiring_clients",
    "oauth_uses",
    "request_url_in",
    "soak_by_token",
    "standings",
    "token_table",
]
