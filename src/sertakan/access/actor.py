"""Who is asking: the signed-in account (or the anonymous visitor, or the console) of a request.

Services take an `Actor` on every use case: it decides what they may see and change, and it is
what the audit trail records as "who".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sertakan.access.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    role: Role
    account_id: str | None = None
    display_name: str = ""
    branch_code: str | None = None  # officer, supervisor: the one branch they work for
    branch_region_prefix: str | None = None  # that branch's region, e.g. "32.71"
    member_id: str | None = None  # worker: their own record
    sponsor_id: str | None = None  # sponsor: the sponsor they are
    request_id: str = ""

    @classmethod
    def anonymous(cls, request_id: str = "") -> Actor:
        return cls(Role.ANONYMOUS, request_id=request_id)

    @classmethod
    def console(cls, request_id: str = "cli") -> Actor:
        """The operator at the server's console (the CLI, demo loading): audited as 'system'."""
        return cls(Role.SYSTEM, display_name="console", request_id=request_id)

    @property
    def is_signed_in(self) -> bool:
        return self.account_id is not None

    def with_request(self, request_id: str) -> Actor:
        return replace(self, request_id=request_id)
