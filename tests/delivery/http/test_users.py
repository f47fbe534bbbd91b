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


def test_weak_password_answers_422_with_the_validators_messages(client: TestClient) -> None:
    response = client.post(
        "/v1/users/", json={"username": "dave", "email": "d@example.com", "password": "123"}
    )

    assert response.status_code == 422
    messages = [error["msg"] for error in response.json()["detail"]]
    assert any("too short" in message for message in messages)
    assert any("entirely numeric" in message for message in messages)
    assert all(error["loc"] == ["body", "password"] for error in response.json()["detail"])
    assert not User.objects.filter(username="dave").exists()


def test_password_like_the_username_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/users/",
        json={"username": "erinsmith", "email": "e@example.com", "password": "erinsmith1"},
    )

    assert response.status_code == 422
    assert "too similar" in response.text


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
