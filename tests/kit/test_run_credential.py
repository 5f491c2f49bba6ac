"""The kit's run end revokes the run's own client-credentials token; a later cell can still use the client."""

from __future__ import annotations

import httpx
import pytest

from zdlib import Client, load_settings
from zdlib.runbook import Failed, Refused
from zdlib.runbook.run import Run

ISSUED = ["c0ffee" * 10 + "0001", "c0ffee" * 10 + "0002"]
CLIENT_SECRET = "Zm9vYmFyYmF6cXV4K0xpdmVTZWNyZXQvMTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u"


class GrantingZendesk:
    """Issues tokens by client credentials and revokes them; remembers which are live."""

    def __init__(self) -> None:
        self.live: set[str] = set()
        self.issued = iter(ISSUED)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if request.url.path == "/oauth/tokens":
            token = next(self.issued)
            self.live.add(token)
            return httpx.Response(
                200, json={"access_token": token, "token_type": "bearer", "expires_in": 3600}
            )
        if bearer not in self.live:
            return httpx.Response(401, json={"error": "invalid_token"})
        if request.url.path == "/api/v2/oauth/tokens/current":
            return httpx.Response(200, json={"token": {"id": ISSUED.index(bearer) + 1}})
        if request.method == "DELETE" and request.url.path.startswith("/api/v2/oauth/tokens/"):
            self.live.discard(bearer)
            return httpx.Response(204)
        user = {"id": 1, "name": "Ada Admin", "email": "ada@example.com", "role": "admin"}
        return httpx.Response(200, json={"user": user})


@pytest.fixture
def quiet(monkeypatch, tmp_path):
    for where in (
        "zdlib.runbook.summary.display",
        "zdlib.runbook.run.display",
        "zdlib.runbook.display.display",
    ):
        monkeypatch.setattr(where, lambda *a, **k: None)
    monkeypatch.setenv("ZDLIB_RECORD_STEM", str(tmp_path / "record"))  # the test's own checkpoints


def make_run(zendesk: GrantingZendesk) -> Run:
    settings = load_settings(
        environ={
            "ZENDESK_URL": "https://acme.zendesk.com",
            "ZENDESK_CLIENT_ID": "zdlib_ops",
            "ZENDESK_CLIENT_SECRET": CLIENT_SECRET,
        }
    )
    run = Run(
        "api_request", "1.0.0", {}, Client(settings, transport=httpx.MockTransport(zendesk)), writes=False
    )
    run.identify()
    return run


@pytest.mark.parametrize("end", ["finish", "refuse", "fail"])
def test_every_run_end_revokes_the_runs_token(quiet, end) -> None:
    zendesk = GrantingZendesk()
    run = make_run(zendesk)
    assert zendesk.live == {ISSUED[0]}
    if end == "finish":
        run.finish()
    else:
        with pytest.raises(Refused if end == "refuse" else Failed):
            getattr(run, end)("stopped on purpose")
    assert zendesk.live == set()
    run.release_credential()  # idempotent
    assert zendesk.live == set()


def test_a_later_cell_mints_a_new_token(quiet) -> None:
    zendesk = GrantingZendesk()
    run = make_run(zendesk)
    run.finish()
    assert run.client.users.me()["id"] == 1
    assert zendesk.live == {ISSUED[1]}


def test_a_stop_reason_never_carries_a_secret(quiet) -> None:
    run = make_run(GrantingZendesk())
    with pytest.raises(Failed) as caught:
        run.fail(f"the server said: Authorization: Bearer {ISSUED[0]} and secret {CLIENT_SECRET}")
    for text in (caught.value.reason, str(caught.value), run.reason):
        assert ISSUED[0] not in text and CLIENT_SECRET not in text


def test_the_runs_token_reaches_the_runners_secret_file_the_moment_it_exists(
    quiet, tmp_path, monkeypatch
) -> None:
    import json

    import zdlib.runbook.files  # noqa: F401  (the kit subscribes its listener on import)

    secrets_file = tmp_path / "run-secrets.jsonl"
    monkeypatch.setenv("ZDLIB_RUN_SECRETS", str(secrets_file))
    make_run(GrantingZendesk())  # identify() mints the first token
    values = [json.loads(line)["value"] for line in secrets_file.read_text().splitlines()]
    assert ISSUED[0] in values and CLIENT_SECRET in values
