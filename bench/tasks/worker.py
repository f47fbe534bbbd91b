"""The benchmarks' Celery worker: the harness's worker, plus a throwaway log and peak memory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tests.harness import celery_worker as harness


class CeleryWorker(harness.CeleryWorker):
    """`-c concurrency` and warnings only; its log is deleted when it stops."""

    def __init__(self, env: Mapping[str, str], *, concurrency: int) -> None:
        fd, log = tempfile.mkstemp(prefix="bench-worker-", suffix=".log")
        os.close(fd)
        options = ["-c", str(concurrency), "--loglevel=WARNING"]
        super().__init__(env, log_path=Path(log), options=options)

    def peak_rss_kib(self) -> dict[int, int]:
        """VmHWM of the worker and its pool processes: the most memory each held so far."""
        peaks: dict[int, int] = {}
        for pid in [self.pid, *self._children()]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1])
        return peaks

    def _children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self) -> None:
        super().stop()
        self.log_path.unlink(missing_ok=True)
