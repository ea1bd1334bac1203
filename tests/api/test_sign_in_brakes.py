"""A stranger's guesses lock the stranger out, not the staff member; one address trying many
accounts is braked; every 423 and 429 says when to come back (Retry-After); and no password
is ever checked while the database's write lock is held (issue 12, docs/security.md).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from sertakan.access.errors import SignInLocked, SignInRefused
from sertakan.access.model import TokenKind
from sertakan.access.passwords import PasswordHasher
from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.migrate import upgrade
from sertakan.store.tables import sign_in_failures
from tests.support.auth import CONSOLE, PASSWORD, FormClient
from tests.support.builders import open_branch
from tests.support.containers import test_settings as settings_for

STRANGER = "203.0.113.66"
HOLDER = "198.51.100.20"
WRONG = "salah-sekali-123"
PROBLEM = "application/problem+json"


def client_from(container: Container, address: str) -> FormClient:
    return FormClient(create_app(container), raise_server_exceptions=False, client=(address, 50000))


def stranger_guesses(container: Container, times: int) -> list[SignInRefused]:
    refusals = []
    for _ in range(times):
        with pytest.raises(SignInRefused) as refused:
            container.access.sign_in_with_password(
                "officer", WRONG, kind=TokenKind.BEARER, client=CONSOLE, client_ip=STRANGER
            )
        refusals.append(refused.value)
    return refusals


def test_a_strangers_failures_lock_the_stranger_out_not_the_holder(container: Container) -> None:
    refusals = stranger_guesses(container, 12)
    assert [r.rule.rsplit(".", 1)[1] for r in refusals] == ["wrong"] * 10 + ["locked"] * 2

    # The holder, from their own address, signs in at once (API and page).
    with client_from(container, HOLDER) as holder:
        token = holder.post(
            "/api/v1/auth/token", data={"username": "officer", "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        page = holder.post(
            "/masuk", data={"username": "officer", "password": PASSWORD}, follow_redirects=False
        )
        assert page.status_code == 303

    # The stranger stays locked out, even with the right password, and is told for how long.
    with client_from(container, STRANGER) as stranger:
        api = stranger.post(
            "/api/v1/auth/token", data={"username": "officer", "password": PASSWORD}
        )
        assert api.status_code == 423, api.text
        assert api.headers["content-type"].startswith(PROBLEM)
        assert api.json()["rule"] == "access.sign_in.locked"
        assert api.headers["Retry-After"] == str(15 * 60)
        assert "access_token" not in api.json()
        page = stranger.post(
            "/masuk", data={"username": "officer", "password": PASSWORD}, follow_redirects=False
        )
        assert page.status_code == 423
        assert page.headers["Retry-After"] == str(15 * 60)
        assert "dikunci" in page.text


def test_the_holders_success_does_not_unlock_the_stranger(container: Container) -> None:
    stranger_guesses(container, 10)
    signed = container.access.sign_in_with_password(
        "officer", PASSWORD, kind=TokenKind.BEARER, client=CONSOLE, client_ip=HOLDER
    )
    assert signed.secret
    with pytest.raises(SignInLocked):
        container.access.sign_in_with_password(
            "officer", PASSWORD, kind=TokenKind.BEARER, client=CONSOLE, client_ip=STRANGER
        )


def test_one_address_trying_many_usernames_is_braked_with_429_and_retry_after(
    container: Container,
) -> None:
    limit = int(container.settings.sign_in_per_address.split("/")[0])
    with client_from(container, STRANGER) as stranger:
        answers = [
            stranger.post("/api/v1/auth/token", data={"username": f"tamu{n}", "password": WRONG})
            for n in range(limit + 1)
        ]
        page = stranger.post(
            "/masuk", data={"username": "officer", "password": PASSWORD}, follow_redirects=False
        )
    assert [a.status_code for a in answers] == [401] * limit + [429]
    assert answers[-1].json()["rule"] == "access.sign_in.too_many"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    # The page answers the same, with the form and the wait; the right password is not
    # even checked from that address for now.
    assert page.status_code == 429
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    # Another address is not braked.
    with client_from(container, HOLDER) as holder:
        ok = holder.post("/api/v1/auth/token", data={"username": "officer", "password": PASSWORD})
    assert ok.status_code == 200


def test_code_sign_in_is_braked_per_address_and_the_pages_429_carry_retry_after(
    container: Container,
) -> None:
    limit = int(container.settings.sign_in_per_address.split("/")[0])
    with client_from(container, STRANGER) as stranger:
        answers = [
            stranger.post(
                "/api/v1/auth/code/token", json={"phone": f"0812{n:08d}", "code": "123456"}
            )
            for n in range(limit + 1)
        ]
        page = stranger.post("/masuk/kode", data={"phone": "081200000001", "code": "123456"})
    assert [a.status_code for a in answers] == [401] * limit + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1


# --- no password is checked while the write lock is held -------------------------------------


class WriteLockProbe(PasswordHasher):
    """The cheap test hasher that, each time it checks a password, tries to take SQLite's write
    lock from a connection of its own without waiting: it succeeds only when no transaction of
    the app holds it."""

    def __init__(self) -> None:
        super().__init__(cheap=True)
        self.database: Path | None = None
        self.lock_was_free: list[bool] = []

    def verify_or_dummy(self, password_hash: str | None, password: str) -> bool:
        assert self.database is not None
        probe = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            self.lock_was_free.append(True)
        except sqlite3.OperationalError:  # "database is locked"
            self.lock_was_free.append(False)
        finally:
            probe.close()
        return super().verify_or_dummy(password_hash, password)


@pytest.fixture
def probed(tmp_path: Path) -> Iterator[tuple[Container, WriteLockProbe]]:
    probe = WriteLockProbe()
    database = tmp_path / "probed.db"
    container = bootstrap(
        settings_for(tmp_path, database_url=f"sqlite:///{database}"),
        hasher=probe,
        provider=RecordingProvider(),
    )
    upgrade(container.engine)
    open_branch(container, Role.OFFICER)
    probe.database = database
    yield container, probe
    container.engine.dispose()


def test_no_password_is_checked_while_the_write_lock_is_held(
    probed: tuple[Container, WriteLockProbe],
) -> None:
    container, probe = probed
    access = container.access
    for username, password in [("officer", WRONG), ("tidak-ada", WRONG), ("officer", PASSWORD)]:
        with contextlib.suppress(SignInRefused):
            access.sign_in_with_password(
                username, password, kind=TokenKind.BEARER, client=CONSOLE, client_ip=HOLDER
            )
    assert probe.lock_was_free == [True, True, True]


def test_the_stored_lock_is_per_address(container: Container) -> None:
    stranger_guesses(container, 10)
    with container.uow() as uow:
        account = uow.accounts.by_username("officer")
        assert account is not None
        assert uow.accounts.sign_in_lock(account.id, STRANGER) is not None
        assert uow.accounts.sign_in_lock(account.id, HOLDER) is None
    assert account.locked_until is None  # the account itself is not locked


def test_a_locked_account_refuses_every_address_without_counting_the_try(
    container: Container,
) -> None:
    throttle = container.access.policy.throttle
    with container.uow() as uow:
        account = uow.accounts.by_username("officer")
        assert account is not None
        now = container.clock.now()
        # A hundred failures from many addresses: the account itself locks (§5.2.2).
        for n in range(throttle.account_lock_after):
            assert (
                uow.accounts.reserve_account_try(
                    account.id,
                    now=now,
                    lock_after=throttle.account_lock_after,
                    lock_until=now + throttle.lock_for,
                )
                == n + 1
            )
        uow.commit()
    with pytest.raises(SignInLocked) as locked:
        container.access.sign_in_with_password(
            "officer", PASSWORD, kind=TokenKind.BEARER, client=CONSOLE, client_ip=HOLDER
        )
    assert locked.value.retry_after_seconds == 15 * 60
    with container.uow() as uow:
        assert uow.accounts.sign_in_lock(account.id, HOLDER) == now + throttle.lock_for
        counted = uow.accounts.get(account.id)
    assert counted is not None and counted.failed_sign_ins == throttle.account_lock_after
    with container.engine.connect() as conn:
        assert conn.execute(select(sign_in_failures)).all() == []  # the refused try: uncounted
