"""The straightforward baseline, served by its own uvicorn process (one worker).

Written the way a newcomer to FastAPI and Django would write it:

- one plain `def` endpoint per route, so FastAPI runs each request's body in its thread pool;
- a sync dependency that verifies the token and loads the caller's `User` row with the ORM, which
  FastAPI runs on a pool thread of its own (another hop, another connection);
- `transaction.atomic()` around every endpoint body;
- ORM model instances validated and serialised through the pydantic response models;
- the list's total from a separate `count()` query.

`close_old_connections()` before and after each piece of ORM work is the least that keeps it from
leaking connections (see docs/architecture.md): without it, the baseline would not survive the
run. It runs with the real app's settings (`CONN_MAX_AGE`, `CONN_HEALTH_CHECKS`), so Django pings
a reused connection before its first query in each piece of work.

Two things are deliberately not naive, so the comparison credits the real app with neither: the
token is checked by the app's own `AccessTokenService` (same key and claims, and the same cache of
verified tokens), and FastAPI's per-request telemetry probe is off, as in the real app. The answers
have the real endpoints' shapes; the runner checks that they equal the real answers before loading.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ioc.container import ContainerFactory


def _unauthorized(detail: str = "not authenticated") -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def create_app() -> FastAPI:
    container = ContainerFactory()()  # configures Django before any model is imported
    from django.db import close_old_connections, transaction

    from core.todo.models import Todo
    from core.user.exceptions import InvalidAccessTokenError
    from core.user.models import User
    from core.user.services.access_tokens import AccessTokenService
    from delivery.http.todos.cursors import InvalidCursorError, decode_cursor, encode_cursor
    from delivery.http.todos.schemas import TodoCreateIn, TodoListOut, TodoOut

    tokens = container.resolve(AccessTokenService)
    bearer = HTTPBearer(auto_error=False)
    app = FastAPI(
        title="todo-service baseline", telemetry={"tracing": False, "metrics": False, "logs": False}
    )

    def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> User:
        if credentials is None:
            raise _unauthorized()
        try:
            user_id = tokens.verify(credentials.credentials)
        except InvalidAccessTokenError as exc:
            raise _unauthorized("invalid or expired access token") from exc
        close_old_connections()
        try:
            user = User.objects.get(pk=user_id)
        except User.DoesNotExist as exc:
            raise _unauthorized() from exc
        finally:
            close_old_connections()
        if not user.is_active:
            raise _unauthorized()
        return user

    CurrentUser = Annotated[User, Depends(current_user)]  # noqa: N806 - a type alias

    @app.get("/v1/todos", response_model=TodoListOut)
    def list_todos(
        user: CurrentUser,
        completed: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict[str, Any]:
        try:
            before_id = None if cursor is None else decode_cursor(cursor)
        except InvalidCursorError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid cursor") from exc
        close_old_connections()
        try:
            with transaction.atomic():
                todos = Todo.objects.filter(user=user)
                if completed is not None:
                    todos = todos.filter(completed=completed)
                count = todos.count()
                if before_id is not None:
                    todos = todos.filter(pk__lt=before_id)
                page = list(todos.order_by("-id")[offset : offset + limit + 1])
        finally:
            close_old_connections()
        has_more = len(page) > limit
        page = page[:limit]
        next_cursor = encode_cursor(page[-1].pk) if has_more and page else None
        return {"todos": page, "count": count, "next_cursor": next_cursor}

    @app.post("/v1/todos", status_code=status.HTTP_201_CREATED, response_model=TodoOut)
    def create_todo(body: TodoCreateIn, user: CurrentUser) -> Todo:
        close_old_connections()
        try:
            with transaction.atomic():
                return Todo.objects.create(
                    user=user, title=body.title, description=body.description
                )
        finally:
            close_old_connections()

    @app.get("/v1/todos/{todo_id}", response_model=TodoOut)
    def get_todo(todo_id: Annotated[int, Path(ge=1, le=2**63 - 1)], user: CurrentUser) -> Todo:
        close_old_connections()
        try:
            with transaction.atomic():
                todo = Todo.objects.filter(pk=todo_id, user=user).first()
        finally:
            close_old_connections()
        if todo is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "todo not found")
        return todo

    return app


app = create_app()
