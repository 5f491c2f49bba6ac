"""The issue plan of create_token: an OAuth client owned by the requester and an expiring token, or (an
explicit, approved choice) the renewable integration credential (client id and secret).

Sources: zendesk-2026-12-updates.md 1.1 #7 (a client secret can mint tokens with any scope: it is as
powerful as its owner), #8 (typos in scope names are silently dropped: compare granted with requested),
1.2 (which user a client-credentials token acts as is unverified: read it back); zendesk-api.md 1.1
(API tokens cannot be created from 2026-10-27; the public API never offered creation, 5.5).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from zdlib.approval.evidence import Source
from zdlib.approval.names import email_is_user
from zdlib.approval.request_url import normalize_request_url
from zdlib.record.channel import SANDBOX_HANDOFF_VARIABLE
from zdlib.record.delivery import FACT, Delivery
from zdlib.record.markup import Markdown, md
from zdlib.record.outcome import ChangeStatus
from zdlib.resources.oauth_grants import granted_lifetime
from zdlib.runbook import changes as ch
from zdlib.runbook import credentials as cred
from zdlib.runbook.display import note, table, warn
from zdlib.runbook.files import register_secret
from zdlib.runbook.handoff import Destination, HandOff, prepare_destination
from zdlib.runbook.issuing import (
    client_identifier,
    find_request_credentials,
    find_user_by_email,
    requester_problems,
    whoami,
)
from zdlib.runbook.plans import common

if TYPE_CHECKING:
    from zdlib.runbook.run import Run

DELIVERED = "delivered"


class Deliver(StrEnum):
    """What is handed over."""

    TOKEN = "token"  # an expiring access token only (the default)
    INTEGRATION = "integration"  # the client id and secret (renewable: mints tokens) plus a first token


def api_token_refusal(today: Any) -> str:
    """create_token never creates API tokens: the public API cannot, and Zendesk stopped creation."""
    return cred.api_token_creation_refusal(today) or (
        "Zendesk's public API has no endpoint to create API tokens (zendesk-api.md 5.5), and "
        "Zendesk stops all "
        f"API-token creation on {cred.API_TOKEN_CREATION_ENDED}. Use kind='oauth': an OAuth client for the "
        f"request and a scoped, expiring token. See {cred.MIGRATION_GUIDE}"
    )


def lifetime_text(requested: int | None, grant: dict | None) -> Markdown:
    """How long the token lives: what the grant says once there is one, else what was asked for."""
    if grant is not None:
        granted = granted_lifetime(grant)
        if granted:
            return md("expires after {seconds:,} seconds", seconds=granted)
        return md("never expires (no expires_in granted)")
    if requested:
        return md("expires after {seconds:,} seconds", seconds=requested)
    return md("lives as long as Zendesk's default for the client (30 minutes for a new client)")


_TOKEN_POWER = "The access token acts as {name}, role {role} with the scopes {scopes} and {life:raw}."
_POWER = {
    Deliver.TOKEN: _TOKEN_POWER + " No client secret is handed over: the client's secret was regenerated "
    "and discarded, so no new token can be minted from it.",
    Deliver.INTEGRATION: _TOKEN_POWER + " **The client secret can mint tokens with any scope acting as "
    "{name}, role {role}, until it is regenerated or the client deleted; scopes only narrow each token** "
    "(zendesk-2026-12-updates.md 1.1 #7).",
}


def _power_values(requester: dict, scopes: list[str], life: Markdown) -> dict[str, Any]:
    return {
        "name": requester.get("name"),
        "role": requester.get("role"),
        "scopes": " ".join(scopes),
        "life": life,
    }


def power_statement(deliver: Deliver, requester: dict, scopes: list[str], life: Markdown) -> Markdown:
    """What the handed-over credential can do, in full, for a note; `life` comes from `lifetime_text`."""
    return md(_POWER[deliver], **_power_values(requester, scopes, life))


def power_text(deliver: Deliver, requester: dict, scopes: list[str], life: Markdown) -> str:
    """The same statement as plain text (values unescaped), for the summary's facts and the hand-off."""
    return _PLAIN.format(_POWER[deliver], **_power_values(requester, scopes, life))


