"""Self-test of the throwaway-server harness (needs no Django)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import psycopg
import pytest
import redis

from tests.harness.servers import (
    ExternalServer,
    PostgresServer,
    RedisServer,
    free_port,
    require,
)

pytestmark: list[pytest.MarkDecorator] = []


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_require_explains_missing_binary() -> None:
    with pytest.raises(RuntimeError, match="apt-get install -y some-pkg"):
        require("definitely-not-a-real-binary-xyz", "some-pkg")


def test_postgres_create_database_and_query(pg: PostgresServer) -> None:
    url = pg.create_database("harness_db")
    assert url == pg.url_for("harness_db")
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_postgres_restart_and_terminate(pg: PostgresServer) -> None:
    pg.create_database("harness_restart")
    url = pg.url_for("harness_restart")
    stale = psycopg.connect(url, autocommit=True)
    pg.restart()
    with pytest.raises(psycopg.OperationalError):
        stale.execute("select 1")
    stale.close()
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        assert pg.terminate_connections("harness_restart") == 1
        with pytest.raises(psycopg.OperationalError):
            conn.execute("select 1")


def test_postgres_stop_is_idempotent() -> None:
    server = PostgresServer().start()
    port = server.port
    assert _port_open(port)
    server.stop()
    server.stop()
    assert not _port_open(port)


def test_redis_set_get_and_stop() -> None:
    server = RedisServer().start()
    try:
        client = redis.Redis.from_url(server.url_for(3))
        client.set("k", "v")
        assert client.get("k") == b"v"
        client.close()
    finally:
        server.stop()
        server.stop()
    assert not _port_open(server.port)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(server.url, socket_connect_timeout=0.5).ping()


def test_external_server_is_left_alone() -> None:
    ext = ExternalServer("postgres://u@db:5432/postgres")
    assert ext.url_for("other") == "postgres://u@db:5432/other"
    ext.stop()
