"""`todo.cleanup`: delete the completed todos of active users, batch by batch, one run at a time.

Small runs go batch by batch in one task. Above `TODO_CLEANUP_FAN_OUT_THRESHOLD` active users the
task replaces itself with a chord of id-range subtasks and a callback that sums them, so many
workers share the work and `delay().get()` still returns the totals.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from celery import Celery, Task
from celery.exceptions import Ignore
from django.db import DatabaseError
from django.utils import timezone

from configs.tasks import TodoCleanupSettings
from core.todo.cleanup import TodoCleanupService
from core.todo.services import TodoService
from core.user.exceptions import UserNotFoundError
from core.user.services.user import UserService
from delivery.tasks.progress import TaskProgress, running_task
from delivery.tasks.registry import TaskName
from delivery.tasks.tasks.cleanup_fan_out import cleanup_chord
from delivery.tasks.tasks.cleanup_result import CleanupError, CleanupResult, CleanupTotals
from infrastructure.delivery.controllers import Controller
from infrastructure.locks import ExpiringLock

__all__ = ["CleanupError", "CleanupResult", "TodoCleanupTaskController"]

logger = logging.getLogger(__name__)

LOCK_NAME = "todo-cleanup"
SKIPPED_BECAUSE_RUNNING = "another cleanup is running"


@dataclass(kw_only=True)
class TodoCleanupTaskController(Controller):
    # The per-user path's collaborators, used when a set-based batch fails.
    _todo_service: TodoService
    _user_service: UserService
    _cleanup_service: TodoCleanupService
    _settings: TodoCleanupSettings
    _lock: ExpiringLock

    def register(self, registry: Celery) -> None:
        # shared=False: a shared task would be copied into every Celery app created later in
        # this process, bound to this controller instead of that app's own.
        soft, hard = self._settings.soft_time_limit_s, self._settings.time_limit_s
        task = registry.task
        task(name=TaskName.TODO_CLEANUP, shared=False, soft_time_limit=soft, time_limit=hard)(
            self.cleanup_completed_todos
        )
        task(name=TaskName.TODO_CLEANUP_RANGE, shared=False, soft_time_limit=soft, time_limit=hard)(
            self.cleanup_user_range
        )
        task(name=TaskName.TODO_CLEANUP_TOTALS, shared=False)(self.sum_cleanup_results)

    def cleanup_completed_todos(self) -> CleanupResult:
        totals = CleanupTotals()
        token = self._lock.acquire(LOCK_NAME, ttl_s=self._settings.lock_ttl_s)
        if token is None:
            logger.warning("todo cleanup skipped: %s", SKIPPED_BECAUSE_RUNNING)
            return totals.result(skipped=SKIPPED_BECAUSE_RUNNING)
        handed_over = False
        try:
            completed_before = self._completed_before()
            task = running_task()
            threshold = self._settings.fan_out_threshold
            if task is not None and self._cleanup_service.count_active_users() > threshold:
                try:
                    self._fan_out(task, totals, completed_before=completed_before, lock_token=token)
                except Ignore:  # the chord now owns the lock; its callback releases it
                    handed_over = True
                    raise
            self._clean(totals, completed_before=completed_before, lock_token=token)
            return totals.result()
        finally:
            if not handed_over:
                self._lock.release(LOCK_NAME, token)

    def cleanup_user_range(
        self,
        *,
        first_user_id: int,
        last_user_id: int,
        completed_before: str | None,
        lock_token: str,
    ) -> CleanupResult:
        """One subtask of a fanned-out run; the parent holds the lock and passes its token."""
        totals = CleanupTotals()
        self._clean(
            totals,
            completed_before=datetime.fromisoformat(completed_before) if completed_before else None,
            lock_token=lock_token,
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
        lock_token: str,
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
            lock_token=lock_token,
            started_at=totals.started_at,
        )
        task.replace(fan_out)

    def _clean(
        self,
        totals: CleanupTotals,
        *,
        completed_before: datetime | None,
        lock_token: str,
        first_user_id: int | None = None,
        last_user_id: int | None = None,
    ) -> None:
        progress = TaskProgress(logger)
        progress.report(totals.progress(), force=True)
        batches = self._cleanup_service.active_user_batches(
            batch_size=self._settings.batch_size,
            first_user_id=first_user_id,
            last_user_id=last_user_id,
        )
        for user_ids in batches:
            deleted, errors = self._clean_batch(user_ids, completed_before=completed_before)
            totals.add(users=len(user_ids), deleted=deleted, errors=errors)
            if not self._lock.renew(LOCK_NAME, lock_token, ttl_s=self._settings.lock_ttl_s):
                logger.warning("todo cleanup lock expired before renewal; continuing")
            progress.report(totals.progress())
        progress.report(totals.progress(), force=True)

    def _clean_batch(
        self, user_ids: list[int], *, completed_before: datetime | None
    ) -> tuple[int, list[CleanupError]]:
        try:
            deleted = self._cleanup_service.delete_completed_for_users(
                user_ids, completed_before=completed_before
            )
        except DatabaseError:
            logger.warning(
                "cleanup of users %s..%s failed; retrying user by user",
                user_ids[0],
                user_ids[-1],
                exc_info=True,
            )
            return self._clean_user_by_user(user_ids, completed_before=completed_before)
        return deleted, []

    def _clean_user_by_user(
        self, user_ids: list[int], *, completed_before: datetime | None
    ) -> tuple[int, list[CleanupError]]:
        deleted, errors = 0, []
        for user_id in user_ids:
            try:
                user = self._user_service.get_user_by_id(user_id)
                if user.is_active:
                    deleted += self._todo_service.delete_completed_todos(
                        user, completed_before=completed_before
                    )
            except UserNotFoundError:
                continue  # deleted since the batch was read: nothing left to clean
            except DatabaseError as exc:
                logger.error("cleanup of user %s failed: %s", user_id, exc)
                errors.append(CleanupError(user_id=user_id, error=str(exc).strip()))
        return deleted, errors

    def _completed_before(self) -> datetime | None:
        if not self._settings.retention:
            return None
        return timezone.now() - self._settings.retention
