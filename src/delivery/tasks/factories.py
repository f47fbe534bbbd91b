"""Build the Celery app and the task registry once per container."""

from dataclasses import dataclass, field

from celery import Celery
from celery.schedules import crontab

from configs.auth import RedisSettings
from configs.tasks import CelerySettings, SessionCleanupSettings, TodoCleanupSettings
from delivery.tasks.celery_config import celery_config, register_embedded_pruning
from delivery.tasks.registry import TaskName, TasksRegistry
from delivery.tasks.tasks.ping import PingTaskController
from delivery.tasks.tasks.refresh_session_cleanup import RefreshSessionCleanupTaskController
from delivery.tasks.tasks.todo_cleanup import TodoCleanupTaskController
from infrastructure.celery.embedded import EmbeddedFolders
from infrastructure.celery.redelivery import capped_task_class
from infrastructure.locks import ExpiringLock, FileExpiringLock, RedisExpiringLock


@dataclass(kw_only=True)
class CeleryAppFactory:
    _settings: CelerySettings
    _cleanup_settings: TodoCleanupSettings
    _session_cleanup_settings: SessionCleanupSettings
    _instance: Celery | None = field(default=None, init=False)

    def __call__(self) -> Celery:
        if self._instance is not None:
            return self._instance
        settings = self._settings
        if settings.visibility_timeout_s <= self._cleanup_settings.time_limit_s:
            msg = "CELERY_VISIBILITY_TIMEOUT_S must exceed TODO_CLEANUP_TIME_LIMIT_S"
            raise ValueError(msg)
        if settings.visibility_timeout_s <= self._session_cleanup_settings.time_limit_s:
            msg = "CELERY_VISIBILITY_TIMEOUT_S must exceed SESSION_CLEANUP_TIME_LIMIT_S"
            raise ValueError(msg)
        broker_url = settings.broker_url.get_secret_value() if settings.broker_url else None
        celery_app = Celery(
            "todo_service",
            task_cls=capped_task_class(
                max_redeliveries=settings.max_redeliveries, broker_url=broker_url
            ),
        )
        celery_app.conf.update(celery_config(settings))
        minute, hour, day_of_month, month_of_year, day_of_week = (
            self._cleanup_settings.schedule.split()
        )
        celery_app.conf.beat_schedule = {
            "ping-every-minute": {
                "task": TaskName.PING,
                "schedule": settings.ping_interval_s,
            },
            "cleanup-completed-todos-daily": {
                "task": TaskName.TODO_CLEANUP,
                "schedule": crontab(
                    minute=minute,
                    hour=hour,
                    day_of_month=day_of_month,
                    month_of_year=month_of_year,
                    day_of_week=day_of_week,
                ),
            },
            "prune-refresh-sessions-daily": {
                "task": TaskName.USER_SESSIONS_CLEANUP,
                "schedule": crontab(minute=0, hour=3),
            },
        }
        if settings.embedded:
            register_embedded_pruning(celery_app, EmbeddedFolders(settings.embedded_dir), settings)
        self._instance = celery_app
        return self._instance


@dataclass(kw_only=True)
class TasksRegistryFactory:
    _celery_app_factory: CeleryAppFactory
    _ping_controller: PingTaskController
    _todo_cleanup_controller: TodoCleanupTaskController
    _refresh_session_cleanup_controller: RefreshSessionCleanupTaskController
    _instance: TasksRegistry | None = field(default=None, init=False)

    def __call__(self) -> TasksRegistry:
        if self._instance is not None:
            return self._instance

        celery_app = self._celery_app_factory()
        registry = TasksRegistry(_celery_app=celery_app)
        self._ping_controller.register(celery_app)
        self._todo_cleanup_controller.register(celery_app)
        self._refresh_session_cleanup_controller.register(celery_app)

        self._instance = registry
        return self._instance


@dataclass(kw_only=True)
class ExpiringLockFactory:
    """Redis when there is one (every worker sees it), else lock files beside the embedded queue."""

    _celery_settings: CelerySettings
    _redis_settings: RedisSettings

    def __call__(self) -> ExpiringLock:
        url = self._redis_url()
        if url is None:
            return FileExpiringLock(EmbeddedFolders(self._celery_settings.embedded_dir).locks)
        import redis

        timeout = max(self._celery_settings.publish_timeout_s, 1.0)
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        return RedisExpiringLock(client)

    def _redis_url(self) -> str | None:
        for secret in (self._redis_settings.url, self._celery_settings.broker_url):
            url = secret.get_secret_value() if secret else ""
            if url.startswith(("redis://", "rediss://")):
                return url
        return None
