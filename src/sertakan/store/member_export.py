"""The database's members as Arrow record batches, for the batch jobs (SQL stays in `store`).

Each batch has the member-row contract's columns (`MEMBER_ARROW_SCHEMA`, the same as the
synthetic nation's Parquet): `member_id` is the member's id, `sponsor_id` the sponsor whose
sponsorship is active in the month asked for (null: the member pays for themself). Rows come
in id order, read with a server-side cursor in batches, so memory holds one batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from sqlalchemy import Engine, and_, case, func, or_, select

from sertakan.kernel.periods import Month
from sertakan.registry.model import Consent
from sertakan.store.tables import members, sponsorships

SETTLED_CONSENTS = tuple(c.value for c in Consent if c.is_settled)

MEMBER_ARROW_SCHEMA = pa.schema(
    [
        pa.field("member_id", pa.string(), nullable=False),
        pa.field("nik", pa.string(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("birth_date", pa.date32(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("occupation", pa.string(), nullable=False),
        pa.field("declared_income", pa.int64(), nullable=False),
        pa.field("programs", pa.string(), nullable=False),
        pa.field("publicly_funded", pa.bool_(), nullable=False),
        pa.field("sponsor_id", pa.string(), nullable=True),
        pa.field("enrolled_on", pa.date32(), nullable=False),
    ]
)


def count_members(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(members)).scalar_one())


def iter_member_batches(
    engine: Engine, month: Month, *, batch_rows: int = 100_000
) -> Iterator[pa.RecordBatch]:
    """Every member, in id order, `batch_rows` at a time, with the month's sponsor."""
    text = str(month)
    sponsor = (
        select(sponsorships.c.sponsor_id)
        .where(
            and_(
                sponsorships.c.member_id == members.c.id,
                sponsorships.c.from_month <= text,
                or_(sponsorships.c.until_month.is_(None), sponsorships.c.until_month >= text),
                # A sponsor pays only once the worker consented (issue 4); until then the
                # worker is billed as self-paying.
                sponsorships.c.consent.in_(SETTLED_CONSENTS),
            )
        )
        .order_by(sponsorships.c.from_month.desc(), sponsorships.c.id)
        .limit(1)
        .scalar_subquery()
    )
    # The terms that bill the month (issue 16): a change of terms from a month at or before
    # this one bills it, as `Member.terms_in` says for the invoices.
    changed = and_(members.c.pending_from.is_not(None), members.c.pending_from <= text)
    query = select(
        members.c.id,
        members.c.nik,
        members.c.sex,
        members.c.birth_date,
        members.c.region_code,
        members.c.occupation,
        case((changed, members.c.pending_income), else_=members.c.declared_income),
        case((changed, members.c.pending_programs), else_=members.c.programs),
        members.c.publicly_funded,
        sponsor,
        members.c.enrolled_on,
    ).order_by(members.c.id)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(query)
        for rows in result.partitions():
            columns = list(zip(*rows, strict=True))
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(values, type=field.type)
                    for values, field in zip(columns, MEMBER_ARROW_SCHEMA, strict=True)
                ],
                schema=MEMBER_ARROW_SCHEMA,
            )
