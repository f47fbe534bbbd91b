"""The worker and Beat entry point: `celery -A delivery.tasks.app worker` (or `beat`), from `src/`.

The container configures Django before any task module imports a model. Every connection these
processes open gets the worker's statement and lock timeouts, longer than the API's.
"""

from celery import Celery

from configs.core import DatabaseSettings
from configs.observability import MetricsSettings
from delivery.tasks.registry import TasksRegistry
from infrastructure.django.timeouts import StatementLimits, limit_statements
from infrastructure.observability.tasks import observe_worker_and_beat
from ioc.container import ContainerFactory

container = ContainerFactory()()
registry = container.resolve(TasksRegistry)
app: Celery = registry.celery_app
# Tracing as celery-worker or celery-beat, and the worker's metrics port, once the process is known.
observe_worker_and_beat(container.resolve(MetricsSettings))

_database = container.resolve(DatabaseSettings)
limit_statements(
    StatementLimits(_database.worker_statement_timeout_s, _database.worker_lock_timeout_s)
)
