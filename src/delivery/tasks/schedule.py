"""What Beat sends, and when: every entry's schedule comes from a setting. Beat runs in UTC."""

from typing import Any

from celery.schedules import crontab

from configs.tasks import CelerySettings, SessionCleanupSettings, TodoCleanupSettings
from delivery.tasks.names import TaskName


def beat_schedule(
    *,
    celery: CelerySettings,
    todo_cleanup: TodoCleanupSettings,
    session_cleanup: SessionCleanupSettings,
) -> dict[str, dict[str, Any]]:
    schedule: dict[str, dict[str, Any]] = {
        "ping-every-minute": {  # CELERY_PING_INTERVAL_S
            "task": TaskName.PING.value,
            "schedule": celery.ping_interval_s,
        },
        "cleanup-completed-todos-daily": {  # TODO_CLEANUP_SCHEDULE
            "task": TaskName.TODO_CLEANUP.value,
            "schedule": crontab_from(todo_cleanup.schedule),
        },
        "prune-refresh-sessions-daily": {  # SESSION_CLEANUP_SCHEDULE
            "task": TaskName.USER_SESSIONS_CLEANUP.value,
            "schedule": crontab_from(session_cleanup.schedule),
        },
    }
    if celery.embedded:
        schedule["prune-embedded-broker-hourly"] = {  # CELERY_EMBEDDED_PRUNE_INTERVAL_S
            "task": TaskName.PRUNE_EMBEDDED_BROKER.value,
            "schedule": celery.embedded_prune_interval_s,
        }
        # Celery's own entry for result files, which never expire by themselves; under its own
        # name, so Beat does not add it again with a fixed 04:00.
        schedule["celery.backend_cleanup"] = {  # CELERY_RESULT_CLEANUP_SCHEDULE
            "task": "celery.backend_cleanup",
            "schedule": crontab_from(celery.result_cleanup_schedule),
            "options": {"expires": 12 * 3600},
        }
    return schedule


def crontab_from(fields: str) -> crontab:
    """ "minute hour day-of-month month day-of-week", as in a crontab line."""
    minute, hour, day_of_month, month_of_year, day_of_week = fields.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )
