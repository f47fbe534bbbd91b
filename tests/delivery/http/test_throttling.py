"""Sign-up, login and refresh are rate limited: in memory on SQLite runs, in Redis on postgres."""

import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from configs.auth import RedisSettings, ThrottleSettings
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.http.conftest import PASSWORD, close_orm_thread_connections, log_in, sign_up
from tests.harness.servers import free_port


def _limit(container: AutoRegisteringContainer, **quotas: str) -> None:
    generous = {"login": "10000/m", "signup": "10000/m", "refresh": "10000/m"}
    container.register(
        ThrottleSettings, instance=ThrottleSettings.model_validate(generous | quotas)
    )


def test_login_over_the_limit_answers_429_with_retry_after(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    _limit(container, login="3/m")
    client = make_client()
    sign_up(client, "alice")

    statuses = [
        client.post(
            "/v1/users/me/token", json={"username": "alice", "password": PASSWORD}
        ).status_code
        for _ in range(4)
    ]
    limited = client.post("/v1/users/me/token", json={"username": "alice", "password": PASSWORD})

    assert statuses[:3] == [200, 200, 200]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def _peer_from_header(app: FastAPI) -> ASGIApp:
    """Take the peer address from `X-Test-Peer`: one client (one event loop) plays many peers."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        peer = dict(scope.get("headers", [])).get(b"x-test-peer")
        if peer is not None:
            scope = dict(scope, client=(peer.decode(), 1000))
        await app(scope, receive, send)

    return asgi


def test_login_is_also_limited_per_username(
    container: AutoRegisteringContainer, make_app: Callable[[], FastAPI]
) -> None:
    """Guessing one account's password from many addresses still hits the account's limit."""
    _limit(container, login="2/m")
    with TestClient(_peer_from_header(make_app())) as client:
        sign_up(client, "alice")
        sign_up(client, "carol")
        first, second = {"X-Test-Peer": "192.0.2.1"}, {"X-Test-Peer": "192.0.2.2"}
        for _ in range(2):
            wrong = {"username": "alice", "password": "wrong-guess"}
            assert client.post("/v1/users/me/token", json=wrong, headers=first).status_code == 401

        alice = {"username": "alice", "password": PASSWORD}
        same_account = client.post("/v1/users/me/token", json=alice, headers=second)
        carol = {"username": "carol", "password": PASSWORD}
        other_account = client.post("/v1/users/me/token", json=carol, headers=second)
    close_orm_thread_connections()

    assert same_account.status_code == 429
    assert other_account.status_code == 200


def test_sign_up_is_limited(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    _limit(container, signup="2/m")
    client = make_client()
    sign_up(client, "u1")
    sign_up(client, "u2")

    response = client.post(
        "/v1/users/", json={"username": "u3", "email": "u3@example.com", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_refresh_is_limited(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    _limit(container, refresh="2/m")
    client = make_client()
    sign_up(client, "alice")
    token = log_in(client, "alice")["refresh_token"]
    for _ in range(2):
        response = client.post("/v1/users/me/token/refresh", json={"refresh_token": token})
        token = response.json()["refresh_token"]

    response = client.post("/v1/users/me/token/refresh", json={"refresh_token": token})

    assert response.status_code == 429


def test_unreachable_limit_store_fails_open_with_a_warning(
    container: AutoRegisteringContainer,
    make_client: Callable[..., TestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed_port = free_port()
    container.register(
        RedisSettings, instance=RedisSettings(url=SecretStr(f"redis://127.0.0.1:{closed_port}/0"))
    )
    _limit(container, login="1/m", signup="1/m")
    client = make_client()

    with caplog.at_level(logging.WARNING, logger="infrastructure.throttling"):
        sign_up(client, "alice")
        statuses = [
            client.post(
                "/v1/users/me/token", json={"username": "alice", "password": PASSWORD}
            ).status_code
            for _ in range(3)
        ]

    assert statuses == [200, 200, 200]
    assert "rate limit store unreachable" in caplog.text
    assert str(closed_port) not in caplog.text
