"""Approval evidence: the access-request issue, checked where it lives (GitLab), before any change.

Pure of the runner and of the notebooks: the kit (`zdlib.runbook.approval`) calls `check`, the runner calls
`comment.post_outcome` after publishing a record. Facts about GitLab's access-request process and the API it
offers are in `shared/reference/zendesk-2026-12-updates.md` section 4. It imports neither the kit nor the
runner (`make lint`); Markdown for the comment comes from `zdlib.record.markup`.

| module          | what it does                                                                     |
|-----------------|----------------------------------------------------------------------------------|
| `request_url`   | the access-request URL, parsed strictly (`IssueRef`)                             |
| `names`         | GitLab usernames and people's names, folded and compared                         |
| `policy`        | `approval-policy.yaml` (or `ZDLIB_APPROVAL_POLICY`): projects, labels, reviewers |
| `gitlab_source` | the issue, its label events and notes, read with python-gitlab                   |
| `evidence`      | `Evidence`: what was checked, what was found, the problems                       |
| `comment`       | the outcome posted on the access request once a record is published              |
| `errors`        | `ApprovalInputError`, `PolicyError`, `SourceError`                               |
"""

from zdlib.approval.errors import ApprovalInputError, PolicyError, SourceError
from zdlib.approval.evidence import Evidence
from zdlib.approval.policy import Policy, load_policy
from zdlib.approval.request_url import IssueRef, parse_request_url

__all__ = [
    "ApprovalInputError",
    "Evidence",
    "IssueRef",
    "Policy",
    "PolicyError",
    "SourceError",
    "load_policy",
    "parse_request_url",
]
