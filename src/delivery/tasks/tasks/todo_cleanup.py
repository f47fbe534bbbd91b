"""`todo.cleanup`: delete the completed todos of active users, batch by batch, one run at a time.

The rule (who is cleaned, the retention cutoff, the per-user fallback) is `core.todo.cleanup`'s;
this controller adds what a task needs around it: the overlap lock, fan-out and progress.

- **Lock.** A run holds the lock `todo-cleanup` as its own task id. A run delivered again after
  its worker died has the same id, so it takes the lock back; any other run is skipped, with a
  warning and `skipped`/`blocked_by` in its result.
- **Fan-out.** Above `TODO_CLEANUP_FAN_OUT_THRESHOLD` active users the task replaces itself with a
  chord of id-range subtasks and a callback that sums them, so many workers share the work, each
  task stays far inside its time limit, and `delay().get()` still returns the totals.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from celery import Celery, Task
from celery.exceptions import Ignore
from django.utils import timezone

from configs.tasks import TodoCleanupSettings
from core.todo.cleanup import TodoCleanupService, retention_cutoff
from delivery.tasks.names import TaskName
from delivery.tasks.progress import TaskProgress, running_task
from delivery.tasks.registration import register_task
from delivery.tasks.results import CleanupError, CleanupResult
from delivery.tasks.tasks.cleanup_fan_out import cleanup_chord
from delivery.tasks.tasks.cleanup_result import CleanupTotals
from infrastructure.delivery.controllers import Controller
from infrastructure.locks import ExpiringLock
from infrastructure.observability.spans import span

__all__ = ["CleanupError", "CleanupResult", "TodoCleanupTaskController"]

logger = logging.getLogger(__name__)

LOCK_NAME = "todo-cleanup"
SKIPPED_BECAUSE_RUNNING = "another cleanup is running"


@dataclass(kw_only=True)
class TodoCleanupTaskController(Controller):
    _cleanup_service: TodoCleanupService
    _settings: TodoCleanupSettings
    _lock: ExpiringLock

    def register(self, registry: Celery) -> None:
        limits = self._settings
        register_task(registry, TaskName.TODO_CLEANUP, self.cleanup_completed_todos, limits=limits)
        register_task(registry, TaskName.TODO_CLEANUP_RANGE, self.cleanup_user_range, limits=limits)
        register_task(registry, TaskName.TODO_CLEANUP_TOTALS, self.sum_cleanup_results)

    def cleanup_completed_todos(self) -> CleanupResult:
        totals = CleanupTotals()
        task = running_task()
        # The run's identity: the task id, the same on every delivery of this run.
        run_id = str(task.request.id) if task is not None else f"direct-{uuid.uuid4()}"
        if not self._lock.acquire(LOCK_NAME, owner=run_id, ttl_s=self._settings.lock_ttl_s):
            holder = self._lock.holder(LOCK_NAME)
            logger.warning(
                "todo cleanup %s skipped: %s (run %s holds the lock)",
                run_id,
                SKIPPED_BECAUSE_RUNNING,
                holder,
            )
            return totals.skipped(SKIPPED_BECAUSE_RUNNING, blocked_by=holder)
        handed_over = False
        try:
            completed_before = retention_cutoff(self._settings.retention, now=timezone.now())
            threshold = self._settings.fan_out_threshold
            if task is not None and self._cleanup_service.count_active_users() > threshold:
                try:
                    self._fan_out(task, totals, completed_before=completed_before, run_id=run_id)
                except Ignore:  # the chord now owns the lock; its callback releases it
                    handed_over = True
                    raise
            self._clean(totals, completed_before=completed_before, run_id=run_id)
            return totals.result()
        finally:
            if not handed_over:
                self._lock.release(LOCK_NAME, run_id)

    def cleanup_user_range(
        self,
        *,
        first_user_id: int,
        last_user_id: int,
        completed_before: str | None,
        lock_token: str,
    ) -> CleanupResult:
        """One subtask of a fanned-out run; `lock_token` is the run's id, which holds the lock."""
        totals = CleanupTotals()
        self._clean(
            totals,
            completed_before=datetime.fromisoformat(completed_before) if completed_before else None,
            run_id=lock_token,
            first_user_id=first_user_id,
            last_user_id=last_user_id,
        )
        return totals.result()

    def sum_cleanup_results(
        self, results: list[CleanupResult], *, lock_token: str, started_at: float
    ) -> CleanupResult:
        """The chord's callback: totals of every subtask; ends the run, so it frees the lock."""
        totals = CleanupTotals(started_at=started_at, subtasks=len(results))
        for result in results:
            totals.add_result(result)
        self._lock.release(LOCK_NAME, lock_token)
        logger.info("todo cleanup finished: %s", totals.progress())
        return totals.result()

    def _fan_out(
        self,
        task: "Task[..., object]",
        totals: CleanupTotals,
        *,
        completed_before: datetime | None,
        run_id: str,
    ) -> None:
        """Replace the running task by the chord; raises celery's `Ignore` once it is queued."""
        ranges = list(
            self._cleanup_service.active_user_id_ranges(
                users_per_range=self._settings.users_per_subtask
            )
        )
        totals.subtasks = len(ranges)
        TaskProgress(logger).report({**totals.progress(), "subtasks": len(ranges)}, force=True)
        fan_out = cleanup_chord(
            task.app,
            ranges,
            completed_before=completed_before,
            run_id=run_id,
            started_at=totals.started_at,
        )
        task.replace(fan_out)

    def _clean(
        self,
        totals: CleanupTotals,
        *,
        completed_before: datetime | None,
        run_id: str,
        first_user_id: int | None = None,
        last_user_id: int | None = None,
    ) -> None:
        # A span per run (or per subtask's id range), with a span per batch inside it.
        with span("todo cleanup", first_user_id=first_user_id, last_user_id=last_user_id) as run:
            progress = TaskProgress(logger)
            progress.report(totals.progress(), force=True)
            batches = self._cleanup_service.active_user_batches(
                batch_size=self._settings.batch_size,
                first_user_id=first_user_id,
                last_user_id=last_user_id,
            )
            for user_ids in batches:
                outcome = self._cleanup_service.clean_batch(
                    user_ids, completed_before=completed_before
                )
                totals.add(users=len(user_ids), deleted=outcome.deleted, failures=outcome.failures)
                if not self._lock.renew(LOCK_NAME, run_id, ttl_s=self._settings.lock_ttl_s):
                    logger.warning("todo cleanup lock expired before renewal; continuing")
                progress.report(totals.progress())
            progress.report(totals.progress(), force=True)
            run.set("users_processed", totals.users_processed)
            run.set("todos_deleted", totals.todos_deleted)
