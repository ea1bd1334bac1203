"""Which records a role reaches (issue 4 "What each sees"). Pure: the caller passes the facts.

A sponsor sees only the workers they sponsor now (a sponsorship that has ended no longer
counts), a worker only their own record, an agent the workers they enrolled, an officer or
supervisor only their branch; the auditor reads everything. The console reaches everything.
Anyone else reaches nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission, allows
from sertakan.access.roles import Role

_EVERYTHING = (Role.AUDITOR, Role.SYSTEM)


def reaches_member(
    actor: Actor,
    *,
    member_id: str,
    branch_code: str | None,
    sponsor_ids: Collection[str],
    enrolled_by: str | None,
) -> bool:
    """May `actor` open this member's record? `sponsor_ids`: the sponsors whose sponsorship of
    them has not ended (a former sponsor is a stranger to the worker's personal data: OWASP
    ASVS 4.0 V4.2.1, access to a record ends with the relationship that granted it)."""
    role = actor.role
    if role in _EVERYTHING:
        return True
    if role is Role.WORKER:
        return actor.member_id == member_id
    if role is Role.SPONSOR:
        return actor.sponsor_id is not None and actor.sponsor_id in sponsor_ids
    if role is Role.AGENT:
        return actor.account_id is not None and actor.account_id == enrolled_by
    if role.is_branch_staff:
        return actor.branch_code is not None and actor.branch_code == branch_code
    return False


def reaches_sponsor(actor: Actor, *, sponsor_id: str, region_code: str) -> bool:
    """May `actor` open this sponsor's sheet? Staff: sponsors living in their branch's region."""
    role = actor.role
    if role in _EVERYTHING:
        return True
    if role is Role.SPONSOR:
        return actor.sponsor_id == sponsor_id
    if role.is_branch_staff:
        prefix = actor.branch_region_prefix
        return prefix is not None and (
            region_code == prefix or region_code.startswith(prefix + ".")
        )
    return False


def reaches_branch(actor: Actor, branch_code: str | None) -> bool:
    """May `actor` act on money or records of this branch? Staff: their own branch only (a
    record of no branch is nobody's: refused); the auditor and the console: every branch."""
    role = actor.role
    if role in _EVERYTHING:
        return True
    if role.is_branch_staff:
        return actor.branch_code is not None and actor.branch_code == branch_code
    return False


def may_resend_consent(
    actor: Actor,
    *,
    sponsor_id: str,
    member_id: str,
    branch_code: str | None,
) -> bool:
    """May `actor` have a fresh consent code sent to the worker's phone? Only the sponsor of
    that sponsorship, the worker themself, and staff of the worker's branch: anyone else
    could flood a stranger's phone with SMS in a sponsor's name (issue 12)."""
    if not allows(actor.role, Permission.CONSENT_RESEND):
        return False
    role = actor.role
    if role is Role.SYSTEM:
        return True
    if role is Role.SPONSOR:
        return actor.sponsor_id is not None and actor.sponsor_id == sponsor_id
    if role is Role.WORKER:
        return actor.member_id is not None and actor.member_id == member_id
    if role.is_branch_staff:
        return reaches_branch(actor, branch_code)
    return False


def may_enrol_for(actor: Actor, sponsor_id: str | None) -> bool:
    """A sponsor enrols only as their own sponsor; agents and staff for any sponsor or none."""
    if not allows(actor.role, Permission.MEMBER_ENROL):
        return False
    if actor.role is Role.SPONSOR:
        return sponsor_id is not None and sponsor_id == actor.sponsor_id
    return True


def sees_full_nik(actor: Actor) -> bool:
    """NIK unmasked only for the roles that check identity at the counter (and the console)."""
    return allows(actor.role, Permission.MEMBER_READ_NIK)
