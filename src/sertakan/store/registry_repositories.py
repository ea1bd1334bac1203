"""SQL repositories for the registry. They never commit: the unit of work does."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sertakan.kernel.periods import Month
from sertakan.registry.model import (
    Branch,
    Consent,
    Member,
    MemberStatus,
    MemberTerms,
    Sex,
    Sponsor,
    SponsorKind,
    Sponsorship,
)
from sertakan.registry.ports import DuplicateRecord
from sertakan.store.tables import branches, members, sponsors, sponsorships


def insert_checked(conn: Connection, statement: Any, unique_fields: dict[str, str]) -> None:
    """Insert inside a savepoint, so a refused row leaves the transaction usable, and say which
    uniqueness rule refused it (the constraint names come from the naming convention)."""
    try:
        with conn.begin_nested():
            conn.execute(statement)
    except IntegrityError as error:
        text = str(error.orig).lower()
        for field, value in unique_fields.items():
            # PostgreSQL names the constraint (uq_members_nik); SQLite the column (members.nik).
            if (f"_{field}" in text or f".{field}" in text) and (
                "unique" in text or "duplicate" in text
            ):
                raise DuplicateRecord(field, value) from error
        raise


class SqlMemberRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, member: Member) -> None:
        insert_checked(
            self._conn,
            insert(members).values(**_member_row(member)),
            {"nik": member.nik, "kpj": member.kpj},
        )

    def get(self, member_id: str) -> Member | None:
        return self._one(members.c.id == member_id)

    def get_by_nik(self, nik: str) -> Member | None:
        return self._one(members.c.nik == nik)

    def get_by_kpj(self, kpj: str) -> Member | None:
        return self._one(members.c.kpj == kpj)

    def update(self, member: Member) -> None:
        self._conn.execute(
            update(members)
            .where(members.c.id == member.id)
            .values(
                full_name=member.full_name,
                name_key=member.full_name.lower(),
                phone=member.phone,
                region_code=member.region_code,
                address=member.address,
                branch_code=member.branch_code,
            )
        )

    def update_terms(self, member: Member) -> None:
        self._conn.execute(
            update(members)
            .where(members.c.id == member.id)
            .values(
                declared_income=member.declared_income,
                programs=",".join(member.programs),
                **_pending_row(member),
            )
        )

    def search_by_name(self, text: str, limit: int, branch_code: str | None = None) -> list[Member]:
        pattern = "%" + _escape_like(text.lower()) + "%"
        query = select(members).where(members.c.name_key.like(pattern, escape="\\"))
        if branch_code is not None:
            query = query.where(members.c.branch_code == branch_code)
        rows = self._conn.execute(query.order_by(members.c.full_name, members.c.kpj).limit(limit))
        return [_member(row) for row in rows]

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(members)).scalar_one())

    def page(self, after_id: str | None, limit: int) -> list[Member]:
        query = select(members).order_by(members.c.id).limit(limit)
        if after_id is not None:
            query = query.where(members.c.id > after_id)
        return [_member(row) for row in self._conn.execute(query)]

    def _one(self, condition: Any) -> Member | None:
        row = self._conn.execute(select(members).where(condition)).first()
        return _member(row) if row else None


class SqlSponsorRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, sponsor: Sponsor) -> None:
        row = {
            "id": sponsor.id,
            "kind": sponsor.kind.value,
            "name": sponsor.name,
            "phone": sponsor.phone,
            "address": sponsor.address,
            "region_code": sponsor.region_code,
            "nik": sponsor.nik,
            "nib": sponsor.nib,
            "created_at": sponsor.created_at,
        }
        insert_checked(
            self._conn,
            insert(sponsors).values(**row),
            {"nik": sponsor.nik or "", "nib": sponsor.nib or ""},
        )

    def get(self, sponsor_id: str) -> Sponsor | None:
        row = self._conn.execute(select(sponsors).where(sponsors.c.id == sponsor_id)).first()
        return _sponsor(row) if row else None

    def get_by_identity(self, kind: SponsorKind, number: str) -> Sponsor | None:
        column = sponsors.c.nik if kind is SponsorKind.PERSON else sponsors.c.nib
        row = self._conn.execute(select(sponsors).where(column == number)).first()
        return _sponsor(row) if row else None

    def list(self, limit: int, offset: int = 0) -> list[Sponsor]:
        rows = self._conn.execute(
            select(sponsors).order_by(sponsors.c.name, sponsors.c.id).limit(limit).offset(offset)
        )
        return [_sponsor(row) for row in rows]


class SqlSponsorshipRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, sponsorship: Sponsorship) -> None:
        insert_checked(self._conn, insert(sponsorships).values(**_sponsorship_row(sponsorship)), {})

    def get(self, sponsorship_id: str) -> Sponsorship | None:
        found = self._where(sponsorships.c.id == sponsorship_id)
        return found[0] if found else None

    def update(self, sponsorship: Sponsorship) -> None:
        row = _sponsorship_row(sponsorship)
        del row["id"]
        self._conn.execute(
            update(sponsorships).where(sponsorships.c.id == sponsorship.id).values(**row)
        )

    def awaiting_approval(self) -> list[Sponsorship]:
        return self._where(sponsorships.c.consent == Consent.AWAITING_APPROVAL.value)

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]:
        return self._where(sponsorships.c.sponsor_id == sponsor_id)

    def for_member(self, member_id: str) -> list[Sponsorship]:
        return self._where(sponsorships.c.member_id == member_id)

    def active_for_member(self, member_id: str, month: Month) -> Sponsorship | None:
        active = [s for s in self.for_member(member_id) if s.is_active_in(month)]
        return max(active, key=lambda s: s.from_month, default=None)

    def active_for_members(
        self, member_ids: Collection[str], month: Month
    ) -> dict[str, Sponsorship]:
        found: dict[str, Sponsorship] = {}
        ids = list(member_ids)
        for start in range(0, len(ids), 500):  # bounded IN lists
            for sponsorship in self._where(sponsorships.c.member_id.in_(ids[start : start + 500])):
                current = found.get(sponsorship.member_id)
                if sponsorship.is_active_in(month) and (
                    current is None or current.from_month < sponsorship.from_month
                ):
                    found[sponsorship.member_id] = sponsorship
        return found

    def _where(self, condition: Any) -> list[Sponsorship]:
        rows = self._conn.execute(
            select(sponsorships).where(condition).order_by(sponsorships.c.created_at)
        )
        return [_sponsorship(row) for row in rows]


class SqlBranchRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, branch: Branch) -> None:
        row = {"code": branch.code, "name": branch.name, "region_prefix": branch.region_prefix}
        insert_checked(self._conn, insert(branches).values(**row), {})

    def get(self, code: str) -> Branch | None:
        row = self._conn.execute(select(branches).where(branches.c.code == code)).first()
        return Branch(row.code, row.name, row.region_prefix) if row else None

    def all(self) -> list[Branch]:
        rows = self._conn.execute(select(branches).order_by(branches.c.code))
        return [Branch(row.code, row.name, row.region_prefix) for row in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _member_row(member: Member) -> dict[str, Any]:
    return {
        "id": member.id,
        "kpj": member.kpj,
        "nik": member.nik,
        "full_name": member.full_name,
        "name_key": member.full_name.lower(),
        "birth_date": member.birth_date,
        "sex": member.sex.value,
        "phone": member.phone,
        "region_code": member.region_code,
        "address": member.address,
        "occupation": member.occupation,
        "declared_income": member.declared_income,
        "programs": ",".join(member.programs),
        "publicly_funded": member.publicly_funded,
        "branch_code": member.branch_code,
        "enrolled_on": member.enrolled_on,
        "status": member.status.value,
        "created_at": member.created_at,
        "enrolled_by": member.enrolled_by,
        **_pending_row(member),
    }


def _pending_row(member: Member) -> dict[str, Any]:
    pending = member.pending
    return {
        "pending_income": pending.declared_income if pending else None,
        "pending_programs": ",".join(pending.programs) if pending else None,
        "pending_from": str(member.pending_from) if member.pending_from else None,
    }


def _member(row: Row[Any]) -> Member:
    return Member(
        id=row.id,
        kpj=row.kpj,
        nik=row.nik,
        full_name=row.full_name,
        birth_date=row.birth_date,
        sex=Sex(row.sex),
        phone=row.phone,
        region_code=row.region_code,
        address=row.address,
        occupation=row.occupation,
        declared_income=int(row.declared_income),
        programs=tuple(row.programs.split(",")),
        publicly_funded=bool(row.publicly_funded),
        branch_code=row.branch_code,
        enrolled_on=row.enrolled_on,
        status=MemberStatus(row.status),
        created_at=row.created_at,
        enrolled_by=row.enrolled_by,
        pending=(
            MemberTerms(int(row.pending_income), tuple(row.pending_programs.split(",")))
            if row.pending_from is not None
            else None
        ),
        pending_from=Month.parse(row.pending_from) if row.pending_from is not None else None,
    )


def _sponsor(row: Row[Any]) -> Sponsor:
    return Sponsor(
        id=row.id,
        kind=SponsorKind(row.kind),
        name=row.name,
        phone=row.phone,
        address=row.address,
        region_code=row.region_code,
        nik=row.nik,
        nib=row.nib,
        created_at=row.created_at,
    )


def _sponsorship(row: Row[Any]) -> Sponsorship:
    return Sponsorship(
        id=row.id,
        sponsor_id=row.sponsor_id,
        member_id=row.member_id,
        from_month=Month.parse(row.from_month),
        until_month=Month.parse(row.until_month) if row.until_month else None,
        created_at=row.created_at,
        consent=Consent(row.consent),
        consent_at=row.consent_at,
        consent_by=row.consent_by,
        consent_reason=row.consent_reason,
    )


def _sponsorship_row(sponsorship: Sponsorship) -> dict[str, Any]:
    return {
        "id": sponsorship.id,
        "sponsor_id": sponsorship.sponsor_id,
        "member_id": sponsorship.member_id,
        "from_month": str(sponsorship.from_month),
        "until_month": str(sponsorship.until_month) if sponsorship.until_month else None,
        "created_at": sponsorship.created_at,
        "consent": sponsorship.consent.value,
        "consent_at": sponsorship.consent_at,
        "consent_by": sponsorship.consent_by,
        "consent_reason": sponsorship.consent_reason,
    }
