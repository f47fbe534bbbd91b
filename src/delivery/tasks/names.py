"""Every task's name, in one place: Beat, the registry and the controllers all use these."""

from enum import StrEnum


class TaskName(StrEnum):
    PING = "ping"
    TODO_CLEANUP = "todo.cleanup"
    # Internal steps of a fanned-out cleanup: one id range, then the sum of the ranges.
    TODO_CLEANUP_RANGE = "todo.cleanup.range"
    TODO_CLEANUP_TOTALS = "todo.cleanup.totals"
    # Drops consumed embedded-broker messages (Celery's backend_cleanup drops results).
    PRUNE_EMBEDDED_BROKER = "maintenance.prune_embedded_broker"
    # Delete refresh sessions (one row per rotation) that finished before the retention window.
    USER_SESSIONS_CLEANUP = "user.sessions.cleanup"
