"""The banner of a waiting run lists the person's step; a credential's delivery line is shown (escaped)."""

from __future__ import annotations

from zdlib.record.delivery import Delivery
from zdlib.runner.banner import banner_html

HOSTILE = '<img src=x onerror="alert(1)">'


def summary(outcome: str, **facts) -> dict:
    return {"outcome": outcome, "runbook": "revoke_token", "reason": "r", "facts": facts}


def test_a_waiting_banner_lists_the_step_escaped():
    step = {"title": "Deactivate API token 3", "path": "Admin Center > APIs", "clicks": ["Open it.", HOSTILE],
            "details": [["description", HOSTILE]], "warnings": ["Deletion is final."]}  # fmt: skip
    html = banner_html(summary("waiting", admin_center=step))
    assert "Left to a person in Admin Center &gt; APIs: Deactivate API token 3" in html
    assert "<li>Open it.</li>" in html and "Deletion is final." in html
    assert "<img" not in html and "&lt;img" in html
    assert "Left to a person" not in banner_html(summary("applied", admin_center=step))


def test_a_delivery_is_shown_without_its_secret():
    handed = Delivery("access token 9 of OAuth client 5", "file", "/h/f.json", "Alan <a@b.c> (user 2, role agent)",
                      ["read"], "2026-12-05T10:00:00Z")  # fmt: skip
    nobody = Delivery("the new secret of OAuth client 5", "nobody", note="discarded")
    html = banner_html(summary("applied", deliveries=[handed.as_fact(), nobody.as_fact()])).replace("<wbr>", "")
    assert (
        "Delivered:</b> access token 9 of OAuth client 5 -&gt; file /h/f.json; acts as Alan &lt;a@b.c&gt; "
        "(user 2, role agent); scopes read; expires 2026-12-05T10:00:00Z (UTC)" in html
    )
    assert "Delivered:</b> the new secret of OAuth client 5 -&gt; nobody; discarded" in html
    assert "Delivered" not in banner_html(summary("applied"))
