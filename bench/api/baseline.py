"""The straightforward baseline, served by its own uvicorn process (one worker).

Written the way a newcomer to FastAPI and Django would write the same contract:

- one plain `def` endpoint per route, so FastAPI runs each request's body in its thread pool;
- a sync dependency that verifies the token and loads the caller's `User` row with the ORM, which
  FastAPI runs on a pool thread of its own (another hop, another connection);
- `transaction.atomic()` around every endpoint body, and `select_for_update()` before a change;
- ORM model instances validated and serialised through the pydantic response models;
- the list's total from a separate `count()` query, and the per-user limit checked by another.

`close_old_connections()` before and after each piece of ORM work is the least that keeps it from
leaking connections (see docs/architecture.md). It runs with the real app's settings, so Django
pings a reused connection before its first query in each piece of work.

Two things are deliberately not naive, so the comparison credits the real app with neither: the
token is checked by the app's own `AccessTokenService` (same key and claims, and the same cache of
verified tokens), and FastAPI's per-request telemetry probe is off, as in the real app.
"""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Response, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ioc.container import ContainerFactory


def create_app() -> FastAPI:
    container = ContainerFactory()()  # configures Django before any model is imported
    from contextlib import contextmanager

    from django.db import close_old_connections, connection, transaction
    from django.utils import timezone

    from configs.todos import TodoSettings
    from core.todo.models import Todo
    from core.user.exceptions import InvalidAccessTokenError
    from core.user.models import User
    from core.user.services.access_tokens import AccessTokenService
    from delivery.http.todos.cursors import InvalidCursorError, decode_cursor, encode_cursor
    from delivery.http.todos.schemas import TodoCreateIn, TodoListOut, TodoOut, TodoUpdateIn

    tokens = container.resolve(AccessTokenService)
    limit_per_user = container.resolve(TodoSettings).max_per_user
    bearer = HTTPBearer(auto_error=False)
    app = FastAPI(
        title="todo-service baseline", telemetry={"tracing": False, "metrics": False, "logs": False}
    )

    @contextmanager
    def orm() -> Iterator[None]:
        close_old_connections()
        try:
            with transaction.atomic():
                yield
        finally:
            close_old_connections()

    def unauthorized(detail: str = "not authenticated") -> HTTPException:
        return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})

    def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> User:
        if credentials is None:
            raise unauthorized()
        try:
            user_id = tokens.verify(credentials.credentials)
        except InvalidAccessTokenError as exc:
            raise unauthorized("invalid or expired access token") from exc
        with orm():
            user = User.objects.filter(pk=user_id).first()
        if user is None or not user.is_active:
            raise unauthorized()
        return user

    CurrentUser = Annotated[User, Depends(current_user)]  # noqa: N806 - a type alias
    TodoId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # noqa: N806 - a type alias

    def own_todo(todo_id: int, user: User, *, for_update: bool = False) -> Todo:
        todos = Todo.objects.select_for_update() if for_update else Todo.objects
        todo = todos.filter(pk=todo_id, user=user).first()
        if todo is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "todo not found")
        return todo

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        with orm(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "database": "ok"}

    @app.get("/v1/todos", response_model=TodoListOut)
    def list_todos(
        user: CurrentUser,
        completed: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict[str, Any]:
        try:
            before_id = None if cursor is None else decode_cursor(cursor)
        except InvalidCursorError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid cursor") from exc
        with orm():
            todos = Todo.objects.filter(user=user)
            if completed is not None:
                todos = todos.filter(completed=completed)
            count = todos.count()
            if before_id is not None:
                todos = todos.filter(pk__lt=before_id)
            page = list(todos.order_by("-id")[offset : offset + limit + 1])
        more = len(page) > limit
        page = page[:limit]
        return {
            "todos": page,
            "count": count,
            "next_cursor": encode_cursor(page[-1].pk) if more and page else None,
        }

    @app.post("/v1/todos", status_code=status.HTTP_201_CREATED, response_model=TodoOut)
    def create_todo(body: TodoCreateIn, user: CurrentUser) -> Todo:
        with orm():
            if limit_per_user and Todo.objects.filter(user=user).count() >= limit_per_user:
                raise HTTPException(status.HTTP_409_CONFLICT, "todo limit reached")
            return Todo.objects.create(user=user, title=body.title, description=body.description)

    @app.get("/v1/todos/{todo_id}", response_model=TodoOut)
    def get_todo(todo_id: TodoId, user: CurrentUser) -> Todo:
        with orm():
            return own_todo(todo_id, user)

    @app.patch("/v1/todos/{todo_id}", response_model=TodoOut)
    def update_todo(todo_id: TodoId, body: TodoUpdateIn, user: CurrentUser) -> Todo:
        with orm():
            todo = own_todo(todo_id, user, for_update=True)
            for name in ("title", "description"):
                if (value := getattr(body, name)) is not None:
                    setattr(todo, name, value)
            if body.completed is not None:
                if body.completed and not todo.completed:
                    todo.completed_at = timezone.now()
                todo.completed = body.completed
            todo.save()
            return todo

    @app.delete("/v1/todos/{todo_id}", status_code=204, response_class=Response)
    def delete_todo(todo_id: TodoId, user: CurrentUser) -> Response:
        with orm():
            own_todo(todo_id, user).delete()
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return app


app = create_app()
