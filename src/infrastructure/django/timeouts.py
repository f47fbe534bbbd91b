"""How long one statement may run or wait for a lock, on every connection a process opens.

Each delivery sets its own: the API short ones, so a request that meets a long lock or a runaway
query fails fast instead of holding its ORM thread; the worker longer ones for batch work.
PostgreSQL enforces `statement_timeout` and `lock_timeout`; SQLite has one lock for the whole
database, and its busy timeout bounds the wait for it.
"""

from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


@dataclass(frozen=True)
class StatementLimits:
    statement_timeout_s: float
    lock_timeout_s: float


_limits: list[StatementLimits] = []


def limit_statements(limits: StatementLimits) -> None:
    """Apply `limits` to every connection this process opens from now on."""
    _limits[:] = [limits]
    connection_created.connect(_apply, dispatch_uid="todo-service-statement-limits")


def _apply(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if not _limits:
        return
    limits = _limits[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, false),"
                " set_config('lock_timeout', %s, false)",
                [_ms(limits.statement_timeout_s), _ms(limits.lock_timeout_s)],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout = {int(_ms(limits.lock_timeout_s))}")


def _ms(seconds: float) -> str:
    return str(max(1, round(seconds * 1000)))
