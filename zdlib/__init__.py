"""zdlib: a careful Zendesk Support API client, runbook kit and local sandbox."""

__version__ = "0.1.0"
