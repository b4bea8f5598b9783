"""Run-time configuration read from the environment.

Every service base URL can be pointed elsewhere (tests and benchmarks use a local server);
the defaults are the real public endpoints.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_URL = "https://github.com/atpbib/atpbib"


def _declared() -> list:
    from .sources import registry  # each source declares its endpoints and politeness

    return registry()


def defaults() -> dict[str, tuple[str, str]]:
    """config name → (environment variable, default base URL), from every registered source."""
    return {name: (var, url) for s in _declared() for name, var, url in s.endpoints}


def default_intervals() -> dict[str, float]:
    """config name → seconds between requests, as the operators ask (arXiv ToU: one request every 3 s; dblp
    FAQ: one or two seconds). Override with ATPBIB_INTERVAL_<NAME> (e.g. ATPBIB_INTERVAL_ARXIV=0)."""
    out = {name: 0.0 for name in defaults()}
    for s in _declared():
        out.update(dict(s.intervals))
    return out


class Endpoints:
    """Base URLs by config name (`endpoints().dblp`), read from the environment at call time."""

    def __init__(self, urls: dict[str, str]) -> None:
        self._urls = urls

    def __getattr__(self, name: str) -> str:
        try:
            return self.__dict__["_urls"][name]
        except KeyError:
            raise AttributeError(name) from None

    def items(self):
        return self._urls.items()


def endpoints() -> Endpoints:
    """Base URLs, read from the environment at call time (no trailing slash)."""
    return Endpoints({name: os.environ.get(var, default).rstrip("/") for name, (var, default) in defaults().items()})


def host_key(url: str) -> str:
    """`host:port` of a URL: the unit of politeness and circuit breaking."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def intervals() -> dict[str, float]:
    """Minimum seconds between requests, keyed by host_key of each configured service."""
    eps = endpoints()
    out: dict[str, float] = {}
    for name, default in default_intervals().items():
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
    eps = endpoints()
    out: dict[str, str] = {}
    for s in _declared():
        for name, _, _ in s.endpoints:
            out.setdefault(host_key(getattr(eps, name)), s.label)
    return out


def default_cache_dir() -> Path:
    return Path(os.environ.get("ATPBIB_CACHE_DIR") or (Path.cwd() / "cache"))


def mailto() -> str | None:
    return os.environ.get("ATPBIB_MAILTO") or None


class ConfigError(ValueError):
    """A setting from the environment that cannot be used."""


def fetch_settings() -> dict[str, float | int]:
    """The cache lifetime from the environment (ATPBIB_CACHE_DAYS), when set. The fetch layer's limits
    (timeouts, attempts, deadline, budgets, sizes) are read by fetch/policy.py, their one reader."""
    raw = os.environ.get("ATPBIB_CACHE_DAYS")
    if not raw:
        return {}
    try:
        return {"expire_after_days": float(raw)}
    except ValueError:
        raise ConfigError(f"ATPBIB_CACHE_DAYS={raw!r} is not a number") from None
