"""Facts about the HTTP client that several controllers use."""

from fastapi import Request


def client_address(request: Request) -> str:
    """The peer address; behind a proxy, run uvicorn with `--proxy-headers` to get the real one."""
    return request.client.host if request.client else "unknown"


def login_subjects(request: Request, username: str | None) -> list[str]:
    """What a login attempt counts against: the address, and the account it claims (any case).

    The API's login and the admin's login form both count here, so neither door adds guesses.
    """
    subjects = [client_address(request)]
    if username:
        subjects.append(f"user:{username.lower()}")
    return subjects
