import pytest
from fastapi.testclient import TestClient

from core.user.models import User
from tests.delivery.http.conftest import PASSWORD, sign_up


def test_sign_up_answers_201_with_the_user_and_never_the_password(client: TestClient) -> None:
    response = client.post(
        "/v1/users/",
        json={
            "username": "carol",
            "email": "carol@example.com",
            "password": PASSWORD,
            "first_name": "Carol",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "username": "carol",
        "email": "carol@example.com",
        "first_name": "Carol",
        "last_name": "",
    }
    assert "password" not in response.text
    assert User.objects.get(pk=body["id"]).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "problem"),
    [("1234567", "string_too_short"), ("12345678", "string_pattern_mismatch")],
)
def test_passwords_the_schema_describes_are_refused_by_the_schema(
    client: TestClient, password: str, problem: str
) -> None:
    """Length and "not only digits" are in the OpenAPI schema, so they are checked as it says."""
    response = client.post(
        "/v1/users/", json={"username": "dave", "email": "d@example.com", "password": password}
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"]) == (problem, ["body", "password"])
    assert not User.objects.filter(username="dave").exists()


@pytest.mark.parametrize(
    ("username", "password", "rule"),
    [
        ("dave", "password1", "password_too_common"),
        ("erinsmith", "erinsmith1", "password_too_similar"),
    ],
)
def test_rules_no_schema_can_state_answer_password_invalid_with_the_rule(
    client: TestClient, username: str, password: str, rule: str
) -> None:
    body = {"username": username, "email": f"{username}@example.com", "password": password}

    response = client.post("/v1/users/", json=body)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "password_invalid"
    assert error["loc"] == ["body", "password"]
    assert error["ctx"] == {"rule": rule}
    assert error["msg"]


def test_digits_of_other_scripts_are_not_all_digits(client: TestClient) -> None:
    """The numeric rule and the schema's `[^0-9]` say the same: only 0-9 make a numeric one."""
    arabic_indic = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    body = {"username": "hana", "email": "h@example.com", "password": arabic_indic}

    assert client.post("/v1/users/", json=body).status_code == 201


def test_taken_username_and_taken_email_answer_the_same_409(client: TestClient) -> None:
    sign_up(client, "frank")

    same_name = client.post(
        "/v1/users/", json={"username": "frank", "email": "other@example.com", "password": PASSWORD}
    )
    same_email = client.post(
        "/v1/users/",
        json={"username": "frank2", "email": "FRANK@example.com", "password": PASSWORD},
    )

    assert same_name.status_code == same_email.status_code == 409
    assert same_name.json() == same_email.json()
    assert User.objects.count() == 1


def test_malformed_sign_ups_answer_422(client: TestClient) -> None:
    bad_bodies = [
        {"username": "gina", "password": PASSWORD},
        {"username": "gina", "email": "not-an-email", "password": PASSWORD},
        {"username": "has space", "email": "g@example.com", "password": PASSWORD},
        {"username": "gin\u0430", "email": "g@example.com", "password": PASSWORD},  # Cyrillic a
        {"username": "gina\n", "email": "g@example.com", "password": PASSWORD},
        {"username": "gina", "email": "g@example.com", "password": PASSWORD, "is_staff": True},
    ]
    for body in bad_bodies:
        assert client.post("/v1/users/", json=body).status_code == 422, body
    assert User.objects.count() == 0


def test_me_returns_the_callers_account(client: TestClient, alice: dict[str, str]) -> None:
    response = client.get("/v1/users/me", headers=alice)

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_me_without_a_token_answers_401(client: TestClient) -> None:
    response = client.get("/v1/users/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_me_of_a_deactivated_user_answers_401(client: TestClient, alice: dict[str, str]) -> None:
    User.objects.filter(username="alice").update(is_active=False)

    assert client.get("/v1/users/me", headers=alice).status_code == 401
