"""BPU monthly contributions of many members at once: the batch form of `quote_bpu`.

Public API (names are stable; the national enrolment report and the billing run build on them):

``contribution_columns(members, month, params, *, regions) -> ibis.Table``
    One row per billable member for `month`: ``member_id`` (string), ``jkk``, ``jkm``,
    ``jht``, ``total`` and ``discount`` (int64 rupiah). A programme the member did not choose
    is 0; ``total`` is the sum of the three parts; ``discount`` is the PP 50/2025 reduction
    (the full parts minus the charged parts, 0 outside its windows).

``rejected_members(members, month, params, *, regions) -> ibis.Table``
    One row per member that cannot be billed: ``member_id`` and ``reason``, the stable code
    of the first rule the row breaks (``bpu.declared_income.level``, ``region.village_unknown``,
    ``nik.district`` ... see `member_checks`).

``assess_members(members, month, params, *, regions) -> Assessment``
    Both, with the billing run's wider invoice columns (`INVOICE_COLUMNS`) and every reason
    (`REJECT_COLUMNS`). For large data write more than one output from one materialised copy
    of `Assessment.decisions` (`engines.materialized`, then `Assessment.over`), as the billing
    run does: left lazy, each output checks the members again, and Spark's optimiser, pushing
    the filter on `reason` down into the projections, repeats the checks inside it (the
    answer is the same, several times slower).

`members` is an Ibis table with the member contract's columns (`member_checks.MEMBER_COLUMNS`:
the synthetic nation's Parquet, or `store.member_export` from the database), on any backend
(DuckDB, PySpark). Members enrolled after the month's last day are in neither table: they owe
nothing for it yet. `regions` is the registry's directory as tables (`RegionTables.of`), from
the folder the caller was configured with (analytics reads no settings).

The figures are `quote_bpu`'s (rules R1, R2, docs/rules.md), computed by the same rules from the
same dated parameters (`month_rules`), with the rounding of `kernel.money.apply_rate` in integer
arithmetic (`exact_rates`). The sector is the occupation's (`registry.occupations`). A month the
parameters do not cover raises `ParameterMissing` while the expression is built.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import IbisError

from sertakan.analytics.exact_rates import apply_rate_exactly, prepare_backend
from sertakan.analytics.member_checks import MEMBER_COLUMNS, all_reasons, checked_members
from sertakan.analytics.month_rules import MonthRules, month_rules
from sertakan.analytics.region_tables import RegionTables
from sertakan.kernel.periods import Month
from sertakan.regulation.codes import Program, Sector
from sertakan.regulation.loader import Parameters

CONTRIBUTION_COLUMNS = ("member_id", "jkk", "jkm", "jht", "total", "discount")
INVOICE_COLUMNS = (
    "member_id",
    "month",  # date: the first day of the contribution month
    "sponsor_id",  # who pays: null when the member pays for themself
    "declared_income",
    "programs",  # the chosen set, "JKK,JKM" or "JKK,JKM,JHT"
    "sector",  # "transport" or "other" (PP 50/2025 windows)
    "publicly_funded",
    "jkk",
    "jkm",
    "jht",
    "discount",
    "total",
)
REJECT_COLUMNS = ("member_id", "reason", "reasons", *MEMBER_COLUMNS[1:])


# What a bill needs to know about each checked member; `reason` null means billable.
DECISION_COLUMNS = (
    "member_id",
    "sponsor_id",
    "declared_income",
    "programs_chosen",
    "is_transport",
    "publicly_funded",
    "has_jkk",
    "has_jkm",
    "has_jht",
    "reason",
)


@dataclass(frozen=True, eq=False)
class Assessment:
    """A month's batch over `members`: lazy expressions for `invoices` and `rejects`.

    `invoices` has INVOICE_COLUMNS; `rejects` has REJECT_COLUMNS (the member row, the first
    rule it breaks and every rule it breaks). Both read `decisions` (DECISION_COLUMNS of the
    checked members). A batch job materialises `decisions` once and calls `over(copy)`, so
    that writing both outputs checks the members once: the rejects are then re-checked from
    the members they name, a few rows, to list every rule each breaks.
    """

    members: ir.Table
    checked: ir.Table
    rules: MonthRules
    regions: RegionTables
    decided: ir.Table | None = None  # a materialised copy of `decisions`

    @property
    def decisions(self) -> ir.Table:
        return self.decided if self.decided is not None else self.checked.select(*DECISION_COLUMNS)

    @property
    def invoices(self) -> ir.Table:
        decisions = self.decisions
        return _invoices(decisions.filter(decisions.reason.isnull()), self.rules)

    @property
    def rejects(self) -> ir.Table:
        checked = self.checked
        if self.decided is not None:
            refused_ids = self.decided.filter(self.decided.reason.notnull()).select("member_id")
            few = self.members.semi_join(refused_ids, "member_id")
            checked = checked_members(few, self.rules, self.regions)
        refused = checked.filter(checked.reason.notnull())
        return refused.select(
            member_id=refused.member_id,
            reason=refused.reason,
            reasons=all_reasons(refused, self.rules),
            **{name: refused[name] for name in MEMBER_COLUMNS[1:]},
        )

    def over(self, decided: ir.Table) -> Assessment:
        """The same batch, reading `decided`: a materialised copy of `decisions`."""
        return replace(self, decided=decided)


def assess_members(
    members: ir.Table, month: Month, params: Parameters, *, regions: RegionTables
) -> Assessment:
    """The month's invoices and refusals, as Ibis expressions over `members`."""
    rules = month_rules(params, month)
    # A table known by name only has no backend yet: whoever binds it prepares the backend.
    with contextlib.suppress(IbisError):
        prepare_backend(members.get_backend())
    return Assessment(members, checked_members(members, rules, regions), rules, regions)


