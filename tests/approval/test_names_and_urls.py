"""Names, usernames, access-request URLs and the policy file: the pure parts of zdlib.approval."""

from __future__ import annotations

import pytest

from zdlib.approval import ApprovalInputError, PolicyError, load_policy, parse_request_url
from zdlib.approval.names import fold, name_problem, normalize_username, same_person
from zdlib.approval.policy import parse_policy
from zdlib.runbook.approval import approval_problems

URL = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242"
OPERATOR = {"name": "Ada Admin", "email": "ada.admin@sandbox.zdlib.test"}


# -- names (security review 2026-12-02 B19, B23, B24, B29) ---------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Maria Manager", "Maria  Manager"),  # two spaces
        ("Ada Admin", "Ada Admin."),  # trailing dot
        ("Ada Admin", "Adа Admin"),  # Cyrillic а
        ("Ada Admin", "ΑDA ADMIN"),  # Greek capital alpha, other case
        ("Ada Admin", "Ａｄａ Ａｄｍｉｎ"),  # fullwidth letters (NFKC)
        ("ada.admin@sandbox.zdlib.test", "Ada Admin"),  # an email's local part
    ],
)
def test_look_alike_names_are_the_same_person(a, b):
    assert same_person(a, b)


def test_different_people_stay_different():
    assert not same_person("Maria Manager", "Mario Manager")
    assert not same_person("-", ".")  # not names at all: never "the same person" either


@pytest.mark.parametrize(
    "name", ["-", ".", "<script>", "<script>alert(1)</script>", "a", "Ada\nAdmin", "x" * 201]
)
def test_what_is_not_a_name_is_refused(name):
    assert name_problem("approved_by", name) is not None


def test_unicode_names_are_names():
    assert name_problem("approved_by", "Zoë Ångström-Ñúñez") is None
    assert name_problem("reviewed_by", "Łukasz Żółć 李雷") is None


@pytest.mark.parametrize(
    ("approver", "reviewer", "expected"),
    [
        ("Maria Manager", "Maria  Manager", "the same person"),
        ("Ada Admin.", "Sam Security", "approved_by is the operator"),
        ("Adа Admin", "Sam Security", "approved_by is the operator"),
        ("-", ".", "is not a name"),
        ("<script>", "Sam Security", "markup characters"),
    ],
)
def test_typed_approvals_with_look_alikes_are_refused(approver, reviewer, expected):
    problems = approval_problems(URL, approver, reviewer, OPERATOR)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("typed", "username"),
    [("maria.manager", "maria.manager"), ("@Maria.Manager", "maria.manager"), ("bob_b-1", "bob_b-1")],
)
def test_gitlab_usernames_are_normalized(typed, username):
    assert normalize_username("approved_by", typed) == username


@pytest.mark.parametrize(
    "typed",
    [
        "Maria Manager",
        "maria manager",
        "-",
        ".",
        "<script>",
        "mаria.manager",
        "maria.",
        ".maria",
        "x.git",
        "",
    ],
)
def test_what_is_not_a_gitlab_username_is_refused(typed):
    with pytest.raises(ApprovalInputError, match="approved_by"):
        normalize_username("approved_by", typed)


def test_fold_is_nfkc_casefold_and_whitespace():
    assert fold("  Ｍaria\t\u00a0MANAGER ") == "maria manager"


