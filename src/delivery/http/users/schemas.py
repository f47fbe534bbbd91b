from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

# Django's own username rule (UnicodeUsernameValidator), checked before any database work.
Username = Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")]
# The upper bound keeps a hostile request from buying seconds of hashing.
Password = Annotated[str, Field(min_length=1, max_length=1024)]
Name = Annotated[str, Field(max_length=150)]


class SignUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    email: EmailStr
    password: Password
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
    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: Password


class RefreshTokenIn(BaseModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int
