"""Task tests talk to a real worker, so their rows must be committed: `transactional_db`."""

import pytest

from delivery.tasks.registry import TasksRegistry
from infrastructure.ioc import AutoRegisteringContainer
from ioc.container import ContainerFactory
from tests.delivery.tasks.worker import CeleryWorker, session_worker


@pytest.fixture(scope="session")
def celery_worker(request: pytest.FixtureRequest, django_db_setup: None) -> CeleryWorker:
    return session_worker(request)


@pytest.fixture
def container(transactional_db: None) -> AutoRegisteringContainer:
    return ContainerFactory()()


@pytest.fixture
def registry(container: AutoRegisteringContainer, celery_worker: CeleryWorker) -> TasksRegistry:
    return container.resolve(TasksRegistry)


from tests.delivery.tasks.database import (  # noqa: E402
    hold_todo_table,
    refuse_deletes_of,
    slow_deletes,
)

__all__ = ["hold_todo_table", "refuse_deletes_of", "slow_deletes"]
