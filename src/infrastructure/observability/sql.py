"""A span for every SQL statement, at the point where Django executes it.

Django runs every statement, ORM queries and prepared statements alike, through the execute
wrappers of its connection (`connection.execute_wrapper`, Django's documented hook). Tracing adds
one to each connection as it opens, and the wrapper opens a client span named by the statement's
operation (`SELECT`, `INSERT`...) with `db.system` and `db.statement` (placeholders, never the
values). It opens one only inside a sampled span: a statement outside any request or task, or in
a request that is not sampled, costs one check.

This replaces the generic psycopg and sqlite3 integrations, which wrapped each driver cursor and
gave every statement several more attributes and a second pass over its text.
"""

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from opentelemetry.trace import SpanKind, Status, StatusCode

from infrastructure.observability import spans

_OPERATIONS: dict[str, str] = {}  # statement -> its first keyword; statements are few
_MAX_REMEMBERED = 1024


def trace_statements() -> None:
    """Trace the statements of every connection opened from now on, and of this thread's."""
    connection_created.connect(_on_connection, dispatch_uid="todo-service-sql-spans")
    for connection in connections.all(initialized_only=True):
        _install(connection)


def _on_connection(sender: Any, connection: BaseDatabaseWrapper, **_: Any) -> None:
    _install(connection)


def _install(connection: BaseDatabaseWrapper) -> None:
    if _traced not in connection.execute_wrappers:
        connection.execute_wrappers.append(_traced)


def _traced(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    start = spans.recording_start()
    if start is None:
        return execute(sql, params, many, context)
    attributes = {"db.system": context["connection"].vendor, "db.statement": sql}
    span = start(_operation(sql), kind=SpanKind.CLIENT, attributes=attributes)
    try:
        return execute(sql, params, many, context)
    except BaseException as exc:
        # The class only: a database's message can quote the values a statement was given.
        span.set_attribute("error.type", type(exc).__name__)
        span.set_status(Status(StatusCode.ERROR))
        raise
    finally:
        span.end()


def _operation(sql: str) -> str:
    found = _OPERATIONS.get(sql)
    if found is None:
        found = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "SQL"
        if len(_OPERATIONS) < _MAX_REMEMBERED:
            _OPERATIONS[sql] = found
    return found
