"""What the audit trail keeps of a registry record: the fields that matter, the NIK masked.

Issue 4: the NIK never appears in logs, URLs or error messages; the audit trail holds it
masked (3271********0001) like every page but the counter staff's.
"""

from __future__ import annotations

from typing import Any

from sertakan.notifications.model import mask_phone
from sertakan.registry.model import Member, Sponsor, Sponsorship
from sertakan.registry.nik import mask_nik


def member_snapshot(member: Member) -> dict[str, Any]:
    return {
        "kpj": member.kpj,
        "nik": mask_nik(member.nik),
        "full_name": member.full_name,
        "region_code": member.region_code,
        "occupation": member.occupation,
        "declared_income": member.declared_income,
        "programs": list(member.programs),
        "branch_code": member.branch_code,
        "status": member.status.value,
    }


def correction_snapshot(member: Member) -> dict[str, Any]:
    """What an officer's correction may change, as the audit trail keeps it: the phone
    masked like every log (`mask_phone`), the address as written (it is what was corrected)."""
    return {
        "full_name": member.full_name,
        "phone": mask_phone(member.phone),
        "region_code": member.region_code,
        "address": member.address,
        "branch_code": member.branch_code,
    }


def terms_snapshot(member: Member) -> dict[str, Any]:
    """A member's terms as the audit trail keeps them: current, and pending from a month."""
    pending = member.pending
    return {
        "declared_income": member.declared_income,
        "programs": list(member.programs),
        "pending_income": pending.declared_income if pending else None,
        "pending_programs": list(pending.programs) if pending else None,
        "pending_from": str(member.pending_from) if member.pending_from else None,
    }


def sponsor_snapshot(sponsor: Sponsor) -> dict[str, Any]:
    return {
        "kind": sponsor.kind.value,
        "name": sponsor.name,
        "nik": mask_nik(sponsor.nik) if sponsor.nik else None,
        "nib": sponsor.nib,
        "region_code": sponsor.region_code,
    }


def sponsorship_snapshot(sponsorship: Sponsorship) -> dict[str, Any]:
    return {
        "sponsor_id": sponsorship.sponsor_id,
        "member_id": sponsorship.member_id,
        "from_month": str(sponsorship.from_month),
        "until_month": str(sponsorship.until_month) if sponsorship.until_month else None,
        "consent": sponsorship.consent.value,
        "consent_by": sponsorship.consent_by,
        "consent_reason": sponsorship.consent_reason,
    }
