"""The sandbox gateway's own books: its charges, kept in its own SQLite file.

The sandbox plays a separate bank, so this is not our database: SQLAlchemy Core with its own
`MetaData`, the table made on first use (no Alembic: the file can be thrown away at will).
Times are ISO 8601 text in WIB with whole seconds, all written by `iso`, so the payments of
one day are a range of text. A partial unique index allows one pending charge per invoice and
channel, and each transaction takes SQLite's write lock first (BEGIN IMMEDIATE), so two
requests for the same charge queue instead of both creating one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
    update,
)

from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import Conflict, NotFound


class ChargeStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Charge:
    """One payment the sandbox bank expects: what, how much, by which channel, and its state."""

    reference: str  # "SBX-" + hex: the gateway's transaction id
    invoice_number: str
    amount: int
    channel: str
    payer_name: str
    status: ChargeStatus
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None = None
    va_number: str | None = None
    qris_payload: str | None = None

    def is_payable_at(self, at: dt.datetime) -> bool:
        return self.status is ChargeStatus.PENDING and at < self.expires_at


class ChargeNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no sandbox charge {reference!r}")
        self.reference = reference


class ChargeExpired(Conflict):
    def __init__(self) -> None:
        super().__init__(
            message="This charge has expired: ask for a new payment",
            message_id="Tagihan pembayaran ini sudah kedaluwarsa. Buat pembayaran baru.",
            rule="sandbox.charge.expired",
        )


class ChargeMismatch(Conflict):
    def __init__(self) -> None:
        super().__init__(
            message="A pending charge for this invoice and channel has another amount",
            message_id="Sudah ada tagihan pembayaran untuk faktur ini dengan jumlah lain",
            rule="sandbox.charge.amount",
        )


metadata = MetaData()

charges = Table(
    "sandbox_charges",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column("invoice_number", String(64), nullable=False),
    Column("amount", BigInteger, CheckConstraint("amount > 0"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("payer_name", String(200), nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("paid_at", String(32), nullable=True, index=True),
    Column("va_number", String(32), nullable=True, unique=True),
    Column("qris_payload", Text, nullable=True),
    Index(
        "ux_sandbox_charges_pending",
        "invoice_number",
        "channel",
        unique=True,
        sqlite_where=text("status = 'pending'"),
    ),
)


def iso(moment: dt.datetime) -> str:
    """How the books write a time: WIB, whole seconds, with its offset."""
    if moment.tzinfo is None:
        raise ValueError("the sandbox keeps times with their UTC offset only")
    return moment.astimezone(WIB).replace(microsecond=0).isoformat()


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


class ChargeBook:
    """The charges table in the SQLite file at `path` (made, with its folder, on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in one transaction: committed when the block ends, else rolled back."""
        with self._connect() as connection, connection.begin():
            yield connection

    def get(self, connection: Connection, reference: str) -> Charge | None:
        row = connection.execute(select(charges).where(charges.c.reference == reference)).first()
        return None if row is None else _charge(row._mapping)

    def pending_for(
        self, connection: Connection, invoice_number: str, channel: str
    ) -> Charge | None:
        row = connection.execute(
            select(charges).where(
                charges.c.invoice_number == invoice_number,
                charges.c.channel == channel,
                charges.c.status == ChargeStatus.PENDING.value,
            )
        ).first()
        return None if row is None else _charge(row._mapping)

    def add(self, connection: Connection, charge: Charge) -> None:
        connection.execute(
            insert(charges).values(
                reference=charge.reference,
                invoice_number=charge.invoice_number,
                amount=charge.amount,
                channel=charge.channel,
                payer_name=charge.payer_name,
                status=charge.status.value,
                created_at=iso(charge.created_at),
                expires_at=iso(charge.expires_at),
                paid_at=None if charge.paid_at is None else iso(charge.paid_at),
                va_number=charge.va_number,
                qris_payload=charge.qris_payload,
            )
        )

    def mark(
        self,
        connection: Connection,
        reference: str,
        status: ChargeStatus,
        paid_at: dt.datetime | None = None,
    ) -> bool:
        """Move a pending charge to `status`; False when it was no longer pending."""
        result = connection.execute(
            update(charges)
            .where(
                charges.c.reference == reference,
                charges.c.status == ChargeStatus.PENDING.value,
            )
            .values(status=status.value, paid_at=None if paid_at is None else iso(paid_at))
        )
        return result.rowcount == 1

    def paid_between(self, start: dt.datetime, end: dt.datetime) -> list[Charge]:
        """Charges paid at or after `start` and before `end`, in the order they were paid."""
        with self.transaction() as connection:
            rows = connection.execute(
                select(charges)
                .where(
                    charges.c.status == ChargeStatus.PAID.value,
                    charges.c.paid_at >= iso(start),
                    charges.c.paid_at < iso(end),
                )
                .order_by(charges.c.paid_at, charges.c.reference)
            )
            return [_charge(row._mapping) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _connect(self) -> Connection:
        with self._lock:
            if self._engine is None:
                self._engine = _make_engine(self.path)
            engine = self._engine
        return engine.connect()


def _make_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30}, hide_parameters=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by the "begin" hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _charge(row: Any) -> Charge:
    created_at, expires_at = _moment(row["created_at"]), _moment(row["expires_at"])
    assert created_at is not None and expires_at is not None
    return Charge(
        reference=row["reference"],
        invoice_number=row["invoice_number"],
        amount=int(row["amount"]),
        channel=row["channel"],
        payer_name=row["payer_name"],
        status=ChargeStatus(row["status"]),
        created_at=created_at,
        expires_at=expires_at,
        paid_at=_moment(row["paid_at"]),
        va_number=row["va_number"],
        qris_payload=row["qris_payload"],
    )
