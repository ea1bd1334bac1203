"""SQL repositories for accounts, sign-in tokens, one-time codes, the audit log and the outbox.

They never commit: the unit of work does. The audit log has no update or delete here, and the
database refuses them too (triggers from migration 0003).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from sertakan.access.model import Account, AuthToken, CodePurpose, StoredCode, TokenKind
from sertakan.access.roles import Role
from sertakan.audit.model import AuditEvent, Outcome
from sertakan.audit.ports import AuditFilter
from sertakan.notifications.model import Message
from sertakan.store.registry_repositories import insert_checked
from sertakan.store.tables import (
    UtcDateTime,
    accounts,
    audit_events,
    auth_tokens,
    one_time_codes,
    outbox_messages,
    sign_in_failures,
)


class SqlAccountRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, account: Account) -> None:
        insert_checked(
            self._conn,
            insert(accounts).values(**_account_row(account)),
            {
                "username": account.username or "",
                "member_id": account.member_id or "",
                "sponsor_id": account.sponsor_id or "",
            },
        )

    def get(self, account_id: str) -> Account | None:
        return self._one(accounts.c.id == account_id)

    def by_username(self, username: str) -> Account | None:
        return self._one(accounts.c.username == username)

    def by_phone(self, phone: str) -> list[Account]:
        rows = self._conn.execute(
            select(accounts).where(accounts.c.phone == phone).order_by(accounts.c.created_at)
        )
        return [_account(row) for row in rows]

    def for_member(self, member_id: str) -> Account | None:
        return self._one(accounts.c.member_id == member_id)

    def for_sponsor(self, sponsor_id: str) -> Account | None:
        return self._one(accounts.c.sponsor_id == sponsor_id)

    def update(self, account: Account) -> None:
        row = _account_row(account)
        del row["id"]
        self._conn.execute(update(accounts).where(accounts.c.id == account.id).values(**row))

    def list(self, limit: int, offset: int = 0) -> list[Account]:
        rows = self._conn.execute(
            select(accounts)
            .order_by(accounts.c.role, accounts.c.display_name, accounts.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [_account(row) for row in rows]

    def reserve_sign_in_try(
        self,
        account_id: str,
        client_ip: str,
        *,
        now: dt.datetime,
        lock_after: int,
        lock_until: dt.datetime,
    ) -> int | None:
        # One statement: the row lock (PostgreSQL) or the write lock (SQLite) makes each try
        # read the count the previous one wrote, however many run at once.
        f = sign_in_failures.c
        dialect: Any = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(sign_in_failures).values(
            account_id=account_id,
            client_ip=client_ip[:45],
            failures=1,
            locked_until=lock_until if lock_after <= 1 else None,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["account_id", "client_ip"],
            set_={
                "failures": f.failures + 1,
                "locked_until": case(
                    (f.failures + 1 >= lock_after, _moment(lock_until)), else_=f.locked_until
                ),
            },
            where=or_(f.locked_until.is_(None), f.locked_until <= now),
        ).returning(f.failures)
        found = self._conn.execute(statement).scalar_one_or_none()
        return None if found is None else int(found)

    def reserve_account_try(
        self, account_id: str, *, now: dt.datetime, lock_after: int, lock_until: dt.datetime
    ) -> int | None:
        a = accounts.c
        found = self._conn.execute(
            update(accounts)
            .where(a.id == account_id, or_(a.locked_until.is_(None), a.locked_until <= now))
            .values(
                failed_sign_ins=a.failed_sign_ins + 1,
                locked_until=case(
                    (a.failed_sign_ins + 1 >= lock_after, _moment(lock_until)),
                    else_=a.locked_until,
                ),
            )
            .returning(a.failed_sign_ins)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def sign_in_lock(self, account_id: str, client_ip: str) -> dt.datetime | None:
        f = sign_in_failures.c
        pair = self._conn.execute(
            select(f.locked_until).where(f.account_id == account_id, f.client_ip == client_ip[:45])
        ).scalar_one_or_none()
        whole = self._conn.execute(
            select(accounts.c.locked_until).where(accounts.c.id == account_id)
        ).scalar_one_or_none()
        found = [moment for moment in (pair, whole) if moment is not None]
        return max(found) if found else None

    def reset_sign_in_failures(self, account_id: str, client_ip: str) -> None:
        f = sign_in_failures.c
        self._conn.execute(
            delete(sign_in_failures).where(
                f.account_id == account_id, f.client_ip == client_ip[:45]
            )
        )
        self._conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(failed_sign_ins=0, locked_until=None)
        )

    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        self._conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash)
        )

    def _one(self, condition: Any) -> Account | None:
        row = self._conn.execute(select(accounts).where(condition)).first()
        return _account(row) if row else None


class SqlTokenRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, token: AuthToken) -> None:
        self._conn.execute(
            insert(auth_tokens).values(
                digest=token.digest,
                kind=token.kind.value,
                account_id=token.account_id,
                csrf=token.csrf,
                created_at=token.created_at,
                expires_at=token.expires_at,
                revoked_at=token.revoked_at,
            )
        )

    def get(self, digest: str) -> AuthToken | None:
        row = self._conn.execute(select(auth_tokens).where(auth_tokens.c.digest == digest)).first()
        return _token(row, "") if row else None

    def with_account(self, digest: str) -> tuple[AuthToken, Account] | None:
        # One query where `get` and `accounts.get` take two: every authenticated request
        # resolves its token (issue 12, "Performance").
        row = self._conn.execute(_TOKEN_WITH_ACCOUNT, {"digest": digest}).first()
        return (_token(row, _JOINED_PREFIX), _account(row)) if row else None

    def revoke(self, digest: str, at: dt.datetime) -> None:
        self._conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.digest == digest, auth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def revoke_all_for(self, account_id: str, at: dt.datetime) -> None:
        self._conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.account_id == account_id, auth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )


class SqlCodeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, code: StoredCode) -> None:
        self._conn.execute(
            insert(one_time_codes).values(
                id=code.id,
                purpose=code.purpose.value,
                phone=code.phone,
                digest=code.digest,
                subject_id=code.subject_id,
                client_ip=code.client_ip,
                issued_at=code.issued_at,
                expires_at=code.expires_at,
                used_at=code.used_at,
                attempts=code.attempts,
            )
        )

    def latest(self, purpose: CodePurpose, phone: str, subject_id: str | None) -> StoredCode | None:
        c = one_time_codes.c
        query = select(one_time_codes).where(c.purpose == purpose.value, c.phone == phone)
        query = query.where(
            c.subject_id.is_(None) if subject_id is None else c.subject_id == subject_id
        )
        row = self._conn.execute(
            query.order_by(c.used_at.is_(None).desc(), c.issued_at.desc(), c.id.desc()).limit(1)
        ).first()
        return _code(row) if row else None

    def count_issued_since(
        self, since: dt.datetime, *, phone: str | None = None, client_ip: str | None = None
    ) -> int:
        c = one_time_codes.c
        query = select(func.count()).select_from(one_time_codes).where(c.issued_at >= since)
        if phone is not None:
            query = query.where(c.phone == phone)
        if client_ip is not None:
            query = query.where(c.client_ip == client_ip)
        return int(self._conn.execute(query).scalar_one())

    def supersede(
        self, purpose: CodePurpose, phone: str, subject_id: str | None, at: dt.datetime
    ) -> None:
        c = one_time_codes.c
        same = c.subject_id.is_(None) if subject_id is None else c.subject_id == subject_id
        self._conn.execute(
            update(one_time_codes)
            .where(c.purpose == purpose.value, c.phone == phone, same, c.used_at.is_(None))
            .values(used_at=at)
        )

    def reserve_attempt(self, code_id: str, max_attempts: int) -> int | None:
        # One statement, so concurrent tries each get their own number (row lock on
        # PostgreSQL, write lock on SQLite) and no more than `max_attempts` are compared.
        c = one_time_codes.c
        found = self._conn.execute(
            update(one_time_codes)
            .where(c.id == code_id, c.attempts < max_attempts)
            .values(attempts=c.attempts + 1)
            .returning(c.attempts)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def mark_used(self, code_id: str, at: dt.datetime) -> bool:
        c = one_time_codes.c
        found = self._conn.execute(
            update(one_time_codes)
            .where(c.id == code_id, c.used_at.is_(None))
            .values(used_at=at)
            .returning(c.id)
        ).first()
        return found is not None


class SqlAuditLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def append(self, event: AuditEvent) -> None:
        self.extend([event])

    def extend(self, events: Collection[AuditEvent]) -> None:
        if not events:
            return
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "action": e.action,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "actor_account_id": e.actor_account_id,
                "actor_role": e.actor_role,
                "request_id": e.request_id[:64],
                "outcome": e.outcome.value,
                "before": dict(e.before) if e.before is not None else None,
                "after": dict(e.after) if e.after is not None else None,
                "reason": e.reason[:300],
            }
            for e in events
        ]
        self._conn.execute(insert(audit_events), rows)

    def between(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        limit: int | None = None,
        offset: int = 0,
        where: AuditFilter | None = None,
        newest_first: bool = False,
    ) -> Iterator[AuditEvent]:
        c = audit_events.c
        order = (c.at.desc(), c.id.desc()) if newest_first else (c.at, c.id)
        query = select(audit_events).where(c.at >= start, c.at < end)
        if where is not None and where.action:
            query = query.where(c.action == where.action)
        if where is not None and where.actor:
            query = query.where(or_(c.actor_account_id == where.actor, c.actor_role == where.actor))
        if where is not None and where.entity_id:
            query = query.where(c.entity_id == where.entity_id)
        query = query.order_by(*order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        for row in self._conn.execute(query):
            yield AuditEvent(
                at=row.at,
                action=row.action,
                entity_type=row.entity_type,
                entity_id=row.entity_id,
                actor_account_id=row.actor_account_id,
                actor_role=row.actor_role,
                request_id=row.request_id,
                outcome=Outcome(row.outcome),
                before=row.before,
                after=row.after,
                reason=row.reason,
                id=row.id,
            )

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(audit_events)).scalar_one())


class SqlOutbox:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, message: Message, *, held_until: dt.datetime | None = None) -> None:
        # The caller's hold is a lease like a delivery worker's (store/outbox_delivery).
        self._conn.execute(insert(outbox_messages), [_message_row(message, held_until)])

    def add_many(self, messages: Collection[Message]) -> None:
        if messages:
            self._conn.execute(insert(outbox_messages), [_message_row(m, None) for m in messages])

    def mark_sent(self, message_id: str, at: dt.datetime) -> None:
        """Sent by the caller itself (a code, at once): one attempt, and the hold released."""
        c = outbox_messages.c
        self._conn.execute(
            update(outbox_messages)
            .where(c.id == message_id, c.sent_at.is_(None))
            .values(sent_at=at, attempts=c.attempts + 1, claimed_until=None)
        )

    def has(self, message_id: str) -> bool:
        c = outbox_messages.c
        return self._conn.scalar(select(c.id).where(c.id == message_id)) is not None

    def pending(self, limit: int = 100) -> list[Message]:
        c = outbox_messages.c
        rows = self._conn.execute(
            select(outbox_messages).where(c.sent_at.is_(None)).order_by(c.created_at).limit(limit)
        )
        return [
            Message(row.id, row.channel, row.recipient, row.template, row.body, row.created_at)
            for row in rows
        ]


def _moment(value: dt.datetime) -> Any:
    """A moment bound as the columns store it (UTC): a bare value inside CASE is not."""
    return literal(value, UtcDateTime())


def _message_row(message: Message, held_until: dt.datetime | None) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel,
        "recipient": message.recipient,
        "template": message.template,
        "body": message.body,
        "created_at": message.created_at,
        "sent_at": None,
        "attempts": 0,
        "claimed_until": held_until,
    }


def _account_row(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "role": account.role.value,
        "display_name": account.display_name,
        "username": account.username,
        "password_hash": account.password_hash,
        "phone": account.phone,
        "member_id": account.member_id,
        "sponsor_id": account.sponsor_id,
        "branch_code": account.branch_code,
        "is_active": account.is_active,
        "failed_sign_ins": account.failed_sign_ins,
        "locked_until": account.locked_until,
        "created_at": account.created_at,
    }


_JOINED_PREFIX = "t_"  # labels the token columns beside the account columns in one row
# Built once (the statement is immutable): building it took more CPU than running it.
_TOKEN_WITH_ACCOUNT = (
    select(*(c.label(_JOINED_PREFIX + c.name) for c in auth_tokens.c), *accounts.c)
    .join(accounts, accounts.c.id == auth_tokens.c.account_id)
    .where(auth_tokens.c.digest == bindparam("digest"))
)


def _token(row: Row[Any], prefix: str) -> AuthToken:
    m = row._mapping
    return AuthToken(
        m[prefix + "digest"],
        TokenKind(m[prefix + "kind"]),
        m[prefix + "account_id"],
        m[prefix + "csrf"],
        m[prefix + "created_at"],
        m[prefix + "expires_at"],
        m[prefix + "revoked_at"],
    )


def _account(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        role=Role(row.role),
        display_name=row.display_name,
        username=row.username,
        password_hash=row.password_hash,
        phone=row.phone,
        member_id=row.member_id,
        sponsor_id=row.sponsor_id,
        branch_code=row.branch_code,
        is_active=bool(row.is_active),
        failed_sign_ins=int(row.failed_sign_ins),
        locked_until=row.locked_until,
        created_at=row.created_at,
    )


def _code(row: Row[Any]) -> StoredCode:
    return StoredCode(
        id=row.id,
        purpose=CodePurpose(row.purpose),
        phone=row.phone,
        digest=row.digest,
        subject_id=row.subject_id,
        client_ip=row.client_ip,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        attempts=int(row.attempts),
    )
