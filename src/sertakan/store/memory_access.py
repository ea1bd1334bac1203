"""In-memory accounts, tokens, codes, audit log and outbox: the fakes behind service tests,
held to the same contract as the SQL repositories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from sertakan.access.model import Account, AuthToken, CodePurpose, StoredCode
from sertakan.audit.model import AuditEvent
from sertakan.notifications.model import Message
from sertakan.registry.ports import DuplicateRecord


@dataclass
class AccessState:
    accounts: dict[str, Account] = field(default_factory=dict)
    tokens: dict[str, AuthToken] = field(default_factory=dict)
    codes: dict[str, StoredCode] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    outbox: list[Message] = field(default_factory=list)

    def copy(self) -> AccessState:
        return AccessState(
            dict(self.accounts),
            dict(self.tokens),
            dict(self.codes),
            list(self.audit),
            list(self.outbox),
        )


class MemoryAccounts:
    def __init__(self, state: AccessState) -> None:
        self._s = state

    def add(self, account: Account) -> None:
        for other in self._s.accounts.values():
            for name in ("username", "member_id", "sponsor_id"):
                value = getattr(account, name)
                if value is not None and getattr(other, name) == value:
                    raise DuplicateRecord(name, value)
        self._s.accounts[account.id] = account

    def get(self, account_id: str) -> Account | None:
        return self._s.accounts.get(account_id)

    def by_username(self, username: str) -> Account | None:
        return next((a for a in self._s.accounts.values() if a.username == username), None)

    def by_phone(self, phone: str) -> list[Account]:
        found = [a for a in self._s.accounts.values() if a.phone == phone]
        return sorted(found, key=lambda a: a.created_at)

    def for_member(self, member_id: str) -> Account | None:
        return next((a for a in self._s.accounts.values() if a.member_id == member_id), None)

    def for_sponsor(self, sponsor_id: str) -> Account | None:
        return next((a for a in self._s.accounts.values() if a.sponsor_id == sponsor_id), None)

    def update(self, account: Account) -> None:
        if account.id in self._s.accounts:
            self._s.accounts[account.id] = account

    def list(self, limit: int, offset: int = 0) -> list[Account]:
        ordered = sorted(self._s.accounts.values(), key=lambda a: (a.role, a.display_name, a.id))
        return ordered[offset : offset + limit]


class MemoryTokens:
    def __init__(self, state: AccessState) -> None:
        self._s = state

    def add(self, token: AuthToken) -> None:
        self._s.tokens[token.digest] = token

    def get(self, digest: str) -> AuthToken | None:
        return self._s.tokens.get(digest)

    def revoke(self, digest: str, at: dt.datetime) -> None:
        token = self._s.tokens.get(digest)
        if token is not None and token.revoked_at is None:
            self._s.tokens[digest] = replace(token, revoked_at=at)

    def revoke_all_for(self, account_id: str, at: dt.datetime) -> None:
        for digest, token in list(self._s.tokens.items()):
            if token.account_id == account_id and token.revoked_at is None:
                self._s.tokens[digest] = replace(token, revoked_at=at)


class MemoryCodes:
    def __init__(self, state: AccessState) -> None:
        self._s = state

    def add(self, code: StoredCode) -> None:
        self._s.codes[code.id] = code

    def latest(self, purpose: CodePurpose, phone: str, subject_id: str | None) -> StoredCode | None:
        found = [
            c
            for c in self._s.codes.values()
            if c.purpose is purpose and c.phone == phone and c.subject_id == subject_id
        ]
        return max(found, key=lambda c: (c.used_at is None, c.issued_at, c.id), default=None)

    def count_issued_since(
        self, since: dt.datetime, *, phone: str | None = None, client_ip: str | None = None
    ) -> int:
        return sum(
            1
            for c in self._s.codes.values()
            if c.issued_at >= since
            and (phone is None or c.phone == phone)
            and (client_ip is None or c.client_ip == client_ip)
        )

    def supersede(
        self, purpose: CodePurpose, phone: str, subject_id: str | None, at: dt.datetime
    ) -> None:
        for code_id, code in list(self._s.codes.items()):
            same = code.purpose is purpose and code.phone == phone
            if same and code.subject_id == subject_id and code.used_at is None:
                self._s.codes[code_id] = replace(code, used_at=at)

    def record_attempt(self, code_id: str) -> None:
        code = self._s.codes[code_id]
        self._s.codes[code_id] = replace(code, attempts=code.attempts + 1)

    def mark_used(self, code_id: str, at: dt.datetime) -> None:
        code = self._s.codes[code_id]
        if code.used_at is None:
            self._s.codes[code_id] = replace(code, used_at=at)


class MemoryAuditLog:
    def __init__(self, state: AccessState) -> None:
        self._s = state

    def append(self, event: AuditEvent) -> None:
        self._s.audit.append(replace(event, id=len(self._s.audit) + 1))

    def between(
        self, start: dt.datetime, end: dt.datetime, *, limit: int | None = None, offset: int = 0
    ) -> Iterator[AuditEvent]:
        found = sorted(
            (e for e in self._s.audit if start <= e.at < end), key=lambda e: (e.at, e.id or 0)
        )
        stop = None if limit is None else offset + limit
        yield from found[offset:stop]

    def count(self) -> int:
        return len(self._s.audit)


class MemoryOutbox:
    def __init__(self, state: AccessState) -> None:
        self._s = state

    def add(self, message: Message) -> None:
        self._s.outbox.append(message)

    def pending(self, limit: int = 100) -> list[Message]:
        return self._s.outbox[:limit]
