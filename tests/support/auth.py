"""Signing test clients in the way people do: staff with a password, workers and sponsors
with the code the (recording) message provider received."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from sertakan.access.actor import Actor
from sertakan.access.passwords import PasswordHasher
from sertakan.access.roles import Role
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.phones import normalize_mobile

CONSOLE = Actor.console("test")
PASSWORD = "uji-coba-kata-sandi-panjang"
BRANCH = "BOGOR_KOTA"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r"\b(\d{6})\b")


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(cheap=True)


def make_staff(container: Container, role: Role, username: str | None = None) -> str:
    """Create a staff (or agent) account through the admin use case; returns the username."""
    name = username or role.value
    container.access.create_staff_account(
        CONSOLE,
        role=role,
        username=name,
        password=PASSWORD,
        display_name=f"Uji {role.value}",
        branch_code=BRANCH if role.is_branch_staff else None,
    )
    return name


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def last_code(provider: RecordingProvider, phone_e164: str) -> str:
    message = provider.last_to(phone_e164)
    assert message is not None, f"no message was sent to {phone_e164}"
    found = _CODE.search(message.body)
    assert found, message.body
    return found.group(1)


def sign_up_code(client: TestClient, provider: RecordingProvider, phone: str) -> str:
    """Prove a phone for a sponsor's sign-up through the API: ask for the code and read it
    from the phone (the recording provider), as the person registering does."""
    response = client.post("/api/v1/sponsors/phone-code", json={"phone": phone})
    assert response.status_code == 202, response.text
    return last_code(provider, normalize_mobile(phone))


def web_sign_up_code(client: TestClient, provider: RecordingProvider, phone: str) -> str:
    """The same through the page's first step (`/sponsor/baru/kode`)."""
    response = client.post("/sponsor/baru/kode", data={"phone": phone})
    assert response.status_code == 200, response.text
    return last_code(provider, normalize_mobile(phone))


def phone_bearer(
    client: TestClient, provider: RecordingProvider, phone_e164: str, role: str | None = None
) -> dict[str, str]:
    assert client.post("/api/v1/auth/code", json={"phone": phone_e164}).status_code == 202
    body: dict[str, Any] = {"phone": phone_e164, "code": last_code(provider, phone_e164)}
    if role:
        body["role"] = role
    response = client.post("/api/v1/auth/code/token", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_of(client: TestClient, path: str = "/masuk") -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


class FormClient(TestClient):
    """A page client that sends the CSRF token with every form, as the pages' forms do.
    (Tests of the CSRF check itself post through `raw_post`.)"""

    def post(self, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        data = kwargs.get("data")
        if not str(url).startswith("/api/") and (data is None or isinstance(data, dict)):
            kwargs["data"] = {"csrf_token": csrf_of(self), **(data or {})}
        return super().post(url, *args, **kwargs)

    def raw_post(self, url: str, **kwargs: Any) -> Any:
        return super().post(url, **kwargs)


def web_sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/masuk",
        data={"csrf_token": csrf_of(client), "username": username, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def web_phone_sign_in(client: TestClient, provider: RecordingProvider, phone_e164: str) -> None:
    token = csrf_of(client, "/masuk/hp")
    assert (
        client.post("/masuk/hp", data={"csrf_token": token, "phone": phone_e164}).status_code == 200
    )
    response = client.post(
        "/masuk/kode",
        data={
            "csrf_token": csrf_of(client, "/masuk/hp"),
            "phone": phone_e164,
            "code": last_code(provider, phone_e164),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
