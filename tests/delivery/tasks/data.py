"""Users and todos for cleanup tests, completed on either side of the retention window."""

from datetime import timedelta

from django.utils import timezone

from core.todo.models import Todo
from core.user.models import User

# The worker keeps todos completed within the last day (TODO_CLEANUP_RETENTION=P1D).
OLD = timedelta(days=3)
RECENT = timedelta(hours=1)


def make_user(username: str, *, active: bool = True) -> User:
    return User.objects.create(username=username, email=f"{username}@example.com", is_active=active)


def add_todos(user: User, *, old: int = 0, recent: int = 0, open_: int = 0) -> None:
    now = timezone.now()
    rows = [
        Todo(user=user, title=f"old {i}", completed=True, completed_at=now - OLD)
        for i in range(old)
    ]
    rows += [
        Todo(user=user, title=f"recent {i}", completed=True, completed_at=now - RECENT)
        for i in range(recent)
    ]
    rows += [Todo(user=user, title=f"open {i}") for i in range(open_)]
    Todo.objects.bulk_create(rows)


def surviving_titles(user: User) -> list[str]:
    return sorted(Todo.objects.filter(user=user).values_list("title", flat=True))
