"""The API in a uvicorn process of its own, for tests and benchmarks that need real concurrency.

It runs from the project root with exactly the environment it is given, and in its own session,
so stopping it also stops whatever it forked. `HttpProcess` is that plumbing, for any server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Self

import httpx

from tests.harness.processes import Managed, stop_process, tail_lines
from tests.harness.servers import free_port

ROOT_DIR = Path(__file__).resolve().parents[2]
SRC_DIR = ROOT_DIR / "src"
APP = "delivery.http.app:app"


class HttpProcess(Managed):
    """A server process of our own on a free port of 127.0.0.1, ready once `ready_path` answers 200.

    It runs from the project root in a session of its own, so stopping it also stops whatever it
    forked. Subclasses say which command to run (`_command`) and with which environment.
    """

    name = "server"

    def __init__(self, env: Mapping[str, str], *, log_path: Path, ready_path: str) -> None:
        self._env = dict(env)
        self.log_path = log_path
        self._ready_path = ready_path
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._proc is not None, f"{self.name} not started"
        return self._proc.pid

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _process_env(self) -> dict[str, str]:
        return self._env

    def start(self) -> Self:
        self.port = free_port()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self._command(), cwd=ROOT_DIR, env=self._process_env(), stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
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
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + self._ready_path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        waited = f"{self.name} did not answer {self._ready_path} in {timeout:.0f} s"
        raise RuntimeError(f"{waited}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return tail_lines(self.log_path, lines)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, group=True)


class ApiServer(HttpProcess):
    """`uvicorn` with uvloop and httptools and no access log.

    `ready_path` is polled until it answers 200; `options` are added to uvicorn's command line.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        log_path: Path,
        app: str = APP,
        ready_path: str = "/v1/health",
        options: Sequence[str] = (),
    ) -> None:
        super().__init__(env, log_path=log_path, ready_path=ready_path)
        self._app = app
        self._options = list(options)
        self.name = f"uvicorn {app}"

    def _command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", self._app, "--app-dir", str(SRC_DIR),
            "--host", "127.0.0.1", "--port", str(self.port), "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--log-level", "warning", *self._options,
        ]  # fmt: skip


class WebScriptServer(ApiServer):
    """The API as production starts it: `bin/web`, with `processes` uvicorn workers.

    The script reads where to listen from `HTTP_HOST` and `HTTP_PORT`, and how many processes
    from `WEB_CONCURRENCY`; `options` do not apply.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        log_path: Path,
        processes: int = 1,
        ready_path: str = "/v1/health",
    ) -> None:
        super().__init__(env, log_path=log_path, ready_path=ready_path)
        self._processes = processes

    def _command(self) -> list[str]:
        return [str(ROOT_DIR / "bin" / "web")]

    def _process_env(self) -> dict[str, str]:
        listen = {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(self.port)}
        return {**self._env, **listen, "WEB_CONCURRENCY": str(self._processes)}
