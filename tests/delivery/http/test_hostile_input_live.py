"""Hostile bodies sent to a real server: each is refused within seconds, and memory stays flat.

A body claiming a gigabyte is refused before it is sent, one streamed without a length once past
the limit; malformed ones of about the limit are parsed at most once and let go. The server's
resident memory is read from /proc after a warm-up round and after several more: what it holds
must not grow with what it was sent.
"""

import json
import select
import socket
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.delivery.http.conftest import PASSWORD
from tests.delivery.http.live_server import live_api

LIMIT = 1024 * 1024  # the default API_MAX_BODY_BYTES
ROUNDS = 5
# Interpreter arenas and caches settle in the first two rounds; after them nothing should be kept.
MAX_GROWTH_AFTER_WARM_UP = 16 * 1024 * 1024
QUICK_S = 3.0

pytestmark = pytest.mark.usefixtures("transactional_db")


def _memory(pid: int, field: str = "VmRSS") -> int:
    """Bytes of the process's resident memory now (VmRSS), or at its peak (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field}")


def _raw(base_url: str, head: bytes, pieces: Callable[[], bytes | None]) -> bytes:
    """Send `head`, then pieces until the server answers; the answer's status line."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=QUICK_S) as sock:
        sock.sendall(head)
        while not select.select([sock], [], [], 0)[0]:
            piece = pieces()
            if piece is None:
                break
            try:
                sock.sendall(piece)
            except OSError:  # the server answered and closed: stop sending, read the answer
                break
        return sock.recv(65536).split(b"\r\n", 1)[0]


def _declared_gigabyte(base_url: str, token: str) -> bytes:
    head = (
        "POST /v1/todos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {1024**3}\r\n\r\n"
    ).encode()
    sent = [0]

    def pieces() -> bytes | None:
        sent[0] += 1
        return b"[" * 65536 if sent[0] <= 4 else None

    return _raw(base_url, head, pieces)


def _chunked_without_end(base_url: str, token: str) -> bytes:
    head = (
        "POST /v1/todos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"10000\r\n" + b"a" * 65536 + b"\r\n"
    sent = [0]

    def pieces() -> bytes | None:  # up to 64 MiB, or until the server answers
        sent[0] += 1
        if sent[0] > 1024:
            return None
        time.sleep(0.001 if sent[0] > 16 else 0)  # let the answer overtake us
        return chunk

    return _raw(base_url, head, pieces)


def _malformed_bodies() -> list[bytes]:
    near = LIMIT - 1024
    many_keys = {f"k{i}": i for i in range(near // 20)}
    duplicated = json.dumps(many_keys).encode()[:-1] + b', "k0": 0}'
    return [
        b"[" * (near // 2) + b"]" * (near // 2),  # nesting past any parser's depth
        b'{"title": "' + b"\xff" * near + b'"}',  # not UTF-8
        duplicated,  # a key twice, after tens of thousands of others
        b'{"title": "' + b"t" * near + b'"}',  # valid JSON, too long a title
    ]


def test_hostile_bodies_are_refused_quickly_and_memory_stays_flat() -> None:
    with live_api() as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        body = {"username": "mallory", "email": "m@example.com", "password": PASSWORD}
        assert client.post("/v1/users/", json=body).status_code == 201
        login = {"username": "mallory", "password": PASSWORD}
        token = client.post("/v1/users/me/token", json=login).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        rss: list[int] = []
        for _ in range(ROUNDS):
            for send in (_declared_gigabyte, _chunked_without_end):
                started = time.monotonic()
                status_line = send(server.base_url, token)
                assert b" 413 " in status_line, (send.__name__, status_line)
                assert time.monotonic() - started < QUICK_S, send.__name__
            for content in _malformed_bodies():
                started = time.monotonic()
                response = client.post("/v1/todos", content=content, headers=headers)
                assert 400 <= response.status_code < 500, response.text[:200]
                assert response.status_code != 413
                assert time.monotonic() - started < QUICK_S
            assert client.get("/v1/todos", headers=headers).json()["count"] == 0
            rss.append(_memory(server.pid))
        peak = _memory(server.pid, "VmHWM")

    kept, peak_above = rss[-1] - rss[1], peak - rss[1]
    print(
        f"server RSS per round (MiB): {[round(r / 2**20, 1) for r in rss]}, peak {peak / 2**20:.1f}"
    )
    # Nothing kept from round to round, and no moment when a body was held whole.
    assert kept < MAX_GROWTH_AFTER_WARM_UP
    assert peak_above < MAX_GROWTH_AFTER_WARM_UP
