"""The index line is scanned as data, so escaped characters in a secret cannot hide it."""

from __future__ import annotations

from zdlib.runner.credentials import Secret
from zdlib.runner.scan import scan_data


def test_index_data_scan_finds_secrets_with_quotes_and_backslashes():
    tricky = 'ab"cd\\ef-0123456789'
    secret = Secret("run secret", tricky)
    assert scan_data({"changes": [{"after": f"value {tricky} here"}]}, [secret])
    assert not scan_data({"changes": []}, [secret])