def contribution_columns(
    members: ir.Table, month: Month, params: Parameters, *, regions: RegionTables
) -> ir.Table:
    """Billable members' parts for `month`: member_id, jkk, jkm, jht, total, discount."""
    invoices = assess_members(members, month, params, regions=regions).invoices
    return invoices.select(*CONTRIBUTION_COLUMNS)


def rejected_members(
    members: ir.Table, month: Month, params: Parameters, *, regions: RegionTables
) -> ir.Table:
    """Members that cannot be billed for `month`: member_id, reason (first rule broken)."""
    checked = assess_members(members, month, params, regions=regions).checked
    refused = checked.filter(checked.reason.notnull())
    return refused.select("member_id", "reason")


def _invoices(billable: ir.Table, rules: MonthRules) -> ir.Table:
    income = billable.declared_income.cast("int64")
    chosen = {
        Program.JKK: billable.has_jkk,
        Program.JKM: billable.has_jkm,
        Program.JHT: billable.has_jht,
    }
    # R1 (docs/rules.md): JKK = rate × income, JKM a flat amount, JHT = rate × income;
    # each part rounded on its own (policy P2), 0 for a programme not chosen.
    full = {
        Program.JKK: apply_rate_exactly(income, rules.jkk_rate),
        Program.JKM: ibis.literal(rules.jkm_amount, type="int64"),
        Program.JHT: apply_rate_exactly(income, rules.jht_rate),
    }
    full = {program: chosen[program].ifelse(amount, 0) for program, amount in full.items()}
    charged = dict(full)
    discount = rules.discount
    if discount is not None:
        applies = _discount_applies(billable, rules)
        # quote_bpu: apply_rate(full part, 1 - discount) on each part the discount names.
        for program in discount.programs:
            cut = apply_rate_exactly(full[program], discount.keep)
            charged[program] = applies.ifelse(cut, full[program])
    parts = {program: amount.cast("int64") for program, amount in charged.items()}
    amount_off = sum(
        (full[program] - charged[program] for program in full), ibis.literal(0, type="int64")
    )
    return billable.select(
        member_id=billable.member_id,
        month=ibis.literal(rules.month.first_day, type="date"),
        sponsor_id=billable.sponsor_id,
        declared_income=income,
        programs=billable.programs_chosen,
        sector=billable.is_transport.ifelse(Sector.TRANSPORT.value, Sector.OTHER.value),
        publicly_funded=billable.publicly_funded,
        jkk=parts[Program.JKK],
        jkm=parts[Program.JKM],
        jht=parts[Program.JHT],
        discount=amount_off.cast("int64"),
        total=(parts[Program.JKK] + parts[Program.JKM] + parts[Program.JHT]).cast("int64"),
    )


def _discount_applies(billable: ir.Table, rules: MonthRules) -> ir.BooleanValue:
    discount = rules.discount
    assert discount is not None
    is_transport = billable.is_transport
    in_window = ibis.literal(False)
    if Sector.TRANSPORT in discount.sectors:
        in_window = in_window | is_transport
    if Sector.OTHER in discount.sectors:
        in_window = in_window | ~is_transport
    if discount.excludes_publicly_funded:
        # PP 50/2025 art. 2–4 (R2): not for members whose JKK + JKM the state pays.
        return in_window & ~billable.publicly_funded
    return in_window
