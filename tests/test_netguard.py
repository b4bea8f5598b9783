"""The network guard itself (tests/netguard/): the suite can never reach a real host, here or in a subprocess."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

import netguard


def test_a_connection_to_a_real_address_is_refused_and_loopback_is_not():
    size = os.path.getsize(os.environ[netguard.LOG_VAR])
    with socket.socket() as s, pytest.raises(netguard.NetworkGuardError):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed; refused before any packet leaves
    with pytest.raises(netguard.NetworkGuardError):
        socket.getaddrinfo("api.crossref.org", 443)
    assert socket.getaddrinfo("127.0.0.1", 9)  # loopback stays allowed
    with open(os.environ[netguard.LOG_VAR], "r+", encoding="utf-8") as fh:
        assert "192.0.2.1" in fh.read() and fh.truncate(size) == size  # logged; dropped so teardown passes


def test_a_subprocess_is_guarded_too():
    code = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError as e:\n    print(type(e).__name__)"
    size = os.path.getsize(os.environ[netguard.LOG_VAR])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "NetworkGuardError", proc.stderr
    with open(os.environ[netguard.LOG_VAR], encoding="utf-8") as fh:
        fh.seek(size)
        assert "192.0.2.1" in fh.read()
    with open(os.environ[netguard.LOG_VAR], "r+", encoding="utf-8") as fh:
        fh.truncate(size)
