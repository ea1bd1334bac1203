"""Every bad input of issue 4 gets a clear answer, changes nothing, and leaves its own trace
in the audit trail.

Wrong, expired, reused and worn-out one-time codes; too many code requests; forged, expired
and revoked bearer tokens; a form without its CSRF token; a sponsor guessing another sponsor's
worker; wrong passwords (a growing delay, then a lock); a role change that ends the old
sessions; an auditor who tries to change something; and the four-eyes rule on consent
attestations. The clock is the container's FixedClock (25 November 2026, 09:00 WIB), moved
forward where time matters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from sertakan.access.actor import Actor
from sertakan.access.errors import SignInLocked, SignInRefused
from sertakan.access.model import TokenKind
from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.audit.model import AuditEvent, Outcome
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.model import Consent
from tests.support.auth import (
    CONSOLE,
    PASSWORD,
    FormClient,
    bearer,
    last_code,
    make_staff,
    phone_bearer,
    web_sign_up_code,
)
from tests.support.builders import a_sponsor, a_worker

PROBLEM = "application/problem+json"
SPONSOR_PHONE = "+6281298765432"
OTHER_SPONSOR_PHONE = "+6281377778888"
WORKER_PHONE = "+6281234567890"


# --- the world ------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    sponsor_id: str
    other_sponsor_id: str
    member_id: str  # Siti, enrolled by the officer for the first sponsor: consent pending
    sponsorship_id: str


@pytest.fixture
def world(container: Container) -> World:
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(phone=SPONSOR_PHONE, address=""),
    )
    other = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(
            kind="business",
            name="Warung Pak Darto",
            phone=OTHER_SPONSOR_PHONE,
            address="",
            nib="1234567890123",
            nik=None,
        ),
    )
    card = container.registry.enrol_member(
        officer(container),
        a_worker(
            phone=WORKER_PHONE,
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
            address="",
        ),
    )
    assert card.sponsorship is not None and card.sponsorship.consent is Consent.PENDING
    return World(sponsor.id, other.id, card.member.id, card.sponsorship.id)


def officer(container: Container) -> Actor:
    with container.uow() as uow:
        account = uow.accounts.by_username(Role.OFFICER.value)
    assert account is not None
    return container.access.actor_for(account)


@pytest.fixture
def api(container: Container) -> Iterator[FormClient]:
    """A fresh client nobody signed in to; tests sign it in as whom they need."""
    with FormClient(create_app(container), raise_server_exceptions=False) as fresh:
        yield fresh


def clock_of(container: Container) -> FixedClock:
    assert isinstance(container.clock, FixedClock)
    return container.clock


def audit_events(container: Container) -> list[AuditEvent]:
    with container.uow() as uow:
        return list(
            uow.audit.between(
                dt.datetime(2000, 1, 1, tzinfo=WIB), dt.datetime(2100, 1, 1, tzinfo=WIB)
            )
        )


def new_events(container: Container, before: list[AuditEvent]) -> list[AuditEvent]:
    return audit_events(container)[len(before) :]


def refused_as(response: object, status: int, rule: str) -> dict[str, object]:
    """The answer is a problem document of this status naming this rule, in both languages."""
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    headers = getattr(response, "headers", {})
    assert headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["rule"] == rule
    assert body["detail"] and body["detail_id"]
    return body


def request_code(client: TestClient, phone: str) -> int:
    return client.post("/api/v1/auth/code", json={"phone": phone}).status_code


def code_sign_in(client: TestClient, phone: str, code: str) -> object:
    return client.post("/api/v1/auth/code/token", json={"phone": phone, "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- one-time codes -------------------------------------------------------------------------


def test_a_wrong_sign_in_code_is_refused_signs_nobody_in_and_is_audited(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    assert request_code(api, SPONSOR_PHONE) == 202
    before = audit_events(container)

    response = code_sign_in(api, SPONSOR_PHONE, wrong(last_code(provider, SPONSOR_PHONE)))

    refused_as(response, 401, "access.code.wrong")
    assert "access_token" not in response.json()  # type: ignore[attr-defined]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")  # type: ignore[attr-defined]
    [logged] = new_events(container, before)
    assert (logged.action, logged.outcome, logged.reason) == (
        "code.check.sign_in",
        Outcome.REFUSED,
        "access.code.wrong",
    )


def test_a_right_code_typed_after_it_expired_is_refused(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    assert request_code(api, SPONSOR_PHONE) == 202
    code = last_code(provider, SPONSOR_PHONE)
    clock_of(container).moment += dt.timedelta(minutes=5)  # codes live 5 minutes
    before = audit_events(container)

    response = code_sign_in(api, SPONSOR_PHONE, code)

    refused_as(response, 401, "access.code.expired")
    assert [(e.action, e.reason) for e in new_events(container, before)] == [
        ("code.check.sign_in", "access.code.expired")
    ]


def test_a_code_just_before_it_expires_still_signs_in(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    assert request_code(api, SPONSOR_PHONE) == 202
    clock_of(container).moment += dt.timedelta(minutes=4, seconds=59)

    response = code_sign_in(api, SPONSOR_PHONE, last_code(provider, SPONSOR_PHONE))

    assert response.status_code == 200, response.text  # type: ignore[attr-defined]


def test_a_code_that_signed_in_once_cannot_sign_in_again(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    assert request_code(api, SPONSOR_PHONE) == 202
    code = last_code(provider, SPONSOR_PHONE)
    assert code_sign_in(api, SPONSOR_PHONE, code).status_code == 200  # type: ignore[attr-defined]
    before = audit_events(container)

    response = code_sign_in(api, SPONSOR_PHONE, code)

    refused_as(response, 401, "access.code.used")
    assert [(e.action, e.outcome) for e in new_events(container, before)] == [
        ("code.check.sign_in", Outcome.REFUSED)
    ]


def test_after_five_wrong_codes_even_the_right_code_is_refused(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    assert request_code(api, SPONSOR_PHONE) == 202
    code = last_code(provider, SPONSOR_PHONE)
    before = audit_events(container)

    for _ in range(5):
        refused_as(code_sign_in(api, SPONSOR_PHONE, wrong(code)), 401, "access.code.wrong")
    response = code_sign_in(api, SPONSOR_PHONE, code)

    refused_as(response, 401, "access.code.too_many_attempts")
    assert [e.reason for e in new_events(container, before)] == [
        *["access.code.wrong"] * 5,
        "access.code.too_many_attempts",
    ]
    assert all(e.outcome is Outcome.REFUSED for e in new_events(container, before))


def test_a_wrong_consent_code_leaves_the_sponsorship_waiting_and_is_audited(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    code = last_code(provider, WORKER_PHONE)
    before = audit_events(container)

    response = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/consent", json={"code": wrong(code)}
    )

    refused_as(response, 401, "access.code.wrong")
    line = container.sponsorships.line(world.sponsorship_id)
    assert line.sponsorship.consent is Consent.PENDING
    assert container.registry.sponsor_sheet(CONSOLE, world.sponsor_id).monthly_total == 0
    [logged] = new_events(container, before)
    assert (logged.action, logged.outcome, logged.reason) == (
        "code.check.consent",
        Outcome.REFUSED,
        "access.code.wrong",
    )
    # The right code still works afterwards: one wrong try does not burn it.
    confirmed = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/consent", json={"code": code}
    )
    assert confirmed.status_code == 200 and confirmed.json()["consent"] == "given"


def test_a_sign_in_code_cannot_confirm_a_consent(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    """Codes are bound to their purpose: the worker's sign-in code is no consent."""
    assert request_code(api, WORKER_PHONE) == 202
    sign_in_code = last_code(provider, WORKER_PHONE)

    response = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/consent", json={"code": sign_in_code}
    )

    refused_as(response, 401, "access.code.wrong")
    assert container.sponsorships.line(world.sponsorship_id).sponsorship.consent is Consent.PENDING


