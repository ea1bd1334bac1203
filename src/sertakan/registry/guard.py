"""The registry's door: may this actor do this, to this record? A refusal is audited.

The route already checked the permission (so the matrix test sees it); the guard checks it
again and adds the scope, so a CLI or a future entrypoint cannot skip either.
"""

from __future__ import annotations

from collections.abc import Callable

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission, allows
from sertakan.access.scope import reaches_member, reaches_sponsor
from sertakan.audit.model import Outcome
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import Forbidden
from sertakan.registry.model import Member, Sponsor
from sertakan.registry.ports import UnitOfWork


def out_of_scope() -> Forbidden:
    return Forbidden(
        "This record is outside what your role may see or change",
        "Data ini di luar wewenang Anda (bukan pekerja, sponsor, atau cabang Anda)",
        "access.scope",
    )


class Guard:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def require(
        self, actor: Actor, permission: Permission, entity: str = "", key: str = ""
    ) -> None:
        if not allows(actor.role, permission):
            self.deny(actor, permission.value, entity or "permission", key)

    def member(self, uow: UnitOfWork, actor: Actor, member: Member, action: str) -> None:
        sponsor_ids = {s.sponsor_id for s in uow.sponsorships.for_member(member.id)}
        if not reaches_member(
            actor,
            member_id=member.id,
            branch_code=member.branch_code,
            sponsor_ids=sponsor_ids,
            enrolled_by=member.enrolled_by,
        ):
            self.deny(actor, action, "member", member.id)

    def sponsor(self, actor: Actor, sponsor: Sponsor, action: str) -> None:
        if not reaches_sponsor(actor, sponsor_id=sponsor.id, region_code=sponsor.region_code):
            self.deny(actor, action, "sponsor", sponsor.id)

    def deny(self, actor: Actor, action: str, entity: str, key: str, *, scope: bool = True) -> None:
        """Record the refusal in a transaction of its own (the caller's rolls back), then raise:
        `access.forbidden` for a role without the permission, `access.scope` for a record
        outside the role's reach (another sponsor's worker, another branch)."""
        error = out_of_scope() if scope else Forbidden()
        with self._uow() as uow:
            uow.audit.append(
                event(
                    actor,
                    self._clock.now(),
                    action,
                    entity,
                    key,
                    outcome=Outcome.DENIED,
                    reason=error.rule,
                )
            )
            uow.commit()
        raise error
