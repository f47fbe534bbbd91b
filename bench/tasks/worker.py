"""The benchmarks' Celery worker: the harness's worker, plus a throwaway log and peak memory."""

from __future__ import annotations

import os
import re
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
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        peaks = {}
        for pid in [self.pid, *map(int, children)]:
            if found := re.search(
                r"^VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M
            ):
                peaks[pid] = int(found.group(1))
        return peaks

    def stop(self) -> None:
        super().stop()
        self.log_path.unlink(missing_ok=True)
