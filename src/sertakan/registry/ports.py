"""What the registry needs from the outside world, as Protocols. The store implements them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sertakan.access.actor import Actor
from sertakan.access.ports import AccessUnitOfWork
from sertakan.kernel.periods import Month
from sertakan.kernel.transaction import Transaction
from sertakan.registry.model import Branch, Member, Sponsor, SponsorKind, Sponsorship


class DuplicateRecord(Exception):
    """A uniqueness rule of the store refused a write. `field` names what collided."""

    def __init__(self, field: str, value: str = "") -> None:
        super().__init__(f"duplicate {field}")
        self.field = field
        self.value = value


class MemberRepository(Protocol):
    def add(self, member: Member) -> None: ...

    def get(self, member_id: str) -> Member | None: ...

    def get_by_nik(self, nik: str) -> Member | None: ...

    def get_by_kpj(self, kpj: str) -> Member | None: ...

    def update(self, member: Member) -> None:
        """Write the member's name, phone, village, address and branch (an officer's
        correction); nothing else of a member changes this way."""
        ...

    def update_terms(self, member: Member) -> None:
        """Write the member's income level and programmes, current and pending (a change of
        terms); nothing else of a member changes this way."""
        ...

    def search_by_name(
        self, text: str, limit: int, branch_code: str | None = None
    ) -> list[Member]: ...

    def count(self) -> int: ...

    def page(self, after_id: str | None, limit: int) -> list[Member]:
        """Members in id order after `after_id` (keyset paging for jobs over everyone)."""
        ...


class SponsorRepository(Protocol):
    def add(self, sponsor: Sponsor) -> None: ...

    def get(self, sponsor_id: str) -> Sponsor | None: ...

    def get_by_identity(self, kind: SponsorKind, number: str) -> Sponsor | None: ...

    def list(self, limit: int, offset: int = 0) -> list[Sponsor]: ...


class SponsorshipRepository(Protocol):
    def add(self, sponsorship: Sponsorship) -> None: ...

    def get(self, sponsorship_id: str) -> Sponsorship | None: ...

    def update(self, sponsorship: Sponsorship) -> None: ...

    def awaiting_approval(self) -> list[Sponsorship]: ...

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]: ...

    def for_member(self, member_id: str) -> list[Sponsorship]: ...

    def active_for_member(self, member_id: str, month: Month) -> Sponsorship | None: ...

    def active_for_members(
        self, member_ids: Collection[str], month: Month
    ) -> dict[str, Sponsorship]:
        """The consented sponsorship paying each member's `month`, for those who have one."""
        ...


class BranchRepository(Protocol):
    def add(self, branch: Branch) -> None: ...

    def get(self, code: str) -> Branch | None: ...

    def all(self) -> list[Branch]: ...


class RegistryUnitOfWork(Transaction, Protocol):
    """One transaction over the registry's own tables: what a use case of another domain
    reads of it (billing reads members, sponsors and sponsorships)."""

    @property
    def members(self) -> MemberRepository: ...

    @property
    def sponsors(self) -> SponsorRepository: ...

    @property
    def sponsorships(self) -> SponsorshipRepository: ...

    @property
    def branches(self) -> BranchRepository: ...


class UnitOfWork(RegistryUnitOfWork, AccessUnitOfWork, Protocol):
    """What the registry's use cases reach: its tables, and the accounts, codes, audit log
    and outbox of access, so a change, its audit event and its messages commit or roll back
    together (issue 4). It rolls back on exit unless `commit()` was called."""


class SponsorshipEnded(Protocol):
    """What else changes, in the same unit of work, when a sponsorship ends: billing takes
    the worker off the sponsor's unpaid invoices from `from_month` on. The registry sits
    below billing, so billing hands this in (bootstrap) rather than the registry calling it."""

    def __call__(
        self, uow: UnitOfWork, actor: Actor, ended: Sponsorship, from_month: Month
    ) -> None: ...
