"""`/metrics`: requests and task runs counted, skips told apart, and who may read it."""

import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from configs.observability import MetricsSettings
from delivery.tasks.registry import TasksRegistry
from delivery.tasks.tasks.todo_cleanup import LOCK_NAME
from infrastructure.ioc import AutoRegisteringContainer
from infrastructure.locks import ExpiringLock
from tests.integration.factories import (
    TestCeleryWorkerFactory,
    TestClientFactory,
    TestUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LIST = 'http_requests_total{method="GET",route="/v1/todos",status="200"}'
PING = 'celery_task_runs_total{outcome="success",task="ping"}'
SKIPPED = 'celery_task_runs_total{outcome="skipped",task="todo.cleanup"}'
LAST_SUCCESS = "todo_cleanup_last_success_timestamp_seconds"


def sample(client: TestClient, series: str) -> float:
    """A series' value in this process's `/metrics`; 0 before it first counts."""
    response = client.get("/metrics")
    assert response.status_code == 200
    for line in response.text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return 0.0


def test_metrics_count_a_request_and_a_task_run(
    test_client_factory: TestClientFactory,
    user_factory: TestUserFactory,
    celery_worker_factory: TestCeleryWorkerFactory,
    container: AutoRegisteringContainer,
) -> None:
    client = test_client_factory(auth_for_user=user_factory())
    requests, pings = sample(client, LIST), sample(client, PING)

    assert client.get("/v1/todos").status_code == 200
    with celery_worker_factory():
        assert container.resolve(TasksRegistry).ping.delay().get(timeout=30) == "pong"

    assert sample(client, LIST) == requests + 1
    deadline = time.monotonic() + 5  # counted once the worker thread finished the run
    while sample(client, PING) < pings + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sample(client, PING) == pings + 1


@pytest.fixture
def cleanup_lock_held(container: AutoRegisteringContainer) -> Iterator[None]:
    lock = container.resolve(ExpiringLock)
    assert lock.acquire(LOCK_NAME, owner="another-run", ttl_s=60)
    yield
    lock.release(LOCK_NAME, "another-run")


def test_a_skipped_cleanup_counts_and_logs_as_skipped_not_success(
    test_client_factory: TestClientFactory,
    celery_worker_factory: TestCeleryWorkerFactory,
    container: AutoRegisteringContainer,
    cleanup_lock_held: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = test_client_factory()
    skipped, last_success = sample(client, SKIPPED), sample(client, LAST_SUCCESS)

    with caplog.at_level(logging.INFO, logger="todo.tasks"), celery_worker_factory():
        result = container.resolve(TasksRegistry).todo_cleanup.delay().get(timeout=30)
        deadline = time.monotonic() + 5
        while sample(client, SKIPPED) < skipped + 1 and time.monotonic() < deadline:
            time.sleep(0.05)

    assert result["skipped"]
    assert sample(client, SKIPPED) == skipped + 1
    assert sample(client, LAST_SUCCESS) == last_success
    (line,) = [
        r for r in caplog.records if r.name == "todo.tasks" and "todo.cleanup" in r.msg % r.args
    ]
    assert line.fields["outcome"] == "skipped"  # type: ignore[attr-defined]
    assert "skipped (another cleanup is running)" in line.getMessage()


def test_metrics_can_be_switched_off(
    container: AutoRegisteringContainer, test_client_factory: TestClientFactory
) -> None:
    container.register(MetricsSettings, instance=MetricsSettings(enabled=False))

    assert test_client_factory().get("/metrics").status_code == 404


def test_a_metrics_token_keeps_out_whoever_lacks_it(
    container: AutoRegisteringContainer, test_client_factory: TestClientFactory
) -> None:
    container.register(MetricsSettings, instance=MetricsSettings(token="scrape-s3cret"))
    client = test_client_factory()

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-s3cret"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")


def test_metrics_are_not_in_the_api_schema(test_client_factory: TestClientFactory) -> None:
    client = test_client_factory()

    assert client.get("/metrics").status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
