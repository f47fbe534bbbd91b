from django.conf import settings
from django.db import models


class Todo(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=1000, blank=True, default="")
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos", db_index=False
    )

    class Meta:
        ordering = ("-id",)
        indexes = [
            # Listing: one user's todos, newest first (keyset pagination walks `id`).
            models.Index(fields=["owner", "-id"], name="todo_owner_id_desc"),
            # Cleanup: completed todos per owner, ranged by owner id and completion time.
            models.Index(
                fields=["owner", "completed_at"],
                name="todo_completed_owner",
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
