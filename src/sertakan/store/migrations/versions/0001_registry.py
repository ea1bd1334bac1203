"""Registry: branches, sponsors, members and sponsorships.

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("region_prefix", sa.String(13), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_branches"),
    )
    op.create_table(
        "sponsors",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(13), nullable=False),
        sa.Column("nik", sa.String(16), nullable=True),
        sa.Column("nib", sa.String(13), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sponsors"),
        sa.UniqueConstraint("nik", name="uq_sponsors_nik"),
        sa.UniqueConstraint("nib", name="uq_sponsors_nib"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kpj", sa.String(11), nullable=False),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("full_name", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("region_code", sa.String(13), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("occupation", sa.String(32), nullable=False),
        sa.Column("declared_income", sa.BigInteger(), nullable=False),
        sa.Column("programs", sa.String(40), nullable=False),
        sa.Column("publicly_funded", sa.Boolean(), nullable=False),
        sa.Column("branch_code", sa.String(32), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name="fk_members_branch_code_branches"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("kpj", name="uq_members_kpj"),
        sa.UniqueConstraint("nik", name="uq_members_nik"),
    )
    op.create_index("ix_members_region_code", "members", ["region_code"])
    op.create_index("ix_members_branch_code", "members", ["branch_code"])
    op.create_index("ix_members_name_key", "members", ["name_key"])
    op.create_table(
        "sponsorships",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("sponsor_id", sa.String(32), nullable=False),
        sa.Column("member_id", sa.String(32), nullable=False),
        sa.Column("from_month", sa.String(7), nullable=False),
        sa.Column("until_month", sa.String(7), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_sponsorships_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["sponsors.id"], name="fk_sponsorships_sponsor_id_sponsors"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sponsorships"),
    )
    op.create_index("ix_sponsorships_sponsor_id", "sponsorships", ["sponsor_id"])
    op.create_index("ix_sponsorships_member_id", "sponsorships", ["member_id"])
    op.create_index("ix_sponsorships_member_from", "sponsorships", ["member_id", "from_month"])


def downgrade() -> None:
    op.drop_table("sponsorships")
    op.drop_table("members")
    op.drop_table("sponsors")
    op.drop_table("branches")
