"""Settings from the environment and a ``.env`` file (the environment wins), frozen once loaded."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values, find_dotenv

from zdlib.errors import ConfigError
from zdlib.redact import fingerprint
from zdlib.schemes import SCHEMES, Scheme, kinds, scheme_of

#: The credential kinds (``ZENDESK_AUTH`` values) and the variables each needs: views of ``zdlib.schemes``.
AUTH_KINDS: tuple[str, ...] = kinds()
AUTH_VARIABLES: dict[str, tuple[str, ...]] = {scheme.kind.value: scheme.variables for scheme in SCHEMES}
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str, variable: str = "ZENDESK_URL") -> str:
    """Check an instance URL and return it as ``scheme://host[:port]`` (no trailing slash)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(
            f"{variable} is not a valid URL ({exc}). Use e.g. https://acme.zendesk.com."
        ) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"{variable} must look like https://acme.zendesk.com (scheme and host).")
    if parts.username or parts.password:
        raise ConfigError(
            f"{variable} must not contain a user name or password; use the credential variables."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"{variable} must be only the instance address, without a path or query "
            "(e.g. https://acme.zendesk.com, not .../api/v2)."
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{variable} uses http:// for a host that is not loopback. Use https:// (http:// is only "
            "allowed for 127.0.0.1, ::1 and localhost, e.g. the local sandbox)."
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def subdomain_url(subdomain: str) -> str:
    """``https://{subdomain}.zendesk.com`` after checking the subdomain's shape."""
    value = subdomain.strip().lower()
    if not _SUBDOMAIN.match(value):
        raise ConfigError(
            "ZENDESK_SUBDOMAIN must be just the subdomain (letters, digits and hyphens, e.g. acme for "
            "acme.zendesk.com). For another host, set ZENDESK_URL instead."
        )
    return f"https://{value}.zendesk.com"


@dataclass(frozen=True)
class Settings:
    """Everything the client needs. Secret fields never appear in ``repr``; a fingerprint does."""

    base_url: str
    auth_kind: str
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    scopes: str = "read write"
    token_expires_in: int = 3600
    timeout: float = 30.0
    concurrency: int = 8
    deadline: float | None = 600.0
    rate_share: float = 1.0
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", normalize_base_url(self.base_url, "base_url"))
        if self.auth_kind not in AUTH_KINDS:
            raise ConfigError(f"auth_kind must be one of {', '.join(AUTH_KINDS)}.")
        missing = [name for name in AUTH_VARIABLES[self.auth_kind] if not getattr(self, _field_of(name))]
        if missing:
            raise ConfigError(f"auth kind {self.auth_kind!r} needs {' and '.join(missing)}.")
        if not 0 < self.rate_share <= 1:
            raise ConfigError("ZENDESK_RATE_SHARE must be a number greater than 0 and at most 1.")
        if self.concurrency < 1:
            raise ConfigError("ZENDESK_CONCURRENCY must be at least 1.")
        if self.timeout <= 0:
            raise ConfigError("ZENDESK_TIMEOUT must be a positive number of seconds.")

    @property
    def scheme(self) -> Scheme:
        """The chosen credential scheme (``zdlib.schemes``)."""
        return scheme_of(self.auth_kind)

    def value_of(self, variable: str) -> str:
        """The configured value of one of the scheme's variables (``ZENDESK_EMAIL`` -> ``email``)."""
        return getattr(self, _field_of(variable)) or ""

    @property
    def secret(self) -> str:
        """The secret value of the chosen credential."""
        return self.value_of(self.scheme.secret_variable)

    @property
    def credential_fingerprint(self) -> str:
        return fingerprint(self.secret)

    def __repr__(self) -> str:
        return (
            f"Settings(base_url={self.base_url!r}, auth_kind={self.auth_kind!r}, "
            f"credential={self.credential_fingerprint}, timeout={self.timeout:g}, "
            f"concurrency={self.concurrency}, deadline={self.deadline}, rate_share={self.rate_share:g}, "
            f"ca_bundle={self.ca_bundle!r})"
        )

    __str__ = __repr__


def _field_of(variable: str) -> str:
    return variable.removeprefix("ZENDESK_").lower()


def _dotenv_disabled(environ: Mapping[str, str]) -> bool:
    """python-dotenv's own switch: the runner sets it when it supplies the instance's settings."""
    return environ.get("PYTHON_DOTENV_DISABLED", "").strip().lower() in ("1", "true", "yes")


def read_settings(
    prefix: str,
    env_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every `<prefix>*` setting, the environment over the settings file (given, or the nearest `.env`
    from the working folder up unless `PYTHON_DOTENV_DISABLED`), stripped, empty ones dropped.

    With `environ` given, only it (and a given `env_file`) is read: tests and the runner pass their own.
    """
    if environ is None:
        environ = os.environ
        if env_file is None and not _dotenv_disabled(environ):
            # The nearest .env from the working directory up: notebooks run in notebooks/, the
            # operator's .env sits at the repository root.
            env_file = find_dotenv(usecwd=True) or None
    values: dict[str, str] = {}
    if env_file is not None:
        path = Path(env_file)
        if not path.is_file():
            raise ConfigError(f"The settings file {path} does not exist.")
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update({k: v for k, v in environ.items() if k.startswith(prefix)})
    return {k: v.strip() for k, v in values.items() if k.startswith(prefix) and v.strip() != ""}


def _number(values: dict[str, str], name: str, default: float | None, kind: type = float) -> float | None:
    raw = values.get(name)
    if raw is None:
        return default
    if name == "ZENDESK_DEADLINE" and raw.lower() in ("none", "off", "0"):
        return None
    try:
        number = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, got {raw!r}.") from None
    if number <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}.")
    return number


def _choose_auth(values: dict[str, str]) -> str:
    complete = [k for k, names in AUTH_VARIABLES.items() if all(n in values for n in names)]
    chosen = values.get("ZENDESK_AUTH", "").lower()
    if chosen:
        if chosen not in AUTH_KINDS:
            raise ConfigError(f"ZENDESK_AUTH must be one of {', '.join(AUTH_KINDS)}.")
        missing = [n for n in AUTH_VARIABLES[chosen] if n not in values]
        if missing:
            raise ConfigError(f"ZENDESK_AUTH={chosen} needs {' and '.join(missing)} to be set.")
        return chosen
    if len(complete) == 1:
        return complete[0]
    if len(complete) > 1:
        raise ConfigError(
            f"Several credentials are set ({', '.join(complete)}). Set ZENDESK_AUTH to one of them, or "
            "unset the others."
        )
    partial = sorted({n for names in AUTH_VARIABLES.values() for n in names if n in values})
    if partial:
        needed = [
            " and ".join(n for n in names if n not in values)
            for kind, names in AUTH_VARIABLES.items()
            if any(n in values and n != "ZENDESK_EMAIL" for n in names)
        ]
        hint = f" Also set {' or '.join(needed)}." if needed else ""
        raise ConfigError(f"Incomplete credentials: only {', '.join(partial)} set.{hint}")
    raise ConfigError(
        "No Zendesk credential is set. Set ZENDESK_OAUTH_TOKEN, or ZENDESK_CLIENT_ID + "
        "ZENDESK_CLIENT_SECRET, "
        "or ZENDESK_EMAIL + ZENDESK_API_TOKEN (in the environment or .env)."
    )


def load_settings(
    env_file: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read ``ZENDESK_*`` settings and check them; raise ``ConfigError`` naming the variables at fault.

    With no arguments: ``os.environ`` over ``./.env`` (if present). With ``environ=`` only that mapping
    (plus ``env_file`` if given) is read, so tests are hermetic.
    """
    values = read_settings("ZENDESK_", env_file, environ)
    url, subdomain = values.get("ZENDESK_URL"), values.get("ZENDESK_SUBDOMAIN")
    if url:
        base_url = normalize_base_url(url)
        if subdomain and subdomain_url(subdomain) != base_url:
            raise ConfigError("ZENDESK_URL and ZENDESK_SUBDOMAIN disagree. Set only one of them.")
    elif subdomain:
        base_url = subdomain_url(subdomain)
    else:
        raise ConfigError("Set ZENDESK_URL (e.g. https://acme.zendesk.com) or ZENDESK_SUBDOMAIN (e.g. acme).")
    kind = _choose_auth(values)
    share = _number(values, "ZENDESK_RATE_SHARE", 1.0)
    if share is not None and share > 1:
        raise ConfigError("ZENDESK_RATE_SHARE is the share of the rate limit to use: a number in (0, 1].")
    ca_bundle = values.get("ZENDESK_CA_BUNDLE")
    if ca_bundle and not Path(ca_bundle).is_file():
        raise ConfigError(f"ZENDESK_CA_BUNDLE points to {ca_bundle}, which is not a file.")
    expires_in = int(_number(values, "ZENDESK_TOKEN_EXPIRES_IN", 3600, int) or 3600)
    if not 300 < expires_in < 172800:
        raise ConfigError(
            "ZENDESK_TOKEN_EXPIRES_IN must be between 301 and 172799 seconds (Zendesk's bounds)."
        )
    credential = {_field_of(name): values.get(name) for name in AUTH_VARIABLES[kind]}
    return Settings(
        base_url=base_url,
        auth_kind=kind,
        **credential,
        scopes=" ".join(values.get("ZENDESK_SCOPES", "read write").replace(",", " ").split()),
        token_expires_in=expires_in,
        timeout=float(_number(values, "ZENDESK_TIMEOUT", 30.0) or 30.0),
        concurrency=int(_number(values, "ZENDESK_CONCURRENCY", 8, int) or 8),
        deadline=_number(values, "ZENDESK_DEADLINE", 600.0),
        rate_share=float(share or 1.0),
        ca_bundle=ca_bundle,
    )


def configured_client_identifier(environ: Mapping[str, str] | None = None) -> str | None:
    """ZENDESK_CLIENT_ID as configured (the environment over `.env`, as `load_settings` reads them), whatever
    ZENDESK_AUTH chooses: the operator's OAuth client, which no runbook may revoke even when the run
    authenticates another way. Only the (public) identifier is returned, never a secret."""
    try:
        return read_settings("ZENDESK_", None, environ).get("ZENDESK_CLIENT_ID")
    except ConfigError:
        return None


__all__ = [
    "AUTH_KINDS",
    "AUTH_VARIABLES",
    "Settings",
    "configured_client_identifier",
    "is_loopback",
    "load_settings",
]
