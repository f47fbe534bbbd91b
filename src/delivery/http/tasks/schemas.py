from pydantic import BaseModel


class TaskAcceptedOut(BaseModel):
    task_id: str
