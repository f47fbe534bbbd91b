"""Real database conditions: a table another session holds, rows that refuse deletion.

Both act on the test database from outside the worker, the way a long transaction or a broken row
would in production; nothing in the code under test is replaced.
"""

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from django.db import connection

from tests.harness.databases import database_url_for_processes

if TYPE_CHECKING:
    from core.user.models import User

TableHold = Callable[[], AbstractContextManager[None]]
RefuseDeletes = Callable[["User"], AbstractContextManager[None]]

_TRIGGER = "refuse_cleanup_for_test"


@pytest.fixture
def hold_todo_table() -> TableHold:
    """While held, another session's writes to the todo table wait (reads go on)."""
    table = _todo_table()

    @contextmanager
    def hold() -> Iterator[None]:
        if connection.vendor == "sqlite":
            lite = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
            try:
                lite.execute("BEGIN IMMEDIATE")  # takes the database's single write lock
                yield
            finally:
                lite.rollback()
                lite.close()
            return
        with psycopg.connect(
            database_url_for_processes().replace("postgres://", "postgresql://", 1)
        ) as pg:
            pg.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            yield
            pg.rollback()

    return hold


@pytest.fixture
def refuse_deletes_of() -> RefuseDeletes:
    """A trigger that makes every DELETE touching `user`'s todos fail, as a corrupt row might."""
    table = _todo_table()

    @contextmanager
    def refuse(user: "User") -> Iterator[None]:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    f"CREATE TRIGGER {_TRIGGER} BEFORE DELETE ON {table} "
                    f"WHEN OLD.user_id = {int(user.pk)} "
                    "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
                )
            else:
                cursor.execute(
                    f"CREATE FUNCTION {_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF OLD.user_id = {int(user.pk)} THEN "
                    "RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN OLD; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER {_TRIGGER} BEFORE DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {_TRIGGER}()"
                )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(f"DROP TRIGGER {_TRIGGER}")
                else:
                    cursor.execute(f"DROP TRIGGER {_TRIGGER} ON {table}")
                    cursor.execute(f"DROP FUNCTION {_TRIGGER}()")

    return refuse


def _todo_table() -> Any:
    from core.todo.models import Todo  # conftest imports this module before Django is set up

    return Todo._meta.db_table


SlowDeletes = Callable[[], AbstractContextManager[None]]
_SLOW = "slow_cleanup_for_test"
# While the trigger is on, each deleted todo costs about this long.
SLOW_ROW_S = 0.15


@pytest.fixture
def slow_deletes() -> SlowDeletes:
    """A trigger that makes each deleted todo slow, so a test can act while a run is mid-way.

    PostgreSQL sleeps for every row. SQLite has no sleep, so each row costs a cross join sized to
    take about as long on this machine.
    """
    table = _todo_table()

    @contextmanager
    def slow() -> Iterator[None]:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                rows = _rows_for(SLOW_ROW_S)
                # Only constants are interpolated below.
                cursor.execute(f"CREATE TABLE {_SLOW}_rows (x INTEGER)")
                insert = f"INSERT INTO {_SLOW}_rows VALUES (%s)"  # noqa: S608
                cursor.executemany(insert, [(i,) for i in rows])
                cursor.execute(
                    f"CREATE TRIGGER {_SLOW} BEFORE DELETE ON {table} BEGIN "  # noqa: S608
                    f"SELECT count(*) FROM {_SLOW}_rows a, {_SLOW}_rows b, {_SLOW}_rows c; END"
                )
            else:
                cursor.execute(
                    f"CREATE FUNCTION {_SLOW}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"PERFORM pg_sleep({SLOW_ROW_S}); RETURN OLD; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER {_SLOW} BEFORE DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {_SLOW}()"
                )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(f"DROP TRIGGER {_SLOW}")
                    cursor.execute(f"DROP TABLE {_SLOW}_rows")
                else:
                    cursor.execute(f"DROP TRIGGER {_SLOW} ON {table}")
                    cursor.execute(f"DROP FUNCTION {_SLOW}()")

    return slow


def _rows_for(seconds: float) -> range:
    """A table size whose 3-way cross join SQLite counts in about `seconds` on this machine."""
    lite = sqlite3.connect(":memory:")
    try:
        lite.execute("CREATE TABLE r (x INTEGER)")
        lite.executemany("INSERT INTO r VALUES (?)", [(i,) for i in range(100)])
        started = time.perf_counter()
        lite.execute("SELECT count(*) FROM r a, r b, r c").fetchone()
        per_million = max(time.perf_counter() - started, 1e-4)
    finally:
        lite.close()
    return range(max(20, round(100 * (seconds / per_million) ** (1 / 3))))
