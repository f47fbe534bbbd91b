import time

import jwt
import pytest
from pydantic import SecretStr

from configs.auth import JWTSettings
from configs.core import DjangoSettings
from core.user.exceptions import InvalidAccessTokenError
from core.user.services.access_tokens import AccessTokenService

DJANGO = DjangoSettings(secret_key=SecretStr("d" * 50))


def _service(**jwt_settings: object) -> AccessTokenService:
    return AccessTokenService(
        _jwt_settings=JWTSettings.model_validate(jwt_settings), _django_settings=DJANGO
    )


def test_issued_tokens_verify_to_their_user() -> None:
    service = _service(secret_key="k" * 40)

    issued = service.issue(user_id=42)

    assert service.verify(issued.token) == 42
    assert issued.expires_in == 15 * 60


def test_claims_are_complete_and_typed_access() -> None:
    service = _service(secret_key="k" * 40, issuer="todo-test")

    claims = jwt.decode(
        service.issue(user_id=7).token, "k" * 40, algorithms=["HS256"], issuer="todo-test"
    )

    assert claims["sub"] == "7"
    assert claims["typ"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["jti"]
    assert jwt.get_unverified_header(service.issue(user_id=7).token)["alg"] == "HS256"


def test_every_token_has_its_own_jti() -> None:
    service = _service(secret_key="k" * 40)

    tokens = {service.issue(user_id=1).token for _ in range(5)}

    assert len(tokens) == 5


def test_without_a_jwt_key_one_is_derived_from_the_django_key_not_equal_to_it() -> None:
    service = _service(secret_key=None)  # the tests' environment sets JWT_SECRET_KEY
    token = service.issue(user_id=1).token

    assert service.verify(token) == 1
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, DJANGO.secret_key.get_secret_value(), algorithms=["HS256"])
    other_django = DjangoSettings(secret_key=SecretStr("e" * 50))
    other = AccessTokenService(
        _jwt_settings=JWTSettings(secret_key=None), _django_settings=other_django
    )
    with pytest.raises(InvalidAccessTokenError):
        other.verify(token)


def test_the_key_never_appears_in_repr() -> None:
    service = _service(secret_key="k" * 40)

    assert "kkkk" not in repr(service)


def test_a_token_verified_before_is_still_refused_once_expired() -> None:
    """Verification is cached per token; expiry must not be."""
    service = _service(secret_key="k" * 40, access_token_ttl_s=1)
    token = service.issue(user_id=3).token
    assert service.verify(token) == 3

    time.sleep(2.1)

    with pytest.raises(InvalidAccessTokenError):
        service.verify(token)


def test_leeway_extends_expiry() -> None:
    service = _service(secret_key="k" * 40, leeway_s=30)
    now = int(time.time())
    claims = {
        "sub": "5",
        "iat": now - 20,
        "exp": now - 10,
        "jti": "x",
        "typ": "access",
        "iss": "todo-service",
    }

    assert service.verify(jwt.encode(claims, "k" * 40, algorithm="HS256")) == 5
