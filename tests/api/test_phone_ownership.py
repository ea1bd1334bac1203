"""A phone number belongs to the people who proved it (issue 12).

Before: anyone could register a sponsor with a worker's phone (`POST /api/v1/sponsors`,
unverified, unthrottled); the sponsor account then won the phone's sign-in and the worker got
403 on their own card. Now a sponsor's sign-up needs the code sent to the phone, a phone with
several accounts asks which one at sign-in, and sign-ups are braked per address and per phone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from tests.support import people
from tests.support.auth import (
    FormClient,
    csrf_of,
    last_code,
    phone_bearer,
    sign_up_code,
    web_sign_up_code,
)

PROBLEM = "application/problem+json"
WORKER_PHONE = "+6281234567890"


def worker(**changes: Any) -> dict[str, Any]:
    return people.worker(programs=["JKK", "JKM"]) | changes


def household(serial: int = 3, **changes: Any) -> dict[str, Any]:
    """A stranger registering a sponsor with the worker's phone."""
    return (
        people.household(
            name="Orang Asing",
            phone=WORKER_PHONE,
            address="",
            nik=build_nik("327101", dt.date(1970, 1, 5), "M", serial),
        )
        | changes
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def member_id(client: TestClient) -> str:
    """A worker enrolled at the branch, whose account signs in with WORKER_PHONE."""
    response = client.post("/api/v1/members", json=worker())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def elsewhere(container: Container) -> Iterator[Any]:
    """Clients from addresses of their own (`elsewhere("10.0.0.7")`)."""
    opened: list[TestClient] = []

    def open_at(address: str) -> TestClient:
        client = FormClient(
            create_app(container), raise_server_exceptions=False, client=(address, 4000)
        )
        client.__enter__()
        opened.append(client)
        return client

    yield open_at
    for client in opened:
        client.__exit__(None, None, None)


# --- the takeover, end to end ------------------------------------------------------------------


def test_a_stranger_cannot_sign_up_with_a_workers_phone_and_the_worker_keeps_their_card(
    anonymous: TestClient, elsewhere: Any, provider: RecordingProvider, member_id: str
) -> None:
    # Without a code: refused by the schema, naming the missing field.
    bare = anonymous.post("/api/v1/sponsors", json=household())
    assert bare.status_code == 422
    assert bare.headers["content-type"] == PROBLEM
    assert [e["field"] for e in bare.json()["errors"]] == ["phone_code"]
    # An empty code: the service's rule.
    empty = anonymous.post("/api/v1/sponsors", json=household(phone_code=" "))
    assert empty.status_code == 422
    assert {e["rule"] for e in empty.json()["errors"]} == {"access.phone_proof.required"}
    # The stranger asks for a code: it goes to the worker's phone, not to the stranger, who
    # then guesses.
    sent = sign_up_code(anonymous, provider, WORKER_PHONE)
    guessed = anonymous.post("/api/v1/sponsors", json=household(phone_code=wrong(sent)))
    assert guessed.status_code == 401
    assert guessed.headers["content-type"] == PROBLEM
    assert guessed.json()["rule"] == "access.code.wrong"
    # The worker's own sign-in code is no sign-up code (the digest is bound to its purpose).
    assert anonymous.post("/api/v1/auth/code", json={"phone": WORKER_PHONE}).status_code == 202
    sign_in = last_code(provider, WORKER_PHONE)
    borrowed = anonymous.post("/api/v1/sponsors", json=household(serial=4, phone_code=sign_in))
    assert borrowed.status_code == 401

    # The worker signs in with their phone as before and reads their own card.
    worker_client = elsewhere("10.0.0.2")
    headers = phone_bearer(worker_client, provider, WORKER_PHONE)
    me = worker_client.get("/api/v1/auth/me", headers=headers).json()
    assert (me["role"], me["member_id"]) == ("worker", member_id)
    card = worker_client.get(f"/api/v1/members/{member_id}", headers=headers)
    assert card.status_code == 200, card.text
    assert card.json()["full_name"] == "Siti Rahmawati"


# --- one phone, two accounts ------------------------------------------------------------------


def test_a_worker_who_also_sponsors_is_asked_which_account_and_gets_their_card_as_worker(
    anonymous: TestClient, provider: RecordingProvider, member_id: str
) -> None:
    # The worker herself signs up as a sponsor: she has the phone, so she has the code.
    code = sign_up_code(anonymous, provider, WORKER_PHONE)
    sponsor = anonymous.post(
        "/api/v1/sponsors", json=household(name="Siti Rahmawati", phone_code=code)
    )
    assert sponsor.status_code == 201, sponsor.text

    assert anonymous.post("/api/v1/auth/code", json={"phone": WORKER_PHONE}).status_code == 202
    code = last_code(provider, WORKER_PHONE)
    asked = anonymous.post("/api/v1/auth/code/token", json={"phone": WORKER_PHONE, "code": code})

    assert asked.status_code == 409
    assert asked.headers["content-type"] == PROBLEM
    assert asked.json()["rule"] == "access.sign_in.choose_role"
    assert asked.json()["roles"] == ["sponsor", "worker"]
    # The same code, with the choice: no second SMS.
    chosen = anonymous.post(
        "/api/v1/auth/code/token", json={"phone": WORKER_PHONE, "code": code, "role": "worker"}
    )
    assert chosen.status_code == 200, chosen.text
    headers = {"Authorization": f"Bearer {chosen.json()['access_token']}"}
    assert anonymous.get("/api/v1/auth/me", headers=headers).json()["member_id"] == member_id
    assert anonymous.get(f"/api/v1/members/{member_id}", headers=headers).status_code == 200
    # ... and it was used by that sign-in: once only.
    again = anonymous.post(
        "/api/v1/auth/code/token", json={"phone": WORKER_PHONE, "code": code, "role": "sponsor"}
    )
    assert again.status_code == 401
    # The sponsor account is there for whoever chooses it.
    sponsor_headers = phone_bearer(anonymous, provider, WORKER_PHONE, role="sponsor")
    me = anonymous.get("/api/v1/auth/me", headers=sponsor_headers).json()
    assert (me["role"], me["sponsor_id"]) == ("sponsor", sponsor.json()["id"])


def test_the_phone_sign_in_page_asks_masuk_sebagai_after_the_code_without_a_second_code(
    anonymous: TestClient, provider: RecordingProvider, member_id: str
) -> None:
    code = sign_up_code(anonymous, provider, WORKER_PHONE)
    assert anonymous.post("/api/v1/sponsors", json=household(phone_code=code)).status_code == 201
    token = csrf_of(anonymous, "/masuk/hp")
    anonymous.post("/masuk/hp", data={"csrf_token": token, "phone": WORKER_PHONE})
    sent = len(provider.delivered)
    code = last_code(provider, WORKER_PHONE)

    page = anonymous.post("/masuk/kode", data={"phone": WORKER_PHONE, "code": code})

    assert page.status_code == 200
    assert "Masuk sebagai:" in page.text
    buttons = re.findall(
        r'<button type="submit" name="role" value="(\w+)"[^>]*>([^<]+)<', page.text
    )
    assert buttons == [("worker", "Pekerja"), ("sponsor", "Sponsor")]
    chosen = anonymous.post(
        "/masuk/kode",
        data={"phone": WORKER_PHONE, "code": code, "role": "worker"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303, chosen.text
    assert chosen.headers["location"] == f"/peserta/{member_id}"
    assert len(provider.delivered) == sent  # no second code was needed
    assert anonymous.get(f"/peserta/{member_id}").status_code == 200


# --- the sponsor page in two steps ---------------------------------------------------------------


def test_the_sponsor_page_sends_the_code_first_then_registers_with_it(
    anonymous: TestClient, provider: RecordingProvider
) -> None:
    first = anonymous.get("/sponsor/baru")
    assert first.status_code == 200
    assert 'action="/sponsor/baru/kode"' in first.text
    assert 'name="nik"' not in first.text  # step 1 asks for the phone only

    second = anonymous.post("/sponsor/baru/kode", data={"phone": "0857-1234-5678"})
    assert second.status_code == 200
    assert "Kode sudah dikirim lewat SMS ke 0857-1234-5678" in second.text
    assert 'name="phone_code"' in second.text and 'name="nik"' in second.text
    code = last_code(provider, "+6285712345678")
    form = {
        "kind": "person",
        "nik": build_nik("327101", dt.date(1970, 1, 5), "F", 3),
        "name": "Ibu Ratna Kartika",
        "phone": "0857-1234-5678",
        "provinsi": "32",
        "kabupaten": "32.71",
        "kecamatan": "32.71.01",
        "region_code": "32.71.01.1001",
        "address": "",
    }
    refused = anonymous.post("/sponsor/baru", data=form | {"phone_code": wrong(code)})
    assert refused.status_code == 401
    assert re.search(r'id="galat-phone_code"[^>]*>.*Kode salah', refused.text, re.S)
    assert "Ibu Ratna Kartika" in refused.text  # what was typed is kept

    done = anonymous.post("/sponsor/baru", data=form | {"phone_code": code}, follow_redirects=False)

    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/masuk/hp?terdaftar=1"
    assert phone_bearer(anonymous, provider, "+6285712345678")  # her phone signs her in
    english = anonymous.get("/sponsor/baru?lang=en").text
    assert "Step 1 of 2" in english and "Send the code" in english


def test_an_officer_at_the_counter_registers_a_sponsor_with_the_code_from_the_persons_phone(
    client: TestClient, provider: RecordingProvider
) -> None:
    form = {
        "kind": "business",
        "nib": "9876543210987",
        "name": "Toko Sinar",
        "phone": "0857-1234-5678",
        "provinsi": "32",
        "kabupaten": "32.71",
        "kecamatan": "32.71.01",
        "region_code": "32.71.01.1001",
        "address": "",
    }
    without = client.post("/sponsor/baru", data=form)
    assert without.status_code == 422
    code = web_sign_up_code(client, provider, form["phone"])

    done = client.post("/sponsor/baru", data=form | {"phone_code": code}, follow_redirects=False)

    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/sponsor/")


# --- the brake -------------------------------------------------------------------------------


def test_sign_ups_from_one_address_are_braked_with_429_and_retry_after(
    anonymous: TestClient, client: TestClient
) -> None:
    statuses = [
        anonymous.post(
            "/api/v1/sponsors",
            json=household(serial=10 + n, phone=f"+62812000011{n:02d}", phone_code="000000"),
        ).status_code
        for n in range(20)
    ]
    assert statuses == [401] * 20  # no code was sent to these phones: each attempt fails

    braked = anonymous.post(
        "/api/v1/sponsors",
        json=household(serial=40, phone="+6281200001199", phone_code="000000"),
    )

    assert braked.status_code == 429
    assert braked.headers["content-type"] == PROBLEM
    assert braked.json()["rule"] == "access.sign_up.per_address"
    assert int(braked.headers["Retry-After"]) > 0
    # Asking for codes is the same brake: no SMS pumping from this address either.
    codes = anonymous.post("/api/v1/sponsors/phone-code", json={"phone": "+6281200001198"})
    assert codes.status_code == 429
    assert int(codes.headers["Retry-After"]) > 0
    page = anonymous.post("/sponsor/baru/kode", data={"phone": "0812-0000-1198"})
    assert page.status_code == 429
    assert "Terlalu banyak pendaftaran dari alamat ini" in page.text
    assert int(page.headers["Retry-After"]) > 0
    # An officer at the counter behind the same address is counted on their own account.
    officer = client.post("/api/v1/sponsors/phone-code", json={"phone": "+6281200001198"})
    assert officer.status_code == 202, officer.text


def test_sign_ups_for_one_phone_are_braked_whatever_the_address(
    elsewhere: Any, provider: RecordingProvider
) -> None:
    statuses = [
        elsewhere(f"10.0.1.{n}")
        .post("/api/v1/sponsors", json=household(serial=10 + n, phone_code="000000"))
        .status_code
        for n in range(6)
    ]
    assert statuses == [401] * 6

    braked = elsewhere("10.0.1.99").post(
        "/api/v1/sponsors", json=household(serial=99, phone_code="000000")
    )

    assert braked.status_code == 429
    assert braked.json()["rule"] == "access.sign_up.per_phone"
    assert int(braked.headers["Retry-After"]) > 0
    asked = elsewhere("10.0.1.98").post("/api/v1/sponsors/phone-code", json={"phone": WORKER_PHONE})
    assert asked.status_code == 429
    assert provider.last_to(WORKER_PHONE) is None  # nothing reached the phone


def test_the_openapi_schema_documents_the_phone_proof_and_the_account_choice(
    anonymous: TestClient,
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]

    assert {"202", "422", "429"} <= set(paths["/api/v1/sponsors/phone-code"]["post"]["responses"])
    assert {"401", "429"} <= set(paths["/api/v1/sponsors"]["post"]["responses"])
    assert "409" in paths["/api/v1/auth/code/token"]["post"]["responses"]
    body = paths["/api/v1/sponsors"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/SponsorCreate")
    components = anonymous.get("/openapi.json").json()["components"]["schemas"]
    assert "phone_code" in components["SponsorCreate"]["required"]
