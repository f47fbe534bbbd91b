"""HTTP tests: the test kit's client on an app built from a fresh container for each test.

The API does its ORM work on another thread, so these tests need committed data: `transactional_db`.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from configs.auth import ThrottleSettings
from infrastructure.django.connections import close_orm_connections
from infrastructure.ioc import AutoRegisteringContainer

if TYPE_CHECKING:  # the kit imports models; this module loads before Django is set up
    from tests.integration.factories import TestClientFactory, TestUserFactory

PASSWORD = "correct-horse-battery-9"
GENEROUS = ThrottleSettings(
    login="10000/m", signup="10000/m", refresh="10000/m", todo_writes="10000/m"
)


def close_orm_thread_connections() -> None:
    """Close what the ORM threads hold, so the test database can be flushed and dropped."""
    close_orm_connections()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in Redis in postgres mode and would leak from test to test."""
    url = os.environ.get("REDIS_URL")
    if url:
        redis.Redis.from_url(url).flushdb()


@pytest.fixture
def container(
    container: AutoRegisteringContainer, transactional_db: None
) -> AutoRegisteringContainer:
    """Limits that never trip; throttling tests register their own before building the app."""
    container.register(ThrottleSettings, instance=GENEROUS)
    return container


@pytest.fixture
def make_app(container: AutoRegisteringContainer) -> Callable[[], FastAPI]:
    from delivery.http.factories import FastAPIFactory  # imports models: Django must be set up

    return lambda: container.resolve(FastAPIFactory)()


@pytest.fixture
def make_client(test_client_factory: "TestClientFactory") -> Iterator[Callable[..., TestClient]]:
    """Clients open for the whole test (one event loop each for all their requests)."""
    with ExitStack() as opened:
        yield lambda **options: opened.enter_context(test_client_factory(**options))


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def sign_up(client: TestClient, username: str, **extra: str) -> dict[str, Any]:
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD} | extra
    response = client.post("/v1/users/", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/v1/users/me/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def signed_in(client: TestClient, username: str) -> dict[str, str]:
    """Authorization headers of a fresh user."""
    sign_up(client, username)
    return bearer(log_in(client, username))


@pytest.fixture
def alice(
    user_factory: "TestUserFactory", test_client_factory: "TestClientFactory"
) -> dict[str, str]:
    """Authorization headers of a fresh user `alice` (password `PASSWORD`)."""
    return test_client_factory.auth_headers(user_factory(username="alice", password=PASSWORD))


@pytest.fixture
def bob(
    user_factory: "TestUserFactory", test_client_factory: "TestClientFactory"
) -> dict[str, str]:
    return test_client_factory.auth_headers(user_factory(username="bob", password=PASSWORD))
