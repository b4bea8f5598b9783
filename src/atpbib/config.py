"""Run-time configuration read from the environment.

Every service base URL can be pointed elsewhere (tests and benchmarks use a local server);
the defaults are the real public endpoints.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULTS = {
    "arxiv": ("ATPBIB_ARXIV_API", "https://export.arxiv.org/api/query"),
    "acl": ("ATPBIB_ACL_URL", "https://aclanthology.org"),
    "openreview": ("ATPBIB_OPENREVIEW_API", "https://api.openreview.net"),
    "openreview2": ("ATPBIB_OPENREVIEW_API2", "https://api2.openreview.net"),
    "dblp": ("ATPBIB_DBLP_URL", "https://dblp.org"),
}

# Seconds between two requests to the same host, as the operators ask (arXiv ToU: one request every 3 s;
# dblp FAQ: one or two seconds). Override with ATPBIB_INTERVAL_<SERVICE> (e.g. ATPBIB_INTERVAL_ARXIV=0).
DEFAULT_INTERVALS = {"arxiv": 3.0, "dblp": 1.0, "acl": 0.0, "openreview": 0.0, "openreview2": 0.0}

PROJECT_URL = "https://github.com/atpbib/atpbib"


@dataclass(frozen=True)
class Endpoints:
    arxiv: str
    acl: str
    openreview: str
    openreview2: str
    dblp: str


def endpoints() -> Endpoints:
    """Base URLs, read from the environment at call time (no trailing slash)."""
    return Endpoints(**{name: os.environ.get(var, default).rstrip("/") for name, (var, default) in DEFAULTS.items()})


def host_key(url: str) -> str:
    """`host:port` of a URL: the unit of politeness and circuit breaking."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def intervals() -> dict[str, float]:
    """Minimum seconds between requests, keyed by host_key of each configured service."""
    eps = endpoints()
    out: dict[str, float] = {}
    for name, default in DEFAULT_INTERVALS.items():
        var = f"ATPBIB_INTERVAL_{name.upper()}"
        raw = os.environ.get(var)
        try:
            value = float(raw) if raw not in (None, "") else default
        except ValueError:
            raise ConfigError(f"{var}={raw!r} is not a number of seconds") from None
        key = host_key(getattr(eps, name))
        out[key] = max(out.get(key, 0.0), value)
    return out


def service_names() -> dict[str, str]:
    """host_key → human service name, for messages such as "arXiv unreachable"."""
    pretty = {"arxiv": "arXiv", "acl": "ACL Anthology", "openreview": "OpenReview", "openreview2": "OpenReview", "dblp": "DBLP"}
    eps = endpoints()
    out: dict[str, str] = {}
    for name in DEFAULTS:
        out.setdefault(host_key(getattr(eps, name)), pretty[name])
    return out


def default_cache_dir() -> Path:
    return Path(os.environ.get("ATPBIB_CACHE_DIR") or (Path.cwd() / "cache"))


def mailto() -> str | None:
    return os.environ.get("ATPBIB_MAILTO") or None


class ConfigError(ValueError):
    """A setting from the environment that cannot be used."""


def fetch_settings() -> dict[str, float | int]:
    """Cache lifetime, timeouts and retry bounds from the environment (ATPBIB_CACHE_DAYS, ATPBIB_CONNECT_TIMEOUT,
    ATPBIB_READ_TIMEOUT, ATPBIB_MAX_ATTEMPTS); only those set, so the fetch layer's defaults apply otherwise."""
    out: dict[str, float | int] = {}
    for var, key, cast in (("ATPBIB_CACHE_DAYS", "expire_after_days", float),
                           ("ATPBIB_CONNECT_TIMEOUT", "connect_timeout", float),
                           ("ATPBIB_READ_TIMEOUT", "read_timeout", float),
                           ("ATPBIB_MAX_ATTEMPTS", "max_attempts", int)):
        raw = os.environ.get(var)
        if raw:
            try:
                out[key] = cast(raw)
            except ValueError:
                raise ConfigError(f"{var}={raw!r} is not a number") from None
    return out
