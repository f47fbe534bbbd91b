"""The three ways to delete the completed todos of active users that the benchmark compares."""

from __future__ import annotations

from django.db import connection

from bench.cleanup.measure import Contender
from core.todo.services import TodoService
from core.user.services.user import UserService
from delivery.tasks.tasks.todo_cleanup import TodoCleanupTaskController

SET_BASED_DELETE = """
    DELETE FROM todo_todo AS t
    USING user_user AS u
    WHERE t.user_id = u.id AND t.completed AND u.is_active
"""


def per_user_loop(users: UserService, todos: TodoService) -> Contender:
    """The per-user loop: one query for the users, one DELETE per user."""

    def run() -> int:
        total = 0
        for user in users.list_all_users():
            total += todos.delete_completed_todos(user)
        return total

    return run


def our_cleanup(controller: TodoCleanupTaskController) -> Contender:
    """The task body itself, called in this process (fan-out off, so it runs inline)."""

    def run() -> int:
        return controller.cleanup_completed_todos()["todos_deleted"]

    return run


def set_based_delete() -> Contender:
    """The floor: one statement, one transaction, no batching, no progress, no error isolation."""

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(SET_BASED_DELETE)
            return int(cursor.rowcount)

    return run
