"""A real Celery worker in its own process, for the tests and the benchmarks alike.

`celery -A delivery.tasks.app worker` runs from `src/` with exactly the environment it is given,
so each caller chooses the database and the broker. It gets its own session, so stopping it also
reaches the pool processes it forked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from signal import SIGKILL, SIGTERM, Signals
from typing import Self, TypeVar

from tests.harness.processes import (
    Managed,
    adopt_orphans,
    kill_process_group,
    stop_process,
    tail_lines,
)

SRC_DIR = Path(__file__).resolve().parents[2] / "src"
STOP_TIMEOUT_S = 15.0

T = TypeVar("T")


class WorkerError(RuntimeError):
    """The worker died or never answered."""


class CeleryWorker(Managed):
    """`options` follow `worker` on the command line; `log_path` gets its output.

    `stop_signal` is SIGTERM for a warm shutdown (running tasks finish), SIGQUIT for a cold one.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        log_path: Path,
        options: Sequence[str] = (),
        stop_signal: Signals = SIGTERM,
    ) -> None:
        self.log_path = log_path
        self._env = dict(env)
        self._options = list(options)
        self._stop_signal = stop_signal
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        assert self._proc is not None, "worker not started"
        return self._proc.pid

    def start(self) -> Self:
        adopt_orphans()  # a pool left behind by a killed worker is ours to reap
        command = [sys.executable, "-m", "celery", "-A", "delivery.tasks.app", "worker"]
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                [*command, *self._options], cwd=SRC_DIR, env=self._env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, probe: Callable[[], T], *, timeout: float = 60.0) -> T:
        """Call `probe` (a round trip through the worker) until it answers or the worker dies.

        Returns the probe's answer, so the caller can check it.
        """
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                code = self._proc.returncode
                raise WorkerError(f"worker exited with {code}:\n{self.log_tail()}")
            try:
                return probe()
            except Exception as exc:  # any failure means "not ready yet"
                last_error = exc
                time.sleep(0.1)
        raise WorkerError(
            f"worker not ready after {timeout:.0f} s ({last_error!r}):\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        return tail_lines(self.log_path, lines)

    def pool_pids(self) -> list[int]:
        """The pool processes the worker forked (Linux: from /proc)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as when its machine or container dies."""
        proc = self._proc
        assert proc is not None, "worker not started"
        os.killpg(proc.pid, SIGKILL)
        proc.wait()
        kill_process_group(proc.pid)  # the pool, should any process have been starting

    def signal(self, sig: Signals) -> None:
        """Send `sig` to the worker's main process only."""
        assert self._proc is not None, "worker not started"
        self._proc.send_signal(sig)

    def wait_exit(self, timeout: float) -> int:
        """Wait for the worker to exit by itself; its exit status."""
        assert self._proc is not None, "worker not started"
        return self._proc.wait(timeout=timeout)

    def stop(self) -> None:
        """Shut down with `stop_signal`, then kill what is left of the worker's process group."""
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, signal=self._stop_signal, timeout_s=STOP_TIMEOUT_S)
            kill_process_group(proc.pid)
