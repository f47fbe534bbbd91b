from collections.abc import Iterator

import pytest
from django.db import connections
from fastapi.testclient import TestClient

from infrastructure.django.connections import close_orm_connections
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.http.conftest import close_orm_thread_connections
from tests.integration.factories import TestClientFactory


def test_health_reports_the_database_and_the_broker_with_their_latency(
    client: TestClient,
) -> None:
    response = client.get("/v1/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    for part in ("database", "broker"):
        assert body[part]["status"] == "ok"
        assert body[part]["latency_ms"] >= 0
        assert "reason" not in body[part]


@pytest.fixture
def unreachable_database() -> Iterator[None]:
    """Point the connection settings every thread shares at a database that cannot be opened."""
    settings = connections.settings["default"]
    saved = dict(settings)
    close_orm_thread_connections()
    if settings["ENGINE"].endswith("sqlite3"):
        settings["NAME"] = "/nonexistent-dir/db.sqlite3"
    else:
        settings["PORT"] = "1"
        settings["PASSWORD"] = "secret-that-must-not-leak"
    try:
        yield
    finally:
        close_orm_thread_connections()
        settings.clear()
        settings.update(saved)


def test_health_answers_503_with_a_reason_and_no_secrets(
    client: TestClient, unreachable_database: None
) -> None:
    response = client.get("/v1/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["status"] == "error"
    assert body["database"]["reason"].startswith("database unreachable")
    for secret_part in ("nonexistent-dir", "secret-that-must-not-leak", "127.0.0.1", "postgres"):
        assert secret_part not in response.text


def test_api_answers_503_not_500_while_the_database_is_down(
    client: TestClient, alice: dict[str, str], unreachable_database: None
) -> None:
    response = client.get("/v1/todos", headers=alice)

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_keeps_200_and_shows_the_error(
    container: AutoRegisteringContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis broker on a port nobody listens on, with a password that must not show."""
    from celery import Celery

    broker = "redis://:broker-password@127.0.0.1:1/0"
    monkeypatch.setenv("CELERY_BROKER_URL", broker)  # Celery prefers the variable to its config
    app = Celery("unreachable", broker=broker, backend=broker)
    app.conf.broker_connection_timeout = 0.5
    container.register(Celery, instance=app)
    factory = TestClientFactory(container)
    try:
        response = factory().get("/v1/health")
    finally:
        factory.close()
        close_orm_connections()

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "error"
    assert body["broker"]["reason"].startswith("broker unreachable (")
    assert "broker-password" not in response.text
