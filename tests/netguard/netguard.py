"""The test suite's network guard: no connection may leave the machine.

Installed in the pytest process by tests/conftest.py and in every Python subprocess a test starts (the CLI
runs) through sitecustomize.py in this folder, which conftest puts first on PYTHONPATH. A connection to a
non-loopback address, or a look-up of a name that is not local, raises (as an unreachable network would)
and is appended to the file named by ATPBIB_TEST_NETGUARD_LOG; conftest fails the test that made it.
"""
from __future__ import annotations

import ipaddress
import os
import socket

LOG_VAR = "ATPBIB_TEST_NETGUARD_LOG"
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class NetworkGuardError(ConnectionRefusedError):
    """A test tried to reach a real host."""


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in LOCAL_NAMES or name == "":
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _refuse(what: str) -> None:
    path = os.environ.get(LOG_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {what}\n")
    raise NetworkGuardError(f"network guard: the tests never reach a real host ({what})")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo
_gethostbyname = socket.gethostbyname
_gethostbyname_ex = socket.gethostbyname_ex


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        if not _is_local(address[0]):
            _refuse(f"connect {address[0]}:{address[1] if len(address) > 1 else ''}")


def guarded_connect(self, address):
    _check_address(self, address)
    return _connect(self, address)


def guarded_connect_ex(self, address):
    _check_address(self, address)
    return _connect_ex(self, address)


def guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse(f"resolve {host}")
    return _getaddrinfo(host, *args, **kwargs)


def guarded_gethostbyname(host):
    if not _is_local(host):
        _refuse(f"resolve {host}")
    return _gethostbyname(host)


def guarded_gethostbyname_ex(host):
    if not _is_local(host):
        _refuse(f"resolve {host}")
    return _gethostbyname_ex(host)


def install() -> None:
    if getattr(socket, "_atpbib_netguard", False):
        return
    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo  # type: ignore[assignment]
    socket.gethostbyname = guarded_gethostbyname  # type: ignore[assignment]
    socket.gethostbyname_ex = guarded_gethostbyname_ex  # type: ignore[assignment]
    socket._atpbib_netguard = True  # type: ignore[attr-defined]
