"""Todo business rules. Methods take the owner's id so callers need no user row to act for them."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.todo.exceptions import TodoAccessDeniedError, TodoNotFoundError
from core.todo.models import Todo
from core.todo.queries import owned_todos
from core.user.models import User


@dataclass(kw_only=True)
class TodoService:
    def get_todo_by_id(self, todo_id: int, *, user_id: int) -> Todo:
        return _owned_one(Todo.objects.all(), todo_id, user_id=user_id)

    def list_todos_for_user(
        self,
        user_id: int,
        *,
        completed: bool | None = None,
        limit: int = 50,
        offset: int = 0,
        before_id: int | None = None,
    ) -> list[Todo]:
        """Newest first. `before_id` is keyset pagination: todos older than that id."""
        todos = owned_todos(user_id, completed=completed)
        if before_id is not None:
            todos = todos.filter(pk__lt=before_id)
        return list(todos.order_by("-id")[offset : offset + limit])

    def count_todos_for_user(self, user_id: int, *, completed: bool | None = None) -> int:
        return owned_todos(user_id, completed=completed).count()

    def create_todo(self, *, user_id: int, title: str, description: str = "") -> Todo:
        return Todo.objects.create(owner_id=user_id, title=title, description=description)

    @transaction.atomic
    def update_todo(
        self,
        todo_id: int,
        *,
        user_id: int,
        title: str | None = None,
        description: str | None = None,
        completed: bool | None = None,
    ) -> Todo:
        todo = _owned_one(Todo.objects.select_for_update(), todo_id, user_id=user_id)
        if title is not None:
            todo.title = title
        if description is not None:
            todo.description = description
        if completed is not None:
            _set_completed(todo, completed)
        todo.save()
        return todo

    def mark_completed(self, todo_id: int, *, user_id: int) -> Todo:
        return self.update_todo(todo_id, user_id=user_id, completed=True)

    def mark_incomplete(self, todo_id: int, *, user_id: int) -> Todo:
        return self.update_todo(todo_id, user_id=user_id, completed=False)

    def delete_todo(self, todo_id: int, *, user_id: int) -> None:
        deleted, _ = Todo.objects.filter(pk=todo_id, owner_id=user_id).delete()
        if not deleted:
            self.get_todo_by_id(todo_id, user_id=user_id)  # raises the right error
            raise TodoNotFoundError(todo_id)

    def delete_completed_todos(
        self, user: User, *, completed_before: datetime | None = None
    ) -> int:
        """Delete one user's completed todos; with `completed_before`, only those done earlier."""
        todos = Todo.objects.filter(owner_id=user.pk, completed=True)
        if completed_before is not None:
            todos = todos.filter(completed_at__lt=completed_before)
        deleted, _ = todos.delete()
        return deleted


def _owned_one(todos: "QuerySet[Todo]", todo_id: int, *, user_id: int) -> Todo:
    todo = todos.filter(pk=todo_id).first()
    if todo is None:
        raise TodoNotFoundError(todo_id)
    if todo.owner_id != user_id:
        raise TodoAccessDeniedError(todo_id)
    return todo


def _set_completed(todo: Todo, completed: bool) -> None:
    if completed and not todo.completed:
        todo.completed_at = timezone.now()
    elif not completed:
        todo.completed_at = None
    todo.completed = completed
