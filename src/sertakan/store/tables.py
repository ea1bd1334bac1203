"""The schema. Alembic migrations under `migrations/` create exactly this (a test compares them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Moments stored in UTC and read back zone-aware, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


# Constraint names are stable so the store can tell which uniqueness rule refused a write.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)

branches = Table(
    "branches",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("region_prefix", String(13), nullable=False),
)

sponsors = Table(
    "sponsors",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("name", String(100), nullable=False),
    Column("phone", String(16), nullable=False),
    Column("address", String(200), nullable=False),
    Column("region_code", String(13), nullable=False),
    Column("nik", String(16), nullable=True, unique=True),
    Column("nib", String(13), nullable=True, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kpj", String(11), nullable=False, unique=True),
    Column("nik", String(16), nullable=False, unique=True),
    Column("full_name", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("phone", String(16), nullable=False),
    Column("region_code", String(13), nullable=False, index=True),
    Column("address", String(200), nullable=False),
    Column("occupation", String(32), nullable=False),
    Column("declared_income", BigInteger, nullable=False),
    Column("programs", String(40), nullable=False),  # "JKK,JKM" or "JKK,JKM,JHT"
    Column("publicly_funded", Boolean, nullable=False),
    Column("branch_code", String(32), ForeignKey("branches.code"), nullable=True, index=True),
    Column("enrolled_on", Date, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("name_key", String(100), nullable=False, index=True),  # lower-cased name for search
)

sponsorships = Table(
    "sponsorships",
    metadata,
    Column("id", ID, primary_key=True),
    Column("sponsor_id", ID, ForeignKey("sponsors.id"), nullable=False, index=True),
    Column("member_id", ID, ForeignKey("members.id"), nullable=False, index=True),
    Column("from_month", String(7), nullable=False),  # YYYY-MM: sorts as it reads
    Column("until_month", String(7), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

Index("ix_sponsorships_member_from", sponsorships.c.member_id, sponsorships.c.from_month)
