from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from core.user.passwords import ASCII_DIGITS, min_password_length

# Django's username characters, in ASCII: `\w` means ASCII in JSON Schema's regex dialect, and
# Unicode in Python's and Rust's, so the schema spells the class out to mean one thing to all of
# them (and look-alike letters of other scripts cannot imitate a name).
Username = Annotated[
    str, StringConstraints(min_length=1, max_length=150, pattern=r"^[A-Za-z0-9_.@+-]+$")
]
# The length Django's validators require, and not only digits; the upper bound keeps a hostile
# request from buying seconds of hashing. Common passwords and ones too like the user's details
# cannot be stated here: they answer 422 `password_invalid` (see the sign-up's 422).
NewPassword = Annotated[
    str,
    Field(min_length=min_password_length(), max_length=1024, pattern=f"[^{ASCII_DIGITS}]"),
]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
# No U+0000 in what is stored or looked up: PostgreSQL's text cannot hold it.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, Field(max_length=150, pattern=NO_NUL)]
# email-validator refuses special-use domains (RFC 6761: no mail is delivered there); the schema
# says so with a pattern (only in the schema: pydantic's regex engine has no look-ahead).
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")
_ANY_CASE = "|".join("".join(f"[{c}{c.upper()}]" for c in name) for name in _SPECIAL_USE)
Email = Annotated[
    EmailStr,
    Field(max_length=254, json_schema_extra={"pattern": rf"^(?!.*[@.](?:{_ANY_CASE})$)"}),
]


# Strict: JSON's types as the schema states them (no numbers where strings go).
class SignUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Username
    email: Email
    password: NewPassword
    first_name: Name = ""
    last_name: Name = ""


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class LoginIn(BaseModel):
    model_config = ConfigDict(strict=True)

    username: Annotated[str, Field(min_length=1, max_length=150, pattern=NO_NUL)]
    password: Password


class RefreshTokenIn(BaseModel):
    model_config = ConfigDict(strict=True)

    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int
