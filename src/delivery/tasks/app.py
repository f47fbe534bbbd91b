"""The worker and Beat entry point: `celery -A delivery.tasks.app worker` (or `beat`), from `src/`.

The container configures Django before any task module imports a model. Every connection these
processes open gets the worker's statement and lock timeouts, longer than the API's.
"""

from celery import Celery

from configs.core import DatabaseSettings
from delivery.tasks.registry import TasksRegistry
from infrastructure.django.timeouts import StatementLimits, limit_statements
from ioc.container import ContainerFactory

container = ContainerFactory()()
registry = container.resolve(TasksRegistry)
app: Celery = registry.celery_app

_database = container.resolve(DatabaseSettings)
limit_statements(
    StatementLimits(_database.worker_statement_timeout_s, _database.worker_lock_timeout_s)
)
