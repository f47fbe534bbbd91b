"""Settings for the Celery app, the completed-todo cleanup and the refresh-session cleanup.

Time limits are sized to measured work (`docs/benchmarks.md`: 100,000 users cleaned in 0.35 s,
and a run fans out above 20,000), and every hard limit stays below the Redis visibility timeout,
so a task whose worker died is delivered again after `CELERY_VISIBILITY_TIMEOUT_S` (9 minutes).
"""

from datetime import timedelta
from pathlib import Path
from typing import Self

from pydantic import SecretStr, field_validator, model_validator

from configs.base import PrefixedSettings, env_config
from configs.paths import ROOT_DIR, VAR_DIR


def check_crontab(name: str, value: str) -> str:
    if len(value.split()) != 5:
        msg = f"{name} must have 5 crontab fields (minute hour day month weekday), got {value!r}"
        raise ValueError(msg)
    return value


class TaskLimitSettings(PrefixedSettings):
    """A soft time limit (the task may clean up) below a hard one (its process is killed)."""

    soft_time_limit_s: int = 60
    time_limit_s: int = 90

    def setting_name(self, field: str) -> str:
        return f"{self.model_config.get('env_prefix', '')}{field.upper()}"

    @model_validator(mode="after")
    def _soft_below_hard(self) -> Self:
        if not 0 < self.soft_time_limit_s < self.time_limit_s:
            msg = (
                f"{self.setting_name('soft_time_limit_s')} must be positive and below "
                f"{self.setting_name('time_limit_s')}"
            )
            raise ValueError(msg)
        return self


class CelerySettings(TaskLimitSettings):
    """An empty broker URL selects the embedded mode: a folder-based broker needing no server.

    Celery itself reads `CELERY_BROKER_URL` and `CELERY_RESULT_BACKEND` from the environment and
    prefers them to its configuration; these fields read the same variables, so both agree.
    """

    model_config = env_config("CELERY_")

    broker_url: SecretStr | None = None
    # Empty: results go to the broker when it is Redis, else to a `file://` folder beside it.
    result_backend: SecretStr | None = None
    embedded_dir: Path = VAR_DIR / "celery"
    # How long task results (and the embedded broker's processed messages) are kept.
    result_expires_s: int = 24 * 3600
    # soft_time_limit_s / time_limit_s (60 / 90): every task that does not set its own, Celery's
    # built-in tasks included.
    # Redis delivers an unacknowledged task again after this long: it must exceed every hard time
    # limit (checked at start-up), and it is how long a task whose worker died waits on Redis
    # (plus up to 10 s until a worker next looks), so such a task is done within 10 minutes.
    visibility_timeout_s: int = 540
    max_redeliveries: int = 3
    # Publishing gives up after about this long when the broker is unreachable.
    publish_timeout_s: float = 1.0
    ping_interval_s: float = 60.0
    # Embedded mode: how often Beat prunes consumed messages older than `result_expires_s`, and
    # when (crontab, UTC) Celery's `celery.backend_cleanup` deletes result files that old.
    embedded_prune_interval_s: float = 3600.0
    result_cleanup_schedule: str = "0 4 * * *"
    # Beat's record of when each entry last ran; a corrupt file is replaced at start-up. Beside
    # it, Beat's lock and the heartbeat file it touches on every tick (its liveness check).
    beat_schedule_file: Path = VAR_DIR / "celerybeat-schedule"
    # Task events (sent, received, started, succeeded...) for Flower; off saves a message per
    # state change.
    task_events: bool = True

    @field_validator("embedded_dir", "beat_schedule_file")
    @classmethod
    def _relative_to_the_project(cls, value: Path) -> Path:
        """The worker runs from `src/` and the API from the root: both must find one folder."""
        return value if value.is_absolute() else ROOT_DIR / value

    @field_validator("result_cleanup_schedule")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        return check_crontab("CELERY_RESULT_CLEANUP_SCHEDULE", value)

    @model_validator(mode="after")
    def _results_somewhere(self) -> Self:
        broker = self.broker_url.get_secret_value() if self.broker_url else ""
        results = self.result_backend.get_secret_value() if self.result_backend else ""
        if broker.startswith(("amqp://", "amqps://", "pyamqp://")) and not results:
            msg = (
                "CELERY_RESULT_BACKEND must be set when CELERY_BROKER_URL is RabbitMQ, which keeps "
                "no results: for example redis://localhost:6379/1"
            )
            raise ValueError(msg)
        return self

    @property
    def embedded(self) -> bool:
        return not (self.broker_url and self.broker_url.get_secret_value())


class TodoCleanupSettings(TaskLimitSettings):
    model_config = env_config("TODO_CLEANUP_")

    # Keep todos completed more recently than this: seconds or ISO 8601 ("P30D");
    # 0 deletes every completed todo.
    retention: timedelta = timedelta(0)
    # Users per set-based DELETE, each in its own short transaction.
    batch_size: int = 5000
    # Above this many active users the cleanup fans out as subtasks that many workers share, so
    # one task handles at most this many users (measured: 20,000 in about 0.07 s).
    fan_out_threshold: int = 20_000
    users_per_subtask: int = 10_000
    # Crontab fields "minute hour day-of-month month day-of-week", in UTC.
    schedule: str = "0 2 * * *"
    # About 4,000 times the measured work of one task: room for a slow disk or lock waits.
    soft_time_limit_s: int = 240
    time_limit_s: int = 300
    # The overlap guard expires this long after its last renewal (renewed every batch), so a run
    # that died blocks other runs for at most this long; its own redelivery takes it back.
    lock_ttl_s: int = 600

    @field_validator("retention", mode="before")
    @classmethod
    def _seconds_as_text(cls, value: object) -> object:
        """Text from the environment; pydantic reads "86400" as seconds only as a number."""
        if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
            return float(value)
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        check_crontab("TODO_CLEANUP_SCHEDULE", self.schedule)
        if self.lock_ttl_s < 1:
            raise ValueError("TODO_CLEANUP_LOCK_TTL_S must be >= 1")
        if min(self.batch_size, self.users_per_subtask, self.fan_out_threshold) < 1:
            msg = "TODO_CLEANUP_ batch size, fan-out threshold and users per subtask must be >= 1"
            raise ValueError(msg)
        if self.retention < timedelta(0):
            raise ValueError("TODO_CLEANUP_RETENTION must not be negative")
        return self


class SessionCleanupSettings(TaskLimitSettings):
    """`user.sessions.cleanup`: prunes finished refresh sessions, daily at 03:00 UTC by default."""

    model_config = env_config("SESSION_CLEANUP_")

    # Finished sessions are kept this long (for audit) before they are deleted.
    retention_s: int = 7 * 24 * 3600
    # Sessions per DELETE statement, each in its own short transaction.
    batch_size: int = 5000
    # Crontab fields "minute hour day-of-month month day-of-week", in UTC.
    schedule: str = "0 3 * * *"
    # Batches keep their progress, so a run stopped by its limit is continued by the next one.
    soft_time_limit_s: int = 240
    time_limit_s: int = 300

    @model_validator(mode="after")
    def _check(self) -> Self:
        check_crontab("SESSION_CLEANUP_SCHEDULE", self.schedule)
        if self.retention_s < 0:
            raise ValueError("SESSION_CLEANUP_RETENTION_S must not be negative")
        if self.batch_size < 1:
            raise ValueError("SESSION_CLEANUP_BATCH_SIZE must be >= 1")
        return self
