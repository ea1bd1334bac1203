"""Tiny member and payment folders for the coverage tests, written with pyarrow in the exact
layout of `sertakan synth population` (DIR/members/part-*.parquet, DIR/payments/part-*.parquet),
so the tests never depend on the generator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sertakan.kernel.periods import Month

MEMBER_SCHEMA = pa.schema(
    [
        ("member_id", pa.string()),
        ("nik", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("region_code", pa.string()),
        ("occupation", pa.string()),
        ("declared_income", pa.int64()),
        ("programs", pa.string()),
        ("publicly_funded", pa.bool_()),
        ("sponsor_id", pa.string()),
        ("enrolled_on", pa.date32()),
    ]
)
PAYMENT_SCHEMA = pa.schema(
    [
        ("member_id", pa.string()),
        ("month", pa.date32()),
        ("paid_on", pa.date32()),
        ("amount", pa.int64()),
    ]
)

BOGOR_VILLAGE = "32.71.01.1001"  # Batu Tulis, Bogor Selatan, Kota Bogor, Jawa Barat
BANDA_ACEH_VILLAGE = "11.71.01.2001"  # Kampung Baru, Kota Banda Aceh, Aceh


def member(
    member_id: str,
    *,
    enrolled_on: dt.date,
    region_code: str = BOGOR_VILLAGE,
    declared_income: int = 1_000_000,
    programs: str = "JKK,JKM",
    occupation: str = "household_helper",
    publicly_funded: bool = False,
    birth_date: dt.date = dt.date(1990, 8, 17),
    sex: str = "F",
) -> dict[str, Any]:
    """A member row; the NIK is built from the region and birth date like a real one."""
    district = region_code.replace(".", "")[:6]
    day = birth_date.day + (40 if sex == "F" else 0)
    serial = int(member_id.encode().hex(), 16) % 9999 + 1
    nik = f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
    return {
        "member_id": member_id,
        "nik": nik,
        "sex": sex,
        "birth_date": birth_date,
        "region_code": region_code,
        "occupation": occupation,
        "declared_income": declared_income,
        "programs": programs,
        "publicly_funded": publicly_funded,
        "sponsor_id": None,
        "enrolled_on": enrolled_on,
    }


def payment(member_id: str, month: Month, paid_on: dt.date, amount: int = 16_800) -> dict[str, Any]:
    return {"member_id": member_id, "month": month.first_day, "paid_on": paid_on, "amount": amount}


def write_dataset(
    folder: Path,
    members: Sequence[dict[str, Any]],
    payments: Sequence[dict[str, Any]],
    *,
    parts: int = 2,
) -> Path:
    """Write the rows as `parts` Parquet files per table (like a parallel writer) into `folder`."""
    for name, rows, schema in (
        ("members", members, MEMBER_SCHEMA),
        ("payments", payments, PAYMENT_SCHEMA),
    ):
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(list(rows), schema=schema)
        size = max(1, -(-len(rows) // parts))
        for index in range(parts):
            pq.write_table(table.slice(index * size, size), target / f"part-{index:05d}.parquet")
    return folder


# --- a finished report, made without an engine (for the page and browser tests) ---------------


def sample_figures(months: Sequence[Month]) -> pa.Table:
    """Regency figures (coverage.FIGURE_SCHEMA) for a few regencies, growing month by month:
    Kota Bogor and Kabupaten Bogor (Jawa Barat), Kota Banda Aceh (Aceh), Kota Denpasar (Bali),
    and one code the region directory does not know."""
    from sertakan.analytics.nation_report import FIGURE_SCHEMA

    regencies = {  # code: (aktif in the last month, menunggak, berakhir, menunggu)
        "32.71": (12_000, 345, 210, 88),
        "32.01": (30_000, 900, 1_200, 150),
        "11.71": (2_500, 40, 75, 10),
        "51.71": (9_000, 120, 300, 35),
        "99.99": (5, 1, 0, 0),
    }
    rows = []
    for index, month in enumerate(months):
        growth = (index + 1) / len(months)
        for code, (aktif, menunggak, berakhir, menunggu) in regencies.items():
            active = int(aktif * growth)
            members = active + menunggak + berakhir + menunggu
            rows.append(
                {
                    "month": month.first_day,
                    "regency_code": code,
                    "members": members,
                    "menunggu": menunggu,
                    "aktif": active,
                    "menunggak": menunggak,
                    "berakhir": berakhir,
                    "billed": (active + menunggak + menunggu) * 16_800,
                    "collected": active * 16_800 + menunggak * 8_400,
                }
            )
    return pa.Table.from_pylist(rows, schema=FIGURE_SCHEMA)


def write_sample_report(folder: Path, as_of: dt.date = dt.date(2024, 2, 29)) -> Path:
    """A whole report, as `sertakan nation report` writes it, into `folder`."""
    from sertakan.analytics.nation_files import write_report
    from sertakan.analytics.nation_report import assemble_report, report_months
    from sertakan.config import Settings
    from sertakan.registry.regions import RegionDirectory
    from sertakan.regulation.loader import load_parameters

    params = load_parameters()
    directory = RegionDirectory.from_directory(Settings().regions_dir)
    months = report_months(params, as_of)
    report = assemble_report(
        sample_figures(months), as_of=as_of, months=months, params=params, directory=directory
    )
    write_report(report, folder, data="(sample)", engine="none")
    return folder
