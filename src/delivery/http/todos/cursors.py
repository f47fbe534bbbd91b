"""Keyset cursors: clients pass them back unchanged and never build them.

A cursor is the id the next page starts below, as 8 bytes (big-endian) in unpadded base64url:
always 11 characters, the last one carrying only 4 bits. `CURSOR_PATTERN` says exactly that, and
every string it matches decodes to some id, so any cursor the schema allows is answered with a
page (an empty one when no todo lies below it).
"""

import base64
import re

CURSOR_PATTERN = r"^[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]$"
_MAX_ID = 2**63 - 1  # ids are signed 64-bit; any larger cursor lies above every todo
_MATCHES = re.compile(CURSOR_PATTERN).fullmatch


class InvalidCursorError(ValueError):
    """Only for callers that skip the schema: through the API, the pattern has refused it."""


def encode_cursor(before_id: int) -> str:
    return base64.urlsafe_b64encode(before_id.to_bytes(8, "big")).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id the next page starts below; `InvalidCursorError` where the pattern does not match."""
    if not _MATCHES(cursor):
        raise InvalidCursorError(cursor)
    value = int.from_bytes(base64.urlsafe_b64decode(cursor + "="), "big")
    return min(value, _MAX_ID)
