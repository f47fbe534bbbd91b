"""Flower in a process of its own, started by `bin/flower` exactly as `make flower` starts it.

It gets a free port of 127.0.0.1 and the environment it is given (the broker, `FLOWER_BASIC_AUTH`),
its own session, and is stopped by its pid.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Self

import httpx

from tests.harness.processes import Managed, stop_process, tail_lines
from tests.harness.servers import free_port

ROOT_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


class FlowerServer(Managed):
    def __init__(self, env: Mapping[str, str], *, log_path: Path) -> None:
        self._env = dict(env)
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._proc is not None, "Flower not started"
        return self._proc.pid

    def start(self) -> Self:
        self.port = free_port()
        env = {**self._env, "FLOWER_ADDRESS": "127.0.0.1", "FLOWER_PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(ROOT_DIR / "bin" / "flower")], cwd=ROOT_DIR, env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"Flower exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthcheck", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Flower did not answer in {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return tail_lines(self.log_path, lines)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, group=True)
