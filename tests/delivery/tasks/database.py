"""Real database conditions: a table another session holds, rows that refuse deletion.

Both act on the test database from outside the worker, the way a long transaction or a broken row
would in production; nothing in the code under test is replaced.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from django.db import connection

from tests.delivery.tasks.worker import test_database_url

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
        with psycopg.connect(test_database_url().replace("postgres://", "postgresql://", 1)) as pg:
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
