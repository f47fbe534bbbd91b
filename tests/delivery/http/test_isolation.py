"""One request waiting on the database never stalls the others, and waits are bounded.

Row locks are held by a second, real connection, the way an admin edit or a long batch would.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from django.db import connection
from fastapi.testclient import TestClient

from configs.core import DatabaseSettings
from core.todo.models import Todo
from infrastructure.django.connections import SLOW_ORM_THREADS
from infrastructure.ioc import AutoRegisteringContainer
from tests.conftest import backend
from tests.delivery.http.conftest import PASSWORD, bearer, log_in, sign_up
from tests.delivery.http.live_server import live_client
from tests.harness.databases import database_url_for_processes

postgres_only = pytest.mark.skipif(backend() != "postgres", reason="row locks need PostgreSQL")


def _pg_url() -> str:
    return database_url_for_processes().replace("postgres://", "postgresql://", 1)


@contextmanager
def _row_locked(todo_id: int) -> Iterator[None]:
    """Another session holds `todo_id`'s row lock until the block ends."""
    with psycopg.connect(_pg_url()) as holder:
        holder.execute("SELECT id FROM todo_todo WHERE id = %s FOR UPDATE", (todo_id,))
        yield
        holder.rollback()


def _signed_in(client: httpx.Client, username: str) -> dict[str, str]:
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    assert client.post("/v1/users/", json=body).status_code == 201
    login = client.post("/v1/users/me/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@postgres_only
def test_requests_go_on_while_others_wait_on_row_locks(transactional_db: None) -> None:
    waits = {"DATABASE_LOCK_TIMEOUT_S": "60", "DATABASE_STATEMENT_TIMEOUT_S": "60"}
    with live_client(DATABASE_POOL_SIZE="4", **waits) as client:
        alice, bob = _signed_in(client, "alice"), _signed_in(client, "bob")
        locked = [client.post("/v1/todos", json={"title": t}, headers=alice).json()["id"]
                  for t in ("one", "two")]  # fmt: skip
        client.post("/v1/todos", json={"title": "bob's"}, headers=bob)

        with ThreadPoolExecutor(2) as pool, _row_locked(locked[0]), _row_locked(locked[1]):
            waiting = [
                pool.submit(client.patch, f"/v1/todos/{todo_id}", json={"completed": True},
                            headers=alice)
                for todo_id in locked
            ]  # fmt: skip
            time.sleep(0.5)  # both PATCHes now wait in PostgreSQL, each on an ORM thread
            assert not any(future.done() for future in waiting)
            started = time.monotonic()
            answers = [client.get("/v1/todos", headers=bob) for _ in range(20)]
            elapsed = time.monotonic() - started
            assert not any(future.done() for future in waiting)

        assert [answer.status_code for answer in answers] == [200] * 20
        assert elapsed < 2.0, f"20 lists took {elapsed:.2f} s beside two waiting requests"
        results = [future.result() for future in waiting]
    assert [r.json().get("completed") for r in results] == [True, True], [r.text for r in results]


def _patch_while_locked(client: TestClient, headers: dict[str, str]) -> Any:
    todo = client.post("/v1/todos", json={"title": "held"}, headers=headers).json()
    with _row_locked(todo["id"]):
        started = time.monotonic()
        response = client.patch(f"/v1/todos/{todo['id']}", json={"title": "x"}, headers=headers)
        assert time.monotonic() - started < 2.0
    return response


def _with_limits(
    container: AutoRegisteringContainer, *, lock_timeout_s: float, statement_timeout_s: float = 5.0
) -> None:
    limits = DatabaseSettings(
        lock_timeout_s=lock_timeout_s, statement_timeout_s=statement_timeout_s
    )
    container.register(DatabaseSettings, instance=limits)


@postgres_only
def test_a_lock_wait_past_the_lock_timeout_answers_503(
    container: AutoRegisteringContainer,
    make_client: Callable[..., TestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _with_limits(container, lock_timeout_s=0.2, statement_timeout_s=5)
    client = make_client()
    alice = _login(client)

    with caplog.at_level(logging.WARNING, logger="delivery.http.errors"):
        response = _patch_while_locked(client, alice)

    assert response.status_code == 503
    assert response.json() == {"detail": "database busy", "reason": "lock timeout"}
    assert response.headers["retry-after"] == "1"
    assert "database busy (lock timeout) during PATCH /v1/todos/{todo_id}" in caplog.text


@postgres_only
def test_a_statement_past_the_statement_timeout_answers_503(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    _with_limits(container, lock_timeout_s=5, statement_timeout_s=0.2)
    client = make_client()
    alice = _login(client)

    response = _patch_while_locked(client, alice)

    assert response.status_code == 503
    assert response.json() == {"detail": "database busy", "reason": "statement timeout"}


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's database-wide write lock")
def test_sqlite_database_is_locked_answers_503(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    _with_limits(container, lock_timeout_s=0.2)
    client = make_client()
    alice = _login(client)
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the database's one write lock
        started = time.monotonic()
        response = client.post("/v1/todos", json={"title": "blocked"}, headers=alice)
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()

    assert response.status_code == 503
    assert response.json() == {"detail": "database busy", "reason": "database locked"}
    assert waited < 2.0
    assert not Todo.objects.exists()


def _login(client: TestClient) -> dict[str, str]:
    sign_up(client, "alice")
    return bearer(log_in(client, "alice"))


@postgres_only
def test_connections_stay_within_the_pools_after_load(transactional_db: None) -> None:
    pool_size, name = 3, f"todo-api-leak-test-{threading.get_ident()}"
    with live_client(DATABASE_POOL_SIZE=str(pool_size), PGAPPNAME=name) as client:
        headers = _signed_in(client, "alice")

        def burst() -> None:
            def one(number: int) -> int:
                body = {"title": f"todo {number}"}
                client.post("/v1/todos", json=body, headers=headers)
                return client.get("/v1/todos", headers=headers).status_code

            with ThreadPoolExecutor(32) as pool:
                assert set(pool.map(one, range(200))) == {200}

        burst()
        after_first = _connections_named(name)
        burst()
        after_second = _connections_named(name)

    assert 1 <= after_first <= pool_size + SLOW_ORM_THREADS
    assert after_second <= after_first


def _connections_named(application_name: str) -> int:
    with psycopg.connect(_pg_url(), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    return int(row[0]) if row else 0
