"""Staff-only task endpoints: start a cleanup, then poll its state, progress and result."""

import uuid
from dataclasses import dataclass
from typing import Any, NoReturn

from fastapi import FastAPI, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from delivery.http.auth.dependencies import Authenticator, BearerCredentials
from delivery.http.contract import answers
from delivery.http.tasks.schemas import TaskAcceptedOut
from delivery.tasks.publishing import BrokerUnavailableError, TaskPublisher, TaskStatus
from infrastructure.delivery.controllers import Controller
from infrastructure.throttling import RequestThrottle

_NOTES = {
    403: "The caller is not staff",
    404: "No such task, or its result has expired; or the id is not a UUID",
    429: "Per staff user (THROTTLE_TASKS)",
    503: "The task broker or result backend is unreachable (`task broker unavailable`)",
}
_LINKS_FROM_ACCEPTED = {
    "GetTask": {"operationId": "get_task", "parameters": {"task_id": "$response.body#/task_id"}}
}


@dataclass(kw_only=True)
class TaskController(Controller):
    _authenticator: Authenticator
    _throttle: RequestThrottle
    _task_publisher: TaskPublisher

    def register(self, registry: FastAPI) -> None:
        tags: list[Any] = ["tasks"]
        registry.add_api_route(
            "/v1/tasks/todo-cleanup",
            self.start_todo_cleanup,
            methods=["POST"],
            operation_id="start_todo_cleanup",
            status_code=status.HTTP_202_ACCEPTED,
            response_model=TaskAcceptedOut,
            responses=answers(401, 403, 429, 503, notes=_NOTES, links=(202, _LINKS_FROM_ACCEPTED)),
            tags=tags,
            summary="Queue the cleanup of completed todos (staff only)",
        )
        registry.add_api_route(
            # Only ids of the form issued match, so `/v1/tasks/todo-cleanup` is no task id.
            "/v1/tasks/{task_id:uuid}",
            self.get_task,
            methods=["GET"],
            operation_id="get_task",
            response_model=TaskStatus,
            responses=answers(401, 403, 404, 422, 503, notes=_NOTES),
            tags=tags,
            summary="State, progress and result of a task (staff only)",
        )

    async def start_todo_cleanup(
        self, request: Request, credentials: BearerCredentials
    ) -> TaskAcceptedOut:
        user_id = await self._authenticator.staff_user_id(credentials)
        await self._throttle.check("tasks", f"user:{user_id}")
        # Publishing blocks (up to about 2 s when the broker is down): keep it off the event loop.
        task_id = await run_in_threadpool(self._task_publisher.publish_todo_cleanup)
        return TaskAcceptedOut(task_id=task_id)

    async def get_task(self, credentials: BearerCredentials, task_id: uuid.UUID) -> TaskStatus:
        await self._authenticator.staff_user_id(credentials)
        found = await run_in_threadpool(self._task_publisher.status, str(task_id))
        if found is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="task not found")
        return found

    def handle_exception(self, exc: Exception) -> NoReturn:
        if isinstance(exc, BrokerUnavailableError):
            raise HTTPException(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="task broker unavailable",
                headers={"Retry-After": "5"},
            ) from exc
        raise exc
