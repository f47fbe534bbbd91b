"""Beat starts from the entry point, sends the schedule's tasks, and ignores a stale pid file."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness.celery_worker import SRC_DIR
from tests.harness.processes import stop_process

pytestmark = pytest.mark.django_db


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_beat_sends_due_tasks_despite_a_stale_pid_file(tmp_path: Path) -> None:
    pidfile = tmp_path / "beat.pid"
    pidfile.write_text(f"{_dead_pid()}\n")  # left by a beat that was killed
    log = tmp_path / "beat.log"
    command = [
        sys.executable, "-m", "celery", "-A", "delivery.tasks.app", "beat", "--loglevel", "INFO",
        "--schedule", str(tmp_path / "beat-schedule"), "--pidfile", str(pidfile),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(SRC_DIR), "CELERY_PING_INTERVAL_S": "0.5"}
    with open(log, "wb") as out:
        beat = subprocess.Popen(command, cwd=SRC_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "Sending due task ping-every-minute (ping)" not in log.read_text():
            assert beat.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert pidfile.read_text().strip() == str(beat.pid)
    finally:
        stop_process(beat)
