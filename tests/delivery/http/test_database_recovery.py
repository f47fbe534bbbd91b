"""After PostgreSQL restarts or kills our connections, requests succeed again at once."""

import time

import psycopg
import pytest
from django.db import connection
from fastapi.testclient import TestClient

from tests.conftest import backend
from tests.harness.servers import PostgresServer

pytestmark = pytest.mark.skipif(
    backend() != "postgres", reason="needs a PostgreSQL server to restart"
)


def _succeeds_within(client: TestClient, headers: dict[str, str], seconds: float) -> float:
    """Seconds until GET /v1/todos answered 200; fails if it never did within `seconds`."""
    start = time.monotonic()
    statuses = []
    while time.monotonic() - start < seconds:
        response = client.get("/v1/todos", headers=headers)
        statuses.append(response.status_code)
        if response.status_code == 200:
            return time.monotonic() - start
        assert response.status_code == 503, response.text
        time.sleep(0.05)
    pytest.fail(f"no success within {seconds} s: {statuses}")


def _wait_until_no_backends(server: PostgresServer, database: str) -> None:
    """Termination is asynchronous: wait until the killed backends have hung up."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
    with psycopg.connect(server.url, autocommit=True) as admin:
        for _ in range(100):
            row = admin.execute(query, (database,)).fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.02)
    pytest.fail("terminated backends are still there after 2 s")


def test_requests_recover_after_a_database_restart(
    client: TestClient, alice: dict[str, str], postgres_server: PostgresServer
) -> None:
    assert client.get("/v1/todos", headers=alice).status_code == 200
    assert client.get("/v1/health").status_code == 200

    postgres_server.restart()
    connection.close()  # the test's own connection died too

    assert _succeeds_within(client, alice, seconds=1.0) < 1.0
    assert client.get("/v1/health").status_code == 200


def test_requests_recover_after_connections_are_killed(
    client: TestClient, alice: dict[str, str], postgres_server: PostgresServer
) -> None:
    assert client.get("/v1/todos", headers=alice).status_code == 200
    database = connection.settings_dict["NAME"]

    assert postgres_server.terminate_connections(database) >= 1
    connection.close()
    _wait_until_no_backends(postgres_server, database)

    statuses = [client.get("/v1/todos", headers=alice).status_code for _ in range(20)]
    assert statuses == [200] * 20
