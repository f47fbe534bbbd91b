"""The embedded broker's unacknowledged messages: one folder per consumer, alive while locked.

A consumer holds a POSIX lock on `unacked/<consumer>.lock` for as long as its process lives; the
kernel drops it when the process dies, however it dies. Any other consumer can then take the lock
and put the dead one's messages back in the queue. POSIX locks are per process, so this process
never tests or closes its own consumers' locks (closing any descriptor of the file would release
it); pool processes forked from a consumer do not inherit its lock, so the consumer is gone as
soon as the process that consumed is.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

# Consumers of this process (see above).
_OWN_CONSUMERS: set[str] = set()


class Consumer:
    """A consuming channel's folder of unacknowledged messages, alive while its lock is held."""

    def __init__(self, root: Path, name: str, lock_fd: int) -> None:
        self.root = root
        self.name = name
        self._lock_fd = lock_fd

    @property
    def folder(self) -> Path:
        return self.root / self.name

    @classmethod
    def start(cls, root: Path) -> Consumer:
        root.mkdir(parents=True, exist_ok=True)
        name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # Locked before it gets its real name, so no sweeper ever sees it unlocked.
        partial = root / f".{name}.lock"
        fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.lockf(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())
        _OWN_CONSUMERS.add(name)
        os.rename(partial, root / f"{name}.lock")
        (root / name).mkdir()
        return cls(root, name, fd)

    def retire(self, *, queue: Path) -> None:
        """A clean stop: anything left goes back to the queue, then the folder and lock go."""
        _restore_folder(self.folder, queue)
        (self.root / f"{self.name}.lock").unlink(missing_ok=True)
        _OWN_CONSUMERS.discard(self.name)
        os.close(self._lock_fd)


def restore_dead_consumers(root: Path, *, queue: Path) -> int:
    """Put back the messages of every consumer whose process is gone; returns how many."""
    if not root.is_dir():
        return 0
    restored = 0
    for lock in root.glob("*.lock"):
        name = lock.name.removesuffix(".lock")
        if name.startswith(".") or name in _OWN_CONSUMERS:
            continue
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:  # another sweeper got there first
            continue
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EACCES, errno.EAGAIN):
                    continue  # its process is alive
                raise
            count = _restore_folder(root / name, queue)
            if count:
                logger.warning(
                    "embedded broker: consumer %s is gone; %s unacknowledged message(s) "
                    "returned to the queue",
                    name,
                    count,
                )
            restored += count
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return restored


def _restore_folder(folder: Path, queue: Path) -> int:
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(folder.iterdir()):
        requeue(path, queue)
        count += 1
    shutil.rmtree(folder, ignore_errors=True)
    return count


def requeue(path: Path, queue: Path) -> None:
    """Back under its own name, so at its old place in line, marked as delivered before."""
    try:
        payload = loads(path.read_bytes())
    except (OSError, ValueError):
        logger.exception("embedded broker: cannot read %s to restore it", path)
        return
    payload.setdefault("properties", {}).setdefault("delivery_info", {})["redelivered"] = True
    write_atomically(queue / path.name, payload)
    path.unlink(missing_ok=True)


def write_atomically(final: Path, payload: dict[str, Any]) -> None:
    partial = final.with_name(f".partial-{final.name}")
    with open(partial, "wb") as file:
        file.write(dumps(payload).encode())
    os.replace(partial, final)
