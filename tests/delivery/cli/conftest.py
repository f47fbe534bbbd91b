import pytest

from tests.delivery.tasks.worker import CeleryWorker, session_worker


@pytest.fixture(scope="session")
def celery_worker(request: pytest.FixtureRequest, django_db_setup: None) -> CeleryWorker:
    return session_worker(request)
