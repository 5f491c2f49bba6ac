"""A throwaway certificate authority and server certificate for `--tls` (via trustme)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class TlsFiles:
    directory: Path
    ca_file: Path  # what clients must trust (ZENDESK_CA_BUNDLE, REQUESTS_CA_BUNDLE, curl --cacert)
    cert_file: Path
    key_file: Path


def make_tls_files(host: str) -> TlsFiles:
    """A fresh CA and a certificate for 127.0.0.1, localhost and `host`, written to a private folder."""
    directory = Path(tempfile.mkdtemp(prefix="zdlib-sandbox-tls-"))
    ca = trustme.CA(organization_name="zdlib sandbox")
    names = sorted({"127.0.0.1", "localhost", "::1", host} - {"0.0.0.0", ""})
    cert = ca.issue_cert(*names)
    files = TlsFiles(directory, directory / "ca.pem", directory / "server.pem", directory / "server.key")
    ca.cert_pem.write_to_path(str(files.ca_file))
    cert.private_key_pem.write_to_path(str(files.key_file))
    with files.cert_file.open("wb") as out:
        for blob in cert.cert_chain_pems:
            out.write(blob.bytes())
    return files
