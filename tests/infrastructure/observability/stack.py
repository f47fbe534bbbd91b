"""The API, a worker and Beat as real processes, exporting to a receiver in the test process.

They share the pytest-django test database but have a broker of their own (a folder, or a Redis
database no other test uses), so the session's worker never takes their tasks. Each writes its
log to a file the tests read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.delivery.tasks.worker import subprocess_env
from tests.harness.api_server import ApiServer
from tests.harness.celery_worker import SRC_DIR, CeleryWorker
from tests.harness.otlp_receiver import OtlpReceiver
from tests.harness.processes import stop_process
from tests.harness.servers import RedisServer, free_port

OWN_REDIS_DB = 7


@dataclass
class Stack:
    receiver: OtlpReceiver
    api: ApiServer
    worker: CeleryWorker
    worker_metrics_url: str
    logs: Path

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def stack_env(
    scratch: Path, receiver_url: str, redis: RedisServer | None, **extra: str
) -> dict[str, str]:
    broker = redis.url_for(OWN_REDIS_DB) if redis is not None else ""
    return subprocess_env(
        PYTHONPATH=os.pathsep.join([str(SRC_DIR.parent), str(SRC_DIR)]),
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver_url,
        OTEL_BSP_SCHEDULE_DELAY="100",  # export within a tenth of a second
        LOGFIRE_ENVIRONMENT="test",
        LOGGING_LEVEL="INFO",
        LOGGING_FORMAT="json",
        THROTTLE_ENABLED="false",
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        CELERY_EMBEDDED_DIR=str(scratch / "celery"),
        CELERY_PING_INTERVAL_S="1",
        METRICS_DIR=str(scratch / "metrics"),
        **extra,
    )


@contextmanager
def running_stack(scratch: Path, redis: RedisServer | None) -> Iterator[Stack]:
    scratch.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        receiver = stack.enter_context(OtlpReceiver())
        port = free_port()
        env = stack_env(scratch, receiver.url, redis, METRICS_WORKER_PORT=str(port))
        api = stack.enter_context(ApiServer(env, log_path=scratch / "api.log"))
        options = ["--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
                   "--without-mingle", "--without-heartbeat"]  # fmt: skip
        worker = stack.enter_context(
            CeleryWorker(env, log_path=scratch / "worker.log", options=options)
        )
        beat_command = [sys.executable, "-m", "celery", "-A", "delivery.tasks.app", "beat",
                        "--loglevel", "INFO", "--schedule", str(scratch / "beat-schedule"),
                        "--pidfile", str(scratch / "beat.pid")]  # fmt: skip
        with (scratch / "beat.log").open("wb") as beat_log:
            beat = subprocess.Popen(
                beat_command, cwd=SRC_DIR, env=env, stdout=beat_log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        stack.callback(stop_process, beat, group=True)
        yield Stack(receiver, api, worker, f"http://127.0.0.1:{port}/metrics", scratch)
