"""The registry's door: may this actor do this, to this record? A refusal is audited.

The route already checked the permission (so the matrix test sees it); the guard checks it
again and adds the scope, so a CLI or a future entrypoint cannot skip either.

A refusal is recorded in a transaction of its own, after the caller's has rolled back and
closed: SQLite has one writer, and a use case's unit of work holds the write lock (BEGIN
IMMEDIATE) from its start, so an audit write opened beside it would wait for it for ever
(30 s, then "database is locked"). Checks made inside a unit of work (`member`, `sponsor`,
`refuse`) therefore raise `Denied`, and the use case wraps its unit of work in `refusals()`,
which records the refusal once the unit of work has closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission, allows
from sertakan.access.scope import reaches_member, reaches_sponsor
from sertakan.audit.model import AuditEvent, Outcome
from sertakan.audit.ports import AuditingUnitOfWork
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import Forbidden
from sertakan.registry.model import Consent, Member, Sponsor, Sponsorship
from sertakan.registry.ports import RegistryUnitOfWork


def out_of_scope() -> Forbidden:
    return Forbidden(
        "This record is outside what your role may see or change",
        "Data ini di luar wewenang Anda (bukan pekerja, sponsor, atau cabang Anda)",
        "access.scope",
    )


@dataclass(eq=False)
class Denied(Forbidden):
    """A refusal met inside a unit of work, with the audit event `Guard.refusals` records."""

    event: AuditEvent | None = None


class Guard:
    def __init__(self, uow: Callable[[], AuditingUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def require(
        self, actor: Actor, permission: Permission, entity: str = "", key: str = ""
    ) -> None:
        if not allows(actor.role, permission):
            self.deny(actor, permission.value, entity or "permission", key, scope=False)

    def member(
        self, uow: RegistryUnitOfWork, actor: Actor, member: Member, action: str
    ) -> list[Sponsorship]:
        """Inside a unit of work wrapped in `refusals()`. Gives the member's sponsorships it
        read, so the caller need not read them again."""
        sponsorships = uow.sponsorships.for_member(member.id)
        # Only sponsorships not ended: a former sponsor no longer reaches the worker. Nor does
        # a sponsor who asked to pay for a worker enrolled already, until the worker consents:
        # they typed a NIK, the record is the worker's (UU 27/2022, purpose limitation).
        sponsor_ids = {
            s.sponsor_id
            for s in sponsorships
            if not s.has_ended and s.consent is not Consent.REQUESTED
        }
        if not reaches_member(
            actor,
            member_id=member.id,
            branch_code=member.branch_code,
            sponsor_ids=sponsor_ids,
            enrolled_by=member.enrolled_by,
        ):
            self.refuse(actor, action, "member", member.id)
        return sponsorships

    def sponsor(self, actor: Actor, sponsor: Sponsor, action: str) -> None:
        """Inside `refusals()`."""
        if not reaches_sponsor(actor, sponsor_id=sponsor.id, region_code=sponsor.region_code):
            self.refuse(actor, action, "sponsor", sponsor.id)

    def deny(self, actor: Actor, action: str, entity: str, key: str, *, scope: bool = True) -> None:
        """Record the refusal now, in a transaction of its own, then raise: `access.forbidden`
        for a role without the permission, `access.scope` for a record outside the role's
        reach (another sponsor's worker, another branch). Only outside a unit of work."""
        denied = self._denied(actor, action, entity, key, scope=scope)
        self._record(denied)
        raise denied

    def refuse(self, actor: Actor, action: str, entity: str, key: str) -> NoReturn:
        """Raise an `access.scope` refusal from inside a unit of work wrapped in `refusals()`."""
        raise self._denied(actor, action, entity, key, scope=True)

    @contextmanager
    def refusals(self) -> Iterator[None]:
        """Wrap a use case's unit of work (`with guard.refusals(), uow() as uow:`): a refusal
        raised inside it is recorded after the unit of work has rolled back and closed."""
        try:
            yield
        except Denied as denied:
            self._record(denied)
            raise

    def _denied(self, actor: Actor, action: str, entity: str, key: str, *, scope: bool) -> Denied:
        error = out_of_scope() if scope else Forbidden()
        return Denied(
            error.message,
            error.message_id,
            error.rule,
            event=event(
                actor,
                self._clock.now(),
                action,
                entity,
                key,
                outcome=Outcome.DENIED,
                reason=error.rule,
            ),
        )

    def _record(self, denied: Denied) -> None:
        if denied.event is None:
            return
        with self._uow() as uow:
            uow.audit.append(denied.event)
            uow.commit()
        denied.event = None  # recorded once, however many blocks it passes through
