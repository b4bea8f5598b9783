"""The HTTP session: credentials that stay with their host, and a deadline that holds for a whole attempt.

- Credentials: on a redirect to another host (or a scheme/port change, requests' `should_strip_auth`), every
  credential header is dropped, not only `Authorization`: an API key (`x-api-key`), tokens, secrets.
- Deadline: `requests` only has a connect timeout and a timeout *between* two bytes, so a server that sends
  one byte every few seconds holds a request forever. Each attempt runs under `deadline(seconds)`: a timer
  shuts the attempt's sockets down when it expires, whatever phase the request is in (headers or body), and
  the attempt knows it was cut off (`Deadline.expired`), so a body ended by the shutdown is never taken
  for a whole one.
"""
from __future__ import annotations

import re
import socket
import threading
from contextlib import contextmanager
from typing import Any, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# Header names that carry credentials: Authorization and Proxy-Authorization, API keys, tokens, secrets.
_CREDENTIAL = re.compile(r"(?i)^(authorization|proxy-authorization)$|api[-_]?key|token|secret|password|auth")


def is_credential(header: str) -> bool:
    return bool(_CREDENTIAL.search(header))


class Deadline:
    """One attempt's deadline: the connections it used, and whether the timer cut them off."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._conns: list[HTTPConnection] = []
        self._lock = threading.Lock()

    def watch(self, conn: HTTPConnection) -> None:
        with self._lock:
            if conn not in self._conns:
                self._conns.append(conn)
            fired = self.expired
        if fired:
            _shut(conn)

    def fire(self) -> None:
        with self._lock:
            self.expired = True
            conns = list(self._conns)
        for conn in conns:
            _shut(conn)


def _shut(conn: HTTPConnection) -> None:
    """Wake whatever thread is blocked reading this connection: shut the raw socket down (for TLS too,
    below the TLS layer, so no TLS state is touched from this thread)."""
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError, ValueError):
        pass


_current = threading.local()  # the Deadline of the attempt running in this thread, if any


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Run one attempt (a `session.send` and the reading of its body) under a deadline."""
    d = Deadline(seconds)
    timer = threading.Timer(seconds, d.fire)
    timer.daemon = True
    previous = getattr(_current, "deadline", None)
    _current.deadline = d
    timer.start()
    try:
        yield d
    finally:
        timer.cancel()
        _current.deadline = previous


def _watched(conn: HTTPConnection) -> None:
    d = getattr(_current, "deadline", None)
    if d is not None:
        d.watch(conn)


class _HTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _watched(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watched(self)  # a pooled connection is not connected again
        super().request(*args, **kwargs)


class _HTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _watched(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watched(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(HTTPAdapter):
    """requests' adapter whose connections report to the running attempt's deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


class Session(requests.Session):
    """The run's one session."""

    def __init__(self) -> None:
        super().__init__()
        adapter = _Adapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        """On a redirect, a credential goes on only to the host it was meant for."""
        original = response.request.url if response.request is not None else None
        if original and self.should_strip_auth(original, prepared_request.url or ""):
            for name in [h for h in prepared_request.headers if is_credential(h)]:
                del prepared_request.headers[name]
        super().rebuild_auth(prepared_request, response)
