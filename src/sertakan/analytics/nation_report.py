"""The national enrolment report ("Cakupan"): members by standing, coverage of the population,
contributions billed and collected, by regency, province and for Indonesia, month by month.

Definitions (the page and `docs` say the same):

* **Standing** on a date: `regulation.standing` (R3, docs/rules.md), computed for every
  member by `batch_standing.standing_table`. Members are those enrolled on or before it.
* **Coverage** of a region: its ``aktif`` members over its population (`population.csv`,
  Kepmendagri 2025, read through `registry.regions.RegionDirectory`). Nationally also over the
  informal workforce (`nation_reference`, BPS Sakernas); no provincial
  figure of the informal workforce is cited, so no provincial share is shown.
* **Billed in month M**: the sum of `contributions.contribution_columns(...).total` for M (the
  contribution of month M, PP 50/2025 discount included) over the members enrolled by the
  month's observation day whose membership has not ended (standing not ``berakhir``) that
  day. Members awaiting their first payment (``menunggu``) are billed: they owe from enrolment.
  Members the billing rules refuse (bad income, unknown village, ...) are not billed.
* **Collected in month M**: cash basis — the sum of `payments.amount` of payments that
  settled (`paid_on`) in M, whatever contribution month they paid for (arrears, months ahead).
* The **observation day** of month M is its last day, or the as-of date for the as-of month:
  the report never looks at payments that settled after the as-of date.

The trend covers the `months` months ending with the as-of month (12 by default); months
whose observation day the standing parameters do not cover are left out (`months` then says
which are there). Everything per member runs in the engine (Ibis on DuckDB or Spark); Python
only sees one row per regency and month, and rolls those up to provinces and the nation.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from sertakan.analytics.batch_standing import BATCH_STATUSES, PaidMonths, standing_table
from sertakan.analytics.contributions import contribution_columns
from sertakan.analytics.engines import BatchEngine, materialized, open_engine
from sertakan.analytics.nation_reference import InformalWorkforce, load_informal_workforce
from sertakan.analytics.nation_sources import Dataset, NationInputError, read_dataset
from sertakan.analytics.region_tables import RegionTables
from sertakan.kernel.errors import ParameterMissing
from sertakan.kernel.periods import Month
from sertakan.registry.regions import NATIONAL_CODE, RegionDirectory
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import MembershipStatus, standing_rule

__all__ = [
    "COUNT_COLUMNS",
    "FIGURE_SCHEMA",
    "REPORT_SCHEMA",
    "Level",
    "NationReport",
    "NationRow",
    "assemble_report",
    "build_report",
    "observation_day",
    "regency_figures",
    "report_months",
    "run_report",
]

DEFAULT_MONTHS = 12
UNKNOWN_CODE = "?"  # regions whose code the directory does not know, pooled


class Level:
    """The three levels of a report row (the words the files and the page use)."""

    NATIONAL = "nasional"
    PROVINCE = "provinsi"
    REGENCY = "kabupaten"


STATUS_COLUMNS = tuple(
    status.value for status in BATCH_STATUSES
)  # menunggu, aktif, menunggak, berakhir
COUNT_COLUMNS = ("members", *STATUS_COLUMNS, "billed", "collected")
FIGURE_SCHEMA = pa.schema(
    [("month", pa.date32()), ("regency_code", pa.string())]
    + [(name, pa.int64()) for name in COUNT_COLUMNS]
)
REPORT_SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("code", pa.string()),
        ("name", pa.string()),
        ("province_code", pa.string()),
        ("month", pa.date32()),
        ("population", pa.int64()),
        *((name, pa.int64()) for name in COUNT_COLUMNS),
        ("coverage_share", pa.float64()),  # aktif / population: a ratio for display, not money
    ]
)


@dataclass(frozen=True, slots=True)
class NationRow:
    """One region in one month. Money is int rupiah; the share is a display ratio."""

    level: str
    code: str
    name: str
    province_code: str
    month: dt.date
    population: int | None
    members: int
    menunggu: int
    aktif: int
    menunggak: int
    berakhir: int
    billed: int
    collected: int
    coverage_share: float | None

    @property
    def collection_share(self) -> float | None:
        """Collected over billed (cash basis over accrual: may exceed 1 when arrears come in)."""
        return self.collected / self.billed if self.billed else None


@dataclass(frozen=True)
class NationReport:
    """A whole report: every level, every month of the trend (`rows`, REPORT_SCHEMA)."""

    as_of: dt.date
    months: tuple[Month, ...]  # oldest first; the last is the as-of month
    rows: pa.Table
    informal: InformalWorkforce
    deadline_reference: str
    arrears_reference: str
    # Built from a synthetic nation (`sertakan synth population`, the demo): the page says so,
    # so nobody reads generated figures as Indonesia's.
    synthetic: bool = False

    @property
    def as_of_month(self) -> Month:
        return self.months[-1]

    def national(self) -> NationRow:
        (row,) = self._select(Level.NATIONAL, month=self.as_of_month)
        return row

    def provinces(self) -> list[NationRow]:
        return self._select(Level.PROVINCE, month=self.as_of_month)

    def province(self, code: str) -> NationRow | None:
        found = [row for row in self.provinces() if row.code == code]
        return found[0] if found else None

    def regencies(self, province_code: str | None = None) -> list[NationRow]:
        rows = self._select(Level.REGENCY, month=self.as_of_month)
        if province_code is None:
            return rows
        return [row for row in rows if row.province_code == province_code]

    def trend(self, code: str = NATIONAL_CODE, level: str | None = None) -> list[NationRow]:
        """The region's rows, oldest month first (the nation's by default). `level` tells the
        province from the regency pool of unknown codes, which share the code "?"."""
        wanted = pc.equal(self.rows["code"], code)
        if level is not None:
            wanted = pc.and_(wanted, pc.equal(self.rows["level"], level))
        return sorted(_rows(self.rows.filter(wanted)), key=lambda row: row.month)

    @property
    def informal_share(self) -> float:
        """National aktif members over the informal workforce (a display ratio)."""
        return self.national().aktif / self.informal.value

    def _select(self, level: str, *, month: Month) -> list[NationRow]:
        wanted = pc.and_(
            pc.equal(self.rows["level"], level),
            pc.equal(self.rows["month"], pa.scalar(month.first_day, pa.date32())),
        )
        return _rows(self.rows.filter(wanted))


def _rows(table: pa.Table) -> list[NationRow]:
    return [NationRow(**record) for record in table.to_pylist()]


# --- months -----------------------------------------------------------------------------------


def observation_day(month: Month, as_of: dt.date) -> dt.date:
    """The day a month is judged on: its last day, or the as-of date in the as-of month."""
    return min(month.last_day, as_of)


def report_months(
    params: Parameters, as_of: dt.date, count: int = DEFAULT_MONTHS
) -> tuple[Month, ...]:
    """The `count` months ending with the as-of month, oldest first, without the months the
    standing parameters do not cover. ParameterMissing when the as-of date is not covered."""
    if count < 1:
        raise ValueError("a report needs at least one month")
    standing_rule(params, as_of)  # the as-of date itself must be covered: raises otherwise
    last = Month.of(as_of)
    months = []
    for back in range(count - 1, -1, -1):
        month = last.plus(-back)
        try:
            standing_rule(params, observation_day(month, as_of))
        except ParameterMissing:
            continue
        months.append(month)
    return tuple(months)


# --- the engine's part: one row per regency and month -----------------------------------------


def regency_figures(
    engine: BatchEngine,
    data: Dataset,
    *,
    as_of: dt.date,
    months: Iterable[Month],
    params: Parameters,
    directory: RegionDirectory,
    on_month: Callable[[Month], None] | None = None,
) -> pa.Table:
    """FIGURE_SCHEMA rows: for each month and regency code, members by standing, billed and
    collected. One query per month over the paid months, which are computed once."""
    chosen = tuple(months)
    if not chosen:
        return FIGURE_SCHEMA.empty_table()
    oldest = min(_oldest_month_needed(params, observation_day(m, as_of)) for m in chosen)
    paid = PaidMonths.of(data.members, data.payments, since=oldest)
    regions = engine.region_tables(directory)
    pieces: list[pa.Table] = []
    with (
        tempfile.TemporaryDirectory(prefix="sertakan-coverage-") as scratch,
        materialized(engine, paid.rows, Path(scratch) / "paid_months") as rows,
        materialized(engine, paid.first_settled, Path(scratch) / "first_settled") as first,
    ):
        cached = PaidMonths(rows=rows, first_settled=first, since=paid.since)
        for month in chosen:
            expression = _month_figures(data, cached, month, as_of, params, regions)
            pieces.append(engine.backend.to_pyarrow(expression).cast(FIGURE_SCHEMA))
            if on_month is not None:
                on_month(month)
    return pa.concat_tables(pieces)


def _oldest_month_needed(params: Parameters, day: dt.date) -> Month:
    rule = standing_rule(params, day)
    return rule.last_due_month(day).plus(-rule.lookback_months)


def _regency(code: ir.StringValue) -> ir.StringValue:
    """The regency (kabupaten/kota) of a dotted village code: "32.71.01.1001" -> "32.71"."""
    return code.substr(0, 5)


def _month_figures(
    data: Dataset,
    paid: PaidMonths,
    month: Month,
    as_of: dt.date,
    params: Parameters,
    regions: RegionTables,
) -> ir.Table:
    day = observation_day(month, as_of)
    members, payments = data.members, data.payments
    standing = standing_table(members, paid, on=day, params=params)
    standing = standing.mutate(regency_code=_regency(standing.region_code))
    zero = ibis.literal(0, type="int64")

    def measured(table: ir.Table, **measures: ir.IntegerValue) -> ir.Table:
        """`table` in the shape every piece shares: month, regency_code, COUNT_COLUMNS."""
        return table.select(
            month=ibis.literal(month.first_day, type="date"),
            regency_code=table.regency_code,
            **{name: measures.get(name, zero) for name in COUNT_COLUMNS},
        )

    # Billed: month M's contribution of every member whose membership has not ended (members
    # the billing rules refuse have no contribution row). One pass over the standing.
    parts = contribution_columns(members, month, params, regions=regions)
    joined = standing.left_join(parts.select("member_id", "total"), "member_id")
    joined = joined.select(
        "regency_code",
        "status",
        billed=ibis.cases(
            (joined.status != MembershipStatus.BERAKHIR.value, joined.total.fill_null(0)), else_=0
        ),
    )
    counts = joined.group_by("regency_code").aggregate(
        members=joined.count(),
        billed=joined.billed.sum(),
        **{s: joined.status.count(where=joined.status == s) for s in STATUS_COLUMNS},
    )
    counts = measured(
        counts,
        **{name: counts[name].cast("int64") for name in ("members", "billed", *STATUS_COLUMNS)},
    )

    # Collected: cash that settled in the month (to the observation day), for any month.
    cash = payments.filter(payments.paid_on >= month.first_day, payments.paid_on <= day)
    cash = cash.join(
        members.select("member_id", regency_code=_regency(members.region_code)), "member_id"
    )
    collected = cash.group_by("regency_code").aggregate(collected=cash.amount.sum())
    collected = measured(collected, collected=collected.collected.cast("int64"))

    union = ibis.union(counts, collected, distinct=False)
    return union.group_by(["month", "regency_code"]).aggregate(
        **{name: union[name].sum().cast("int64") for name in COUNT_COLUMNS}
    )


# --- Python's part: regions, roll-ups, the report ----------------------------------------------


def build_report(
    engine: BatchEngine,
    data_dir: Path,
    *,
    as_of: dt.date,
    params: Parameters,
    directory: RegionDirectory,
    months: int = DEFAULT_MONTHS,
    on_month: Callable[[Month], None] | None = None,
) -> NationReport:
    """Read the folder, compute the figures on the engine, roll them up into a report.

    ParameterMissing when the as-of date is before the standing rules; NationInputError
    for a missing or malformed folder, or when no member was enrolled by the as-of date."""
    chosen = report_months(params, as_of, months)
    data = read_dataset(engine.backend, data_dir)
    figures = regency_figures(
        engine,
        data,
        as_of=as_of,
        months=chosen,
        params=params,
        directory=directory,
        on_month=on_month,
    )
    report = assemble_report(
        figures, as_of=as_of, months=chosen, params=params, directory=directory
    )
    if report.national().members == 0:
        raise NationInputError(
            f"no member in {data_dir / 'members'} was enrolled on or before {as_of.isoformat()}"
        )
    return report


def run_report(
    data_dir: Path,
    *,
    as_of: dt.date,
    engine_name: str,
    params: Parameters,
    directory: RegionDirectory,
    months: int = DEFAULT_MONTHS,
    on_month: Callable[[Month], None] | None = None,
) -> NationReport:
    """`build_report` on a new engine ("duckdb" or "spark"), closed afterwards (a local
    Spark session it started is stopped)."""
    engine = open_engine(engine_name)
    try:
        return build_report(
            engine,
            data_dir,
            as_of=as_of,
            params=params,
            directory=directory,
            months=months,
            on_month=on_month,
        )
    finally:
        engine.close()
        session = getattr(engine, "session", None)
        if session is not None:
            session.stop()


def assemble_report(
    figures: pa.Table,
    *,
    as_of: dt.date,
    months: tuple[Month, ...],
    params: Parameters,
    directory: RegionDirectory,
    informal: InformalWorkforce | None = None,
) -> NationReport:
    """The report from regency figures (FIGURE_SCHEMA): every known region gets a row in every
    month (zeros where nobody is enrolled); unknown codes are pooled under `UNKNOWN_CODE`."""
    figures = figures.cast(FIGURE_SCHEMA)
    known = set(directory.populations) - {NATIONAL_CODE}
    regency_codes = pc.if_else(
        pc.is_in(figures["regency_code"], pa.array(sorted(known), pa.string())),
        figures["regency_code"],
        pa.scalar(UNKNOWN_CODE),
    )
    figures = figures.set_column(1, "regency_code", regency_codes)
    regencies = _sum_by(figures, "regency_code")
    provinces = _sum_by(
        figures.append_column("province_code", _province_of(figures["regency_code"])),
        "province_code",
    )
    everywhere = pa.array([NATIONAL_CODE] * figures.num_rows, pa.string())
    nation = _sum_by(figures.append_column("nation", everywhere), "nation")

    provinces_known = sorted(directory.children(""), key=lambda region: region.code)
    rows: list[dict[str, object]] = []
    for month in months:
        rows.append(_row(Level.NATIONAL, NATIONAL_CODE, "", month, nation, directory))
        for province in provinces_known:
            rows.append(
                _row(Level.PROVINCE, province.code, province.code, month, provinces, directory)
            )
        if (month.first_day, UNKNOWN_CODE) in provinces:
            rows.append(
                _row(Level.PROVINCE, UNKNOWN_CODE, UNKNOWN_CODE, month, provinces, directory)
            )
        for province in provinces_known:
            for regency in sorted(directory.children(province.code), key=lambda r: r.code):
                rows.append(
                    _row(Level.REGENCY, regency.code, province.code, month, regencies, directory)
                )
        if (month.first_day, UNKNOWN_CODE) in regencies:
            rows.append(
                _row(Level.REGENCY, UNKNOWN_CODE, UNKNOWN_CODE, month, regencies, directory)
            )

    rule = standing_rule(params, as_of)
    return NationReport(
        as_of=as_of,
        months=months,
        rows=pa.Table.from_pylist(rows, schema=REPORT_SCHEMA),
        informal=informal or load_informal_workforce(),
        deadline_reference=rule.deadline_reference,
        arrears_reference=rule.arrears_reference,
    )


_Sums = dict[tuple[dt.date, str], dict[str, int]]


def _sum_by(table: pa.Table, key: str) -> _Sums:
    summed = table.group_by(["month", key]).aggregate([(name, "sum") for name in COUNT_COLUMNS])
    return {
        (record["month"], record[key]): {name: record[f"{name}_sum"] for name in COUNT_COLUMNS}
        for record in summed.to_pylist()
    }


def _province_of(regency_codes: pa.ChunkedArray) -> pa.Array:
    return pc.if_else(
        pc.equal(regency_codes, UNKNOWN_CODE),
        pa.scalar(UNKNOWN_CODE),
        pc.utf8_slice_codeunits(regency_codes, 0, 2),
    )


def _row(
    level: str, code: str, province_code: str, month: Month, sums: _Sums, directory: RegionDirectory
) -> dict[str, object]:
    counts = sums.get((month.first_day, code), dict.fromkeys(COUNT_COLUMNS, 0))
    population = directory.population(code) if code != UNKNOWN_CODE else None
    name = "" if code in (UNKNOWN_CODE, NATIONAL_CODE) else (directory.name(code) or "")
    return {
        "level": level,
        "code": code,
        "name": name or ("Indonesia" if code == NATIONAL_CODE else ""),
        "province_code": province_code,
        "month": month.first_day,
        "population": population,
        **counts,
        "coverage_share": counts["aktif"] / population if population else None,
    }
