"""Read-only todo queries shaped for listing: plain rows, no model instances.

A page of todos and the number matching the filter come back from one statement (a window count), so
listing costs one round trip; only a page past the end needs a second query for the count.

Building and compiling a QuerySet costs more than running it on a small page, so the page's SQL is
compiled by the ORM once per shape (filter and cursor or not) and database thread, then run with
new parameters; the ORM's own converters still turn each row into Python values.
"""

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, cast

from django.db.models import Count, QuerySet, Window
from django.db.models.sql.compiler import SQLCompiler

from core.todo.models import Todo
from infrastructure.django.timestamps import load_timestamps_natively

TODO_FIELDS = (
    "id",
    "title",
    "description",
    "completed",
    "completed_at",
    "created_at",
    "updated_at",
    "user_id",
)


class TodoRow(TypedDict):
    id: int
    title: str
    description: str
    completed: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    user_id: int


@dataclass(frozen=True)
class TodoPage:
    todos: list[TodoRow]
    count: int
    """Todos matching the filter, on every page (the cursor and offset do not reduce it)."""
    has_more: bool


@dataclass(kw_only=True)
class TodoQueries:
    def page_for_user(
        self,
        user_id: int,
        *,
        completed: bool | None = None,
        limit: int = 50,
        offset: int = 0,
        before_id: int | None = None,
    ) -> TodoPage:
        """Newest first; `before_id` is keyset pagination (todos older than that id)."""
        statement = _page_statement(completed=completed, keyset=before_id is not None)
        rows = statement.run(user_id, before_id, limit + 1, offset)  # one extra: is there more?
        # The window counts only what the cursor let through, and nothing on an empty page.
        count = (
            rows[0][-1]
            if before_id is None and rows
            else owned_todos(user_id, completed=completed).count()
        )
        # zip stops before the trailing window count.
        todos = cast(
            list[TodoRow], [dict(zip(TODO_FIELDS, row, strict=False)) for row in rows[:limit]]
        )
        return TodoPage(todos=todos, count=count, has_more=len(rows) > limit)


def owned_todos(user_id: int, *, completed: bool | None = None) -> "QuerySet[Todo]":
    """One user's todos, optionally only the (not) completed ones: every listing starts here."""
    todos = Todo.objects.filter(user_id=user_id)
    return todos if completed is None else todos.filter(completed=completed)


# Stand-ins for a call's own values while the ORM compiles the SQL (ids are positive).
_USER_ID, _BEFORE_ID = -8_111_111_111, -8_222_222_222


@dataclass(frozen=True)
class _PageStatement:
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    user_id_at: int
    before_id_at: int | None
    converters: dict[int, Any]

    def run(self, user_id: int, before_id: int | None, limit: int, offset: int) -> list[Any]:
        params = [*self.params, limit, offset]
        params[self.user_id_at] = user_id
        if self.before_id_at is not None:
            params[self.before_id_at] = before_id
        with self.compiler.connection.cursor() as cursor:
            load_timestamps_natively(self.compiler.connection, cursor)
            cursor.execute(self.sql, params)
            rows: list[Any] = cursor.fetchall()
        if self.converters:  # SQLite returns datetimes as text; PostgreSQL needs none
            return list(self.compiler.apply_converters(rows, self.converters))
        return rows


_compiled = threading.local()


def _page_statement(*, completed: bool | None, keyset: bool) -> _PageStatement:
    """The compiled page query for this shape, per thread: a compiler belongs to one connection."""
    cache: dict[tuple[Any, ...], _PageStatement] = _compiled.__dict__.setdefault("statements", {})
    key = (completed, keyset)
    statement = cache.get(key)
    if statement is None:
        statement = cache[key] = _compile(completed=completed, keyset=keyset)
    return statement


def _compile(*, completed: bool | None, keyset: bool) -> _PageStatement:
    page = owned_todos(_USER_ID, completed=completed)
    if keyset:
        page = page.filter(pk__lt=_BEFORE_ID)
    ordered = page.annotate(total=Window(Count("pk"))).order_by("-id")
    compiler = ordered.values_list(*TODO_FIELDS, "total").query.get_compiler(using=ordered.db)
    sql, params = compiler.as_sql()
    return _PageStatement(
        compiler=compiler,
        sql=f"{sql} LIMIT %s OFFSET %s",
        params=tuple(params),
        user_id_at=list(params).index(_USER_ID),
        before_id_at=list(params).index(_BEFORE_ID) if keyset else None,
        converters=_converters(compiler),
    )


def _converters(compiler: SQLCompiler) -> dict[int, Any]:
    """The ORM's per-column converters, without the count's: it is an int on every backend."""
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    converters.pop(len(TODO_FIELDS), None)
    return converters
