"""The worker and Beat entry point: `celery -A delivery.tasks.app worker` (or `beat`), from `src/`.

The container configures Django before any task module imports a model.
"""

from celery import Celery

from delivery.tasks.registry import TasksRegistry
from ioc.container import ContainerFactory

container = ContainerFactory()()
registry = container.resolve(TasksRegistry)
app: Celery = registry.celery_app