# -- access_request_url (security review B14-B17, issue 9 item 6) --------------------------------------
def test_the_issue_url_is_parsed_and_normalized_once():
    ref = parse_request_url(URL.replace("gitlab.com", "GitLab.com"))
    assert (ref.host, ref.project, ref.iid) == (
        "gitlab.com",
        "gitlab-com/team-member-epics/access-requests",
        4242,
    )
    assert ref.url == URL


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (URL + "\t" + URL.replace("4242", "4243"), "space or control character"),  # TAB joining two URLs
        (URL + "\n" + URL.replace("4242", "4243"), "space or control character"),  # newline
        (URL + " ", "space or control character"),  # trailing space
        (" " + URL, "space or control character"),
        (URL.replace("issues", "iss\u200bues"), "space or control character"),  # zero-width space
        ("https://x", "no real host name"),
        ("https://gitlab.example@evil.example/g/p/-/issues/1", "user name or password"),
        ("https://user:pw@gitlab.com/g/p/-/issues/1", "user name or password"),
        ("http://gitlab.com/g/p/-/issues/1", "must start with https://"),
        (
            "https://gitlab.com/.../access-requests/-/issues/1",
            "invalid group or project path",
        ),  # old README
        ("https://gitlab.com/g/p/-/issues/1?x=1", "query or fragment"),
        ("https://gitlab.com/g/p/-/issues/1#note_2", "query or fragment"),
        ("https://gitlab.com/g/p/-/merge_requests/1", "not a GitLab issue URL"),
        ("https://gitlab.com/g/p/-/issues/abc", "issue number"),
        ("https://gitlab.com/p/-/issues/1", "not a GitLab issue URL"),
        ("", "is missing"),
    ],
)
def test_loose_urls_are_refused_with_the_reason(raw, reason):
    with pytest.raises(ApprovalInputError, match=reason):
        parse_request_url(raw)


# -- the policy file ---------------------------------------------------------------------------------
def test_the_repository_policy_loads_with_the_handbook_defaults():
    policy = load_policy("approval-policy.yaml")
    assert policy.allowed_projects == ("gitlab-com/team-member-epics/access-requests",)
    assert policy.approval_labels == ("AR-Approval::Manager Approved",)
    assert policy.reviewer_may_be_operator and policy.comment_back and not policy.sandbox_only


def test_the_sandbox_policy_names_its_reviewers():
    policy = load_policy("zdlib/sandbox/gitlab/approval-policy.yaml")
    assert policy.sandbox_only and set(policy.reviewer_users) == {"sam.security", "ada.admin"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"allowed_projects": []}, "allowed_projects must name at least one"),
        ({"allowed_projects": ["a/b"], "colour": 1}, "unknown field"),
        (
            {"allowed_projects": ["a/b"], "max_approval_age_days": "30"},
            "max_approval_age_days must be a whole number",
        ),
        ({"allowed_projects": ["a/b"], "comment_back": "yes"}, "comment_back must be true or false"),
        ({"allowed_projects": ["a/b"], "reviewers": {"users": ["Sam Security"]}}, "not a GitLab username"),
        ({"allowed_projects": ["a/b"], "version": 2}, "version"),
    ],
)
def test_a_bad_policy_is_a_clear_error(data, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(data, "approval-policy.yaml")


def test_a_missing_policy_file_says_what_to_do(tmp_path):
    with pytest.raises(PolicyError, match=r"does not exist.*ZDLIB_APPROVAL_POLICY"):
        load_policy(tmp_path / "nope.yaml")


def test_a_policy_key_given_twice_is_refused_not_read_as_its_last_value(tmp_path):
    # security re-test 2026-12-04 L5: `allow_manual: false` then `allow_manual: true` loaded as true
    file = tmp_path / "approval-policy.yaml"
    file.write_text(
        "allowed_projects: [a/b]\nallow_manual: false\nreviewers: {users: [sam]}\nallow_manual: true\n"
    )
    with pytest.raises(PolicyError, match=r"'allow_manual' is given twice"):
        load_policy(file)
    file.write_text("allowed_projects: [a/b]\nreviewers: {users: [sam], users: [eve]}\n")  # nested, too
    with pytest.raises(PolicyError, match=r"'users' is given twice"):
        load_policy(file)


@pytest.mark.parametrize(
    ("text", "name", "named"),
    [
        ("deactivate automation 12345 please", "automation 12345", True),
        ("automation 123456", "automation 12345", False),  # another id
        ("Automation 12345.", "automation 12345", True),
        ("PUT /api/v2/automations/12350 and more", "/api/v2/automations/12350", True),
        ("PUT /api/v2/automations/12350", "/api/v2/automations", False),  # a path is not its collection
        ("create one (POST /api/v2/automations)", "/api/v2/automations", True),
        ("", "automation 1", False),
    ],
)
def test_a_request_names_a_target_as_a_whole_token(text, name, named):
    from zdlib.approval.binding import names_target

    assert names_target(text, name) is named
