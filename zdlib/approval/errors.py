"""The approval package's errors; each message says what is wrong and what to do."""

from __future__ import annotations


class ApprovalError(Exception):
    """Base of the approval errors."""


class ApprovalInputError(ApprovalError, ValueError):
    """A parameter (URL, username, source) is not what an approval needs."""


class PolicyError(ApprovalError):
    """The approval policy file is missing, unreadable or malformed."""


class SourceError(ApprovalError):
    """The approval source (GitLab) could not be asked or did not answer usefully."""
