"""The caller's todos: the token is checked in the event loop, then one hop to an ORM thread.

Every route is one prepared statement on the ORM thread (see `infrastructure/django/prepared.py`),
and answers the rows it read or wrote as they are, without validating them again.
"""

from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

from fastapi import FastAPI, HTTPException, Path, Query, Response, status

from core.todo.exceptions import TodoAccessDeniedError, TodoLimitReachedError, TodoNotFoundError
from core.todo.models import Todo
from core.todo.queries import MAX_OFFSET, TODO_FIELDS, TodoQueries
from core.todo.services import TodoService
from core.user.exceptions import UserNotFoundError
from delivery.http.auth.dependencies import Authenticator, BearerCredentials, not_authenticated
from delivery.http.contract import READS_BODY, answers
from delivery.http.responses import JSONBytesResponse
from delivery.http.todos.cursors import CURSOR_PATTERN, decode_cursor, encode_cursor
from delivery.http.todos.schemas import TodoCreateIn, TodoListOut, TodoOut, TodoUpdateIn
from infrastructure.delivery.controllers import Controller
from infrastructure.django.connections import run_orm
from infrastructure.throttling import RequestThrottle

TodoId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_NOT_FOUND = "todo not found"
_LIMIT_NOTES = {
    409: "The caller already has TODO_MAX_PER_USER todos",
    429: "Creating, changing and deleting todos share one per-user limit (THROTTLE_TODO_WRITES)",
}
# The created todo's id leads to the routes that act on it (OpenAPI links, for stateful clients).
_LINKS_FROM_CREATED = {
    name: {"operationId": operation, "parameters": {"todo_id": "$response.body#/id"}}
    for name, operation in (
        ("GetTodo", "get_todo"),
        ("UpdateTodo", "update_todo"),
        ("DeleteTodo", "delete_todo"),
    )
}


@dataclass(kw_only=True)
class TodoController(Controller):
    _todo_service: TodoService
    _todo_queries: TodoQueries
    _authenticator: Authenticator
    _throttle: RequestThrottle

    def register(self, registry: FastAPI) -> None:
        route = registry.add_api_route
        tags: list[Any] = ["todos"]
        one = "/v1/todos/{todo_id}"
        route(
            "/v1/todos",
            self.list_todos,
            methods=["GET"],
            operation_id="list_todos",
            response_model=TodoListOut,
            responses=answers(401, 422, 503),
            tags=tags,
            summary="The caller's todos, newest first",
        )
        route(
            "/v1/todos",
            self.create_todo,
            methods=["POST"],
            operation_id="create_todo",
            status_code=201,
            response_model=TodoOut,
            responses=answers(
                *READS_BODY,
                401,
                409,
                429,
                503,
                notes=_LIMIT_NOTES,
                links=(201, _LINKS_FROM_CREATED),
            ),
            tags=tags,
            summary="Create a todo",
        )
        route(
            one,
            self.get_todo,
            methods=["GET"],
            operation_id="get_todo",
            response_model=TodoOut,
            responses=answers(401, 404, 422, 503),
            tags=tags,
            summary="One todo",
        )
        route(
            one,
            self.update_todo,
            methods=["PATCH"],
            operation_id="update_todo",
            response_model=TodoOut,
            responses=answers(*READS_BODY, 401, 404, 429, 503, notes=_LIMIT_NOTES),
            tags=tags,
            summary="Change some of a todo's fields",
        )
        route(
            one,
            self.delete_todo,
            methods=["DELETE"],
            operation_id="delete_todo",
            status_code=204,
            response_class=Response,
            responses=answers(401, 404, 422, 429, 503, notes=_LIMIT_NOTES),
            tags=tags,
            summary="Delete a todo",
        )

    async def list_todos(
        self,
        credentials: BearerCredentials,
        completed: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[
            int,
            Query(ge=0, le=MAX_OFFSET, description="todos to skip; deeper pages take the cursor"),
        ] = 0,
        cursor: Annotated[
            str | None,
            Query(
                pattern=CURSOR_PATTERN,
                description="next_cursor of the previous page; any value of this form is valid",
            ),
        ] = None,
    ) -> JSONBytesResponse:
        user_id = self._authenticator.user_id(credentials)
        before_id = None if cursor is None else decode_cursor(cursor)
        page = await run_orm(
            self._page,
            user_id,
            completed=completed,
            limit=limit,
            offset=offset,
            before_id=before_id,
        )
        return JSONBytesResponse(page)

    async def create_todo(
        self, credentials: BearerCredentials, body: TodoCreateIn
    ) -> JSONBytesResponse:
        user_id = await self._writer(credentials)
        todo = await run_orm(
            self._todo_service.create_todo,
            user_id,
            title=body.title,
            description=body.description,
        )
        return JSONBytesResponse(_todo_fields(todo), status_code=status.HTTP_201_CREATED)

    async def get_todo(self, credentials: BearerCredentials, todo_id: TodoId) -> JSONBytesResponse:
        user_id = self._authenticator.user_id(credentials)
        todo = await run_orm(self._todo_queries.one_for_user, todo_id, user_id)
        return JSONBytesResponse(todo)

    async def update_todo(
        self, credentials: BearerCredentials, todo_id: TodoId, body: TodoUpdateIn
    ) -> JSONBytesResponse:
        user_id = await self._writer(credentials)
        todo = await run_orm(
            self._todo_service.update_todo,
            todo_id,
            user_id,
            title=body.title,
            description=body.description,
            completed=body.completed,
        )
        return JSONBytesResponse(_todo_fields(todo))

    async def delete_todo(self, credentials: BearerCredentials, todo_id: TodoId) -> Response:
        user_id = await self._writer(credentials)
        await run_orm(self._todo_service.delete_todo, todo_id, user_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    def handle_exception(self, exc: Exception) -> NoReturn:
        # Someone else's todo reads exactly like a missing one, so ids cannot be probed.
        if isinstance(exc, TodoNotFoundError | TodoAccessDeniedError):
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND) from exc
        if isinstance(exc, TodoLimitReachedError):
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(exc)) from exc
        if isinstance(exc, UserNotFoundError):  # a valid token whose user was deleted since
            raise not_authenticated() from exc
        raise exc

    async def _writer(self, credentials: BearerCredentials) -> int:
        """The caller, once their write counts against the per-user write limit."""
        user_id = self._authenticator.user_id(credentials)
        await self._throttle.check("todo_writes", f"user:{user_id}")
        return user_id

    def _page(
        self,
        user_id: int,
        *,
        completed: bool | None,
        limit: int,
        offset: int,
        before_id: int | None,
    ) -> dict[str, Any]:
        page = self._todo_queries.page_for_user(
            user_id, completed=completed, limit=limit, offset=offset, before_id=before_id
        )
        last_id = page.todos[-1]["id"] if page.todos else None
        return {
            "todos": page.todos,
            "count": page.count,
            "next_cursor": encode_cursor(last_id) if page.has_more and last_id else None,
        }


def _todo_fields(todo: Todo) -> dict[str, Any]:
    """The `TodoOut` shape, built directly: validating our own rows again would only cost time."""
    return {field: getattr(todo, field) for field in TODO_FIELDS}
