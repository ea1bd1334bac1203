"""Reading the audit trail: the auditor's page, the API and `sertakan audit export`.

Days are civil days in WIB, like everything a branch sees; the store keeps moments in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission, allows
from sertakan.access.ports import AccessUnitOfWork
from sertakan.audit.model import AuditEvent, Outcome
from sertakan.audit.ports import AuditFilter
from sertakan.kernel.clock import WIB, Clock
from sertakan.kernel.errors import Forbidden, RuleViolation

MAX_DAYS = 366
# The days a trail can hold: nothing was recorded before the platform existed, and a day far
# out (year 1 or 9999) cannot even be turned into a moment in WIB.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


class AuditTrail:
    def __init__(self, uow: Callable[[], AccessUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def refused(self, actor: Actor, action: str, entity: str, key: str, reason: str) -> None:
        """Record a refusal the door made before any use case ran (a route the role may not
        open, a forged token), in a transaction of its own."""
        with self._uow() as uow:
            uow.audit.append(
                event(
                    actor,
                    self._clock.now(),
                    action,
                    entity,
                    key,
                    outcome=Outcome.DENIED,
                    reason=reason,
                )
            )
            uow.commit()

    def events(
        self,
        actor: Actor,
        first_day: dt.date,
        last_day: dt.date,
        *,
        limit: int | None = None,
        offset: int = 0,
        where: AuditFilter | None = None,
        newest_first: bool = False,
    ) -> Iterator[AuditEvent]:
        """Events from `first_day` to `last_day` inclusive, oldest first (the auditor's page
        asks newest first), narrowed by `where`. Reading is itself audited (who looked at the
        trail, and for which days)."""
        if not allows(actor.role, Permission.AUDIT_READ):
            with self._uow() as uow:
                uow.audit.append(
                    event(
                        actor,
                        self._clock.now(),
                        "audit.read",
                        "audit",
                        "",
                        outcome=Outcome.DENIED,
                        reason="access.forbidden",
                    )
                )
                uow.commit()
            raise Forbidden()
        if not EARLIEST <= first_day <= LATEST or not EARLIEST <= last_day <= LATEST:
            raise RuleViolation.single(
                "from" if not EARLIEST <= first_day <= LATEST else "to",
                "audit.range",
                f"Days are between {EARLIEST.isoformat()} and {LATEST.isoformat()}",
                f"Tanggal antara {EARLIEST.isoformat()} dan {LATEST.isoformat()}",
            )
        if last_day < first_day or (last_day - first_day).days > MAX_DAYS:
            raise RuleViolation.single(
                "to",
                "audit.range",
                f"'to' must be on or after 'from', and at most {MAX_DAYS} days later",
                f"Tanggal akhir harus sesudah tanggal awal, paling lama {MAX_DAYS} hari",
            )
        start = dt.datetime.combine(first_day, dt.time(0), tzinfo=WIB)
        end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=WIB)
        with self._uow() as uow:
            uow.audit.append(
                event(actor, self._clock.now(), "audit.read", "audit", f"{first_day}..{last_day}")
            )
            uow.commit()
        with self._uow() as uow:
            yield from uow.audit.between(
                start, end, limit=limit, offset=offset, where=where, newest_first=newest_first
            )
