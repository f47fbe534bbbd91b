"""Opaque keyset cursors: clients pass them back unchanged and never build them."""

import base64
import binascii

_PREFIX = "todo:"


class InvalidCursorError(ValueError):
    pass


def encode_cursor(before_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{before_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id the next page starts below."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursorError(cursor) from exc
    value = text.removeprefix(_PREFIX)
    if value == text or not value.isdigit() or len(value) > 19:
        raise InvalidCursorError(cursor)
    return int(value)
