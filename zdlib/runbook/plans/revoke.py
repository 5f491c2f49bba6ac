"""Revoke plans: an API token (guided through Admin Center), every credential of one access request (OAuth),
and an integration (an OAuth client). Each offers `changes()`, `apply(run)`, `verify(run)`.

Sources: zendesk-api.md 5.3-5.5 (OAuth clients and tokens are API objects; API tokens can only be listed,
their deactivation and deletion are Admin Center actions); zendesk-2026-12-updates.md 1.1 #7 (a client
secret can mint tokens with any scope, so revoking tokens alone leaves the door open).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from zdlib.approval.request_url import normalize_request_url
from zdlib.errors import NotFound
from zdlib.record.delivery import FACT, NOBODY, Delivery
from zdlib.record.markup import md
from zdlib.record.outcome import ChangeStatus
from zdlib.resources.audit_logs import API_TOKEN_SOURCE_TYPES
from zdlib.runbook import changes as ch
from zdlib.runbook.display import note, table, warn
from zdlib.runbook.files import register_secret
from zdlib.runbook.issuing import find_request_credentials
from zdlib.runbook.manual import ManualStep
from zdlib.runbook.plans import common

if TYPE_CHECKING:
    from zdlib.client import Client
    from zdlib.runbook.run import Run

API_TOKENS_PATH = "Admin Center > Apps and integrations > APIs > API tokens"  # Zendesk help: API token access
EXISTS, ACTIVE, SECRET = "exists", "active", "secret"
CUT_OFF = "regenerated: the old secret can mint no token"
REVOKE_RUNBOOKS = ("revoke_token", "revoke_integration")
ROUNDS = 5  # list-and-revoke rounds after the cut-off (a mint in flight at the cut-off shows up late)


class Revocation(Protocol):
    """What revoke_token's and revoke_integration's notebooks call, one step a cell."""

    def changes(self) -> list[ch.Change]: ...
    def show(self, run: Run) -> None: ...
    def snapshot(self, run: Run) -> None: ...
    def apply(self, run: Run) -> None: ...
    def verify(self, run: Run) -> None: ...


def _handed(handoff: dict | None) -> dict:
    return dict((handoff or {}).get("secrets") or {})


# -- API token: a person deactivates or deletes it in Admin Center, the API verifies ---------------------
@dataclass
class ApiTokenRevocation:
    """Deactivate (or delete) one API token: guided in Admin Center, verified by `GET /api/v2/api_tokens`."""

    client: Client
    token_id: int
    delete: bool = False
    handoff: dict | None = None  # the hand-off file's content, to prove the secret gets 401
    token: dict | None = None
    change: ch.Change | None = None

    @property
    def field(self) -> str:
        return EXISTS if self.delete else ACTIVE

    def _listed(self) -> dict | None:
        return next(
            (t for t in self.client.api_tokens.list(include_users=True) if t["id"] == self.token_id), None
        )

    def _done(self) -> bool:
        token = self._listed()
        return token is None if self.delete else (token is None or not token.get("active"))

    def find(self, run: Run) -> None:
        """The token as Zendesk lists it; gone from the list is fine only if our records say so."""
        self.token = self._listed()
        recorded = common.last_recorded(
            self.client.base_url, REVOKE_RUNBOOKS, "api_token", self.token_id, self.field
        ) or common.last_recorded(self.client.base_url, REVOKE_RUNBOOKS, "api_token", self.token_id, EXISTS)
        if self.token is None:
            if common.recorded_waiting(recorded):
                self.change = ch.Change(
                    "api_token", self.token_id, self.field, True, False, extra=self._known()
                )
                note(
                    "API token {id} is gone from the list: the step left to Admin Center is done.",
                    id=self.token_id,
                )
                return
            if common.recorded_done(recorded) or (recorded and self.delete):
                note(
                    "API token {id} is already deleted (our record of {at}).",
                    id=self.token_id,
                    at=recorded.get("finished_at"),
                )
                self.change = ch.Change(
                    "api_token", self.token_id, self.field, False, False, extra=self._known()
                )
                return
            run.fail(
                f"No API token with id {self.token_id} on {self.client.base_url}, and no record of "
                f"this procedure "
                f"deleting it. Check {API_TOKENS_PATH}."
            )
        own = common.own_credential(self.client)
        if self.token_id in own.api_token_ids:
            run.refuse(own.explain(f"API token {self.token_id}"))
        table([self.details()])
        before = bool(self.token.get("active")) if not self.delete else True
        if common.recorded_waiting(recorded) and not before:
            before = True  # a person did it after the last run: this run verifies it
        self.change = ch.Change("api_token", self.token_id, self.field, before, False, extra=self._known())

    def _known(self) -> dict:
        """What the approval gate needs of the token: its description (the request it was issued for)."""
        return {"description": (self.token or {}).get("description")}

    def details(self) -> dict:
        t = self.token or {}
        return {
            "id": t.get("id"),
            "description": t.get("description"),
            "owner": f"{t.get('user_name')} <{t.get('user_email')}>",
            "active": t.get("active"),
            "created_at": t.get("created_at"),
            "last_used": t.get("last_used"),
            "characters shown": t.get("visible_token") or str(t.get("token") or "")[:6],
        }

    def changes(self) -> list[ch.Change]:
        return [self.change] if self.change else []

    def step(self) -> ManualStep:
        """The Admin Center step for the planned change (only asked for once `find` planned it)."""
        if self.change is None:
            raise RuntimeError(
                f"API token {self.token_id}: no change was planned, so there is no step to show"
            )
        d = self.details()
        find = md(
            "Find the token with the description **{description}** (shown as {shown:code}, id {id}).",
            description=d["description"],
            shown=f"{d['characters shown']}…",
            id=self.token_id,
        )
        action = "Delete" if self.delete else "Deactivate"
        clicks = [
            md("Open {path}.", path=API_TOKENS_PATH),
            find,
            md("Open its menu (⋮) and click **{action}**.", action=action),
            md("Confirm **{action}**.", action=action),
        ]
        final = (
            "**Deletion is final**: a deleted API token can never be reactivated "
            "(Zendesk: Managing API token access)."
        )
        undoable = (
            "Deactivation can be undone (Reactivate); delete it with `delete=True` once nothing uses it."
        )
        warnings = [md(final if self.delete else undoable)]
        title = f"{action} API token {self.token_id}"
        rehearsal = ("api_tokens", int(self.token_id), "delete" if self.delete else "deactivate")
        return ManualStep(
            self.change, title, API_TOKENS_PATH, clicks, d, warnings, check=self._done, rehearsal=rehearsal
        )

    def show(self, run: Run) -> None:
        if self.change and self.change.status in (ChangeStatus.PLANNED, ChangeStatus.PENDING):
            self.step().show()

    def snapshot(self, run: Run) -> None:
        if self.token:
            run.snapshot(f"api_token-{self.token_id}", self.token)

    def apply(self, run: Run) -> None:
        if self.change and self.change.status == ChangeStatus.PENDING:
            self.step().wait(run)

    def verify(self, run: Run) -> None:
        if not self.change or self.change.status != ChangeStatus.VERIFIED:
            return
        secret = _handed(self.handoff).get("api_token")
        if secret:
            email = (self.handoff or {}).get("requester") or (self.token or {}).get("user_email")
            rejected = common.token_rejected(self.client, secret, email=email)
            note(
                "A call with the token's secret: {result:raw}",
                result=md("rejected (401)") if rejected else md("**still authenticates**"),
            )
            if not rejected:
                run.fail(
                    f"API token {self.token_id} still authenticates: check {API_TOKENS_PATH} and escalate."
                )
        action = "destroy" if self.delete else "update"
        common.audit_crosscheck(run, self.token_id, action, API_TOKEN_SOURCE_TYPES)


# -- OAuth: every token of a request (or of one client), and the client's power to mint -----------------
@dataclass
class OAuthRevocation:
    """Cut the client off (regenerate its secret, or delete it: `delete_client`), then revoke every token."""

    client: Client
    clients: list[dict]
    tokens: list[dict]
    delete_client: bool = False
    handoff: dict | None = None
    plan_changes: list[ch.Change] = field(default_factory=list)

    def guard(self, run: Run) -> None:
        """Refuse to revoke the run's own token or client."""
        own = common.own_credential(self.client)
        if own.token_id is not None and any(t["id"] == own.token_id for t in self.tokens):
            run.refuse(own.explain(f"OAuth token {own.token_id}"))
        hit = [c["id"] for c in self.clients if c["id"] in own.client_ids]
        if hit:
            run.refuse(own.explain(f"OAuth client {hit[0]}"))

    def show(self, run: Run) -> None:
        if not (self.clients or self.tokens):
            return
        explain_cut_off(self)
        table(
            [
                {k: c.get(k) for k in ("id", "name", "identifier", "user_id", "description")}
                for c in self.clients
            ]
        )
        table(
            [
                {k: t.get(k) for k in ("id", "client_id", "user_id", "scopes", "used_at", "expires_at")}
                for t in self.tokens
            ]
        )

    def changes(self) -> list[ch.Change]:
        if self.plan_changes:
            return self.plan_changes
        out = []
        for c in self.clients:
            known = {"names": [c.get("name")], "description": c.get("description")}  # for the approval gate
            if self.delete_client:
                out.append(ch.Change("oauth_client", c["id"], EXISTS, True, False, note="final", extra=known))
                continue
            done = common.last_recorded(
                self.client.base_url, REVOKE_RUNBOOKS, "oauth_client", c["id"], SECRET
            )
            live_tokens = any(t["client_id"] == c["id"] for t in self.tokens)
            before = CUT_OFF if common.recorded_done(done) and not live_tokens else "can mint tokens"
            out.append(
                ch.Change(
                    "oauth_client",
                    c["id"],
                    SECRET,
                    before,
                    CUT_OFF,
                    note="breaks every holder of the old secret",
                    extra=known,
                )
            )
        out += [ch.Change("oauth_token", t["id"], EXISTS, True, False) for t in self.tokens]
        self.plan_changes = out
        return out

    def snapshot(self, run: Run) -> None:
        if self.clients or self.tokens:
            name = f"oauth_client-{self.clients[0]['id']}" if self.clients else "oauth_tokens"
            run.snapshot(name, {"clients": self.clients, "tokens": self.tokens})

    def apply(self, run: Run) -> None:
        """Cut the client off first, then revoke every token it has now (minted after the plan too).

        Revoking the planned tokens first and regenerating the secret last leaves a window in which the old
        secret mints tokens nobody revokes; so the client goes first, and its tokens are listed afresh.
        """
        for change in self._client_changes():
            if change.field == EXISTS:
                run.apply(change, lambda i=change.id: self.client.oauth_clients.delete(i))
            else:
                result = run.apply(change, lambda i=change.id: self.client.oauth_clients.generate_secret(i))
                if result:  # nobody receives the new secret: it is only tracked so no record can hold it
                    register_secret(f"regenerated secret of client {change.id}", result.get("secret") or "")
                    discarded = Delivery(
                        f"the new secret of OAuth client {change.id}",
                        NOBODY,
                        note="discarded at once, so the client can mint no token",
                    )
                    run.facts.setdefault(FACT, []).append(discarded.as_fact())
        for _ in range(ROUNDS):
            if run.dry_run:
                break
            self._add_minted(run)
            pending = [c for c in self._token_changes() if c.status == ChangeStatus.PENDING]
            if not pending:
                break
            for change in pending:
                run.apply(change, lambda i=change.id: self._revoke_token(i))

    def _client_changes(self) -> list[ch.Change]:
        return [c for c in self.changes() if c.object == "oauth_client"]

    def _token_changes(self) -> list[ch.Change]:
        return [c for c in self.changes() if c.object == "oauth_token"]

    def _revoke_token(self, token_id: Any) -> None:
        with contextlib.suppress(NotFound):  # gone already (with its deleted client, or expired): as wanted
            self.client.oauth_tokens.revoke(token_id)

    def _live_tokens(self) -> list[dict]:
        """The clients' tokens as Zendesk lists them now, and any planned token still readable."""
        live: dict[Any, dict] = {}
        for oauth_client in self.clients:
            for token in self.client.oauth_tokens.list(all=True, client_id=oauth_client["id"]):
                live[token["id"]] = token
        for token in self.tokens:
            if token["id"] not in live and not any(token.get("client_id") == c["id"] for c in self.clients):
                try:
                    live[token["id"]] = self.client.oauth_tokens.get(token["id"])
                except NotFound:
                    continue
        return list(live.values())

    def _add_minted(self, run: Run) -> None:
        """Tokens the client has now that the plan did not list: each becomes a change of this run."""
        known = {c.id for c in self._token_changes()}
        minted = [t for t in self._live_tokens() if t["id"] not in known]
        if not minted:
            return
        note(
            "{n} token(s) of the client were not in the plan (minted while it was made or applied): each is "
            "revoked and recorded as a change of this run.",
            n=len(minted),
        )
        table([{k: t.get(k) for k in ("id", "client_id", "user_id", "scopes", "created_at")} for t in minted])
        for token in minted:
            change = ch.Change("oauth_token", token["id"], EXISTS, True, False, note="minted after the plan")
            self.tokens.append(token)
            self.plan_changes.append(change)
            run.adopt([change])

    def verify(self, run: Run) -> None:
        for change in self.changes():
            if change.status != ChangeStatus.APPLIED:
                continue
            if change.object == "oauth_token":
                run.verify(change, run.exists(lambda i=change.id: self.client.oauth_tokens.get(i)))
            elif change.field == EXISTS:
                run.verify(change, run.exists(lambda i=change.id: self.client.oauth_clients.get(i)))
        self._none_left(run)
        self._prove(run)
        for change in self.changes():
            if change.status == ChangeStatus.VERIFIED:
                common.audit_crosscheck(run, change.id, "destroy" if change.field == EXISTS else "update")

    def _none_left(self, run: Run) -> None:
        """Listed again after the revocation: the client has no token left."""
        if run.dry_run or not any(c.status in (ChangeStatus.APPLIED, ChangeStatus.VERIFIED)
                                  for c in self.changes()):  # fmt: skip
            return
        left = [t["id"] for t in self._live_tokens()]
        if left:
            run.fail(
                f"OAuth token(s) {', '.join(map(str, left))} of the client are still live after the "
                "revocation: re-run this runbook (it revokes them), or delete the client "
                "(delete_client=True), and escalate."
            )
        note("Listed again after the revocation: no token of the client is left.")

    def _prove(self, run: Run) -> None:
        """With the handed-off secrets: the old client secret mints nothing, the old token gets 401."""
        if run.dry_run:  # a dry run never tries a live secret
            return
        secrets, details = _handed(self.handoff), self.handoff or {}
        if not secrets:
            if any(c.status == ChangeStatus.APPLIED for c in self.changes()):
                note(
                    "No hand-off file given: the old secret and token were not tried (give "
                    "`handoff_file` to prove it)."
                )
            return
        proofs = []
        if secrets.get("access_token"):
            proofs.append(
                ("the old access token", common.token_rejected(self.client, secrets["access_token"]))
            )
        if secrets.get("client_secret") and details.get("client_id"):
            refused = common.mint_refused(self.client, details["client_id"], secrets["client_secret"])
            proofs.append(("minting with the old client secret (expect invalid_client)", refused))
        table([{"proof": what, "refused": ok} for what, ok in proofs])
        for change in self.changes():
            if change.field == SECRET and change.status == ChangeStatus.APPLIED:
                run.verify(change, CUT_OFF if all(ok for _, ok in proofs) else "the old secret still mints")
        if not all(ok for _, ok in proofs):
            run.fail(
                "A handed-off secret still works after the revocation: revoke the client "
                "(delete_client=True) and escalate."
            )


