"""Every connection a process opens after `limit_statements` carries the limits."""

import threading
from collections.abc import Iterator

import pytest
from django.db import connection

from configs.core import DatabaseSettings
from infrastructure.django.timeouts import StatementLimits, limit_statements

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _api_limits_afterwards() -> Iterator[None]:
    yield
    settings = DatabaseSettings()
    limit_statements(StatementLimits(settings.statement_timeout_s, settings.lock_timeout_s))


def _limits_of_a_new_connection() -> tuple[str, ...]:
    seen: list[tuple[str, ...]] = []

    def read() -> None:
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(  # in milliseconds
                        "SELECT setting FROM pg_settings"
                        " WHERE name IN ('statement_timeout', 'lock_timeout') ORDER BY name DESC"
                    )
                else:
                    cursor.execute("PRAGMA busy_timeout")
                seen.append(tuple(str(row[0]) for row in cursor.fetchall()))
        finally:
            connection.close()

    thread = threading.Thread(target=read)  # a thread has its own, new connection
    thread.start()
    thread.join()
    return seen[0]


def test_new_connections_get_the_limits() -> None:
    limit_statements(StatementLimits(statement_timeout_s=1.5, lock_timeout_s=0.25))

    limits = _limits_of_a_new_connection()

    assert limits == (("1500", "250") if connection.vendor == "postgresql" else ("250",))


def test_the_worker_entry_point_sets_the_workers_longer_limits() -> None:
    import delivery.tasks.app  # noqa: F401 - importing it is what a worker does

    limits = _limits_of_a_new_connection()

    settings = DatabaseSettings()
    statement_ms, lock_ms = (
        str(round(seconds * 1000))
        for seconds in (settings.worker_statement_timeout_s, settings.worker_lock_timeout_s)
    )
    assert limits == ((statement_ms, lock_ms) if connection.vendor == "postgresql" else (lock_ms,))
