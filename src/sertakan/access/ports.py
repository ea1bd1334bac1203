"""What access needs from the store, as Protocols."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sertakan.access.model import Account, AuthToken, CodePurpose, StoredCode
from sertakan.audit.ports import AuditingUnitOfWork
from sertakan.notifications.ports import Outbox


class AccountRepository(Protocol):
    def add(self, account: Account) -> None: ...

    def get(self, account_id: str) -> Account | None: ...

    def by_username(self, username: str) -> Account | None: ...

    def by_phone(self, phone: str) -> list[Account]: ...

    def for_member(self, member_id: str) -> Account | None: ...

    def for_sponsor(self, sponsor_id: str) -> Account | None: ...

    def update(self, account: Account) -> None: ...

    def list(self, limit: int, offset: int = 0) -> list[Account]: ...

    def reserve_sign_in_try(
        self,
        account_id: str,
        client_ip: str,
        *,
        now: dt.datetime,
        lock_after: int,
        lock_until: dt.datetime,
    ) -> int | None:
        """Count one password try from `client_ip` on the account, atomically, before the
        password is checked ("count then check"): the number of consecutive failures this try
        makes, or None when that address is locked out of the account at `now` (nothing
        counted). The try that makes `lock_after` failures sets the lock to `lock_until`."""
        ...

    def reserve_account_try(
        self, account_id: str, *, now: dt.datetime, lock_after: int, lock_until: dt.datetime
    ) -> int | None:
        """The same, counted on the account whatever the address (the hard bound of NIST SP
        800-63B §5.2.2): None when the whole account is locked at `now`."""
        ...

    def sign_in_lock(self, account_id: str, client_ip: str) -> dt.datetime | None:
        """When the later of the account's lock and its lock for `client_ip` ends (None: no
        lock was ever set)."""
        ...

    def reset_sign_in_failures(self, account_id: str, client_ip: str) -> None:
        """A successful sign-in from `client_ip`: its count and the account's start again
        (other addresses' counts stay: a stranger stays locked out)."""
        ...

    def set_password_hash(self, account_id: str, password_hash: str) -> None: ...


class TokenRepository(Protocol):
    def add(self, token: AuthToken) -> None: ...

    def get(self, digest: str) -> AuthToken | None: ...

    def with_account(self, digest: str) -> tuple[AuthToken, Account] | None:
        """The token and its account, in one look-up (every authenticated request makes it)."""
        ...

    def revoke(self, digest: str, at: dt.datetime) -> None: ...

    def revoke_all_for(self, account_id: str, at: dt.datetime) -> None: ...


class CodeRepository(Protocol):
    def add(self, code: StoredCode) -> None: ...

    def latest(self, purpose: CodePurpose, phone: str, subject_id: str | None) -> StoredCode | None:
        """The newest code for this purpose, phone and subject, used or not."""
        ...

    def count_issued_since(
        self, since: dt.datetime, *, phone: str | None = None, client_ip: str | None = None
    ) -> int: ...

    def supersede(
        self, purpose: CodePurpose, phone: str, subject_id: str | None, at: dt.datetime
    ) -> None:
        """Retire every unused code for this purpose, phone and subject: only the newest works."""
        ...

    def reserve_attempt(self, code_id: str, max_attempts: int) -> int | None:
        """Count one try of the code atomically, before it is compared ("count then check"):
        the try's number (1 to `max_attempts`), or None when no try is left."""
        ...

    def mark_used(self, code_id: str, at: dt.datetime) -> bool:
        """Use the code once: False when it was already used (a concurrent right answer)."""
        ...


class SignInBrake(Protocol):
    """A brake on failed sign-ins per client address and per account and address (moving
    windows). Only failures count, so people signing in behind one shared address (a branch
    office, a carrier's NAT) are not braked by each other's successes; tries racing past it
    are still bounded by the store's atomic counts, the hard bound."""

    def wait(self, client_ip: str, account_key: str | None = None) -> int | None:
        """None when a try may go ahead, else the seconds to wait (429)."""
        ...

    def failed(self, client_ip: str, account_key: str | None = None) -> None:
        """Count one failed try."""
        ...


class AccessUnitOfWork(AuditingUnitOfWork, Protocol):
    """One transaction over the access tables, the audit log and the outbox (the codes it
    sends)."""

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def codes(self) -> CodeRepository: ...

    @property
    def outbox(self) -> Outbox: ...
