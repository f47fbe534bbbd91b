"""`python src/manage.py cleanup_todos [--wait]`: queue `todo.cleanup` for a worker to run.

With `--wait` it exits with status 1 unless the run succeeded, a run skipped because another was
running included.
"""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delivery.tasks.publishing import BrokerUnavailableError, TaskPublisher, TaskStatus
from ioc.container import ContainerFactory

POLL_EVERY_S = 0.5


class Command(BaseCommand):
    help = "Queue the cleanup of completed todos; with --wait, follow it and print the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait", action="store_true", help="wait for the result")
        parser.add_argument(
            "--timeout", type=float, default=3600.0, help="seconds to wait with --wait"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        publisher = ContainerFactory()().resolve(TaskPublisher)
        try:
            task_id = publisher.publish_todo_cleanup()
        except BrokerUnavailableError as exc:
            raise CommandError(f"{exc}. Is the broker running (CELERY_BROKER_URL)?") from exc
        self.stdout.write(f"queued todo.cleanup as task {task_id}")
        if options["wait"]:
            status = self._follow(publisher, task_id, timeout_s=options["timeout"])
            if status["state"] != "SUCCESS":
                raise CommandError(f"task {task_id} ended {status['state']}: {status['error']}")
            result = status["result"]
            self.stdout.write(json.dumps(result, sort_keys=True))
            if isinstance(result, dict) and result.get("skipped"):
                # Nothing was cleaned: a script running this must not take it for a success.
                holder = result.get("blocked_by") or "unknown"
                raise CommandError(
                    f"task {task_id} was skipped: {result['skipped']} (run {holder})"
                )

    def _follow(self, publisher: TaskPublisher, task_id: str, *, timeout_s: float) -> TaskStatus:
        deadline = time.monotonic() + timeout_s
        shown = None
        while time.monotonic() < deadline:
            try:
                status = publisher.status(task_id)
            except BrokerUnavailableError as exc:
                raise CommandError(str(exc)) from exc
            if status is not None:
                line = f"{status['state']} {json.dumps(status['progress'], sort_keys=True)}"
                if line != shown:
                    self.stdout.write(line if status["progress"] else status["state"])
                    shown = line
                if status["ready"]:
                    return status
            time.sleep(POLL_EVERY_S)
        raise CommandError(f"task {task_id} did not finish within {timeout_s:g} s; still running")
