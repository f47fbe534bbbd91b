"""Expiring locks that any process can release or renew with the token the holder got.

A run that acquires a lock may hand its token to other processes (subtasks, a callback), so the
token, not the thread, identifies the holder. Every lock expires, so a crashed holder blocks the
next run for at most its time to live.
"""

import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypedDict

import redis
from redis.lock import Lock as RedisLock


class ExpiringLock(Protocol):
    def acquire(self, name: str, *, ttl_s: float) -> str | None:
        """A token when the lock was free (or expired), else None; never waits."""

    def renew(self, name: str, token: str, *, ttl_s: float) -> bool:
        """Push the expiry `ttl_s` ahead; False when `token` no longer holds the lock."""

    def release(self, name: str, token: str) -> bool:
        """Free the lock if `token` still holds it."""


class RedisExpiringLock:
    """`SET NX PX` via redis-py's Lock, shared by every worker that reaches the same Redis."""

    def __init__(self, client: redis.Redis, *, prefix: str = "todo-service:lock:") -> None:
        self._client = client
        self._prefix = prefix

    def acquire(self, name: str, *, ttl_s: float) -> str | None:
        token = secrets.token_hex(16)
        lock = self._lock(name, ttl_s)
        return token if lock.acquire(blocking=False, token=token) else None

    def renew(self, name: str, token: str, *, ttl_s: float) -> bool:
        lock = self._lock(name, ttl_s, token)
        try:
            return bool(lock.reacquire())
        except redis.exceptions.LockError:
            return False

    def release(self, name: str, token: str) -> bool:
        lock = self._lock(name, None, token)
        try:
            lock.release()
        except redis.exceptions.LockError:
            return False
        return True

    def _lock(self, name: str, ttl_s: float | None, token: str | None = None) -> RedisLock:
        lock = RedisLock(self._client, self._prefix + name, timeout=ttl_s, thread_local=False)
        if token is not None:
            lock.local.token = token.encode()
        return lock


class FileExpiringLock:
    """A lock file per name, read and written under `flock`, for processes sharing one disk."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def acquire(self, name: str, *, ttl_s: float) -> str | None:
        with self._exclusive(name) as path:
            holder = _read(path)
            if holder is not None and holder["expires_at"] > time.time():
                return None
            token = secrets.token_hex(16)
            _write(path, token, ttl_s)
            return token

    def renew(self, name: str, token: str, *, ttl_s: float) -> bool:
        with self._exclusive(name) as path:
            if not _held_by(path, token):
                return False
            _write(path, token, ttl_s)
            return True

    def release(self, name: str, token: str) -> bool:
        with self._exclusive(name) as path:
            if not _held_by(path, token):
                return False
            path.unlink()
            return True

    @contextmanager
    def _exclusive(self, name: str) -> Iterator[Path]:
        self._folder.mkdir(parents=True, exist_ok=True)
        with open(self._folder / f"{name}.guard", "a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            try:
                yield self._folder / f"{name}.lock"
            finally:
                fcntl.flock(guard, fcntl.LOCK_UN)


class _Holder(TypedDict):
    token: str
    expires_at: float


def _read(path: Path) -> _Holder | None:
    try:
        holder: _Holder = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return holder


def _held_by(path: Path, token: str) -> bool:
    holder = _read(path)
    return holder is not None and holder["token"] == token and holder["expires_at"] > time.time()


def _write(path: Path, token: str, ttl_s: float) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"token": token, "expires_at": time.time() + ttl_s}))
    os.replace(temporary, path)
