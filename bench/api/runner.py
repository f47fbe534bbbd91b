"""`make bench-api`: a throwaway PostgreSQL, the API (and the baseline) in uvicorn processes, wrk.

Each server runs one uvicorn worker; wrk loads one at a time. Every server and process started
here is stopped on the way out, also on Ctrl+C or SIGTERM. The report is printed and written to
`var/bench/`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

import httpx
from tests.harness.api_server import ROOT_DIR, SRC_DIR, ApiServer
from tests.harness.servers import PostgresServer

from bench.api import report
from bench.api.scenarios import SCENARIOS, Bench
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import ensure_wrk
from bench.common import machine_facts, write_report


def _environment(scratch: Path) -> dict[str, str]:
    """Production-like: no debug, no throttle (wrk is one client), quiet logs; one key for all."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT_DIR), str(SRC_DIR)]),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_ACCESS_TOKEN_TTL_S": str(24 * 3600),  # outlives any run, so no refresh mid-load
        "THROTTLE_ENABLED": "false",
        "LOGGING_LEVEL": "WARNING",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "CELERY_EMBEDDED_DIR": str(scratch / "celery"),
    }


def run(settings: ApiBenchSettings) -> str:
    ensure_wrk()
    scratch = Path(tempfile.mkdtemp(prefix="todo-bench-api-"))
    env = _environment(scratch)

    @contextmanager
    def serve(database_url: str, name: str, app: str | None, **extra: str) -> Iterator[str]:
        """Migrated, then served on a free port; yields the base URL."""
        metrics = str(scratch / f"metrics-{name}")  # a multiprocess folder is one server's
        server_env = {**env, "METRICS_DIR": metrics, **extra, "DATABASE_URL": database_url}
        manage = [sys.executable, str(SRC_DIR / "manage.py"), "migrate", "--no-input", "-v", "0"]
        subprocess.run(manage, cwd=ROOT_DIR, env=server_env, check=True)
        options = {"app": app} if app else {}
        with ApiServer(server_env, log_path=scratch / f"{name}.log", **options) as server:
            print(f"{name} on {server.base_url} (pid {server.pid})", flush=True)
            yield server.base_url

    sections, targets = [], []
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        database_url = stack.enter_context(PostgresServer()).create_database("todo_bench")
        api = stack.enter_context(serve(database_url, "api", None))
        client = stack.enter_context(httpx.Client(base_url=api, timeout=120))
        bench = Bench(settings, stack, scratch, database_url, api, client, serve)
        for name in settings.chosen():
            section, found = SCENARIOS[name](bench)
            sections.append(section)
            targets += found
    return report.document(settings, machine_facts("PostgreSQL"), sections, targets)


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    started = time.monotonic()
    try:
        document = run(ApiBenchSettings())
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    document += f"\n\nThe run took {time.monotonic() - started:.0f} s.\n"
    print("\n" + document)
    print(f"written to {write_report('api', document)}")
    return 0
