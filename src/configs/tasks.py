"""Settings for the Celery app, the completed-todo cleanup and the refresh-session cleanup."""

from datetime import timedelta
from pathlib import Path
from typing import Self

from pydantic import SecretStr, field_validator, model_validator

from configs.base import PrefixedSettings, env_config
from configs.paths import ROOT_DIR, VAR_DIR


class CelerySettings(PrefixedSettings):
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
    # Every task gets these unless it sets its own; the cleanup sets longer ones.
    soft_time_limit_s: int = 60
    time_limit_s: int = 90
    # Redis re-delivers an unacknowledged task after this long, so it must exceed the longest task.
    visibility_timeout_s: int = 2 * 3600
    max_redeliveries: int = 3
    # Publishing gives up after about this long when the broker is unreachable.
    publish_timeout_s: float = 1.0
    ping_interval_s: float = 60.0

    @field_validator("embedded_dir")
    @classmethod
    def _relative_to_the_project(cls, value: Path) -> Path:
        """The worker runs from `src/` and the API from the root: both must find one folder."""
        return value if value.is_absolute() else ROOT_DIR / value

    @property
    def embedded(self) -> bool:
        return not (self.broker_url and self.broker_url.get_secret_value())


class TodoCleanupSettings(PrefixedSettings):
    model_config = env_config("TODO_CLEANUP_")

    # Keep todos completed more recently than this: seconds or ISO 8601 ("P30D");
    # 0 deletes every completed todo.
    retention: timedelta = timedelta(0)
    # Users per set-based DELETE, each in its own short transaction.
    batch_size: int = 5000
    # Above this many active users the cleanup fans out as subtasks that many workers share.
    fan_out_threshold: int = 20_000
    users_per_subtask: int = 10_000
    # Crontab fields "minute hour day-of-month month day-of-week", in UTC.
    schedule: str = "0 2 * * *"
    soft_time_limit_s: int = 3000
    time_limit_s: int = 3300
    # The overlap guard expires this long after its last renewal (renewed every batch), so a
    # crashed run blocks the next one for at most this long.
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
        if len(self.schedule.split()) != 5:
            msg = f"TODO_CLEANUP_SCHEDULE must have 5 crontab fields, got {self.schedule!r}"
            raise ValueError(msg)
        if min(self.batch_size, self.users_per_subtask, self.fan_out_threshold) < 1:
            msg = "TODO_CLEANUP_ batch size, fan-out threshold and users per subtask must be >= 1"
            raise ValueError(msg)
        if self.retention < timedelta(0):
            raise ValueError("TODO_CLEANUP_RETENTION must not be negative")
        return self


class SessionCleanupSettings(PrefixedSettings):
    """`user.sessions.cleanup`: prunes finished refresh sessions daily at 03:00 UTC."""

    model_config = env_config("SESSION_CLEANUP_")

    # Finished sessions are kept this long (for audit) before they are deleted.
    retention_s: int = 7 * 24 * 3600
    # Sessions per DELETE statement, each in its own short transaction.
    batch_size: int = 5000
    soft_time_limit_s: int = 600
    time_limit_s: int = 660

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.retention_s < 0:
            raise ValueError("SESSION_CLEANUP_RETENTION_S must not be negative")
        if self.batch_size < 1:
            raise ValueError("SESSION_CLEANUP_BATCH_SIZE must be >= 1")
        return self
