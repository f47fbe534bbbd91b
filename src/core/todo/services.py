"""Todo business rules.

Every method takes the todo's user as a `User` or as its id, so the tutorial's calls
(`create_todo(user, title=...)`) and the HTTP layer, which knows only the caller's id from the
token, read the same, and no user row is loaded to act for someone.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from core.todo.exceptions import TodoAccessDeniedError, TodoNotFoundError
from core.todo.models import Todo
from core.todo.queries import owned_todos
from core.user.models import UserRef, user_id_of


@dataclass(kw_only=True)
class TodoService:
    def get_todo_by_id(self, todo_id: int, user: UserRef) -> Todo:
        return _owned_one(Todo.objects.all(), todo_id, user_id_of(user))

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
        todos = owned_todos(user_id_of(user), completed=completed)
        if before_id is not None:
            todos = todos.filter(pk__lt=before_id)
        return list(todos.order_by("-id")[offset : offset + limit])

    def count_todos_for_user(self, user: UserRef, *, completed: bool | None = None) -> int:
        return owned_todos(user_id_of(user), completed=completed).count()

    def create_todo(self, user: UserRef, *, title: str, description: str = "") -> Todo:
        return Todo.objects.create(user_id=user_id_of(user), title=title, description=description)

    @transaction.atomic
    def update_todo(
        self,
        todo_id: int,
        user: UserRef,
        *,
        title: str | None = None,
        description: str | None = None,
        completed: bool | None = None,
    ) -> Todo:
        todo = _owned_one(Todo.objects.select_for_update(), todo_id, user_id_of(user))
        if title is not None:
            todo.title = title
        if description is not None:
            todo.description = description
        if completed is not None:
            todo.completed = completed  # the model keeps `completed_at` in step on save
        todo.save()
        return todo

    def mark_completed(self, todo_id: int, user: UserRef) -> Todo:
        return self.update_todo(todo_id, user, completed=True)

    def mark_incomplete(self, todo_id: int, user: UserRef) -> Todo:
        return self.update_todo(todo_id, user, completed=False)

    def delete_todo(self, todo_id: int, user: UserRef) -> None:
        deleted, _ = Todo.objects.filter(pk=todo_id, user_id=user_id_of(user)).delete()
        if not deleted:
            self.get_todo_by_id(todo_id, user)  # raises the right error
            raise TodoNotFoundError(todo_id)

    def delete_completed_todos(
        self, user: UserRef, *, completed_before: datetime | None = None
    ) -> int:
        """Delete one user's completed todos; with `completed_before`, only those done earlier."""
        todos = owned_todos(user_id_of(user), completed=True)
        if completed_before is not None:
            todos = todos.filter(completed_at__lt=completed_before)
        deleted, _ = todos.delete()
        return deleted


def _owned_one(todos: "QuerySet[Todo]", todo_id: int, user_id: int) -> Todo:
    todo = todos.filter(pk=todo_id).first()
    if todo is None:
        raise TodoNotFoundError(todo_id)
    if todo.user_id != user_id:
        raise TodoAccessDeniedError(todo_id)
    return todo