def by_request(
    run: Run, url: str, *, delete_client: bool = False, handoff: dict | None = None
) -> OAuthRevocation:
    """Every OAuth client and token whose description names the access request."""
    found = find_request_credentials(run.client, url, api_tokens=False)
    plan = OAuthRevocation(run.client, found.oauth_clients, found.oauth_tokens, delete_client, handoff)
    if not found.oauth_clients and not _revoked_before(run, url):
        run.fail(f"No OAuth client or token is described with {url} on {run.client.base_url}. Check the URL.")
    if not found.oauth_clients:
        note("Nothing is left for {url:url}: this procedure already revoked it (our records).", url=url)
    return plan


def _revoked_before(run: Run, url: str) -> bool:
    return bool(common.recorded_runs(run.client.base_url, "revoke_token", "applied", issued_for_url=url))


def integration(
    run: Run, client_id: int, *, delete_client: bool = False, handoff: dict | None = None
) -> OAuthRevocation:
    """One OAuth client and every token issued through it; gone is fine if our records deleted it."""
    try:
        oauth_client = run.client.oauth_clients.get(client_id)
    except NotFound:
        recorded = common.last_recorded(
            run.client.base_url, REVOKE_RUNBOOKS, "oauth_client", client_id, EXISTS
        )
        if not common.recorded_done(recorded):
            run.fail(
                f"OAuth client {client_id} was not found on {run.client.base_url}, and no record of "
                f"this procedure "
                "deleting it. Check the id in Admin Center > Apps and integrations > APIs > OAuth clients."
            )
        note(
            "OAuth client {id} is already deleted (our record of {at}).",
            id=client_id,
            at=recorded.get("finished_at"),
        )
        return OAuthRevocation(run.client, [], [], delete_client, handoff)
    tokens = list(run.client.oauth_tokens.list(all=True, client_id=client_id))
    plan = OAuthRevocation(run.client, [oauth_client], tokens, delete_client, handoff)
    plan.guard(run)
    plan.show(run)
    return plan


