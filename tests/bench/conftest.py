from typing import Any


def ok(response: Any, code: int = 200) -> Any:
    """The JSON of a response that must have answered `code`."""
    assert response.status_code == code, response.text
    return response.json()
