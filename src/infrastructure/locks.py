"""Expiring locks held by an owner, such as a run's id, rather than by a process or a thread.

A run that dies leaves its lock behind; when the same run is delivered again (after its worker
died) it takes the lock back, because the owner is the same, while any other run is refused until
the lock expires. The owner can hand its id to other processes (subtasks, a callback) that renew or
release the lock for it. Every lock expires, so an owner that never comes back blocks others for
at most its time to live.
"""

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypedDict

import redis


class ExpiringLock(Protocol):
    def acquire(self, name: str, *, owner: str, ttl_s: float) -> bool:
        """Hold `name` for `owner` if it is free, expired or `owner`'s already; never waits."""

    def renew(self, name: str, owner: str, *, ttl_s: float) -> bool:
        """Push the expiry `ttl_s` ahead; False when `owner` no longer holds the lock."""

    def release(self, name: str, owner: str) -> bool:
        """Free the lock if `owner` still holds it."""

    def holder(self, name: str) -> str | None:
        """Who holds the lock now; None when it is free or expired."""


_ACQUIRE = """
local holder = redis.call('get', KEYS[1])
if holder == false or holder == ARGV[1] then
    redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 1
end
return 0
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisExpiringLock:
    """One key per lock holding the owner, with a TTL; shared by every process on that Redis."""

    def __init__(self, client: redis.Redis, *, prefix: str = "todo-service:lock:") -> None:
        self._client = client
        self._prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self, name: str, *, owner: str, ttl_s: float) -> bool:
        return bool(self._acquire(keys=[self._prefix + name], args=[owner, _ms(ttl_s)]))

    def renew(self, name: str, owner: str, *, ttl_s: float) -> bool:
        return bool(self._renew(keys=[self._prefix + name], args=[owner, _ms(ttl_s)]))

    def release(self, name: str, owner: str) -> bool:
        return bool(self._release(keys=[self._prefix + name], args=[owner]))

    def holder(self, name: str) -> str | None:
        value = self._client.get(self._prefix + name)
        return value.decode() if isinstance(value, bytes) else value


def _ms(ttl_s: float) -> int:
    return max(1, round(ttl_s * 1000))


class FileExpiringLock:
    """A lock file per name, read and written under `flock`, for processes sharing one disk."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def acquire(self, name: str, *, owner: str, ttl_s: float) -> bool:
        with self._exclusive(name) as path:
            holder = _live_holder(path)
            if holder is not None and holder != owner:
                return False
            _write(path, owner, ttl_s)
            return True

    def renew(self, name: str, owner: str, *, ttl_s: float) -> bool:
        with self._exclusive(name) as path:
            if _live_holder(path) != owner:
                return False
            _write(path, owner, ttl_s)
            return True

    def release(self, name: str, owner: str) -> bool:
        with self._exclusive(name) as path:
            if _live_holder(path) != owner:
                return False
            path.unlink()
            return True

    def holder(self, name: str) -> str | None:
        with self._exclusive(name) as path:
            return _live_holder(path)

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
    owner: str
    expires_at: float


def _live_holder(path: Path) -> str | None:
    try:
        holder: _Holder = json.loads(path.read_text())
        owner, expires_at = holder["owner"], holder["expires_at"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return owner if expires_at > time.time() else None


def _write(path: Path, owner: str, ttl_s: float) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"owner": owner, "expires_at": time.time() + ttl_s}))
    os.replace(temporary, path)
