"""What the audit trail needs from the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Protocol

from sertakan.audit.model import AuditEvent


class AuditLog(Protocol):
    """Append-only: there is no update and no delete."""

    def append(self, event: AuditEvent) -> None: ...

    def extend(self, events: Collection[AuditEvent]) -> None:
        """Append many at once (one statement: a batch of payments)."""
        ...

    def between(
        self, start: dt.datetime, end: dt.datetime, *, limit: int | None = None, offset: int = 0
    ) -> Iterator[AuditEvent]: ...

    def count(self) -> int: ...
