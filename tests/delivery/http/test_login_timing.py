"""An unknown username costs a login as much time as a wrong password: names cannot be probed.

The tests' MD5 hasher is too fast to show a difference, so this test hashes with PBKDF2 (fewer
rounds than production, the same work per round): a miss that skipped hashing would be many
times faster than a wrong password.
"""

import statistics
import time

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from fastapi.testclient import TestClient
from pytest_django.fixtures import Settings

from tests.delivery.http.conftest import sign_up

ATTEMPTS = 21
MAX_RATIO = 1.5


class CostlyHasher(PBKDF2PasswordHasher):
    iterations = 50_000


def _attempt_s(client: TestClient, username: str) -> float:
    started = time.perf_counter()
    response = client.post(
        "/v1/users/me/token", json={"username": username, "password": "wrong-guess-1"}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 401
    return elapsed


def test_unknown_user_and_wrong_password_take_about_as_long(
    client: TestClient, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.CostlyHasher"]
    sign_up(client, "alice")
    _attempt_s(client, "alice")  # warm up both paths
    _attempt_s(client, "nobody")

    # Interleaved, so a busy machine slows both alike.
    times: dict[str, list[float]] = {"alice": [], "nobody": []}
    for _ in range(ATTEMPTS):
        for username, samples in times.items():
            samples.append(_attempt_s(client, username))
    wrong_password = statistics.median(times["alice"])
    unknown_user = statistics.median(times["nobody"])

    ratio = max(wrong_password, unknown_user) / min(wrong_password, unknown_user)
    print(
        f"medians: wrong password {wrong_password * 1000:.1f} ms, unknown user "
        f"{unknown_user * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    assert wrong_password > 0.005, "the hasher must cost something for the test to mean anything"
    assert ratio < MAX_RATIO
