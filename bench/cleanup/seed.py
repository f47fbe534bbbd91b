"""Identical data before every contender, written by PostgreSQL itself so seeding stays cheap.

Todos are inserted round-robin across users, as real todos arrive over time, so one user's todos are
spread over the whole table rather than packed together (packing would flatter per-user batches).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

# Nobody logs in as a seeded user, and hashing 100k real passwords would dominate the seed time.
UNUSABLE_PASSWORD = "!bench-seeded-user-without-a-password"


@dataclass(frozen=True)
class SeedPlan:
    active_users: int
    todos_per_user: int
    inactive_users: int = 5

    @property
    def users(self) -> int:
        return self.active_users + self.inactive_users

    @property
    def completed_per_user(self) -> int:
        return self.todos_per_user // 2

    @property
    def expected_deleted(self) -> int:
        return self.active_users * self.completed_per_user

    def inactive_ids(self) -> list[int]:
        """Inactive users spread evenly over the id range, so every batching scheme meets some."""
        if self.inactive_users == 0:
            return []
        step = self.users // self.inactive_users
        return [step * (i + 1) for i in range(self.inactive_users)]

    def describe(self) -> str:
        return f"{self.active_users:,} users x {self.todos_per_user} todos"


def reseed(plan: SeedPlan) -> None:
    """Empty both tables, then insert the plan's users and todos (even-numbered ones completed)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE todo_todo, user_user RESTART IDENTITY CASCADE")
        cursor.execute(
            """
            INSERT INTO user_user (password, is_superuser, username, first_name, last_name, email,
                                   is_staff, is_active, date_joined)
            SELECT %s, false, 'bench-user-' || g, '', '', '', false, NOT (g = ANY(%s)), now()
            FROM generate_series(1, %s) AS g
            """,
            [UNUSABLE_PASSWORD, plan.inactive_ids(), plan.users],
        )
        # Rows are valid by construction; checking 1M foreign keys one by one would triple the time.
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                """
                INSERT INTO todo_todo (title, description, completed, completed_at, created_at,
                                       updated_at, user_id)
                SELECT 'todo ' || t, '', t %% 2 = 0,
                       CASE WHEN t %% 2 = 0 THEN now() - interval '1 day' END, now(), now(), u
                FROM generate_series(1, %s) AS t, generate_series(1, %s) AS u
                ORDER BY t, u
                """,
                [plan.todos_per_user, plan.users],
            )
        finally:
            cursor.execute("RESET session_replication_role")
        # Same physical state for every contender: no dead tuples, fresh statistics, hint bits set.
        cursor.execute("VACUUM (ANALYZE) todo_todo, user_user")


def check_outcome(plan: SeedPlan, *, deleted: int, contender: str) -> None:
    """Every contender must delete exactly the active users' completed todos and nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE t.completed AND NOT u.is_active)"
                       " FROM todo_todo t JOIN user_user u ON u.id = t.user_id")  # fmt: skip
        left, inactive_completed = cursor.fetchone()
    survivors = plan.users * plan.todos_per_user - plan.expected_deleted
    expected_inactive = plan.inactive_users * plan.completed_per_user
    checks = {
        f"reported {deleted:,} deleted, expected {plan.expected_deleted:,}": (
            deleted == plan.expected_deleted
        ),
        f"{left:,} todos left, expected {survivors:,}": left == survivors,
        f"inactive users keep {inactive_completed:,} completed, not {expected_inactive:,}": (
            inactive_completed == expected_inactive
        ),
    }
    if problems := [problem for problem, passed in checks.items() if not passed]:
        raise AssertionError(f"{contender} on {plan.describe()}: " + "; ".join(problems))
