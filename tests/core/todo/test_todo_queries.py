import pytest

from core.todo.queries import TODO_FIELDS, TodoQueries
from core.todo.services import TodoService
from core.user.models import User


@pytest.fixture
def ids(alice: User, bob: User) -> list[int]:
    """Five todos of alice (the oldest completed) and one of bob."""
    service = TodoService()
    created = [service.create_todo(alice, title=f"t{i}").pk for i in range(5)]
    service.create_todo(bob, title="bob's")
    service.mark_completed(created[0], alice)
    return created


def test_a_page_is_plain_rows_newest_first_with_the_total(alice: User, ids: list[int]) -> None:
    page = TodoQueries().page_for_user(alice.pk, limit=2)

    assert [row["id"] for row in page.todos] == [ids[4], ids[3]]
    assert set(page.todos[0]) == set(TODO_FIELDS)
    assert page.todos[0]["created_at"].tzinfo is not None
    assert page.count == 5
    assert page.has_more is True


def test_the_count_ignores_the_cursor_and_the_offset(alice: User, ids: list[int]) -> None:
    queries = TodoQueries()

    after_cursor = queries.page_for_user(alice.pk, limit=2, before_id=ids[3])
    past_the_end = queries.page_for_user(alice.pk, limit=2, offset=10)
    last = queries.page_for_user(alice.pk, limit=2, before_id=ids[1])

    assert [row["id"] for row in after_cursor.todos] == [ids[2], ids[1]]
    assert after_cursor.count == 5
    assert (past_the_end.todos, past_the_end.count, past_the_end.has_more) == ([], 5, False)
    assert ([row["id"] for row in last.todos], last.has_more) == ([ids[0]], False)


def test_filter_by_completed(alice: User, ids: list[int]) -> None:
    queries = TodoQueries()

    completed = queries.page_for_user(alice.pk, completed=True)
    open_ = queries.page_for_user(alice.pk, completed=False, limit=10)

    assert [row["id"] for row in completed.todos] == [ids[0]]
    assert [row["completed"] for row in completed.todos] == [True]
    assert completed.count == 1
    assert open_.count == 4
    assert open_.has_more is False


def test_a_user_without_todos_gets_an_empty_page(bob: User, alice: User) -> None:
    page = TodoQueries().page_for_user(alice.pk)

    assert (page.todos, page.count, page.has_more) == ([], 0, False)


def test_each_call_gets_its_own_parameters_from_the_reused_statement(
    alice: User, bob: User, ids: list[int]
) -> None:
    """The SQL is compiled once per shape; the user, cursor and page size still change per call."""
    queries = TodoQueries()

    for _ in range(2):
        alices = queries.page_for_user(alice.pk, completed=False, limit=1, before_id=ids[4])
        bobs = queries.page_for_user(bob.pk, completed=False, limit=5, before_id=ids[4] + 100)

        assert [row["id"] for row in alices.todos] == [ids[3]]
        assert [row["title"] for row in bobs.todos] == ["bob's"]
        assert (alices.count, bobs.count) == (4, 1)
