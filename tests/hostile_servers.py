"""Hostile HTTP services on 127.0.0.1, for the reliability tests and benchmarks/hostile.py.

Plain sockets (not werkzeug): a slow-loris has to control every byte and when it is sent.

    with HostileServer(slow_loris(gap=5)) as srv:
        srv.url("/search")            # http://127.0.0.1:PORT/search
        srv.seen                      # [Seen(method, path, headers), ...]

Behaviours: `slow_loris(gap)` (the answer, status line included, one byte every `gap` s, forever),
`endless_503(retry_after)`, `redirect(to, status=307)`, `answer(body)` (200, records what it was sent),
`gzip_bomb(unpacked)` (a gzip stream of zeros that unpacks to `unpacked` bytes, made as it is read).
"""
from __future__ import annotations

import socket
import socketserver
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased


Behaviour = Callable[[socket.socket, Seen, "HostileServer"], None]


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: HostileServer = self.server.owner  # type: ignore[attr-defined]
        sock: socket.socket = self.request
        sock.settimeout(30)
        try:
            while not server.stopping.is_set():
                seen = _read_request(sock)
                if seen is None:
                    return
                with server.lock:
                    server.seen.append(seen)
                if server.behaviour(sock, seen, server) is False:
                    return  # the behaviour closed the connection
        except OSError:
            return


def _read_request(sock: socket.socket) -> Seen | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = (lines[0].split(" ") + ["", ""])[:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    return Seen(method, path, headers)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class HostileServer:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _TCPServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "HostileServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _send(sock: socket.socket, status: str, headers: dict[str, str], body: bytes = b"") -> None:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode("latin-1") + body)


def slow_loris(gap: float, for_seconds: float | None = None) -> Behaviour:
    """A 200 answer whose every byte, from the status line on, comes `gap` seconds after the one before;
    forever, or for `for_seconds` (then the connection closes: a bound for clients that have no deadline)."""

    def behave(sock: socket.socket, seen: Seen, server: HostileServer) -> bool:
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
        i = 0
        end = time.monotonic() + for_seconds if for_seconds is not None else float("inf")
        while not server.stopping.is_set() and time.monotonic() < end:
            byte = answer[i : i + 1] if i < len(answer) else b" "
            sock.sendall(byte)
            i += 1
            if server.stopping.wait(gap):
                break
        return False

    return behave


def endless_503(retry_after: float) -> Behaviour:
    def behave(sock: socket.socket, seen: Seen, server: HostileServer) -> None:
        _send(sock, "503 Service Unavailable", {"Retry-After": f"{retry_after:g}", "Content-Type": "text/plain",
                                                "Content-Length": "11"}, b"Unavailable")

    return behave


def redirect(to: Callable[[Seen], str], status: int = 307) -> Behaviour:
    def behave(sock: socket.socket, seen: Seen, server: HostileServer) -> None:
        _send(sock, f"{status} Temporary Redirect", {"Location": to(seen), "Content-Length": "0"})

    return behave


def answer(body: bytes, content_type: str = "application/json") -> Behaviour:
    def behave(sock: socket.socket, seen: Seen, server: HostileServer) -> None:
        _send(sock, "200 OK", {"Content-Type": content_type, "Content-Length": str(len(body))}, body)

    return behave


def gzip_bomb(unpacked: int) -> Behaviour:
    """Zeros, gzip-compressed as they are sent (about 1 byte per KB unpacked); the connection closes at the end."""

    def behave(sock: socket.socket, seen: Seen, server: HostileServer) -> bool:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nContent-Encoding: gzip\r\n"
                     b"Connection: close\r\n\r\n")
        z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header
        zeros = bytes(1 << 20)
        sent = 0
        try:
            while sent < unpacked and not server.stopping.is_set():
                out = z.compress(zeros)
                if out:
                    sock.sendall(out)
                sent += len(zeros)
            sock.sendall(z.flush())
        except OSError:
            pass
        return False

    return behave


def closed_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