def test_a_fourth_code_request_for_one_phone_within_15_minutes_answers_429_and_sends_nothing(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    for _ in range(3):
        assert request_code(api, SPONSOR_PHONE) == 202
    sent = len(provider.sent_to(SPONSOR_PHONE))
    before = audit_events(container)

    response = api.post("/api/v1/auth/code", json={"phone": SPONSOR_PHONE})

    refused_as(response, 429, "access.code.phone_limit")
    assert response.headers["Retry-After"] == "900"
    assert "15 menit" in response.json()["detail_id"]
    assert len(provider.sent_to(SPONSOR_PHONE)) == sent
    [logged] = new_events(container, before)
    assert (logged.action, logged.outcome, logged.reason) == (
        "code.issue.sign_in",
        Outcome.REFUSED,
        "access.code.phone_limit",
    )
    # Once the window has passed (the frozen clock refused at the very moment the codes were
    # issued, so one more second) the phone may ask again.
    clock_of(container).moment += dt.timedelta(minutes=15, seconds=1)
    assert request_code(api, SPONSOR_PHONE) == 202


def test_the_21st_code_request_from_one_address_within_an_hour_answers_429(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    # Distinct numbers: only the per-address limit can stop them. The officer's enrolment in
    # `world` was not made through this client, so all 20 are this address's.
    phones = [f"+62812555{n:05d}" for n in range(21)]
    for phone in phones[:20]:
        assert request_code(api, phone) == 202
    before = audit_events(container)

    response = api.post("/api/v1/auth/code", json={"phone": phones[20]})

    refused_as(response, 429, "access.code.ip_limit")
    assert response.headers["Retry-After"] == "3600"
    assert [e.reason for e in new_events(container, before)] == ["access.code.ip_limit"]


# --- bearer tokens --------------------------------------------------------------------------


def test_a_forged_bearer_token_answers_401_with_www_authenticate_and_is_audited(
    container: Container, api: TestClient
) -> None:
    before = audit_events(container)

    response = api.get("/api/v1/auth/me", headers={"Authorization": "Bearer made-up-token"})

    refused_as(response, 401, "access.token.invalid")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="sertakan"'
    [logged] = new_events(container, before)
    assert (logged.outcome, logged.reason, logged.entity_id) == (
        Outcome.DENIED,
        "access.token",
        "GET /api/v1/auth/me",
    )


def test_a_bearer_token_stops_working_after_15_minutes(
    container: Container, api: TestClient
) -> None:
    headers = bearer(api, Role.OFFICER.value)
    assert api.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock_of(container).moment += dt.timedelta(minutes=15)
    before = audit_events(container)

    response = api.get("/api/v1/auth/me", headers=headers)

    refused_as(response, 401, "access.token.invalid")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="sertakan"'
    assert [e.reason for e in new_events(container, before)] == ["access.token"]


def test_a_revoked_bearer_token_is_refused_from_then_on(
    container: Container, api: TestClient
) -> None:
    headers = bearer(api, Role.OFFICER.value)
    assert api.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    before = audit_events(container)

    response = api.get("/api/v1/auth/me", headers=headers)

    refused_as(response, 401, "access.token.invalid")
    assert [e.reason for e in new_events(container, before)] == ["access.token"]
    assert any(e.action == "account.sign_out" for e in before)


def test_a_member_read_checks_its_token_on_the_reads_own_thread_hop(
    container: Container, api: TestClient
) -> None:
    """GET /api/v1/members/{id} checks the sign-in inside its one thread hop
    (`RequiresOnThread`): a revoked token is refused there as everywhere, audited, and the
    member is not looked at; no token is a 401 (each role: test_permission_matrix)."""
    headers = bearer(api, Role.OFFICER.value)
    assert api.get("/api/v1/members/tidak-ada", headers=headers).status_code == 404
    assert api.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    before = audit_events(container)

    response = api.get("/api/v1/members/tidak-ada", headers=headers)

    refused_as(response, 401, "access.token.invalid")
    assert response.headers["Cache-Control"] == "no-store"
    assert [e.reason for e in new_events(container, before)] == ["access.token"]
    refused_as(api.get("/api/v1/members/tidak-ada"), 401, "access.unauthenticated")


def test_a_session_cookie_is_not_a_bearer_token(container: Container, api: TestClient) -> None:
    """The web session's secret must not open the API (a cross-site request could ride it)."""
    from tests.support.auth import web_sign_in

    web_sign_in(api, Role.OFFICER.value)
    cookie = api.cookies.get("sertakan_sesi")
    assert cookie

    response = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {cookie}"})

    refused_as(response, 401, "access.token.invalid")


# --- forms without their CSRF token ---------------------------------------------------------


SPONSOR_FORM = {
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


@pytest.mark.parametrize("token", [None, "a-token-from-another-session"], ids=["none", "forged"])
def test_a_form_posted_without_its_csrf_token_is_refused_and_creates_nothing(
    container: Container, client: FormClient, token: str | None, provider: RecordingProvider
) -> None:
    proven = SPONSOR_FORM | {
        "phone_code": web_sign_up_code(client, provider, SPONSOR_FORM["phone"])
    }
    sponsors_before = container.registry.list_sponsors(CONSOLE)
    before = audit_events(container)
    form = proven | ({"csrf_token": token} if token else {})

    response = client.raw_post("/sponsor/baru", data=form, follow_redirects=False)

    assert response.status_code == 403
    assert "Akses ditolak" in response.text
    assert "Formulir kedaluwarsa atau tidak sah" in response.text
    assert container.registry.list_sponsors(CONSOLE) == sponsors_before
    [logged] = new_events(container, before)
    assert (logged.action, logged.outcome, logged.reason, logged.actor_role) == (
        "csrf",
        Outcome.DENIED,
        "access.csrf",
        "officer",
    )
    # The same form with its token goes through: the refusal was the token's, nothing else.
    accepted = client.post("/sponsor/baru", data=proven, follow_redirects=False)
    assert accepted.status_code == 303, accepted.text


# --- scope ----------------------------------------------------------------------------------


def test_a_sponsor_guessing_another_sponsors_worker_id_gets_403_and_the_guess_is_audited(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    headers = phone_bearer(api, provider, OTHER_SPONSOR_PHONE)
    with container.uow() as uow:
        other_account = uow.accounts.for_sponsor(world.other_sponsor_id)
    assert other_account is not None
    before = audit_events(container)

    response = api.get(f"/api/v1/members/{world.member_id}", headers=headers)

    body = refused_as(response, 403, "access.scope")
    assert "Siti" not in response.text and "Rahmawati" not in response.text
    assert "wewenang" in str(body["detail_id"])
    [logged] = new_events(container, before)
    assert (logged.action, logged.entity_type, logged.entity_id) == (
        "member.read",
        "member",
        world.member_id,
    )
    assert (logged.outcome, logged.reason) == (Outcome.DENIED, "access.scope")
    assert (logged.actor_role, logged.actor_account_id) == ("sponsor", other_account.id)
    # ... and their own sheet, which they may open, does not list her.
    own = api.get(f"/api/v1/sponsors/{world.other_sponsor_id}", headers=headers)
    assert own.status_code == 200 and own.json()["workers"] == []


def test_a_sponsor_cannot_open_another_sponsors_sheet(
    container: Container, world: World, api: TestClient, provider: RecordingProvider
) -> None:
    headers = phone_bearer(api, provider, OTHER_SPONSOR_PHONE)
    before = audit_events(container)

    response = api.get(f"/api/v1/sponsors/{world.sponsor_id}", headers=headers)

    refused_as(response, 403, "access.scope")
    assert [(e.entity_id, e.outcome) for e in new_events(container, before)] == [
        (world.sponsor_id, Outcome.DENIED)
    ]


# --- passwords ------------------------------------------------------------------------------


def test_wrong_passwords_are_refused_alike_and_from_the_fourth_the_answer_is_held_back(
    container: Container, api: TestClient
) -> None:
    before = audit_events(container)
    answers = []
    for _ in range(4):
        started = time.monotonic()
        response = api.post(
            "/api/v1/auth/token", data={"username": "officer", "password": "salah-sekali-123"}
        )
        answers.append(time.monotonic() - started)
        refused_as(response, 401, "access.sign_in.wrong")
    unknown = api.post(
        "/api/v1/auth/token", data={"username": "tidak-ada", "password": "salah-sekali-123"}
    )

    # An unknown username gets the very same answer as a wrong password.
    assert unknown.json() == response.json()
    assert max(answers[:3]) < 0.9 <= answers[3]  # three free tries, then a 1-second brake
    logged = new_events(container, before)
    assert [(e.action, e.outcome, e.reason) for e in logged] == [
        ("account.sign_in", Outcome.REFUSED, "access.sign_in.wrong")
    ] * 5
    with container.uow() as uow:
        account = uow.accounts.by_username("officer")
    assert account is not None and account.failed_sign_ins == 4 and account.locked_until is None


def test_the_delay_doubles_after_three_failures_and_the_tenth_locks_the_address_out(
    container: Container,
) -> None:
    access = container.access
    client = CONSOLE
    delays = []
    for _ in range(10):
        with pytest.raises(SignInRefused) as refused:
            access.sign_in_with_password(
                "officer", "salah-sekali-123", kind=TokenKind.BEARER, client=client
            )
        assert refused.value.rule == "access.sign_in.wrong"
        delays.append(refused.value.delay.total_seconds())

    assert delays == [0, 0, 0, 1, 2, 4, 5, 5, 5, 5]
    now = clock_of(container).moment
    with container.uow() as uow:
        account = uow.accounts.by_username("officer")
    assert account is not None
    assert account.failed_sign_ins == 10
    # The lock is this address's (docs/security.md): the account as a whole is not locked.
    assert account.locked_until is None
    with container.uow() as uow:
        assert uow.accounts.sign_in_lock(account.id, "") == now + dt.timedelta(minutes=15)

    # Locked: even the right password is refused, with its own message, and audited.
    before = audit_events(container)
    with pytest.raises(SignInLocked) as locked:
        access.sign_in_with_password("officer", PASSWORD, kind=TokenKind.BEARER, client=client)
    assert locked.value.rule == "access.sign_in.locked"
    assert locked.value.retry_after_seconds == 15 * 60
    assert "dikunci" in locked.value.message_id
    assert [(e.outcome, e.reason) for e in new_events(container, before)] == [
        (Outcome.REFUSED, "access.sign_in.locked")
    ]

    # A quarter of an hour later the right password works and the count starts again.
    clock_of(container).moment = now + dt.timedelta(minutes=15)
    signed = access.sign_in_with_password("officer", PASSWORD, kind=TokenKind.BEARER, client=client)
    assert signed.account.failed_sign_ins == 0 and signed.account.locked_until is None


def test_a_locked_account_is_refused_through_the_api_with_the_right_password(
    container: Container, api: TestClient
) -> None:
    with container.uow() as uow:
        account = uow.accounts.by_username("officer")
        assert account is not None
        uow.accounts.update(
            dataclasses.replace(
                account,
                failed_sign_ins=10,
                locked_until=clock_of(container).moment + dt.timedelta(minutes=15),
            )
        )
        uow.commit()

    response = api.post("/api/v1/auth/token", data={"username": "officer", "password": PASSWORD})

    body = refused_as(response, 423, "access.sign_in.locked")
    assert "access_token" not in body
    assert response.headers["Retry-After"] == str(15 * 60)


# --- roles ----------------------------------------------------------------------------------


def test_a_role_change_by_the_admin_ends_the_targets_open_tokens_and_is_audited(
    container: Container, api: TestClient
) -> None:
    make_staff(container, Role.ADMIN)
    make_staff(container, Role.OFFICER, "petugas2")
    target = bearer(api, "petugas2")
    assert api.get("/api/v1/auth/me", headers=target).json()["role"] == "officer"
    with container.uow() as uow:
        account = uow.accounts.by_username("petugas2")
    assert account is not None
    before = audit_events(container)

    changed = api.put(
        f"/api/v1/accounts/{account.id}/role",
        json={"role": "auditor"},
        headers=bearer(api, Role.ADMIN.value),
    )

    assert changed.status_code == 200 and changed.json()["role"] == "auditor"
    refused_as(api.get("/api/v1/auth/me", headers=target), 401, "access.token.invalid")
    change = [e for e in new_events(container, before) if e.action == "account.change_role"]
    assert len(change) == 1
    assert change[0].before is not None and change[0].before["role"] == "officer"
    assert change[0].after is not None and change[0].after["role"] == "auditor"
    # Signing in again gives the new role.
    assert api.get("/api/v1/auth/me", headers=bearer(api, "petugas2")).json()["role"] == "auditor"


def test_an_auditors_attempt_to_change_something_is_refused_and_audited_as_denied(
    container: Container, world: World, api: TestClient
) -> None:
    make_staff(container, Role.AUDITOR)
    headers = bearer(api, Role.AUDITOR.value)
    with container.uow() as uow:
        auditor = uow.accounts.by_username("auditor")
    assert auditor is not None
    before = audit_events(container)

    response = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/end", json={}, headers=headers
    )

    refused_as(response, 403, "access.forbidden")
    assert container.sponsorships.line(world.sponsorship_id).sponsorship.until_month is None
    [logged] = new_events(container, before)
    assert (logged.action, logged.outcome, logged.reason) == (
        "sponsorship.end",
        Outcome.DENIED,
        "access.forbidden",
    )
    assert (logged.actor_role, logged.actor_account_id) == ("auditor", auditor.id)
    # The auditor reads the trail, and finds their own refused attempt in it.
    trail = api.get(
        "/api/v1/audit", params={"from": "2026-11-25", "to": "2026-11-25"}, headers=headers
    )
    assert trail.status_code == 200
    assert any(
        e["action"] == "sponsorship.end"
        and e["outcome"] == "denied"
        and e["actor_account_id"] == auditor.id
        for e in trail.json()
    )


# --- consent attested by staff --------------------------------------------------------------


ATTEST_REASON = {"reason": "Pekerja tidak punya HP; hadir di kantor cabang dengan KTP asli"}


def test_an_officers_attestation_waits_for_a_supervisor_before_the_sponsor_pays(
    container: Container, world: World, client: TestClient, api: TestClient
) -> None:
    attested = client.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/attest", json=ATTEST_REASON
    )

    assert attested.status_code == 200, attested.text
    assert attested.json()["consent"] == "awaiting_approval"
    assert container.registry.sponsor_sheet(CONSOLE, world.sponsor_id).monthly_total == 0

    make_staff(container, Role.SUPERVISOR)
    approved = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/approve",
        headers=bearer(api, Role.SUPERVISOR.value),
    )

    assert approved.status_code == 200, approved.text
    assert approved.json()["consent"] == "attested"
    assert container.registry.sponsor_sheet(CONSOLE, world.sponsor_id).monthly_total > 0


def test_an_officer_cannot_approve_their_own_attestation(
    container: Container, world: World, client: TestClient
) -> None:
    assert (
        client.post(
            f"/api/v1/sponsorships/{world.sponsorship_id}/attest", json=ATTEST_REASON
        ).status_code
        == 200
    )

    response = client.post(f"/api/v1/sponsorships/{world.sponsorship_id}/approve")

    refused_as(response, 403, "access.forbidden")
    assert (
        container.sponsorships.line(world.sponsorship_id).sponsorship.consent
        is Consent.AWAITING_APPROVAL
    )


def test_a_supervisor_cannot_approve_an_attestation_they_made_themselves(
    container: Container, world: World, client: TestClient, api: TestClient
) -> None:
    """Four eyes: the officer who attested is promoted to supervisor, then tries to approve
    their own attestation. Refused, audited, and it still waits for another supervisor."""
    assert (
        client.post(
            f"/api/v1/sponsorships/{world.sponsorship_id}/attest", json=ATTEST_REASON
        ).status_code
        == 200
    )
    make_staff(container, Role.ADMIN)
    with container.uow() as uow:
        account = uow.accounts.by_username(Role.OFFICER.value)
    assert account is not None
    promoted = api.put(
        f"/api/v1/accounts/{account.id}/role",
        json={"role": "supervisor", "branch_code": "BOGOR_KOTA"},
        headers=bearer(api, Role.ADMIN.value),
    )
    assert promoted.status_code == 200, promoted.text
    self_headers = bearer(api, Role.OFFICER.value)  # same account, now a supervisor
    before = audit_events(container)

    response = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/approve", headers=self_headers
    )

    refused_as(response, 403, "access.scope")
    assert (
        container.sponsorships.line(world.sponsorship_id).sponsorship.consent
        is Consent.AWAITING_APPROVAL
    )
    [logged] = new_events(container, before)
    assert (logged.action, logged.outcome, logged.actor_account_id) == (
        "sponsorship.approve_own",
        Outcome.DENIED,
        account.id,
    )
    # Another supervisor may.
    make_staff(container, Role.SUPERVISOR)
    other = api.post(
        f"/api/v1/sponsorships/{world.sponsorship_id}/approve",
        headers=bearer(api, Role.SUPERVISOR.value),
    )
    assert other.status_code == 200 and other.json()["consent"] == "attested"