class _PlainFormatter(string.Formatter):
    """A kit template filled with values as they are: text for JSON, never shown as Markdown."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "code":
            return f"`{value}`"
        if format_spec in ("url", "raw"):
            return str(value)
        return format(value, format_spec)


_PLAIN = _PlainFormatter()


@dataclass
class OAuthIssue:
    """Issue an OAuth credential for one approved access request, exactly once per delivery."""

    run: Run
    url: str
    requester_email: str
    scopes: list[str]
    lifetime: int | None
    deliver: Deliver
    deliver_to: str
    requester: dict = field(default_factory=dict)
    oauth_client: dict | None = None
    plan_changes: list[ch.Change] = field(default_factory=list)
    destination: Destination | None = None
    handoff: HandOff | None = None
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    created_client: bool = False
    token_id: Any = None
    undone: bool = False
    grant: dict | None = field(default=None, repr=False)  # Zendesk's answer, once there is one
    acting: dict = field(default_factory=dict)  # the user the new token acts as (read with it: /users/me)
    token: dict = field(default_factory=dict)  # the new token as Zendesk lists it (expires_at)
    replaces_api_token: int = 0  # the API token this client replaces (the campaign reads it: issue 23)

    # -- checks before anything exists ----------------------------------------------------------------
    def check_requester(self) -> None:
        run = self.run
        user = find_user_by_email(run.client, self.requester_email)
        if user is None:
            run.fail(
                f"No user with the email {self.requester_email} on {run.client.base_url}. Check the "
                f"access request."
            )
        problems = requester_problems(user)
        if problems:
            run.refuse(f"{self.requester_email} cannot hold a credential: {'; '.join(problems)}.")
        self.requester = user
        table([{k: user.get(k) for k in ("id", "name", "email", "role", "verified", "suspended")}])
        if user.get("role") == "admin":
            warn(
                "**{email} is an ADMIN**: the credential can change everything, other credentials included.",
                email=self.requester_email,
            )
        if cred.is_broad(self.scopes):
            warn(
                "The scopes {scopes} are broad (write/unrestricted/impersonate): prefer resource scopes.",
                scopes=self.scopes,
            )
        if self.lifetime is None:
            warn(
                "expires_in=0: Zendesk applies the client's default lifetime, 30 minutes for a client "
                "created after 2026-04-30 (zendesk-2026-12-updates.md 1.1 #1); the record states what was "
                "granted."
            )
        if self.deliver is Deliver.INTEGRATION:
            warn(
                "deliver='integration': the **client secret** is handed over. {power:raw}",
                power=self.power_markdown(),
            )

    def power(self) -> str:
        """What the credential can do, as plain text (the summary's facts and the hand-off file)."""
        life = lifetime_text(self.lifetime, self.grant)
        return power_text(self.deliver, self.requester, self.scopes, life)

    def power_markdown(self) -> Markdown:
        """What the credential can do, for a note (every value escaped)."""
        life = lifetime_text(self.lifetime, self.grant)
        return power_statement(self.deliver, self.requester, self.scopes, life)

    # -- plan ------------------------------------------------------------------------------------------
    def _replacing(self) -> str:
        return f"; replaces API token {self.replaces_api_token}" if self.replaces_api_token else ""

    def check_replaced_token(self) -> None:
        """The API token this client replaces must be listed (`GET /api/v2/api_tokens`), before anything
        is created; the record and its index line then say which token the client replaces."""
        if not self.replaces_api_token:
            return
        run = self.run
        listed = {int(t["id"]): t for t in run.client.api_tokens.list()}
        token = listed.get(self.replaces_api_token)
        if token is None:
            run.refuse(
                f"replaces_api_token={self.replaces_api_token}: no such API token is listed on "
                f"{run.client.base_url} (GET /api/v2/api_tokens lists {len(listed)}; audit_credentials shows "
                "them). Give a listed token's id, or 0 when the client replaces none. Nothing was created."
            )
        run.facts["replaces_api_token"] = self.replaces_api_token
        note(
            "This client replaces **API token {id}** ({description}, active: {active}): the API-token "
            "campaign (migrate_api_tokens) follows the consumer's switch from this record.",
            id=self.replaces_api_token,
            description=token.get("description") or "no description",
            active=token.get("active"),
        )

    def changes(self) -> list[ch.Change]:
        if self.plan_changes:
            return self.plan_changes
        run = self.run
        found = find_request_credentials(run.client, self.url, api_tokens=False)
        self.oauth_client = found.oauth_clients[0] if found.oauth_clients else None
        wanted = " ".join(self.scopes)
        live = [t for t in found.oauth_tokens if not _expired(t, run.instance_started_at)]
        if found.rows():
            table(found.rows())
        other = [t for t in live if sorted(t.get("scopes") or []) != sorted(self.scopes)]
        if other:
            run.refuse(
                f"Token {other[0]['id']} was already issued for this request with the scopes "
                f"{' '.join(other[0].get('scopes') or [])!r}, not {wanted!r}. Nothing was created: "
                f"revoke it first "
                "(revoke_token with issued_for_url) if the approved scopes changed."
            )
        delivered = self.oauth_client and common.recorded_done(
            common.last_recorded(
                run.client.base_url, ("create_token",), "hand_off", self.oauth_client["id"], DELIVERED
            )
        )
        if self.oauth_client and live and delivered:
            note("This request's credential is live and was delivered: nothing to do.")
            cid = self.oauth_client["id"]
            self.plan_changes = [
                ch.Change("oauth_client", cid, "description", self.url, self.url),
                ch.Change("oauth_token", live[0]["id"], "scopes", wanted, wanted),
                ch.Change("hand_off", cid, DELIVERED, True, True),
            ]
            return self.plan_changes
        out = self._client_changes(bool(delivered), live)
        out.append(ch.Change("oauth_token", "(new)", "scopes", None, wanted))
        out.append(ch.Change("hand_off", "(new)", DELIVERED, False, True, note=self.deliver.value))
        self.plan_changes = out
        return out

    def _client_changes(self, delivered: bool, live: list[dict]) -> list[ch.Change]:
        """The client's part of the plan: a new client, or the existing one's secret regenerated (and
        its undelivered live tokens revoked)."""
        if self.oauth_client is None:
            note_text = f"owned by {self.requester_email}" + self._replacing()
            return [ch.Change("oauth_client", "(new)", "description", None, self.url, note=note_text)]
        why = "expired or revoked" if delivered else "issued, not delivered"
        note(
            "Client {id} exists but its credential is {why}: a new one is issued.",
            id=self.oauth_client["id"],
            why=why,
        )
        out = [ch.Change("oauth_token", t["id"], "exists", True, False, note="never delivered") for t in live]
        replacing = self._replacing()[2:]
        out.append(
            ch.Change("oauth_client", self.oauth_client["id"], "secret", why, "regenerated", note=replacing)
        )
        return out

    def check_recipient(self) -> None:
        """The credential goes to who filed the access request (GitLab: the issue's author), else refuse."""
        approval, run = self.run.approval, self.run
        if approval is None:
            return
        if approval.source == Source.GITLAB and not (approval.issue or {}).get("author"):
            return  # GitLab did not show the issue: the approval does not hold, the gate refuses
        if approval.source != Source.GITLAB:
            run.facts["recipient_checked"] = (
                "no: the manual approval source cannot tell who filed the access request; the operator "
                f"vouches that {self.requester_email} filed it"
            )
            warn(
                "Not checked: that {email} filed the access request (the manual source cannot read it).",
                email=self.requester_email,
            )
            return
        issue = approval.issue or {}
        author, public = str(issue["author"]), str(issue.get("author_public_email") or "")
        if email_is_user(self.requester_email, author, public):
            run.facts["recipient_checked"] = f"yes: {self.requester_email} is {author}, the issue's author"
            return
        shown = f" (GitLab public email {public})" if public else ""
        why = (
            f"the access request #{self.url.rsplit('/', 1)[-1]} was filed by {author}{shown}; the credential "
            f"would go to {self.requester_email}. A credential goes to the person who filed the request: "
            "check requester_email against the issue."
        )
        if run.dry_run:
            warn("An applied run would be refused: {why}", why=why)
            return
        run.refuse("Nothing was created: " + why)

    def prepare(self) -> None:
        """Reserve the hand-off destination before anything is created (dry runs check it too)."""
        self.check_recipient()
        try:
            self.destination = prepare_destination(
                self.deliver_to, self.url, "oauth", sandbox=self.run.sandbox
            )
        except ValueError as error:
            self.run.refuse(str(error))
        if self.run.dry_run:
            self.destination.release()
        show_destination(self.destination, dry_run=self.run.dry_run, sandbox=self.run.sandbox)

    # -- apply -----------------------------------------------------------------------------------------
    def _change(self, obj: str, fld: str) -> ch.Change | None:
        return next((c for c in self.changes() if c.object == obj and c.field == fld), None)

    def apply(self) -> None:
        run = self.run
        if not run.pending:
            if self.destination:
                self.destination.release()
            return
        try:
            self._issue()
        except BaseException:
            self.undo("the run failed or was interrupted before the hand-off")
            raise

    def _issue(self) -> None:
        run, client = self.run, self.run.client
        for change in self.changes():
            if change.object == "oauth_token" and change.field == "exists":
                run.apply(change, lambda i=change.id: client.oauth_tokens.revoke(i))
        new_client = self._change("oauth_client", "description")
        if new_client is not None:
            created = run.apply(new_client, lambda: client.oauth_clients.create(self._client_fields()))
            self.oauth_client, self.created_client, new_client.id = created, True, created["id"]
            self._keep("client_secret", created.get("secret"))
        else:
            regenerated = run.apply(
                self._change("oauth_client", "secret"),
                lambda: client.oauth_clients.generate_secret(self.oauth_client["id"]),
            )
            self._keep("client_secret", regenerated.get("secret"))
        self._check_owner()
        token_change = self._change("oauth_token", "scopes")
        grant = run.apply(
            token_change,
            lambda: client.oauth_grants.client_credentials(
                self.oauth_client["identifier"],
                self.secrets["client_secret"],
                self.scopes,
                expires_in=self.lifetime,
            ),
        )
        self._keep("access_token", grant.get("access_token"))
        self.grant = {k: grant.get(k) for k in ("scope", "expires_in", "token_type")}
        self._check_granted(grant)
        if self.deliver is Deliver.TOKEN:  # only the token leaves: the secret used to mint it dies here
            self._track(
                "discarded_secret",
                client.oauth_clients.generate_secret(self.oauth_client["id"]).get("secret"),
            )
            self.secrets.pop("client_secret")
        self._check_acts_as_requester()
        self._hand_off()

    def _client_fields(self) -> dict:
        return {
            "name": f"Access request {self.url.rstrip('/').rsplit('/', 1)[-1]}",
            "identifier": client_identifier(self.url),
            "kind": "confidential",
            "description": self.url,
            "user_id": self.requester["id"],
            "redirect_uri": [],
        }

    def _keep(self, name: str, value: str | None) -> None:
        """A secret is registered with the run's scan the moment it exists, and kept for the hand-off."""
        self._track(name, value)
        if value:
            self.secrets[name] = value

    @staticmethod
    def _track(name: str, value: str | None) -> None:
        """Registered with the run's scan, never handed over (e.g. a secret regenerated to be discarded)."""
        if value:
            register_secret(f"create_token {name}", value)

    def _check_owner(self) -> None:
        owner = self.run.client.oauth_clients.get(self.oauth_client["id"]).get("user_id")
        if owner != self.requester["id"]:
            self._refuse_undo(
                f"OAuth client {self.oauth_client['id']} is owned by user {owner}, not the requester "
                f"{self.requester['id']}: Zendesk did not accept the requester as its owner."
            )

    def _check_granted(self, grant: dict) -> None:
        granted = sorted(str(grant.get("scope") or "").split())
        if granted != sorted(self.scopes):
            self._refuse_undo(
                f"Zendesk granted the scopes {' '.join(granted)!r}, not the requested "
                f"{' '.join(self.scopes)!r} "
                "(Zendesk drops scope names it does not know): check the scope names in the access request."
            )

    def _check_acts_as_requester(self) -> None:
        me = whoami(self.run.client, self.secrets["access_token"])
        if not me or me.get("id") != self.requester["id"]:
            acting = f"user {me.get('id')} ({me.get('email')})" if me else "nobody (401)"
            self._refuse_undo(
                f"The new token acts as {acting}, not as the requester {self.requester_email}: a "
                f"client-credentials "
                "token acts as whoever Zendesk decides, which is unverified (zendesk-2026-12-updates.md 1.2)."
            )
        self.acting = me
        record = self.run.client.oauth_tokens.list(all=True, client_id=self.oauth_client["id"])
        prefix = self.secrets["access_token"][:10]
        listed = [t for t in record if t.get("token") == prefix]
        self.token = listed[0] if len(listed) == 1 else {}
        self.token_id = self.token.get("id")

    def _refuse_undo(self, why: str) -> None:
        self.undo(why)
        self.run.refuse(
            f"{why} Everything created in this run was revoked or deleted. Ask a Zendesk admin to issue the "
            "credential in Admin Center > Apps and integrations > APIs > OAuth clients for the requester, or "
            "correct the access request, then re-run."
        )

    def undo(self, why: str) -> None:
        """Leave nothing live that no one holds: revoke minted tokens, delete a new client or kill "
        "its secret."""
        client, run = self.run.client, self.run
        if self.undone or self.oauth_client is None or self.oauth_client.get("id") is None:
            return
        self.undone = True
        cid = self.oauth_client["id"]
        try:
            if self.created_client:
                client.oauth_clients.delete(cid)
            else:
                for token in list(client.oauth_tokens.list(all=True, client_id=cid)):  # none was delivered
                    client.oauth_tokens.revoke(token["id"])
                self._track("discarded_secret", client.oauth_clients.generate_secret(cid).get("secret"))
        except Exception as error:  # the refusal must still be reported
            warn(
                "Undoing failed ({error}): check OAuth client {cid} in Admin Center now.",
                error=type(error).__name__,
                cid=cid,
            )
            return
        run.facts["undone"] = (
            f"{why}; client {cid} {'deleted' if self.created_client else 'secret regenerated, token revoked'}"
        )
        for change in self.changes():
            if change.status in (ChangeStatus.APPLIED, ChangeStatus.VERIFIED, ChangeStatus.PENDING):
                change.undone("undone: nothing live was left")
        if self.destination:
            self.destination.release()

    def _hand_off(self) -> None:
        details = {
            "access_request_url": self.url,
            "requester": self.requester_email,
            "instance": self.run.client.base_url,
            "client_id": self.oauth_client["identifier"],
            "scopes": self.scopes,
            "what_it_can_do": self.power(),
            "token_url": f"{self.run.client.base_url}/oauth/tokens",
        }
        change = self._change("hand_off", DELIVERED)
        change.id = self.oauth_client["id"]
        try:
            self.handoff = self.destination.deliver(f"zendesk oauth {self.url}", dict(self.secrets), details)
        except Exception as error:
            self.undo("the hand-off failed")
            self.run.fail(
                f"The hand-off failed ({error}); what was created was revoked, so nothing is live. Fix the "
                "destination and re-run: a new credential is issued."
            )
        change.sent(None)  # delivered to the destination: no Zendesk request

    # -- verify ----------------------------------------------------------------------------------------
    def verify(self) -> None:
        run = self.run
        if self.handoff is None:
            return
        client_change = self._change("oauth_client", "description")
        if client_change is not None:
            run.verify(
                client_change, run.client.oauth_clients.get(self.oauth_client["id"]).get("description")
            )
        secret_change = self._change("oauth_client", "secret")
        if secret_change is not None:
            run.verify(secret_change, "regenerated")
        token_change = self._change("oauth_token", "scopes")
        token_change.id = self.token_id or token_change.id
        run.verify(token_change, " ".join(self.scopes))  # compared with the grant and /users/me above
        for change in self.changes():
            if (
                change.object == "oauth_token"
                and change.field == "exists"
                and change.status == ChangeStatus.APPLIED
            ):
                run.verify(change, run.exists(lambda i=change.id: run.client.oauth_tokens.get(i)))
        run.verify(self._change("hand_off", DELIVERED), True)
        issued_at = datetime.now(UTC).replace(microsecond=0)
        run.facts.update(
            handoff=self.handoff.location,
            fingerprints=self.handoff.fingerprints,
            delivered=self.deliver.value,
            what_it_can_do=self.power(),
            token_id=self.token_id,
            issued_at=issued_at.isoformat(),
        )
        run.facts.setdefault(FACT, []).append(self.delivery(issued_at).as_fact())
        table([{"secret": k, "fingerprint": v} for k, v in self.handoff.fingerprints.items()])
        note(
            "Handed over to **{destination}**: {location:code}.\n\n**What it can do:** {power:raw}",
            destination=self.handoff.destination,
            location=self.handoff.location,
            power=self.power_markdown(),
        )
        if self.token_id:
            common.audit_crosscheck(run, self.token_id, "create")

    def delivery(self, issued_at: datetime) -> Delivery:
        """The delivery line: where, who the token acts as (read with it), scopes, absolute expiry."""
        cid = self.oauth_client["id"] if self.oauth_client else "?"
        token = f"access token {self.token_id}" if self.token_id else "an access token"
        what = f"{token} of OAuth client {cid}"
        if self.deliver is Deliver.INTEGRATION:
            what = f"the client id and secret of OAuth client {cid} and {token}"
        me = self.acting
        return Delivery(
            what=what,
            to=self.handoff.destination if self.handoff else "",
            location=self.handoff.location if self.handoff else "",
            acts_as=f"{me.get('name')} <{me.get('email')}> (user {me.get('id')}, role {me.get('role')})",
            scopes=sorted(str((self.grant or {}).get("scope") or "").split()) or list(self.scopes),
            expires_at=expiry(self.token, self.grant, issued_at),
            note="a rehearsal: the sandbox's own hand-off folder" if self.run.sandbox else "",
        )


def expiry(token: dict, grant: dict | None, issued_at: datetime) -> str:
    """When the token expires, UTC ISO: its `expires_at` as Zendesk lists it (zendesk-api.md 5.4, token
    fields), else the grant's `expires_in` counted from the hand-off; "" for a token that never expires."""
    listed = token.get("expires_at")
    if listed:
        return str(listed).replace("+00:00", "Z")
    seconds = granted_lifetime(grant or {})
    if not seconds:
        return ""
    return (issued_at + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def show_destination(destination: Destination, *, dry_run: bool, sandbox: bool) -> None:
    """Where the secret will go, said under the hand-off step's heading (a file's folder is checked)."""
    vault = f"1Password vault {destination.vault}"
    if dry_run:
        where = destination.path.parent if destination.path is not None else vault
        note("Checked: an applied run hands the credential over to {where:code}.", where=where)
    else:
        note("Reserved for the hand-off: {where:code}.", where=destination.path or vault)
    if sandbox and destination.kind == "file":
        note(
            "A rehearsal on the sandbox: its hand-off goes to the sandbox's own folder ({variable:code}), "
            "never to the operator's real one.",
            variable=SANDBOX_HANDOFF_VARIABLE,
        )


def _expired(token: dict, now: datetime) -> bool:
    stamp = token.get("expires_at")
    return bool(stamp) and datetime.fromisoformat(stamp.replace("Z", "+00:00")) <= now


def plan_issue(
    run: Run,
    *,
    access_request_url: str,
    requester_email: str,
    kind: str,
    scopes: str,
    expires_in: int,
    deliver: str,
    deliver_to: str,
    replaces_api_token: int = 0,
) -> OAuthIssue:
    """Check every input, the requester and the API token it replaces; refuse API tokens; return the plan
    (nothing created yet)."""
    if replaces_api_token and kind != "oauth":
        run.refuse(
            f"replaces_api_token={replaces_api_token!r} names the API token an OAuth client replaces, and "
            f"kind={kind!r} issues no OAuth client: use kind='oauth' (or replaces_api_token=0). Nothing was "
            "created."
        )
    if kind == "api_token":
        run.refuse(api_token_refusal(run.instance_started_at.date()))
    try:
        if kind != "oauth":
            raise ValueError(f"kind={kind!r} is not a credential kind: use 'oauth'.")
        try:
            chosen = Deliver(deliver)
        except ValueError:
            raise ValueError(
                f"deliver={deliver!r}: use 'token' (an expiring token only) or 'integration' "
                f"(client id and secret, as approved)."
            ) from None
        plan = OAuthIssue(
            run,
            normalize_request_url(access_request_url),
            requester_email,
            cred.parse_scopes(scopes),
            cred.check_expires_in(expires_in),
            chosen,
            deliver_to,
            replaces_api_token=_token_id(replaces_api_token),
        )
    except ValueError as error:
        run.refuse(str(error))
    plan.check_requester()
    plan.check_replaced_token()
    return plan


def _token_id(value: object) -> int:
    """`replaces_api_token` as a token id (0: none)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"replaces_api_token={value!r}: give the id of the API token this client replaces (a whole "
            "number, as audit_credentials lists it), or 0 when it replaces none."
        )
    return value
