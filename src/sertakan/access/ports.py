"""What access needs from the store, as Protocols."""

from __future__ import annotations

import datetime as dt
from types import TracebackType
from typing import Protocol, Self

from sertakan.access.model import Account, AuthToken, CodePurpose, StoredCode
from sertakan.audit.ports import AuditLog
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


class TokenRepository(Protocol):
    def add(self, token: AuthToken) -> None: ...

    def get(self, digest: str) -> AuthToken | None: ...

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

    def record_attempt(self, code_id: str) -> None: ...

    def mark_used(self, code_id: str, at: dt.datetime) -> None: ...


class AccessUnitOfWork(Protocol):
    """One transaction over the access tables, the audit log and the outbox."""

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def codes(self) -> CodeRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
