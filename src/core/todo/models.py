from typing import Any

from django.conf import settings
from django.db import models
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
