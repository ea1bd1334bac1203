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
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
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
    # Terms changed from a later month (issue 16): they bill from `pending_from` (YYYY-MM) on.
    Column("pending_income", BigInteger, nullable=True),
    Column("pending_programs", String(40), nullable=True),
    Column("pending_from", String(7), nullable=True),
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

# Failed password sign-ins per account *and* client address (issue 12): a stranger's wrong
# guesses lock that address out of the account, not the account's holder (docs/security.md).
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("account_id", ID, ForeignKey("accounts.id"), primary_key=True),
    Column("client_ip", String(45), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UtcDateTime(), nullable=True),
)

Index("ix_one_time_codes_phone_issued", one_time_codes.c.phone, one_time_codes.c.issued_at)
Index("ix_one_time_codes_ip_issued", one_time_codes.c.client_ip, one_time_codes.c.issued_at)

# -- audit: append-only (the migration adds triggers refusing UPDATE and DELETE) --------------

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", ID, primary_key=True),  # a UUIDv7: time-ordered, unique across branches
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
    # Hand-overs to a provider, counted when a worker claims the message (migration 0005).
    Column("attempts", Integer, nullable=False, server_default="0"),
    # Delivery state (migration 0005): not before `next_attempt_at` (backoff after a failure);
    # nobody else until `claimed_until` (a worker's lease, or the request that sends a code at
    # once); `gave_up_at` once the retries are spent, with the provider's `last_error`.
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("claimed_until", UtcDateTime(), nullable=True),
    Column("last_error", String(200), nullable=False, server_default=""),
    Column("gave_up_at", UtcDateTime(), nullable=True),
    # "Pending, oldest first": only undelivered messages are in it, so it stays small while the
    # sent ones pile up.
    Index(
        "ix_outbox_messages_pending",
        "created_at",
        postgresql_where=text("sent_at IS NULL AND gave_up_at IS NULL"),
        sqlite_where=text("sent_at IS NULL AND gave_up_at IS NULL"),
    ),
)

# -- billing: invoices, the payment inbox, payments, settlements, suspense (issue 6) ------------

