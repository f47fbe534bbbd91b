"""Logins, refresh-token rotation and revocation."""

from fastapi.testclient import TestClient

from core.user.models import RefreshSession, User
from tests.delivery.http.conftest import PASSWORD, bearer, log_in, sign_up


def test_login_answers_a_bearer_token_pair(client: TestClient) -> None:
    sign_up(client, "alice")

    tokens = log_in(client, "alice")

    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] > 0
    assert client.get("/v1/users/me", headers=bearer(tokens)).json()["username"] == "alice"


def test_only_a_hash_of_the_refresh_token_is_stored(client: TestClient) -> None:
    sign_up(client, "alice")
    tokens = log_in(client, "alice")

    stored = RefreshSession.objects.get()
    assert tokens["refresh_token"] not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_wrong_password_and_unknown_user_answer_the_same_401(client: TestClient) -> None:
    sign_up(client, "alice")

    wrong = client.post(
        "/v1/users/me/token", json={"username": "alice", "password": "nope-nope-nope"}
    )
    unknown = client.post("/v1/users/me/token", json={"username": "nobody", "password": PASSWORD})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_inactive_user_cannot_log_in(client: TestClient) -> None:
    sign_up(client, "alice")
    User.objects.filter(username="alice").update(is_active=False)

    response = client.post("/v1/users/me/token", json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 401


def test_refresh_rotates_the_refresh_token(client: TestClient) -> None:
    sign_up(client, "alice")
    first = log_in(client, "alice")

    response = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token_type"] == "bearer"
    assert client.get("/v1/users/me", headers=bearer(second)).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_login(client: TestClient) -> None:
    sign_up(client, "alice")
    first = log_in(client, "alice")
    other_login = log_in(client, "alice")
    second = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": first["refresh_token"]}
    ).json()

    reuse = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": first["refresh_token"]}
    )
    successor = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": second["refresh_token"]}
    )

    assert reuse.status_code == 401
    assert reuse.headers["WWW-Authenticate"] == "Bearer"
    assert successor.status_code == 401
    # Only that login's family is revoked; another login of the same user keeps working.
    other = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": other_login["refresh_token"]}
    )
    assert other.status_code == 200


def test_revoke_ends_the_login(client: TestClient) -> None:
    sign_up(client, "alice")
    tokens = log_in(client, "alice")

    revoke = client.post(
        "/v1/users/me/token/revoke", json={"refresh_token": tokens["refresh_token"]}
    )
    refresh = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert revoke.status_code == 204
    assert refresh.status_code == 401


def test_revoking_an_unknown_token_reveals_nothing(client: TestClient) -> None:
    response = client.post("/v1/users/me/token/revoke", json={"refresh_token": "made-up"})

    assert response.status_code == 204


def test_unknown_refresh_token_answers_401(client: TestClient) -> None:
    response = client.post("/v1/users/me/token/refresh", json={"refresh_token": "made-up"})

    assert response.status_code == 401


def test_inactive_user_cannot_refresh(client: TestClient) -> None:
    sign_up(client, "alice")
    tokens = log_in(client, "alice")
    User.objects.filter(username="alice").update(is_active=False)

    response = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert response.status_code == 401


def test_expired_refresh_token_answers_401(client: TestClient) -> None:
    sign_up(client, "alice")
    tokens = log_in(client, "alice")
    RefreshSession.objects.update(expires_at="2000-01-01T00:00:00Z")

    response = client.post(
        "/v1/users/me/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert response.status_code == 401
