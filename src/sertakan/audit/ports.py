"""What the audit trail needs from the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Protocol

from sertakan.audit.model import AuditEvent
from sertakan.kernel.transaction import Transaction


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an auditor narrows the trail to; an empty field does not narrow.

    `actor` matches the acting account's id or its role; `entity_id` the record acted on (a
    member's id finds what was done to that member).
    """

    action: str = ""
    actor: str = ""
    entity_id: str = ""


class AuditLog(Protocol):
    """Append-only: there is no update and no delete."""

    def append(self, event: AuditEvent) -> None: ...

    def extend(self, events: Collection[AuditEvent]) -> None:
        """Append many at once (one statement: a batch of payments)."""
        ...

    def between(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        limit: int | None = None,
        offset: int = 0,
        where: AuditFilter | None = None,
        newest_first: bool = False,
    ) -> Iterator[AuditEvent]: ...

    def count(self) -> int: ...


class AuditingUnitOfWork(Transaction, Protocol):
    """A transaction that can record an audit event: what a refusal needs (`Guard`), and the
    part every use case that writes shares."""

    @property
    def audit(self) -> AuditLog: ...