invoices = Table(
    "invoices",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("payer_kind", String(10), nullable=False),
    Column("payer_id", ID, nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("month", String(7), nullable=False, index=True),  # YYYY-MM
    Column("due_on", Date, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("branch_code", String(32), nullable=True, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("paid_at", UtcDateTime(), nullable=True),
    Column("cancelled_at", UtcDateTime(), nullable=True),
    Column("cancel_reason", String(200), nullable=False, server_default=""),
    # "monthly:<payer kind>:<payer id>:<YYYY-MM>" for a monthly invoice, NULL otherwise: the
    # unique key that makes `billing issue` idempotent (NULLs never collide).
    Column("issue_key", String(90), nullable=True, unique=True),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("invoice_id", ID, ForeignKey("invoices.id"), primary_key=True),
    Column("member_id", ID, ForeignKey("members.id"), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("programs", String(40), nullable=False),
    Column("jkk", BigInteger, nullable=False),
    Column("jkm", BigInteger, nullable=False),
    Column("jht", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    # True while the invoice is open or paid, false once it is cancelled (migration 0008).
    Column("billed", Boolean, nullable=False, server_default=true()),
    Index("ix_invoice_lines_member_id_month", "member_id", "month"),
    # A member's month is billed on one live (open or paid) invoice at most. This is what
    # makes "at most one open invoice per payer and month" hold under concurrency: two
    # requests that both read "not billed yet" (a double tap on "bayar di muka") cannot both
    # write the same months; the second insert waits for the first to commit, then fails, and
    # the service answers with the invoice the first one wrote. A unique key on the lines
    # rather than on (payer, month): an invoice bills several months, and a worker enrolled
    # after the month's invoice was issued still gets billed (on an invoice of their own)
    # without waiting for the first to be paid. A partial unique index, so cancelled lines
    # (their month may be billed again) never collide; both SQLite and PostgreSQL have them.
    Index(
        "uq_invoice_lines_billed_month",
        "member_id",
        "month",
        unique=True,
        postgresql_where=text("billed"),
        sqlite_where=text("billed"),
    ),
)

payment_notices = Table(  # the inbox: every distinct gateway transaction, stored before applied
    "payment_notices",
    metadata,
    Column("id", ID, primary_key=True),
    Column("gateway", String(20), nullable=False),
    Column("transaction_id", String(64), nullable=False),
    Column("invoice_number", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("paid_at", UtcDateTime(), nullable=False, index=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("raw_body", Text, nullable=False),
    Column("outcome", String(10), nullable=False, index=True),
    Column("applied_at", UtcDateTime(), nullable=True),
    Column("payment_id", ID, nullable=True),
    UniqueConstraint("gateway", "transaction_id"),
)

rejected_notices = Table(  # forged or unreadable notices, kept for audit; they apply nothing
    "rejected_notices",
    metadata,
    Column("id", ID, primary_key=True),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
    Column("reason", String(40), nullable=False),
    Column("signature", String(200), nullable=False),
    Column("raw_body", Text, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("invoice_id", ID, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("notice_id", ID, ForeignKey("payment_notices.id"), nullable=False, unique=True),
    Column("gateway", String(20), nullable=False),
    Column("transaction_id", String(64), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("paid_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

settlements = Table(  # a member's month counted as paid: the primary key allows it once
    "settlements",
    metadata,
    Column("member_id", ID, ForeignKey("members.id"), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("invoice_id", ID, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("payment_id", ID, ForeignKey("payments.id"), nullable=False),
    Column("programs", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("settled_at", UtcDateTime(), nullable=False),
)

suspense_items = Table(
    "suspense_items",
    metadata,
    Column("id", ID, primary_key=True),
    Column("notice_id", ID, ForeignKey("payment_notices.id"), nullable=False, unique=True),
    Column("invoice_id", ID, ForeignKey("invoices.id"), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("branch_code", String(32), nullable=True, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("resolved_by", ID, nullable=True),
    Column("resolution_note", String(300), nullable=False, server_default=""),
    Column("allocated_invoice_id", ID, ForeignKey("invoices.id"), nullable=True),
)

# -- domain events: a generic, transactional outbox (kernel.events; migration 0010) ----------

events = Table(
    "events",
    metadata,
    Column("id", ID, primary_key=True),  # UUIDv7 hex: the order the events were written in
    Column("kind", String(60), nullable=False),  # billing.payment_settled, ...
    Column("key", String(200), nullable=False, unique=True),  # the fact's stable key: once
    Column("payload", Text, nullable=False),  # JSON text (money int, dates ISO)
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True),
    # Failed publishing attempts, and the last error's class name (never its text).
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(100), nullable=False, server_default=""),
    # "Unpublished, oldest first": only those are in it, so it stays small as events pile up.
    Index(
        "ix_events_unpublished",
        "id",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

# -- reminders: each queued once (billing.reminders), its message in the same transaction -------

reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("kind", String(20), primary_key=True),  # due_soon, unpaid_on_due, cover_ending
    # The invoice (due soon, unpaid on due date) or the member (cover ending).
    Column("subject_id", ID, primary_key=True),
    Column("month", String(7), primary_key=True),  # the invoice's month, or the last paid month
    Column("message_id", ID, nullable=True),  # the outbox message; NULL when there was no phone
    Column("queued_at", UtcDateTime(), nullable=False),
)

# The daily job's reminders: "open invoices due between two dates", "members who paid this
# month" (the primary key of settlements leads with the member).
Index("ix_invoices_status_due_on", invoices.c.status, invoices.c.due_on)
Index("ix_settlements_month_member_id", settlements.c.month, settlements.c.member_id)

# -- reconciliation against the gateway's daily settlement file (issue 6, migration 0006) -------

reconciliation_runs = Table(  # one per run: running a day again adds a run, replaces none
    "reconciliation_runs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("settlement_date", Date, nullable=False, index=True),  # the WIB day paid
    Column("gateway", String(20), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("file_digest", String(64), nullable=False),  # SHA-256: the same file run again
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    Column("actor_role", String(20), nullable=False),
    Column("actor_account_id", ID, nullable=True),
    Column("matched", Integer, nullable=False),
    Column("not_notified", Integer, nullable=False),
    Column("not_in_file", Integer, nullable=False),
    Column("amount_mismatch", Integer, nullable=False),
    Column("unreadable", Integer, nullable=False),
    Column("applied", Integer, nullable=False),  # not-notified rows this run applied
)

reconciliation_rows = Table(
    "reconciliation_rows",
    metadata,
    Column("run_id", ID, ForeignKey("reconciliation_runs.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # the report's order
    Column("line", Integer, nullable=True),  # in the file; NULL: not in the file
    Column("transaction_id", String(64), nullable=False),
    Column("invoice_number", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("file_amount", BigInteger, nullable=True),
    Column("notice_amount", BigInteger, nullable=True),
    Column("notice_id", ID, nullable=True),
    Column("notice_outcome", String(10), nullable=True),
    Column("applied", String(12), nullable=False),  # none | this_run | earlier_run
    Column("note", Text, nullable=False),
)