def explain_cut_off(plan: OAuthRevocation) -> None:
    """Say how the integration is cut off, before the approval gate."""
    if plan.delete_client:
        warn("delete_client=True: the OAuth client is deleted, which is final; its tokens go with it.")
    else:
        note(
            "First the client's secret is regenerated, and nobody receives the new one: the integration can "
            "mint no new token. Then every token the client has at that moment is revoked (tokens minted "
            "after this plan too), and the list is read again to prove none is left. The client stays (for "
            "its history); `delete_client=True` deletes it (final)."
        )


@dataclass
class NoTarget:
    """No credential chosen: a dry run lists the candidates, an applied run is refused."""

    def changes(self) -> list[ch.Change]:
        return []

    def show(self, run: Run) -> None: ...
    def snapshot(self, run: Run) -> None: ...
    def apply(self, run: Run) -> None: ...
    def verify(self, run: Run) -> None: ...


def candidates(run: Run, kind: str) -> None:
    """The live credentials of a kind, to choose from."""
    if kind == "api_token":
        keys = ("id", "description", "active", "user_email", "last_used")
        rows = [
            {k: t.get(k) for k in keys}
            for t in run.client.api_tokens.list(include_users=True)
            if t.get("active")
        ]
    else:
        keys = ("id", "client_id", "user_id", "scopes", "used_at", "expires_at")
        rows = [{k: t.get(k) for k in keys} for t in run.client.oauth_tokens.list(all=True)]
    table(rows)


