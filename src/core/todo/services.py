"""Todo business rules.

Every method takes the todo's user as a `User` or as its id, so the tutorial's calls
(`create_todo(user, title=...)`) and the HTTP layer, which knows only the caller's id from the
token, read the same, and no user row is loaded to act for someone.

Each write is one prepared statement, atomic on its own and one round trip: an update returns the
row it wrote, and a create inserts only while the user is under their limit, checked against the
user's count row, locked, in the same statement, so concurrent creates cannot overshoot it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, CharField, DateTimeField, F, QuerySet, Value
from django.utils import timezone

from configs.todos import TodoSettings
from core.todo.exceptions import TodoAccessDeniedError, TodoLimitReachedError, TodoNotFoundError
from core.todo.models import Todo, TodoCount, completion_changes
from core.todo.queries import TODO_FIELDS, TODO_ID, USER_ID, TodoQueries, owned_todos
from core.user.exceptions import UserNotFoundError
from core.user.models import UserRef, user_id_of
from infrastructure.django.prepared import (
    Param,
    PreparedDelete,
    PreparedInsert,
    PreparedSelect,
    PreparedUpdate,
)
from infrastructure.observability.spans import span

TITLE = Param("title", CharField())
DESCRIPTION = Param("description", CharField())
NOW = Param("now", DateTimeField())
LIMIT = Param("limit", BigIntegerField())


def _new_todo(limited: bool) -> "QuerySet[Any]":
    """The row to insert, selected from the user's count row: none once the limit is reached."""
    count = TodoCount.objects.filter(user_id=USER_ID)
    if limited:
        count = count.filter(total__lt=LIMIT).select_for_update()
    return count.values(
        title=TITLE,
        description=DESCRIPTION,
        completed=Value(False),
        created_at=NOW,
        updated_at=NOW,
        user=F("user_id"),
    )


def _change(title: bool, description: bool, completed: bool | None) -> tuple[Any, dict[str, Any]]:
    changes: dict[str, Any] = {"updated_at": NOW}
    if title:
        changes["title"] = TITLE
    if description:
        changes["description"] = DESCRIPTION
    if completed is not None:
        changes |= completion_changes(completed, now=NOW)
    return Todo.objects.filter(pk=TODO_ID, user_id=USER_ID), changes


_CREATE = PreparedInsert(Todo, _new_todo, returning=TODO_FIELDS)
_UPDATE = PreparedUpdate(_change, returning=TODO_FIELDS)
_DELETE = PreparedDelete(lambda: Todo.objects.filter(pk=TODO_ID, user_id=USER_ID))
_OWNER = PreparedSelect(lambda: Todo.objects.filter(pk=TODO_ID).values_list("user_id"))
_USER_KNOWN = PreparedSelect(lambda: TodoCount.objects.filter(user_id=USER_ID).values_list("pk"))


@dataclass(kw_only=True)
class TodoService:
    _queries: TodoQueries = field(default_factory=TodoQueries)
    _settings: TodoSettings = field(default_factory=TodoSettings)

    def get_todo_by_id(self, todo_id: int, user: UserRef) -> Todo:
        return _model(self._queries.one_for_user(todo_id, user_id_of(user)).values())

    def list_todos_for_user(
        self,
        user: UserRef,
        *,
        completed: bool | None = None,
        limit: int = 50,
        offset: int = 0,
        before_id: int | None = None,
    ) -> list[Todo]:
        """Newest first. `before_id` is keyset pagination: todos older than that id."""
        page = self._queries.page_for_user(
            user_id_of(user), completed=completed, limit=limit, offset=offset, before_id=before_id
        )
        return [_model(row.values()) for row in page.todos]

    def count_todos_for_user(self, user: UserRef, *, completed: bool | None = None) -> int:
        return self._queries.count_for_user(user_id_of(user), completed=completed)

    def create_todo(self, user: UserRef, *, title: str, description: str = "") -> Todo:
        """Raises `TodoLimitReachedError` when the user already has `TODO_MAX_PER_USER` todos."""
        user_id, limit = user_id_of(user), self._settings.max_per_user
        created = _CREATE.returned(
            bool(limit),
            user_id=user_id,
            title=title,
            description=description,
            now=timezone.now(),
            limit=limit,
        )
        if created:
            return _model(created[0])
        if not _USER_KNOWN.rows(user_id=user_id):
            raise UserNotFoundError(user_id)
        raise TodoLimitReachedError(limit)

    def update_todo(
        self,
        todo_id: int,
        user: UserRef,
        *,
        title: str | None = None,
        description: str | None = None,
        completed: bool | None = None,
    ) -> Todo:
        """Changes the fields given (not None); completing or reopening follows `Todo.save()`."""
        user_id = user_id_of(user)
        updated = _UPDATE.returned(
            (title is not None, description is not None, completed),
            todo_id=todo_id,
            user_id=user_id,
            title=title,
            description=description,
            now=timezone.now(),
        )
        if not updated:
            raise _missing_or_foreign(todo_id, user_id)
        return _model(updated[0])

    def mark_completed(self, todo_id: int, user: UserRef) -> Todo:
        return self.update_todo(todo_id, user, completed=True)

    def mark_incomplete(self, todo_id: int, user: UserRef) -> Todo:
        return self.update_todo(todo_id, user, completed=False)

    def delete_todo(self, todo_id: int, user: UserRef) -> None:
        user_id = user_id_of(user)
        if not _DELETE.run(todo_id=todo_id, user_id=user_id):
            raise _missing_or_foreign(todo_id, user_id)

    def delete_completed_todos(
        self, user: UserRef, *, completed_before: datetime | None = None
    ) -> int:
        """Delete one user's completed todos; with `completed_before`, only those done earlier."""
        user_id = user_id_of(user)
        with span("delete_completed_todos", user_id=user_id) as current:
            todos = owned_todos(user_id, completed=True)
            if completed_before is not None:
                todos = todos.filter(completed_at__lt=completed_before)
            deleted, _ = todos.delete()
            current.set("deleted_count", deleted)
        return deleted


def _model(values: Any) -> Todo:
    return Todo.from_db(Todo.objects.db, TODO_FIELDS, tuple(values))


def _missing_or_foreign(todo_id: int, user_id: int) -> Exception:
    """Why a write by `user_id` matched no row; only now is the todo's owner read."""
    owner = _OWNER.rows(todo_id=todo_id)
    if owner and owner[0][0] != user_id:
        return TodoAccessDeniedError(todo_id)
    return TodoNotFoundError(todo_id)
