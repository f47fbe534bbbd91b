from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from celery.worker import WorkController

if TYPE_CHECKING:  # the kit imports models; this module loads before Django is set up
    from tests.integration.factories import TestCeleryWorkerFactory


@pytest.fixture
def celery_worker(celery_worker_factory: "TestCeleryWorkerFactory") -> Iterator[WorkController]:
    """The test kit's worker, on this test's own queue, for the whole test."""
    with celery_worker_factory() as worker:
        yield worker
