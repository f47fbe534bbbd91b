from collections.abc import Iterator

import pytest
from django.db import connections
from fastapi.testclient import TestClient

from tests.delivery.http.conftest import close_orm_thread_connections


def test_health_answers_200_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


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
    assert body["database"] == "unavailable"
    assert body["reason"].startswith("database unreachable")
    for secret_part in ("nonexistent-dir", "secret-that-must-not-leak", "127.0.0.1", "postgres"):
        assert secret_part not in response.text


def test_api_answers_503_not_500_while_the_database_is_down(
    client: TestClient, alice: dict[str, str], unreachable_database: None
) -> None:
    response = client.get("/v1/todos", headers=alice)

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
