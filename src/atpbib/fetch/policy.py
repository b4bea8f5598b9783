"""The fetch layer's limits, in one place: how long one request may take, how much a failing host may cost
a run, how large an answer may be. Each has an environment override (the README's Reliability section).

- `deadline`: the most one attempt may take, from its start to the answer's last byte. The read timeout
  only bounds the silence between two bytes, so a server that sends a byte every few seconds never trips it.
- `host_budget`: seconds a host may cost (failed attempts plus the waits before retrying them) since its
  last good answer; `run_budget`: the same over the whole run. Past either, the host is down for the run:
  its remaining requests fail at once and the rest of the run goes on (503 + Retry-After forever,
  a slow-loris server).
- `max_bytes`: the largest answer, counted after decompression while it is read (a gzip bomb is cut off at
  the cap, never held in memory).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

# variable → (field, type): the one place the fetch layer's limits are read from the environment
ENV: dict[str, tuple[str, type]] = {
    "ATPBIB_CONNECT_TIMEOUT": ("connect_timeout", float),
    "ATPBIB_READ_TIMEOUT": ("read_timeout", float),
    "ATPBIB_DEADLINE": ("deadline", float),
    "ATPBIB_MAX_ATTEMPTS": ("max_attempts", int),
    "ATPBIB_RETRY_WAIT": ("max_total_wait", float),
    "ATPBIB_HOST_BUDGET": ("host_budget", float),
    "ATPBIB_RUN_BUDGET": ("run_budget", float),
    "ATPBIB_MAX_BYTES": ("max_bytes", int),
}


@dataclass(frozen=True)
class Policy:
    connect_timeout: float = 5.0  # seconds to open a connection
    read_timeout: float = 30.0  # seconds of silence while waiting for bytes
    deadline: float = 30.0  # seconds for one whole attempt (connect, headers, body)
    max_bytes: int = 20_000_000  # largest answer body, after decompression
    max_attempts: int = 5  # tries per request
    max_total_wait: float = 60.0  # seconds of waiting between the tries of one request
    backoff_base: float = 1.0  # first backoff step (exponential, with jitter); Retry-After wins
    breaker_threshold: int = 3  # consecutive connection failures (reset, connect timeout) before a host is down
    host_budget: float = 60.0  # seconds a host may cost since its last good answer
    run_budget: float = 300.0  # seconds a host may cost over the whole run

    def with_overrides(self, **kw: Any) -> "Policy":
        """This policy with the given fields replaced (None: keep); clamped to sane values."""
        known = {f.name for f in fields(self)}
        unknown = set(kw) - known
        if unknown:
            raise TypeError(f"unknown fetch setting(s): {', '.join(sorted(unknown))}")
        p = replace(self, **{k: v for k, v in kw.items() if v is not None})
        return replace(p, max_attempts=max(1, int(p.max_attempts)), breaker_threshold=max(1, int(p.breaker_threshold)),
                       max_total_wait=max(0.0, p.max_total_wait), backoff_base=max(0.0, p.backoff_base),
                       deadline=max(0.01, p.deadline), host_budget=max(0.0, p.host_budget),
                       run_budget=max(0.0, p.run_budget), max_bytes=max(1, int(p.max_bytes)))


def from_env(environ: dict[str, str] | None = None) -> Policy:
    """The defaults with the environment's overrides; a value that is not a number is a ConfigError."""
    from ..config import ConfigError

    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for var, (name, cast) in ENV.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue
        try:
            values[name] = cast(float(raw)) if cast is int else cast(raw)
        except ValueError:
            raise ConfigError(f"{var}={raw!r} is not a number") from None
    return Policy().with_overrides(**values)


@dataclass
class Budget:
    """What a failing host has cost so far (seconds); one per host per run. Not thread-safe: the transport
    updates it under its lock."""

    host_budget: float
    run_budget: float
    streak: float = 0.0  # since the host's last good answer
    total: float = 0.0  # over the run

    def spend(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.streak += seconds
        self.total += seconds

    def good(self) -> None:
        """A good (or definitive) answer: the host works, its streak starts again."""
        self.streak = 0.0

    def remaining(self) -> float:
        return min(self.host_budget - self.streak, self.run_budget - self.total)

    def can_afford(self, seconds: float) -> bool:
        return self.remaining() > seconds

    def describe(self) -> str:
        limit = self.host_budget if self.host_budget - self.streak <= self.run_budget - self.total else self.run_budget
        return f"{limit:g} s"
