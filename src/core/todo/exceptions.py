class TodoError(Exception):
    """Base of the todo domain's errors."""


class TodoNotFoundError(TodoError):
    def __init__(self, todo_id: int) -> None:
        super().__init__(f"todo {todo_id} not found")
        self.todo_id = todo_id


class TodoAccessDeniedError(TodoError):
    """The todo belongs to someone else; deliveries must answer exactly as for a missing one."""

    def __init__(self, todo_id: int) -> None:
        super().__init__(f"todo {todo_id} is not yours")
        self.todo_id = todo_id


class TodoLimitReachedError(TodoError):
    """The user already has as many todos as one user may have (`TODO_MAX_PER_USER`)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"todo limit reached: a user may have at most {limit} todos; delete some first"
        )
        self.limit = limit
