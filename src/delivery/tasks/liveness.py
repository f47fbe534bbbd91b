"""Liveness checks an orchestrator runs: `python -m delivery.tasks.liveness worker|beat`.

Each prints one line and exits 0 when alive, 1 when not.

- `worker [NAME]` sends Celery's remote-control `ping` to one worker (`WORKER_NAME`, by default
  `worker@<this host>`, as `bin/worker` names it) and waits for its answer: the same command as
  `celery inspect ping -d NAME`, from an app that sets up no Django, so it costs less than half.
  It goes through the broker, so it also fails while the broker is down.
- `beat` reads the age of the heartbeat file Beat touches on every tick. Beat ticks at least as
  often as `ping` is due (`CELERY_PING_INTERVAL_S`); a heartbeat older than `BEAT_STALE_PINGS`
  such intervals means Beat is stuck or gone.
"""

import argparse
import os
import socket
import sys
import time

from configs.tasks import CelerySettings
from infrastructure.celery.beat import heartbeat_path

DEFAULT_WORKER_NAME = "worker@%h"
PING_TIMEOUT_S = 5.0
BEAT_STALE_PINGS = 3


def worker_name(name: str | None = None) -> str:
    """`%h` stands for this host's name, as in Celery's `--hostname`."""
    name = name or os.environ.get("WORKER_NAME") or DEFAULT_WORKER_NAME
    return name.replace("%h", socket.gethostname())


def check_worker(name: str, *, timeout_s: float = PING_TIMEOUT_S) -> tuple[bool, str]:
    from delivery.tasks.control import app  # builds the broker connection's configuration

    replies = app.control.ping(destination=[name], timeout=timeout_s) or []
    if any(name in reply for reply in replies):
        return True, f"worker {name} answered ping"
    return False, f"worker {name} did not answer ping within {timeout_s:g} s"


def check_beat(settings: CelerySettings, *, now: float | None = None) -> tuple[bool, str]:
    path = heartbeat_path(settings.beat_schedule_file)
    limit_s = BEAT_STALE_PINGS * settings.ping_interval_s
    try:
        age_s = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return False, f"beat has no heartbeat at {path}: it never ticked with this schedule file"
    verdict = "ticking" if age_s <= limit_s else "stale"
    return age_s <= limit_s, f"beat {verdict}: last tick {age_s:.0f} s ago (limit {limit_s:g} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m delivery.tasks.liveness")
    checks = parser.add_subparsers(dest="check", required=True)
    worker = checks.add_parser("worker", help="ping one worker through the broker")
    worker.add_argument("name", nargs="?", help="node name (default: WORKER_NAME or worker@%%h)")
    worker.add_argument("--timeout", type=float, default=PING_TIMEOUT_S)
    checks.add_parser("beat", help="the age of Beat's heartbeat file")
    args = parser.parse_args(argv)
    if args.check == "worker":
        alive, line = check_worker(worker_name(args.name), timeout_s=args.timeout)
    else:
        alive, line = check_beat(CelerySettings())
    print(line, flush=True)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
