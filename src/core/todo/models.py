from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class Todo(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=1000, blank=True, default="")
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos", db_index=False
    )

    class Meta:
        ordering = ("-id",)
        indexes = [
            # Listing: one user's todos, newest first (keyset pagination walks `id`).
            models.Index(fields=["user", "-id"], name="todo_user_id_desc"),
            # Listing filtered by `completed`: a page reads only its rows, however many others.
            models.Index(fields=["user", "completed", "-id"], name="todo_user_completed_id_desc"),
            # Cleanup: completed todos per user, ranged by user id and completion time.
            models.Index(
                fields=["user", "completed_at"],
                name="todo_completed_user",
                condition=models.Q(completed=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed=False, completed_at__isnull=True)
                | models.Q(completed=True, completed_at__isnull=False),
                name="todo_completed_at_matches_completed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """`completed_at` follows `completed` on every save, whoever saves (services, admin, shell).

        So `Todo.objects.create(user=user, title="Done", completed=True)` is stamped, and the
        check constraint below never refuses a save for a missing timestamp.
        """
        if not self.completed:
            self.completed_at = None
        elif self.completed_at is None:
            self.completed_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "completed" in update_fields:
            kwargs["update_fields"] = {*update_fields, "completed_at"}
        super().save(*args, **kwargs)


def completion_changes(completed: bool, *, now: Any) -> dict[str, Any]:
    """What completing or reopening changes, for an `update()`: the rule `Todo.save()` applies.

    Completing keeps the first `completed_at`; reopening clears it. `now` is a value or an
    expression standing for the time of the change.
    """
    if completed:
        return {"completed": True, "completed_at": Coalesce(models.F("completed_at"), now)}
    return {"completed": False, "completed_at": None}


class TodoCount(models.Model):
    """How many todos each user has, and how many of them are completed.

    The database keeps these exact with triggers on the todo and user tables (migration 0003):
    every write counts, whoever makes it (the API, the services, the cleanup's set-based deletes,
    the admin, bulk deletes, a user's deletion cascading to their todos, or plain SQL). Reading a
    count is then one row, however many todos the user has. Never written by the application.
    """

    user_id = models.BigIntegerField(primary_key=True)
    total = models.BigIntegerField(default=0)
    completed_total = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.completed_total} of {self.total} todos completed"
