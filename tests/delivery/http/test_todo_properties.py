"""Properties of the todo routes under any sequence of calls, by Hypothesis, through the API.

Two users create, rename, complete, reopen and delete todos in any order, and each also tries to
read, change and delete the other's. After every call: each user's list shows exactly their own
todos as a model of the calls predicts, `completed_at` is set if and only if a todo is completed,
the owner is always the creator, the count equals the rows, and nothing of one user was ever
shown to or changed by the other.
"""

import itertools
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from core.todo.models import Todo
from tests.delivery.http.conftest import bearer, log_in, sign_up

USERS = ("ann", "ben")
# What the server strips from titles: Unicode's White_Space (Python's isspace() adds \x1c-\x1f).
WHITE_SPACE = "".join(
    c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f"
)
# Any text the schema allows: everything but U+0000, which PostgreSQL's text cannot hold.
TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
TITLES = st.text(TEXT, min_size=1, max_size=20).filter(lambda title: title.strip(WHITE_SPACE))
DESCRIPTIONS = st.text(TEXT, max_size=30)
_runs = itertools.count()


def _machine(client: TestClient) -> type[RuleBasedStateMachine]:
    class TodoCalls(RuleBasedStateMachine):
        todos = Bundle("todos")

        def __init__(self) -> None:
            super().__init__()
            run = next(_runs)  # fresh users for every run: the database is not reset between runs
            self.headers: dict[str, dict[str, str]] = {}
            self.user_ids: dict[str, int] = {}
            for name in USERS:
                self.user_ids[name] = sign_up(client, f"{name}{run}")["id"]
                self.headers[name] = bearer(log_in(client, f"{name}{run}"))
            self.model: dict[int, dict[str, Any]] = {}  # todo id -> what its owner last set

        @rule(target=todos, owner=st.sampled_from(USERS), title=TITLES, description=DESCRIPTIONS)
        def create(self, owner: str, title: str, description: str) -> int:
            body = {"title": title, "description": description}
            response = client.post("/v1/todos", json=body, headers=self.headers[owner])
            assert response.status_code == 201, response.text
            todo = response.json()
            self.model[todo["id"]] = {
                "owner": owner,
                "title": title.strip(WHITE_SPACE),
                "description": description,
                "completed": False,
            }
            return int(todo["id"])

        @rule(todo_id=todos, title=st.none() | TITLES, description=st.none() | DESCRIPTIONS)
        def update(self, todo_id: int, title: str | None, description: str | None) -> None:
            self._owner_writes(todo_id, {"title": title, "description": description})

        @rule(todo_id=todos)
        def complete(self, todo_id: int) -> None:
            self._owner_writes(todo_id, {"completed": True})

        @rule(todo_id=todos)
        def reopen(self, todo_id: int) -> None:
            self._owner_writes(todo_id, {"completed": False})

        @rule(todo_id=todos)
        def delete(self, todo_id: int) -> None:
            expected = self.model.pop(todo_id, None)
            owner = expected["owner"] if expected else USERS[0]
            response = client.delete(f"/v1/todos/{todo_id}", headers=self.headers[owner])
            assert response.status_code == (204 if expected else 404)

        @rule(todo_id=todos, method=st.sampled_from(["GET", "PATCH", "DELETE"]))
        def intrude(self, todo_id: int, method: str) -> None:
            """The other user reads, changes or deletes it: 404, and nothing changes."""
            expected = self.model.get(todo_id)
            intruder = USERS[1] if expected is None or expected["owner"] == USERS[0] else USERS[0]
            body = {"title": "taken", "completed": True} if method == "PATCH" else None
            response = client.request(
                method, f"/v1/todos/{todo_id}", json=body, headers=self.headers[intruder]
            )
            assert response.status_code == 404
            assert response.json() == {"detail": "todo not found"}

        def _owner_writes(self, todo_id: int, changes: dict[str, Any]) -> None:
            expected = self.model.get(todo_id)
            owner = expected["owner"] if expected else USERS[0]
            response = client.patch(
                f"/v1/todos/{todo_id}", json=changes, headers=self.headers[owner]
            )
            if expected is None:
                assert response.status_code == 404
                return
            assert response.status_code == 200, response.text
            for field, value in changes.items():
                if value is not None:
                    expected[field] = value.strip(WHITE_SPACE) if field == "title" else value

        @invariant()
        def each_user_sees_exactly_their_own_todos(self) -> None:
            for name in USERS:
                page = client.get("/v1/todos?limit=100", headers=self.headers[name]).json()
                mine = {i: t for i, t in self.model.items() if t["owner"] == name}
                assert [todo["id"] for todo in page["todos"]] == sorted(mine, reverse=True)
                stored = Todo.objects.filter(user_id=self.user_ids[name]).count()
                assert page["count"] == len(mine) == stored
                for todo in page["todos"]:
                    expected = mine[todo["id"]]
                    assert todo["user_id"] == self.user_ids[name]
                    assert (todo["completed_at"] is not None) == todo["completed"]
                    shown = {field: todo[field] for field in ("title", "description", "completed")}
                    assert shown == {k: v for k, v in expected.items() if k != "owner"}

    return TodoCalls


def test_any_sequence_of_calls_keeps_the_invariants_and_the_users_apart(
    client: TestClient,
) -> None:
    machine = _machine(client)
    machine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine.TestCase().runTest()
