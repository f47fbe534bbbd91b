"""Beat's scheduler: one Beat per schedule file, and a corrupt schedule file is replaced.

- **One Beat.** Beat holds an exclusive `flock` on `<schedule file>.lock` while it runs; a second
  Beat on the same file refuses to start and names the first one's pid. The kernel drops the lock
  when Beat dies, however it dies, so nothing stale is left behind (a pid file naming a pid now
  used by another process would stop the next Beat; this cannot). Beats on different machines
  cannot see each other's files: run exactly one.
- **A heartbeat.** Beat touches `<schedule file>.heartbeat` on every tick, so at least as often as
  its most frequent entry (`ping`) is due, and a check can tell a Beat that stopped ticking from
  one that works (`delivery.tasks.liveness`).
- **A corrupt file.** Celery replaces a schedule file it cannot open, but not one whose records
  fail to load (a file truncated by a crash); then Beat exits at every start. Here any failure to
  read the old file is logged, and Beat starts with a fresh schedule.
"""

import fcntl
import logging
import os
from pathlib import Path
from typing import Any

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)


def heartbeat_path(schedule_filename: str | Path) -> Path:
    return Path(f"{schedule_filename}.heartbeat")


class BeatAlreadyRunningError(RuntimeError):
    """Another Beat holds this schedule file."""


class SingleBeatScheduler(PersistentScheduler):
    # Celery's, missing from its type stubs.
    schedule_filename: str
    _store: Any
    _lock_fd: int | None = None

    def setup_schedule(self) -> None:
        self._hold_lock()
        try:
            super().setup_schedule()
        except Exception as exc:
            logger.warning(
                "beat: the schedule file %s cannot be read (%r); starting with a fresh schedule",
                self.schedule_filename,
                exc,
            )
            self._drop_store()
            super().setup_schedule()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = float(super().tick(*args, **kwargs))
        heartbeat_path(self.schedule_filename).touch()
        return interval

    def close(self) -> None:
        try:
            super().close()
        finally:
            fd, self._lock_fd = self._lock_fd, None
            if fd is not None:
                os.close(fd)  # closing the descriptor releases the lock

    def _hold_lock(self) -> None:
        if self._lock_fd is not None:
            return
        path = f"{self.schedule_filename}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            msg = (
                f"another Beat (pid {holder}) is running with the schedule file "
                f"{self.schedule_filename}; run exactly one Beat"
            )
            raise BeatAlreadyRunningError(msg) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def _drop_store(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:  # a store that failed to load may fail to close too
                logger.debug("beat: closing the unreadable schedule failed", exc_info=True)
        self._remove_db()  # type: ignore[attr-defined]  # celery's, missing from its stubs
