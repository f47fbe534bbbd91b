from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# No U+0000: PostgreSQL's text cannot hold it, so the schema refuses it rather than the database.
NO_NUL = r"^[^\x00]*$"
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
Description = Annotated[str, StringConstraints(max_length=1000, pattern=NO_NUL)]


# Strict: JSON's types as the schema states them (no 0 for false, no "1" for a string's place).
class TodoCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title
    description: Description = ""


class TodoUpdateIn(BaseModel):
    """A partial update: fields left out (or null) stay as they are."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None


class TodoOut(BaseModel):
    id: int
    title: str
    description: str
    completed: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    user_id: int


class TodoListOut(BaseModel):
    todos: list[TodoOut]
    count: int
    """How many todos match the filter, across all pages."""
    next_cursor: str | None
    """Pass as `cursor` for the next page; null on the last page."""
