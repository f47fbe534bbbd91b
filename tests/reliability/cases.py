"""The data every cleanup fault test starts from, and the one outcome each must end with.

"Exactly the right rows gone": only completed todos of active users, completed before the
retention window (the workers keep one day), are deleted; recent and open todos, and every todo
of an inactive user, stay.
"""

from dataclasses import dataclass

from core.todo.models import Todo
from core.user.models import User
from tests.delivery.tasks.data import add_todos, make_user, surviving_titles

ACTIVE_USERS = 9  # three batches of 3 on the test workers


@dataclass(frozen=True)
class CleanupCase:
    active: list[User]
    inactive: User

    def assert_exactly_the_right_rows_are_gone(self) -> None:
        for user in self.active:
            assert surviving_titles(user) == ["open 0", "recent 0"], user.username
        assert surviving_titles(self.inactive) == ["old 0", "old 1", "open 0"]

    @property
    def old_todos_at_start(self) -> int:
        return 2 * len(self.active)

    def old_todos_left(self) -> int:
        """Old completed todos of active users not yet deleted (what the cleanup must delete)."""
        return Todo.objects.filter(user__in=self.active, title__startswith="old").count()


def seed_cleanup_case() -> CleanupCase:
    active = [make_user(f"user{i}") for i in range(ACTIVE_USERS)]
    for user in active:
        add_todos(user, old=2, recent=1, open_=1)
    inactive = make_user("sleeper", active=False)
    add_todos(inactive, old=2, open_=1)
    return CleanupCase(active=active, inactive=inactive)
