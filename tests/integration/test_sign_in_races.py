"""Guesses sent all at once are each counted before they are checked, on both databases.

Issue 12: on PostgreSQL 60 simultaneous wrong passwords were all checked and the right one
sent last signed in (the failure count was read, incremented in Python and written back);
phone codes had 8 to 11 tries compared instead of 5. Now a try takes its number atomically
before the secret is checked ("count then check"), so no more tries are checked than the
policy allows (NIST SP 800-63B §5.2.2), whatever the concurrency.

The sign-in brake (the `limits` windows) is opened wide here: these tests are about the
database's count, the hard bound under it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from sertakan.access import codes
from sertakan.access.errors import CodeRefused, SignInLocked, SignInRefused
from sertakan.access.model import TokenKind
from sertakan.access.passwords import PasswordHasher
from sertakan.access.roles import Role
from sertakan.access.service import SignedIn
from sertakan.bootstrap import Container, bootstrap
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.registry.service import SponsorApplication
from sertakan.store.migrate import upgrade
from sertakan.store.tables import accounts, one_time_codes, sign_in_failures
from tests.support.auth import CONSOLE, PASSWORD, last_code, make_staff
from tests.support.builders import open_branch
from tests.support.containers import test_settings as settings_for

GUESSES = 60
CODE_TRIES = 20
THREADS = 20
WRONG = "salah-sekali-123"
PHONE = "+6281298765432"
ADDRESS = "198.51.100.7"
# Long enough that the threads' checks overlap; these tests measure counts, never time.
CHECK_SECONDS = 0.02


class CountingHasher(PasswordHasher):
    """The cheap test hasher, counting the passwords really checked against an account's hash
    (not the dummy checks that keep an unknown username's answer as slow)."""

    def __init__(self) -> None:
        super().__init__(cheap=True)
        self.checked = 0
        self._lock = threading.Lock()

    def verify_or_dummy(self, password_hash: str | None, password: str) -> bool:
        if password_hash is not None:
            with self._lock:
                self.checked += 1
            time.sleep(CHECK_SECONDS)
        return super().verify_or_dummy(password_hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture(params=["sqlite", "postgres"])
def container(
    request: pytest.FixtureRequest, tmp_path: Path, hasher: CountingHasher
) -> Iterator[Container]:
    url = (
        f"sqlite:///{tmp_path / 'races.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    container = bootstrap(
        settings_for(
            tmp_path,
            database_url=url,
            sign_in_per_address="10000/minute",
            sign_in_per_account="10000/minute",
        ),
        clock=FixedClock(dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)),
        hasher=hasher,
        provider=RecordingProvider(),
    )
    upgrade(container.engine)
    open_branch(container)
    yield container
    container.engine.dispose()


def sign_in(container: Container, password: str) -> SignedIn | SignInRefused:
    try:
        return container.access.sign_in_with_password(
            "officer", password, kind=TokenKind.BEARER, client=CONSOLE, client_ip=ADDRESS
        )
    except SignInRefused as refused:
        return refused


def test_sixty_simultaneous_wrong_passwords_are_checked_no_more_than_the_lock_allows(
    container: Container, hasher: CountingHasher
) -> None:
    make_staff(container, Role.OFFICER)
    lock_after = container.access.policy.throttle.lock_after
    start = threading.Barrier(THREADS)

    def guess(_: int) -> SignedIn | SignInRefused:
        if _ < THREADS:
            start.wait()
        return sign_in(container, WRONG)

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(guess, range(GUESSES - 1)))
    # The right password, last: the address is locked out, so it is refused unchecked.
    last = sign_in(container, PASSWORD)

    assert not any(isinstance(o, SignedIn) for o in outcomes)
    assert isinstance(last, SignInLocked), last
    assert last.retry_after_seconds == 15 * 60
    wrong = [o for o in outcomes if isinstance(o, SignInRefused) and o.rule.endswith(".wrong")]
    locked = [o for o in outcomes if isinstance(o, SignInLocked)]
    assert len(wrong) == lock_after and len(locked) == GUESSES - 1 - lock_after
    # Exactly as many passwords were checked as the policy allows before the lock.
    assert hasher.checked == lock_after
    with container.engine.connect() as conn:
        stored = conn.execute(
            select(sign_in_failures.c.failures, sign_in_failures.c.client_ip)
        ).all()
        whole = conn.execute(
            select(accounts.c.failed_sign_ins).where(accounts.c.username == "officer")
        ).scalar_one()
    # Every checked failure is in the stored counts, and nothing else.
    assert [tuple(row) for row in stored] == [(lock_after, ADDRESS)]
    assert whole == lock_after


def test_the_lock_checks_one_guess_per_period_however_many_arrive_at_once(
    container: Container, hasher: CountingHasher
) -> None:
    make_staff(container, Role.OFFICER)
    throttle = container.access.policy.throttle
    for _ in range(throttle.lock_after):
        assert isinstance(sign_in(container, WRONG), SignInRefused)
    clock = container.clock
    assert isinstance(clock, FixedClock)
    clock.moment += throttle.lock_for  # the lock has ended
    checked_before = hasher.checked
    start = threading.Barrier(THREADS)

    def guess(_: int) -> SignedIn | SignInRefused:
        start.wait()
        return sign_in(container, WRONG)

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(guess, range(THREADS)))

    assert hasher.checked - checked_before == 1
    assert sum(isinstance(o, SignInLocked) for o in outcomes) == THREADS - 1


def test_twenty_raced_wrong_codes_are_compared_at_most_five_times(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container.registry.register_sponsor(
        CONSOLE,
        SponsorApplication(
            kind="person",
            name="Ibu Ratna",
            phone=PHONE,
            region_code="32.71.01.1001",
            address="",
            nik=build_nik("327101", dt.date(1970, 1, 5), "F", 3),
        ),
    )
    container.access.request_sign_in_code(PHONE, client=CONSOLE, client_ip=ADDRESS)
    provider = container.provider
    assert isinstance(provider, RecordingProvider)
    right = last_code(provider, PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    compared = []
    real_match = codes.codes_match

    def counting_match(digest: str, code: str, **kwargs: object) -> bool:
        compared.append(code)
        time.sleep(CHECK_SECONDS)
        return real_match(digest, code, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(codes, "codes_match", counting_match)
    start = threading.Barrier(THREADS)

    def guess(_: int) -> str:
        start.wait()
        try:
            container.access.sign_in_with_code(
                PHONE, wrong, kind=TokenKind.BEARER, client=CONSOLE, client_ip=ADDRESS
            )
        except CodeRefused as refused:
            return refused.rule
        return "signed in"

    with ThreadPoolExecutor(THREADS) as pool:
        rules = list(pool.map(guess, range(CODE_TRIES)))

    max_attempts = container.access.policy.codes.max_attempts
    assert len(compared) <= max_attempts
    assert rules.count("access.code.wrong") == max_attempts
    assert rules.count("access.code.too_many_attempts") == CODE_TRIES - max_attempts
    with container.engine.connect() as conn:
        attempts = conn.execute(select(one_time_codes.c.attempts)).scalar_one()
    assert attempts == max_attempts
    # The right code, now: no try is left, so it is refused without being compared.
    with pytest.raises(CodeRefused) as refused:
        container.access.sign_in_with_code(
            PHONE, right, kind=TokenKind.BEARER, client=CONSOLE, client_ip=ADDRESS
        )
    assert refused.value.rule == "access.code.too_many_attempts"
    assert len(compared) <= max_attempts
