"""Build the Celery app and the task registry once per container, and refuse a broken set-up."""

from dataclasses import dataclass, field, fields

from celery import Celery

from configs.auth import RedisSettings
from configs.tasks import CelerySettings, SessionCleanupSettings, TodoCleanupSettings
from delivery.tasks.celery_config import celery_config, is_redis
from delivery.tasks.discovery import TaskControllers
from delivery.tasks.names import TaskName
from delivery.tasks.observability import observe_tasks
from delivery.tasks.registry import TasksRegistry
from delivery.tasks.schedule import beat_schedule
from delivery.tasks.tasks.ping import PingTaskController
from delivery.tasks.tasks.todo_cleanup import TodoCleanupTaskController
from infrastructure.celery.embedded import EmbeddedFolders
from infrastructure.celery.limits import check_limits, task_limits
from infrastructure.celery.publishing import drop_wrong_restart_advice
from infrastructure.celery.redelivery import (
    RedeliveryCounter,
    capped_task_class,
    file_redelivery_counter,
    redis_redelivery_counter,
)
from infrastructure.delivery.controllers import Controller
from infrastructure.locks import ExpiringLock, FileExpiringLock, RedisExpiringLock


class TaskWiringError(LookupError):
    """A task name, or a Beat entry, that no registered task answers to."""


@dataclass(kw_only=True)
class CeleryAppFactory:
    _settings: CelerySettings
    _cleanup_settings: TodoCleanupSettings
    _session_cleanup_settings: SessionCleanupSettings
    _redis_settings: RedisSettings
    _instance: Celery | None = field(default=None, init=False)

    def __call__(self) -> Celery:
        if self._instance is not None:
            return self._instance
        settings = self._settings
        task_class = capped_task_class(
            max_redeliveries=settings.max_redeliveries, counter=self._redelivery_counter()
        )
        celery_app = Celery("todo_service", task_cls=task_class)
        celery_app.conf.update(celery_config(settings))
        observe_tasks()  # a log line and metrics for every task run
        celery_app.conf.beat_schedule = beat_schedule(
            celery=settings,
            todo_cleanup=self._cleanup_settings,
            session_cleanup=self._session_cleanup_settings,
        )
        drop_wrong_restart_advice()
        self._instance = celery_app
        return self._instance

    def _redelivery_counter(self) -> RedeliveryCounter | None:
        """Counted in Redis when there is one, else beside the embedded broker."""
        url = redis_url(self._settings, self._redis_settings)
        if url is not None:
            return redis_redelivery_counter(url)
        if self._settings.embedded:
            folders = EmbeddedFolders(self._settings.embedded_dir)
            return file_redelivery_counter(folders.redeliveries)
        return None


@dataclass(kw_only=True)
class TasksRegistryFactory:
    """Registers every task controller: the fields below, and every one in `tasks/`."""

    _celery_app_factory: CeleryAppFactory
    _ping_controller: PingTaskController
    _todo_cleanup_controller: TodoCleanupTaskController
    _task_controllers: TaskControllers
    _celery_settings: CelerySettings
    _instance: TasksRegistry | None = field(default=None, init=False)

    def __call__(self) -> TasksRegistry:
        if self._instance is not None:
            return self._instance

        celery_app = self._celery_app_factory()
        registry = TasksRegistry(_celery_app=celery_app)
        for controller in self._controllers():
            controller.register(celery_app)
        check_wiring(celery_app)
        check_limits(
            task_limits(
                celery_app,
                default_soft_setting=self._celery_settings.setting_name("soft_time_limit_s"),
                default_hard_setting=self._celery_settings.setting_name("time_limit_s"),
            ),
            visibility_timeout_s=self._celery_settings.visibility_timeout_s,
            visibility_setting=self._celery_settings.setting_name("visibility_timeout_s"),
        )

        self._instance = registry
        return self._instance

    def _controllers(self) -> list[Controller]:
        """Each once: a field's controller is also found in `tasks/` (the container's singleton)."""
        found: list[Controller] = []
        declared = [getattr(self, f.name) for f in fields(self)]
        for controller in [*declared, *self._task_controllers]:
            if isinstance(controller, Controller) and all(controller is not c for c in found):
                found.append(controller)
        return found


def check_wiring(celery_app: Celery) -> None:
    """Every task name has a task, and Beat sends only tasks that exist."""
    registered = set(celery_app.tasks)
    missing = sorted(name.value for name in TaskName if name.value not in registered)
    if missing:
        msg = (
            f"no task registered for {', '.join(missing)}: put its controller in "
            "src/delivery/tasks/tasks/, where TasksRegistryFactory finds it"
        )
        raise TaskWiringError(msg)
    for entry, options in celery_app.conf.beat_schedule.items():
        if str(options["task"]) not in registered:
            raise TaskWiringError(f"Beat entry {entry!r} sends unknown task {options['task']!r}")


@dataclass(kw_only=True)
class ExpiringLockFactory:
    """Redis when there is one (every worker sees it), else lock files beside the embedded queue."""

    _celery_settings: CelerySettings
    _redis_settings: RedisSettings

    def __call__(self) -> ExpiringLock:
        url = redis_url(self._celery_settings, self._redis_settings)
        if url is None:
            return FileExpiringLock(EmbeddedFolders(self._celery_settings.embedded_dir).locks)
        import redis

        timeout = max(self._celery_settings.publish_timeout_s, 1.0)
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        return RedisExpiringLock(client)


def redis_url(celery: CelerySettings, redis_settings: RedisSettings) -> str | None:
    """`REDIS_URL`, else a Redis broker or result backend: the Redis every process shares."""
    for secret in (redis_settings.url, celery.broker_url, celery.result_backend):
        url = secret.get_secret_value() if secret else ""
        if is_redis(url):
            return url
    return None
