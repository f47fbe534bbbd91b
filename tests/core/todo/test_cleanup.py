"""The cleanup's rule on its own: who is cleaned, what goes, batches, id ranges and the fallback."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.todo.cleanup import TodoCleanupService, retention_cutoff, users_to_clean
from core.todo.models import Todo
from core.user.models import User
from core.user.services.user import UserService
from tests.delivery.tasks.data import add_todos, make_user, surviving_titles
from tests.delivery.tasks.database import RefuseDeletes, refuse_deletes_of

__all__ = ["refuse_deletes_of"]

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def service() -> TodoCleanupService:
    return TodoCleanupService()


def _users(pattern: str) -> list[User]:
    """One user per letter, in id order: `a` active, `i` inactive."""
    return [make_user(f"u{n}", active=kind == "a") for n, kind in enumerate(pattern)]


def _ids(users: list[User], pattern: str) -> list[int]:
    return [user.pk for user, kind in zip(users, pattern, strict=True) if kind == "a"]


def test_the_cleaned_users_are_the_active_users_everyone_else_lists() -> None:
    _users("aiaai")

    assert list(users_to_clean().order_by("pk")) == UserService().list_all_users()
    assert all(user.is_active for user in users_to_clean())


@pytest.mark.parametrize(
    ("retention", "expected"),
    [(timedelta(0), None), (timedelta(days=1), NOW - timedelta(days=1))],
)
def test_the_retention_cutoff(retention: timedelta, expected: datetime | None) -> None:
    assert retention_cutoff(retention, now=NOW) == expected


def test_a_negative_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        retention_cutoff(timedelta(seconds=-1), now=NOW)


def test_batches_walk_active_users_in_id_order(service: TodoCleanupService) -> None:
    pattern = "aaiaaiaia"
    users = _users(pattern)
    active = _ids(users, pattern)

    batches = list(service.active_user_batches(batch_size=2))

    assert batches == [active[0:2], active[2:4], active[4:6]]


def test_a_last_full_batch_ends_the_walk_with_one_more_look(service: TodoCleanupService) -> None:
    users = _users("aaaa")

    assert list(service.active_user_batches(batch_size=2)) == [
        [users[0].pk, users[1].pk],
        [users[2].pk, users[3].pk],
    ]
    assert list(service.active_user_batches(batch_size=10)) == [[u.pk for u in users]]


def test_batches_within_an_inclusive_range(service: TodoCleanupService) -> None:
    pattern = "aaiaaa"
    users = _users(pattern)

    inside = list(
        service.active_user_batches(
            batch_size=2, first_user_id=users[1].pk, last_user_id=users[4].pk
        )
    )
    from_an_inactive_id = list(service.active_user_batches(batch_size=5, first_user_id=users[2].pk))

    assert inside == [[users[1].pk, users[3].pk], [users[4].pk]]
    assert from_an_inactive_id == [[users[3].pk, users[4].pk, users[5].pk]]


def test_no_users_no_batches_and_no_ranges(service: TodoCleanupService) -> None:
    _users("ii")

    assert list(service.active_user_batches(batch_size=3)) == []
    assert list(service.active_user_id_ranges(users_per_range=3)) == []
    assert service.count_active_users() == 0


@pytest.mark.parametrize("per_range", [1, 2, 3, 4, 7, 8])
def test_ranges_cover_every_active_user_once_with_the_asked_size(
    service: TodoCleanupService, per_range: int
) -> None:
    pattern = "iaaiaaaiai"  # inactive users at both ends and between the boundaries
    users = _users(pattern)
    active = _ids(users, pattern)

    ranges = list(service.active_user_id_ranges(users_per_range=per_range))

    covered = [[pk for pk in active if first <= pk <= last] for first, last in ranges]
    assert [pk for chunk in covered for pk in chunk] == active  # all, once, in order
    assert all(len(chunk) == per_range for chunk in covered[:-1])
    assert 1 <= len(covered[-1]) <= per_range
    assert all(first in active and last in active for first, last in ranges)  # exact boundaries
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


def test_a_delete_takes_completed_todos_of_active_users_in_the_range_only(
    service: TodoCleanupService,
) -> None:
    pattern = "aiaa"
    users = _users(pattern)
    for user in users:
        add_todos(user, old=1, recent=1, open_=1)

    deleted = service.delete_completed_for_users([users[0].pk, users[2].pk])

    assert deleted == 4  # old and recent of users 0 and 2; the inactive 1 between them stays
    assert surviving_titles(users[0]) == surviving_titles(users[2]) == ["open 0"]
    assert surviving_titles(users[1]) == ["old 0", "open 0", "recent 0"]
    assert surviving_titles(users[3]) == ["old 0", "open 0", "recent 0"]  # outside the range


def test_the_cutoff_keeps_todos_completed_at_or_after_it(service: TodoCleanupService) -> None:
    [user] = _users("a")
    cutoff = timezone.now() - timedelta(days=1)
    for title, completed_at in [
        ("before", cutoff - timedelta(microseconds=1)),
        ("at", cutoff),
        ("after", cutoff + timedelta(seconds=1)),
    ]:
        Todo.objects.create(user=user, title=title, completed=True, completed_at=completed_at)

    assert service.delete_completed_for_users([user.pk], completed_before=cutoff) == 1
    assert surviving_titles(user) == ["after", "at"]


@pytest.mark.django_db(transaction=True)  # as in the worker: every statement commits on its own
def test_a_batch_the_database_refuses_is_retried_user_by_user(
    service: TodoCleanupService, refuse_deletes_of: RefuseDeletes
) -> None:
    users = _users("aaa")
    for user in users:
        add_todos(user, old=2, open_=1)

    with refuse_deletes_of(users[1]):
        outcome = service.clean_batch([u.pk for u in users], completed_before=None)

    assert outcome.deleted == 4
    assert [f.user_id for f in outcome.failures] == [users[1].pk]
    assert "refused by test trigger" in outcome.failures[0].error
    assert surviving_titles(users[1]) == ["old 0", "old 1", "open 0"]
    assert surviving_titles(users[0]) == surviving_titles(users[2]) == ["open 0"]


def test_a_batch_that_succeeds_reports_no_failures(service: TodoCleanupService) -> None:
    users = _users("aa")
    for user in users:
        add_todos(user, old=1)

    outcome = service.clean_batch([u.pk for u in users], completed_before=None)

    assert (outcome.deleted, outcome.failures) == (2, [])