def revocation(
    run: Run,
    *,
    kind: str,
    token_id: int = 0,
    issued_for_url: str = "",
    delete: bool = False,
    delete_client: bool = False,
    handoff: dict | None = None,
) -> Revocation:
    """The revoke plan for revoke_token's parameters (found, shown and guarded; nothing changed yet)."""
    if kind not in ("api_token", "oauth"):
        run.refuse(f"kind={kind!r}: use 'api_token' (guided through Admin Center) or 'oauth'.")
    if not (token_id or issued_for_url):
        if not run.dry_run:
            run.refuse(
                "Give token_id, or issued_for_url (the access-request URL the credential was issued for)."
            )
        note("No credential was chosen: here are the candidates. Re-run with `token_id` or `issued_for_url`.")
        candidates(run, kind)
        return NoTarget()
    if issued_for_url:
        try:
            issued_for_url = normalize_request_url(issued_for_url)
        except ValueError as error:
            run.refuse(f"issued_for_url: {error}")
    if kind == "api_token":
        if issued_for_url:
            tokens = find_request_credentials(run.client, issued_for_url).api_tokens
            if not tokens:
                run.fail(f"No API token is described with {issued_for_url} on {run.client.base_url}.")
            token_id = tokens[0]["id"]
        plan = ApiTokenRevocation(run.client, int(token_id), delete, handoff)
        plan.find(run)
        return plan
    if issued_for_url:
        oauth = by_request(run, issued_for_url, delete_client=delete_client, handoff=handoff)
    else:
        try:
            token = run.client.oauth_tokens.get(token_id)
        except NotFound:
            run.fail(f"No OAuth token with id {token_id} on {run.client.base_url}.")
        oauth = OAuthRevocation(run.client, [], [token], False, handoff)
    oauth.guard(run)
    oauth.show(run)
    return oauth
