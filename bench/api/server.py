"""The API under test: one uvicorn worker in its own process, configured by environment only."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

import httpx
from tests.harness.processes import Managed, stop_process, tail_lines
from tests.harness.servers import free_port

from bench.common import ROOT_DIR, SRC_DIR


def server_environment(database_url: str, scratch: Path) -> dict[str, str]:
    """Production-like: no debug, no throttle (wrk is a single client), quiet logs, PostgreSQL."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT_DIR), str(SRC_DIR)]),
        "DJANGO_SETTINGS_MODULE": "configs.django",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_ACCESS_TOKEN_TTL_S": str(24 * 3600),  # outlives any run, so no refresh mid-load
        "DATABASE_URL": database_url,
        "THROTTLE_ENABLED": "false",
        "LOGGING_LEVEL": "WARNING",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "CELERY_EMBEDDED_DIR": str(scratch / "celery"),
    }


def migrate(env: dict[str, str]) -> None:
    command = [sys.executable, str(SRC_DIR / "manage.py"), "migrate", "--no-input", "-v", "0"]
    subprocess.run(command, cwd=ROOT_DIR, env=env, check=True)


class ApiServer(Managed):
    """`uvicorn` with one worker, uvloop and httptools, and no access log, on a free port.

    `ready_path` is polled until it answers 200; `name` tells the servers' logs apart.
    """

    def __init__(
        self,
        *,
        app: str,
        env: dict[str, str],
        scratch: Path,
        name: str = "uvicorn",
        ready_path: str = "/v1/health",
    ) -> None:
        self._app = app
        self._env = env
        self._log_path = scratch / f"{name}.log"
        self._ready_path = ready_path
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._proc is not None, "server not started"
        return self._proc.pid

    def start(self) -> Self:
        self.port = free_port()
        command = [
            sys.executable, "-m", "uvicorn", self._app, "--app-dir", str(SRC_DIR),
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
            "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        with self._log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                command, cwd=ROOT_DIR, env=self._env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"uvicorn {self._app} exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + self._ready_path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        waited = f"uvicorn {self._app} did not answer {self._ready_path} in {timeout:.0f} s"
        raise RuntimeError(f"{waited}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return tail_lines(self._log_path, lines)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, group=True)


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="todo-bench-api-"))
