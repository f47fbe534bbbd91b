"""A real Celery worker in its own process, started and stopped by the benchmark that needs it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.common import SRC_DIR


class WorkerError(RuntimeError):
    """The worker died or never answered."""


class CeleryWorker:
    """`celery -A delivery.tasks.app worker`, run from `src/` with the given environment.

    It gets its own session, so stopping it by its id also reaches the pool processes it forked.
    """

    def __init__(self, env: Mapping[str, str], *, concurrency: int) -> None:
        self._env = dict(env)
        self._concurrency = concurrency
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1])

    @property
    def pid(self) -> int:
        assert self._proc is not None, "worker not started"
        return self._proc.pid

    def start(self) -> Self:
        command = [
            sys.executable, "-m", "celery", "-A", "delivery.tasks.app", "worker",
            "-c", str(self._concurrency), "--loglevel=WARNING",
        ]  # fmt: skip
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                command, cwd=SRC_DIR, env=self._env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, probe: Callable[[], object], *, timeout: float = 60.0) -> None:
        """Call `probe` (a round trip through the worker) until it answers or the worker dies."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            self._raise_if_dead()
            try:
                probe()
                return
            except Exception as exc:  # any failure means "not ready yet"
                last_error = exc
        raise WorkerError(
            f"worker not ready after {timeout:.0f} s ({last_error!r}):\n{self.log_tail()}"
        )

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

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])

    def _raise_if_dead(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            code = self._proc.returncode
            raise WorkerError(f"worker exited with {code}:\n{self.log_tail()}")

    def stop(self) -> None:
        """Warm shutdown, then kill what is left of the worker's own process group."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # pool processes orphaned by a crash
        self._log.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
