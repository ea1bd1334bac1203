"""An in-memory store implementing the same ports as the SQL one: for service tests and as the
reference the repository contract suite holds every store to."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from sertakan.kernel.periods import Month
from sertakan.registry.model import Branch, Consent, Member, Sponsor, SponsorKind, Sponsorship
from sertakan.registry.ports import DuplicateRecord
from sertakan.store.memory_access import (
    AccessState,
    MemoryAccounts,
    MemoryAuditLog,
    MemoryCodes,
    MemoryOutbox,
    MemoryTokens,
)


@dataclass
class MemoryState:
    members: dict[str, Member] = field(default_factory=dict)
    sponsors: dict[str, Sponsor] = field(default_factory=dict)
    sponsorships: dict[str, Sponsorship] = field(default_factory=dict)
    branches: dict[str, Branch] = field(default_factory=dict)
    access: AccessState = field(default_factory=AccessState)


class _Members:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add(self, member: Member) -> None:
        for other in self._s.members.values():
            if other.nik == member.nik:
                raise DuplicateRecord("nik", member.nik)
            if other.kpj == member.kpj:
                raise DuplicateRecord("kpj", member.kpj)
        self._s.members[member.id] = member

    def get(self, member_id: str) -> Member | None:
        return self._s.members.get(member_id)

    def get_by_nik(self, nik: str) -> Member | None:
        return next((m for m in self._s.members.values() if m.nik == nik), None)

    def get_by_kpj(self, kpj: str) -> Member | None:
        return next((m for m in self._s.members.values() if m.kpj == kpj), None)

    def search_by_name(self, text: str, limit: int, branch_code: str | None = None) -> list[Member]:
        key = text.lower()
        found = [
            m
            for m in self._s.members.values()
            if key in m.full_name.lower() and (branch_code is None or m.branch_code == branch_code)
        ]
        return sorted(found, key=lambda m: (m.full_name, m.kpj))[:limit]

    def count(self) -> int:
        return len(self._s.members)


class _Sponsors:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add(self, sponsor: Sponsor) -> None:
        for other in self._s.sponsors.values():
            if sponsor.nik and other.nik == sponsor.nik:
                raise DuplicateRecord("nik", sponsor.nik)
            if sponsor.nib and other.nib == sponsor.nib:
                raise DuplicateRecord("nib", sponsor.nib)
        self._s.sponsors[sponsor.id] = sponsor

    def get(self, sponsor_id: str) -> Sponsor | None:
        return self._s.sponsors.get(sponsor_id)

    def get_by_identity(self, kind: SponsorKind, number: str) -> Sponsor | None:
        for sponsor in self._s.sponsors.values():
            if (sponsor.nik if kind is SponsorKind.PERSON else sponsor.nib) == number:
                return sponsor
        return None

    def list(self, limit: int, offset: int = 0) -> list[Sponsor]:
        ordered = sorted(self._s.sponsors.values(), key=lambda s: (s.name, s.id))
        return ordered[offset : offset + limit]


class _Sponsorships:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add(self, sponsorship: Sponsorship) -> None:
        self._s.sponsorships[sponsorship.id] = sponsorship

    def get(self, sponsorship_id: str) -> Sponsorship | None:
        return self._s.sponsorships.get(sponsorship_id)

    def update(self, sponsorship: Sponsorship) -> None:
        if sponsorship.id in self._s.sponsorships:
            self._s.sponsorships[sponsorship.id] = sponsorship

    def awaiting_approval(self) -> list[Sponsorship]:
        found = [s for s in self._s.sponsorships.values() if s.consent is Consent.AWAITING_APPROVAL]
        return sorted(found, key=lambda s: s.created_at)

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]:
        found = [s for s in self._s.sponsorships.values() if s.sponsor_id == sponsor_id]
        return sorted(found, key=lambda s: s.created_at)

    def for_member(self, member_id: str) -> list[Sponsorship]:
        found = [s for s in self._s.sponsorships.values() if s.member_id == member_id]
        return sorted(found, key=lambda s: s.created_at)

    def active_for_member(self, member_id: str, month: Month) -> Sponsorship | None:
        active = [s for s in self.for_member(member_id) if s.is_active_in(month)]
        return max(active, key=lambda s: s.from_month, default=None)


class _Branches:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add(self, branch: Branch) -> None:
        self._s.branches[branch.code] = branch

    def get(self, code: str) -> Branch | None:
        return self._s.branches.get(code)

    def all(self) -> list[Branch]:
        return sorted(self._s.branches.values(), key=lambda b: b.code)


class MemoryUnitOfWork:
    """Works on a copy of the shared state; `commit` publishes the copy, anything else drops it."""

    def __init__(self, state: MemoryState) -> None:
        self._shared = state
        self.committed = False

    def __enter__(self) -> Self:
        self._work = copy.copy(self._shared)
        self._work.members = dict(self._shared.members)
        self._work.sponsors = dict(self._shared.sponsors)
        self._work.sponsorships = dict(self._shared.sponsorships)
        self._work.branches = dict(self._shared.branches)
        self._work.access = self._shared.access.copy()
        self.members = _Members(self._work)
        self.sponsors = _Sponsors(self._work)
        self.sponsorships = _Sponsorships(self._work)
        self.branches = _Branches(self._work)
        self.accounts = MemoryAccounts(self._work.access)
        self.tokens = MemoryTokens(self._work.access)
        self.codes = MemoryCodes(self._work.access)
        self.audit = MemoryAuditLog(self._work.access)
        self.outbox = MemoryOutbox(self._work.access)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self._shared.members = self._work.members
        self._shared.sponsors = self._work.sponsors
        self._shared.sponsorships = self._work.sponsorships
        self._shared.branches = self._work.branches
        self._shared.access = self._work.access
        self.committed = True

    def rollback(self) -> None:
        pass  # the working copy is simply dropped
