"""The schema. Alembic migrations under `migrations/` create exactly this (a test compares them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
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
    Column("enrolled_by", ID, nullable=True, index=True),  # the account that enrolled them
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
    # The worker's consent (issue 4): pending, given (code), awaiting_approval, attested.
    Column("consent", String(20), nullable=False, server_default="given"),
    Column("consent_at", UtcDateTime(), nullable=True),
    Column("consent_by", ID, nullable=True),
    Column("consent_reason", String(300), nullable=False, server_default=""),
)

Index("ix_sponsorships_member_from", sponsorships.c.member_id, sponsorships.c.from_month)

# -- analytics: the monthly billing run's amounts per member (issue 5) ------------------------
# One row per member and contribution month: the primary key is what makes a re-run of the
# batch insert nothing twice. No foreign key to members: a national run may bill members read
# from a Parquet export of another system, not only from this database.
member_contributions = Table(
    "member_contributions",
    metadata,
    Column("member_id", ID, primary_key=True),
    Column("month", String(7), primary_key=True, index=True),  # YYYY-MM
    Column("declared_income", BigInteger, nullable=False),
    Column("programs", String(40), nullable=False),  # "JKK,JKM" or "JKK,JKM,JHT"
    Column("jkk", BigInteger, nullable=False),
    Column("jkm", BigInteger, nullable=False),
    Column("jht", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),  # PP 50/2025 reduction, rupiah
    Column("total", BigInteger, nullable=False),
    Column("run_id", ID, nullable=False),  # the billing run that first wrote the row
    Column("created_at", UtcDateTime(), nullable=False),
)

# -- access: accounts, sign-in tokens, one-time codes (issue 4) ------------------------------

accounts = Table(
    "accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("role", String(20), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("username", String(40), nullable=True, unique=True),
    Column("password_hash", String(200), nullable=True),
    Column("phone", String(16), nullable=True, index=True),
    Column("member_id", ID, ForeignKey("members.id"), nullable=True, unique=True),
    Column("sponsor_id", ID, ForeignKey("sponsors.id"), nullable=True, unique=True),
    Column("branch_code", String(32), ForeignKey("branches.code"), nullable=True),
    Column("is_active", Boolean, nullable=False),
    Column("failed_sign_ins", Integer, nullable=False),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the secret; never the secret
    Column("kind", String(10), nullable=False),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("purpose", String(10), nullable=False),
    Column("phone", String(16), nullable=False),
    Column("digest", String(64), nullable=False),  # HMAC-SHA256; the code is never stored
    Column("subject_id", ID, nullable=True),
    Column("client_ip", String(45), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False),
)

Index("ix_one_time_codes_phone_issued", one_time_codes.c.phone, one_time_codes.c.issued_at)
Index("ix_one_time_codes_ip_issued", one_time_codes.c.client_ip, one_time_codes.c.issued_at)

# -- audit: append-only (the migration adds triggers refusing UPDATE and DELETE) --------------

audit_events = Table(
    "audit_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", UtcDateTime(), nullable=False, index=True),
    Column("action", String(60), nullable=False),
    Column("entity_type", String(30), nullable=False),
    Column("entity_id", String(40), nullable=False),
    Column("actor_account_id", ID, nullable=True),
    Column("actor_role", String(20), nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("reason", String(300), nullable=False),
)

# -- notifications: the outbox, written in the transaction of the change that causes it --------

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", ID, primary_key=True),
    Column("channel", String(10), nullable=False),
    Column("recipient", String(16), nullable=False),
    Column("template", String(40), nullable=False),
    Column("body", String(480), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
)
