"""Facts about the HTTP client that several controllers use."""

from fastapi import Request


def client_address(request: Request) -> str:
    """The peer address; behind a proxy, run uvicorn with `--proxy-headers` to get the real one."""
    return request.client.host if request.client else "unknown"
