"""ORM hops: work runs off the event loop, with connections checked before and after."""

import asyncio
import threading

import pytest
from django.db import connection

from core.user.models import User
from infrastructure.django.connections import (
    _with_connection_checks,
    close_orm_connections,
    run_orm,
    run_orm_slow,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_orm_runs_on_an_orm_thread_and_returns_the_result() -> None:
    User.objects.create(username="alice")

    def work(name: str) -> tuple[str, bool]:
        return threading.current_thread().name, User.objects.filter(username=name).exists()

    try:
        thread, found = asyncio.run(run_orm(work, "alice"))
        slow_thread, _ = asyncio.run(run_orm_slow(work, "alice"))
    finally:
        close_orm_connections()

    assert found is True
    assert thread.startswith("orm_")
    assert slow_thread.startswith("orm-slow")


def test_exceptions_cross_the_hop() -> None:
    def fail() -> None:
        raise LookupError("from the ORM thread")

    with pytest.raises(LookupError, match="from the ORM thread"):
        asyncio.run(run_orm(fail))


def test_connections_past_their_age_are_closed_before_and_after_the_work() -> None:
    """What makes a dead or stale connection go away without a process restart."""
    seen_at_start: list[object] = []

    def work() -> None:
        seen_at_start.append(connection.connection)
        connection.ensure_connection()
        connection.close_at = 0  # as if CONN_MAX_AGE had passed during the work

    connection.ensure_connection()
    connection.close_at = 0
    _with_connection_checks(work)

    assert seen_at_start == [None]
    assert connection.connection is None


def test_close_orm_connections_closes_every_orm_thread() -> None:
    def open_connection() -> None:
        connection.ensure_connection()

    async def open_many() -> None:
        await asyncio.gather(*(run_orm(open_connection) for _ in range(8)))

    asyncio.run(open_many())
    close_orm_connections()

    def connection_state() -> bool:
        return connection.connection is None

    # Every ORM thread starts its next hop without a connection.
    async def states() -> list[bool]:
        return await asyncio.gather(*(run_orm(connection_state) for _ in range(4)))

    # `run_orm` itself may reconnect only on use; checking `connection` does not.
    assert all(asyncio.run(states()))
