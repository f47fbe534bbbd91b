"""The liveness checks an orchestrator runs, `bin/check-worker` and `bin/check-beat`, for real.

Both run on the session's broker (embedded, Redis or RabbitMQ): the worker check goes through it,
and the Beat check reads the heartbeat file of a Beat started by `bin/beat` that sends to it, as
the Procfile and compose start it.
"""

import os
import socket
import subprocess
import time
from pathlib import Path
from signal import SIGTERM

from celery import Celery

from configs.paths import ROOT_DIR
from infrastructure.celery.beat import heartbeat_path
from tests.harness.processes import kill_process_group, stop_process, tail_lines
from tests.reliability.conftest import BROKER, Cluster, wait_until


def _check(cluster: Cluster, script: str, *args: str, **env: str) -> tuple[int, str]:
    done = subprocess.run(
        [str(ROOT_DIR / "bin" / script), *args], env={**cluster.env, **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return done.returncode, done.stdout.strip()  # its one line; logs go to standard error


def _answers_ping(app: Celery, name: str) -> bool:
    """The check's ping, on a connection of its own as the check's process has (a pooled one may
    be one that an earlier test's outage broke); any failure means "not yet"."""
    try:
        with app.connection_for_write() as connection:
            return bool(app.control.ping(destination=[name], timeout=0.5, connection=connection))
    except Exception:
        return False


def test_the_worker_check_answers_for_bin_workers_worker_and_fails_once_it_is_gone(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Both scripts read `WORKER_NAME` (default `worker@%h`): the check finds the worker by it."""
    named = {"WORKER_NAME": f"probed-{os.getpid()}@%h"}
    name = named["WORKER_NAME"].replace("%h", socket.gethostname())
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [str(ROOT_DIR / "bin" / "worker")], env={**cluster.env, **named}, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        # Pinged from here first, as the check pings it: each run of the script is a fresh
        # interpreter, too costly to start again and again while the worker is still starting.
        app = cluster.registry().celery_app
        wait_until(
            lambda: _answers_ping(app, name) or worker.poll() is not None,
            timeout_s=90, what=f"the worker to answer:\n{tail_lines(tmp_path / 'worker.log')}",
        )  # fmt: skip
        wait_until(
            lambda: _check(cluster, "check-worker", **named)[0] == 0,
            timeout_s=90, what=f"the worker to answer:\n{tail_lines(tmp_path / 'worker.log')}",
            interval_s=0.5,
        )  # fmt: skip
        started = time.monotonic()
        alive = _check(cluster, "check-worker", **named)
        took = time.monotonic() - started
        other = _check(cluster, "check-worker", "--timeout", "2", f"nobody@{socket.gethostname()}")
        kill_process_group(worker.pid)  # SIGKILL, worker and pool
        worker.wait()
        gone = _check(cluster, "check-worker", "--timeout", "2", **named)
    finally:
        stop_process(worker, group=True)
        kill_process_group(worker.pid)

    assert alive == (0, f"worker {name} answered ping"), alive
    assert other[0] == 1
    assert gone == (1, f"worker {name} did not answer ping within 2 s"), gone
    print(f"\nbin/check-worker on {BROKER}: {took:.1f} s")


def test_the_beat_check_follows_beats_heartbeat(cluster: Cluster, tmp_path: Path) -> None:
    schedule = tmp_path / "celerybeat-schedule"
    env = {"CELERY_BEAT_SCHEDULE_FILE": str(schedule), "CELERY_PING_INTERVAL_S": "0.5"}
    never_started = _check(cluster, "check-beat", **env)
    log = tmp_path / "beat.log"
    with log.open("wb") as out:
        beat = subprocess.Popen(
            [str(ROOT_DIR / "bin" / "beat")], env={**cluster.env, **env}, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        # Beat's first tick writes the file the check reads: no point in starting it before.
        wait_until(
            lambda: heartbeat_path(schedule).exists() or beat.poll() is not None,
            timeout_s=60, what=f"Beat's first heartbeat:\n{tail_lines(log)}",
        )  # fmt: skip
        wait_until(
            lambda: _check(cluster, "check-beat", **env)[0] == 0,
            timeout_s=60, what=f"Beat's heartbeat:\n{tail_lines(log)}", interval_s=0.2,
        )  # fmt: skip
        ticking = _check(cluster, "check-beat", **env)
        kill_process_group(beat.pid)  # SIGKILL: a Beat that stopped ticking leaves its heartbeat
        beat.wait()
        time.sleep(3 * 0.5 + 0.5)
        stale = _check(cluster, "check-beat", **env)
    finally:
        stop_process(beat, signal=SIGTERM, group=True)

    assert never_started[0] == 1
    assert "no heartbeat" in never_started[1]
    assert ticking[0] == 0
    assert ticking[1].startswith("beat ticking: last tick")
    assert stale[0] == 1
    assert stale[1].startswith("beat stale: last tick"), stale
