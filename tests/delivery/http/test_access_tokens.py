"""Every defect of an access token answers 401 with `WWW-Authenticate: Bearer`."""

import os
import time
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.delivery.http.conftest import log_in, sign_up


def _claims(user_id: int, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + 60,
        "jti": "j1",
        "typ": "access",
        "iss": "todo-service",
    }
    return {k: v for k, v in (claims | changes).items() if v is not None}


def _signed(claims: dict[str, Any], key: str | None = None) -> str:
    return jwt.encode(claims, key or os.environ["JWT_SECRET_KEY"], algorithm="HS256")


@pytest.fixture
def user_id(client: TestClient) -> int:
    return int(sign_up(client, "alice")["id"])


def test_a_well_formed_token_is_accepted(client: TestClient, user_id: int) -> None:
    """The control for the cases below: the same claims, correctly signed, work."""
    response = client.get(
        "/v1/users/me", headers={"Authorization": f"Bearer {_signed(_claims(user_id))}"}
    )

    assert response.status_code == 200


def _bad_tokens(user_id: int) -> dict[str, str]:
    unsigned = jwt.encode(_claims(user_id), key=None, algorithm="none")
    return {
        "expired": _signed(_claims(user_id, iat=int(time.time()) - 120, exp=int(time.time()) - 60)),
        "forged": _signed(_claims(user_id), key="another-secret-key-of-the-right-length!"),
        "alg_none": unsigned,
        "alg_none_stripped": unsigned.rstrip(".") + ".",
        "wrong_typ": _signed(_claims(user_id, typ="refresh")),
        "no_typ": _signed(_claims(user_id, typ=None)),
        "no_jti": _signed(_claims(user_id, jti=None)),
        "no_exp": _signed(_claims(user_id, exp=None)),
        "wrong_issuer": _signed(_claims(user_id, iss="someone-else")),
        "bad_subject": _signed(_claims(user_id, sub="alice")),
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "expired",
        "forged",
        "alg_none",
        "alg_none_stripped",
        "wrong_typ",
        "no_typ",
        "no_jti",
        "no_exp",
        "wrong_issuer",
        "bad_subject",
        "garbage",
    ],
)
def test_bad_access_tokens_answer_401(client: TestClient, user_id: int, kind: str) -> None:
    token = _bad_tokens(user_id)[kind]

    for path in ("/v1/users/me", "/v1/todos"):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (kind, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_missing_or_non_bearer_credentials_answer_401(client: TestClient, user_id: int) -> None:
    for headers in ({}, {"Authorization": "Basic YWxpY2U6cHc="}, {"Authorization": "Bearer"}):
        response = client.get("/v1/todos", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_refresh_token_is_not_an_access_token(client: TestClient, user_id: int) -> None:
    tokens = log_in(client, "alice")

    response = client.get(
        "/v1/todos", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )

    assert response.status_code == 401
