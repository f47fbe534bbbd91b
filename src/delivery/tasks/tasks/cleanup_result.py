"""The result of `todo.cleanup`, and the running totals it is built from."""

import time
from dataclasses import dataclass, field
from typing import TypedDict

# Enough to diagnose; the count says how many there were in all.
MAX_REPORTED_ERRORS = 100


class CleanupError(TypedDict):
    user_id: int
    error: str


class CleanupResult(TypedDict):
    users_processed: int
    todos_deleted: int
    errors: list[CleanupError]
    error_count: int
    duration_s: float
    subtasks: int
    # Why nothing was done (another run held the lock), else None.
    skipped: str | None


@dataclass
class CleanupTotals:
    started_at: float = field(default_factory=time.time)
    users_processed: int = 0
    todos_deleted: int = 0
    errors: list[CleanupError] = field(default_factory=list)
    error_count: int = 0
    subtasks: int = 0

    def add(self, *, users: int, deleted: int, errors: list[CleanupError]) -> None:
        self.users_processed += users
        self.todos_deleted += deleted
        self.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])

    def add_result(self, result: CleanupResult) -> None:
        self.add(
            users=result["users_processed"],
            deleted=result["todos_deleted"],
            errors=result["errors"],
        )
        self.error_count += result["error_count"] - len(result["errors"])

    def progress(self) -> dict[str, int]:
        return {
            "users_processed": self.users_processed,
            "todos_deleted": self.todos_deleted,
            "error_count": self.error_count,
        }

    def result(self, *, skipped: str | None = None) -> CleanupResult:
        return CleanupResult(
            users_processed=self.users_processed,
            todos_deleted=self.todos_deleted,
            errors=self.errors,
            error_count=self.error_count,
            duration_s=round(time.time() - self.started_at, 3),
            subtasks=self.subtasks,
            skipped=skipped,
        )
