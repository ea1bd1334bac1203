"""The roles a person can hold, and the anonymous visitor.

Issue 4: worker (peserta), sponsor (a person or UMKM paying for workers), agent (a community
enrolment agent, like BPJamsostek's Perisai), officer (branch staff, one branch), supervisor
(approves what an officer may not do alone), auditor (reads everything, changes nothing),
admin (users and roles). `SYSTEM` is the operator at the console (the CLI on the server); it
is never given to an account and no web or API route accepts it.
"""

from __future__ import annotations

from enum import StrEnum

from sertakan.kernel.errors import RuleViolation


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    WORKER = "worker"
    SPONSOR = "sponsor"
    AGENT = "agent"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SYSTEM = "system"

    @property
    def label_id(self) -> str:
        return _LABELS_ID[self]

    @property
    def signs_in_with_phone(self) -> bool:
        """Workers and sponsors use cheap phones: a one-time code, no password to remember."""
        return self in (Role.WORKER, Role.SPONSOR)

    @property
    def is_branch_staff(self) -> bool:
        return self in (Role.OFFICER, Role.SUPERVISOR)


# Roles an account can be given (the console and the anonymous visitor are not accounts).
ACCOUNT_ROLES = (
    Role.WORKER,
    Role.SPONSOR,
    Role.AGENT,
    Role.OFFICER,
    Role.SUPERVISOR,
    Role.AUDITOR,
    Role.ADMIN,
)

_LABELS_ID = {
    Role.ANONYMOUS: "Pengunjung",
    Role.WORKER: "Peserta",
    Role.SPONSOR: "Pemberi kerja",
    Role.AGENT: "Agen (Perisai)",
    Role.OFFICER: "Petugas cabang",
    Role.SUPERVISOR: "Supervisor cabang",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Admin",
    Role.SYSTEM: "Konsol operator",
}


def parse_role(text: str) -> Role:
    """A role from a form or an API body; an unknown one is a violation on field "role"."""
    try:
        return Role(text)
    except ValueError:
        raise RuleViolation.single(
            "role", "account.role", f"unknown role {text!r}", "Peran tidak dikenal"
        ) from None
