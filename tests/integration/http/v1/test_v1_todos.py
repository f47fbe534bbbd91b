"""The todo endpoints through the test kit's client, as a reader of the tutorial tests them.

Two answers differ from the tutorial's on purpose: another user's todo is 404 (it reads exactly
like a missing one) and a request without a token is 401.
"""

from http import HTTPStatus

import pytest

from core.todo.models import Todo
from core.user.models import User
from tests.integration.factories import TestClientFactory, TestUserFactory


@pytest.fixture
def user(user_factory: TestUserFactory) -> User:
    return user_factory(username="ada", password="Lovelace-1815", email="ada@example.com")


@pytest.fixture
def other_user(user_factory: TestUserFactory) -> User:
    return user_factory(username="grace", password="Hopper-1906", email="grace@example.com")


@pytest.fixture
def todo(user: User) -> Todo:
    return Todo.objects.create(user=user, title="Write the notes", description="on engines")


@pytest.mark.django_db(transaction=True)
class TestTodoEndpoints:
    def test_a_new_user_has_no_todos(
        self, test_client_factory: TestClientFactory, user: User
    ) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.get("/v1/todos")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["todos"] == []
        assert response.json()["count"] == 0

    def test_the_list_holds_only_the_callers_todos(
        self, test_client_factory: TestClientFactory, user: User, other_user: User, todo: Todo
    ) -> None:
        Todo.objects.create(user=other_user, title="Not ada's")

        with test_client_factory(auth_for_user=user) as client:
            data = client.get("/v1/todos").json()

        assert data["count"] == 1
        assert [item["title"] for item in data["todos"]] == ["Write the notes"]

    def test_the_list_filters_by_completion(
        self, test_client_factory: TestClientFactory, user: User
    ) -> None:
        Todo.objects.create(user=user, title="Done already", completed=True)
        Todo.objects.create(user=user, title="Still open")

        with test_client_factory(auth_for_user=user) as client:
            done = client.get("/v1/todos?completed=true").json()
            still_open = client.get("/v1/todos", params={"completed": False}).json()

        assert [item["title"] for item in done["todos"]] == ["Done already"]
        assert done["todos"][0]["completed_at"] is not None
        assert [item["title"] for item in still_open["todos"]] == ["Still open"]

    def test_create(self, test_client_factory: TestClientFactory, user: User) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.post(
                "/v1/todos", json={"title": "Buy oil", "description": "for the lamp"}
            )

        assert response.status_code == HTTPStatus.CREATED
        data = response.json()
        assert (data["title"], data["description"], data["completed"]) == (
            "Buy oil",
            "for the lamp",
            False,
        )
        assert data["user_id"] == user.id
        assert Todo.objects.get(id=data["id"]).user == user

    def test_create_with_a_title_only(
        self, test_client_factory: TestClientFactory, user: User
    ) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.post("/v1/todos", json={"title": "Just this"})

        assert response.status_code == HTTPStatus.CREATED
        assert response.json()["description"] == ""

    @pytest.mark.parametrize("body", [{"title": ""}, {"description": "no title"}])
    def test_create_refuses_a_todo_without_a_title(
        self, test_client_factory: TestClientFactory, user: User, body: dict[str, str]
    ) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.post("/v1/todos", json=body)

        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
        assert not Todo.objects.exists()

    def test_get_one(self, test_client_factory: TestClientFactory, user: User, todo: Todo) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.get(f"/v1/todos/{todo.id}")

        assert response.status_code == HTTPStatus.OK
        assert (response.json()["id"], response.json()["title"]) == (todo.id, "Write the notes")

    def test_get_a_missing_todo(self, test_client_factory: TestClientFactory, user: User) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.get("/v1/todos/999999")

        assert response.status_code == HTTPStatus.NOT_FOUND

    def test_another_users_todo_is_not_found(
        self, test_client_factory: TestClientFactory, other_user: User, todo: Todo
    ) -> None:
        """The tutorial answers 403 here; 404 does not tell a stranger that the todo exists."""
        with test_client_factory(auth_for_user=other_user) as client:
            read = client.get(f"/v1/todos/{todo.id}")
            changed = client.patch(f"/v1/todos/{todo.id}", json={"title": "Mine now"})
            deleted = client.delete(f"/v1/todos/{todo.id}")

        assert read.status_code == changed.status_code == deleted.status_code == 404
        assert Todo.objects.get(id=todo.id).title == "Write the notes"

    def test_update(self, test_client_factory: TestClientFactory, user: User, todo: Todo) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.patch(
                f"/v1/todos/{todo.id}", json={"title": "Publish the notes", "completed": True}
            )

        assert response.status_code == HTTPStatus.OK
        assert (response.json()["title"], response.json()["completed"]) == (
            "Publish the notes",
            True,
        )
        todo.refresh_from_db()
        assert todo.completed_at is not None

    def test_a_partial_update_keeps_the_other_fields(
        self, test_client_factory: TestClientFactory, user: User, todo: Todo
    ) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.patch(f"/v1/todos/{todo.id}", json={"completed": True})

        assert response.status_code == HTTPStatus.OK
        assert response.json()["title"] == "Write the notes"
        assert response.json()["description"] == "on engines"

    def test_delete(self, test_client_factory: TestClientFactory, user: User, todo: Todo) -> None:
        with test_client_factory(auth_for_user=user) as client:
            response = client.delete(f"/v1/todos/{todo.id}")
            again = client.get(f"/v1/todos/{todo.id}")

        assert response.status_code == HTTPStatus.NO_CONTENT
        assert again.status_code == HTTPStatus.NOT_FOUND
        assert not Todo.objects.filter(id=todo.id).exists()

    def test_without_a_token_the_answer_is_401(
        self, test_client_factory: TestClientFactory
    ) -> None:
        """The tutorial answers 403; 401 with `WWW-Authenticate: Bearer` is what HTTP means."""
        with test_client_factory() as client:
            response = client.get("/v1/todos")

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.headers["WWW-Authenticate"] == "Bearer"

    def test_a_client_works_without_with_too(
        self, test_client_factory: TestClientFactory, user: User, todo: Todo
    ) -> None:
        client = test_client_factory(auth_for_user=user)

        assert client.get(f"/v1/todos/{todo.id}").status_code == HTTPStatus.OK
