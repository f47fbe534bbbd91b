"""The running totals a `todo.cleanup` result is built from (the result type is in `results.py`)."""

import time
from dataclasses import dataclass, field

from core.todo.cleanup import UserFailure
from delivery.tasks.results import CleanupError, CleanupResult

__all__ = ["MAX_REPORTED_ERRORS", "CleanupError", "CleanupResult", "CleanupTotals"]

# Enough to diagnose; the count says how many there were in all.
MAX_REPORTED_ERRORS = 100


@dataclass
class CleanupTotals:
    started_at: float = field(default_factory=time.time)
    users_processed: int = 0
    todos_deleted: int = 0
    errors: list[CleanupError] = field(default_factory=list)
    error_count: int = 0
    subtasks: int = 0

    def add(self, *, users: int, deleted: int, failures: list[UserFailure]) -> None:
        self.users_processed += users
        self.todos_deleted += deleted
        self.error_count += len(failures)
        room = max(MAX_REPORTED_ERRORS - len(self.errors), 0)
        self.errors.extend(CleanupError(user_id=f.user_id, error=f.error) for f in failures[:room])

    def add_result(self, result: CleanupResult) -> None:
        self.users_processed += result["users_processed"]
        self.todos_deleted += result["todos_deleted"]
        self.error_count += result["error_count"]
        room = max(MAX_REPORTED_ERRORS - len(self.errors), 0)
        self.errors.extend(result["errors"][:room])

    def progress(self) -> dict[str, int]:
        return {
            "users_processed": self.users_processed,
            "todos_deleted": self.todos_deleted,
            "error_count": self.error_count,
        }

    def result(self) -> CleanupResult:
        return self._result(skipped=None, blocked_by=None)

    def skipped(self, reason: str, *, blocked_by: str | None) -> CleanupResult:
        return self._result(skipped=reason, blocked_by=blocked_by)

    def _result(self, *, skipped: str | None, blocked_by: str | None) -> CleanupResult:
        return CleanupResult(
            users_processed=self.users_processed,
            todos_deleted=self.todos_deleted,
            errors=self.errors,
            error_count=self.error_count,
            duration_s=round(time.time() - self.started_at, 3),
            subtasks=self.subtasks,
            skipped=skipped,
            blocked_by=blocked_by,
        )
