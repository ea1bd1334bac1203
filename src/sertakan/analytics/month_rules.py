"""The BPU rules of one contribution month, as plain numbers a batch expression can use.

A batch bills by month, the scalar rule (`regulation.contributions.quote_bpu`) by day. This
module reads the dated parameters in force in the month and reduces them to what the month's
arithmetic needs: exact rate fractions, the JKM amount, the income levels, the allowed
programme sets and whether the PP 50/2025 discount applies to each sector (rules R1 and R2 of
docs/rules.md). It refuses, with the kernel's `ParameterMissing`, a month that the parameters
do not cover from its first day to its last, or in which a value changes: a monthly bill needs
one value per month, and the project never guesses which one the law meant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sertakan.kernel.errors import ParameterMissing, SertakanError
from sertakan.kernel.periods import Month
from sertakan.regulation.codes import Program, Sector
from sertakan.regulation.contributions import BPU_ORDER
from sertakan.regulation.loader import Parameters

# Largest intermediate value the batch arithmetic may form: DuckDB and Spark (ANSI mode) refuse
# a BIGINT overflow, and we would rather refuse the parameters up front with a clear message.
_INT64_HEADROOM = 2**62


@dataclass(frozen=True, slots=True)
class ExactRate:
    """A rate as the exact fraction numerator/denominator of the Decimal in the YAML."""

    numerator: int
    denominator: int

    @classmethod
    def of(cls, rate: Decimal) -> ExactRate:
        numerator, denominator = rate.as_integer_ratio()
        return cls(numerator, denominator)


@dataclass(frozen=True, slots=True)
class MonthDiscount:
    """PP 50/2025 art. 2–4 (R2) as it stands in one month."""

    code: str  # "PP50_2025", as `quote_bpu` names it
    programs: frozenset[Program]  # the parts it cuts (JKK, JKM; never JHT)
    keep: ExactRate  # 1 - discount: the factor `quote_bpu` applies to each cut part
    sectors: frozenset[Sector]  # the sectors whose window contains this month
    excludes_publicly_funded: bool  # members whose JKK + JKM the APBN/APBD pays


@dataclass(frozen=True, slots=True)
class MonthRules:
    """Everything the monthly BPU arithmetic reads, for one contribution month."""

    month: Month
    jkk_rate: ExactRate
    jht_rate: ExactRate
    jkm_amount: int
    income_minimum: int
    income_maximum: int
    income_step: int
    allowed_programs: tuple[tuple[Program, ...], ...]  # each in the order JKK, JKM, JHT
    discount: MonthDiscount | None  # None: no discount applies to anyone this month


def month_rules(params: Parameters, month: Month) -> MonthRules:
    """The rules in force for `month`; `ParameterMissing` when the month has no single value."""
    first = _rules_on(params, month, month.first_day)
    last = _rules_on(params, month, month.last_day)
    if first != last:
        raise ParameterMissing(
            "bpu",
            f"a BPU value changes within {month}; the monthly run needs one value per month "
            "(add the change on the first day of a month, or bill by day with quote_bpu)",
        )
    _check_headroom(first)
    return first


def _rules_on(params: Parameters, month: Month, day: dt.date) -> MonthRules:
    bpu = params.bpu
    levels = bpu.declared_income_levels.value_on(day).value
    combinations = bpu.program_combinations.value_on(day).value
    return MonthRules(
        month=month,
        jkk_rate=ExactRate.of(bpu.jkk_rate.value_on(day).value),
        jht_rate=ExactRate.of(bpu.jht_rate.value_on(day).value),
        jkm_amount=bpu.jkm_amount.value_on(day).value,
        income_minimum=levels.minimum,
        income_maximum=levels.maximum,
        income_step=levels.step,
        allowed_programs=tuple(
            tuple(program for program in BPU_ORDER if program in set(combination))
            for combination in combinations.allowed
        ),
        discount=_discount_on(params, month, day),
    )


def _discount_on(params: Parameters, month: Month, day: dt.date) -> MonthDiscount | None:
    found = params.bpu.pp50_2025_discount.in_force_on(day)
    if found is None:
        return None
    rule = found.value
    # The windows are by contribution month, per sector (`bpu/pp50_2025_discount.yaml`).
    sectors = frozenset(s for s in Sector if rule.windows.for_sector(s).contains(month))
    if not sectors:
        return None
    return MonthDiscount(
        code="PP50_2025",
        programs=frozenset(rule.programs),
        keep=ExactRate.of(Decimal(1) - rule.discount),
        sectors=sectors,
        excludes_publicly_funded=rule.excludes_publicly_funded,
    )


def _check_headroom(rules: MonthRules) -> None:
    # The largest value the batch forms is 2 * amount * numerator + denominator (exact rounding).
    biggest_part = max(
        _rounding_input(rules.income_maximum, rules.jkk_rate),
        _rounding_input(rules.income_maximum, rules.jht_rate),
    )
    if rules.discount is not None:
        biggest_part = max(biggest_part, _rounding_input(biggest_part, rules.discount.keep))
    if biggest_part >= _INT64_HEADROOM:
        raise SertakanError(
            f"the BPU rates for {rules.month} need numbers beyond 64-bit integers in a batch"
        )


def _rounding_input(amount: int, rate: ExactRate) -> int:
    return 2 * amount * rate.numerator + rate.denominator
