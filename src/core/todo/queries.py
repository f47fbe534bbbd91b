"""What is read about todos, as prepared statements: plain rows, one round trip each.

A page costs the same whatever the caller stores: it reads only its own rows through an index, and
its `count` comes from the caller's `TodoCount` row, which the database keeps exact. Offsets are
bounded; the cursor walks any list a page at a time.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, cast

from django.db.models import BigIntegerField, F, QuerySet, Subquery, Value

from core.todo.exceptions import TodoAccessDeniedError, TodoNotFoundError
from core.todo.models import Todo, TodoCount
from infrastructure.django.prepared import Param, PreparedSelect

# In the model's field order, so rows become `Todo` instances by position (`Todo.from_db`).
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
# Past this, a page would scan the rows it skips: deeper pages take the cursor.
MAX_OFFSET = 10_000

USER_ID = Param("user_id", BigIntegerField())
TODO_ID = Param("todo_id", BigIntegerField())
BEFORE_ID = Param("before_id", BigIntegerField())


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


class OffsetTooLargeError(ValueError):
    def __init__(self, offset: int) -> None:
        super().__init__(f"offset {offset} is above {MAX_OFFSET}: page further with the cursor")
        self.offset = offset


def owned_todos(user_id: Any, *, completed: bool | None = None) -> "QuerySet[Todo]":
    """One user's todos, optionally only the (not) completed ones: every listing starts here."""
    todos = Todo.objects.filter(user_id=user_id)
    # `completed = true`, not the bare column Django writes for a boolean: only a comparison lets
    # SQLite search the (user, completed, id) index, so a filtered page reads only its own rows.
    return todos if completed is None else todos.filter(completed=Value(completed))


def _count_of(completed: bool | None) -> "QuerySet[TodoCount]":
    """The caller's count for the filter, from the row the database keeps."""
    matching = {None: F("total"), True: F("completed_total")}.get(
        completed, F("total") - F("completed_total")
    )
    return TodoCount.objects.filter(user_id=USER_ID).values_list(matching)


def _page(completed: bool | None, keyset: bool) -> "QuerySet[Any]":
    todos = owned_todos(USER_ID, completed=completed)
    if keyset:
        todos = todos.filter(pk__lt=BEFORE_ID)
    counted = todos.annotate(matching=Subquery(_count_of(completed)[:1]))
    return counted.order_by("-id").values_list(*TODO_FIELDS, "matching")


_PAGE = PreparedSelect(_page, paged=True)
_COUNT = PreparedSelect(_count_of)
_ONE = PreparedSelect(lambda: Todo.objects.filter(pk=TODO_ID).values_list(*TODO_FIELDS))


def as_row(values: tuple[Any, ...]) -> TodoRow:
    return cast(TodoRow, dict(zip(TODO_FIELDS, values, strict=False)))


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
        if offset > MAX_OFFSET:
            raise OffsetTooLargeError(offset)
        rows = _PAGE.rows(
            (completed, before_id is not None),
            user_id=user_id,
            before_id=before_id,
            limit=limit + 1,  # one more than asked for says whether there is a next page
            offset=offset,
        )
        count = rows[0][-1] if rows else self.count_for_user(user_id, completed=completed)
        return TodoPage(
            todos=[as_row(row) for row in rows[:limit]], count=count, has_more=len(rows) > limit
        )

    def count_for_user(self, user_id: int, *, completed: bool | None = None) -> int:
        found = _COUNT.rows(completed, user_id=user_id)
        return int(found[0][0]) if found else 0

    def one_for_user(self, todo_id: int, user_id: int) -> TodoRow:
        """Raises `TodoNotFoundError`, or `TodoAccessDeniedError` for someone else's todo."""
        found = _ONE.rows(todo_id=todo_id)
        if not found:
            raise TodoNotFoundError(todo_id)
        row = as_row(found[0])
        if row["user_id"] != user_id:
            raise TodoAccessDeniedError(todo_id)
        return row
