class TodoError(Exception):
    """Base of the todo domain's errors."""


class TodoNotFoundError(TodoError):
    def __init__(self, todo_id: int) -> None:
        super().__init__(f"todo {todo_id} not found")
        self.todo_id = todo_id


class TodoAccessDeniedError(TodoError):
    """The todo exists but belongs to someone else; deliveries must not tell this apart from missing."""

    def __init__(self, todo_id: int) -> None:
        super().__init__(f"todo {todo_id} is not yours")
        self.todo_id = todo_id
