"""The shape of a parameter file, checked by pydantic (docs/regulation.md).

A file holds one regulated quantity: a name, a description, a unit and a list of dated values.
Every value carries its legal reference, the sources it was seen in, when it was last verified
and how sure we are of it. Rates are quoted strings ("0.01"), money is whole rupiah (int).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, Strict, model_validator

from sertakan.kernel import money
from sertakan.kernel.periods import Month
from sertakan.regulation.codes import Program, RiskClass, Sector

V = TypeVar("V")

Status = Literal["confirmed", "confirmed_secondary", "derived", "uncertain"]
STATUSES: tuple[Status, ...] = ("confirmed", "confirmed_secondary", "derived", "uncertain")


def _parse_rate(raw: object) -> Decimal:
    # A YAML 0.01 is a binary float; the law's 0.01 is exact. Only quoted strings are rates.
    if not isinstance(raw, str):
        raise ValueError(
            f'a rate must be a quoted string such as "0.01", not the {type(raw).__name__} {raw!r}'
        )
    try:
        parsed = money.rate(raw)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a decimal number") from None
    if not parsed.is_finite() or not Decimal(0) <= parsed <= Decimal(1):
        raise ValueError(f"a rate is a fraction from 0 to 1 (1% is 0.01), got {raw!r}")
    return parsed


def _parse_month(raw: object) -> Month:
    if not isinstance(raw, str):
        raise ValueError(f'a month is a quoted "YYYY-MM" string, got {raw!r}')
    return Month.parse(raw)


Rate = Annotated[Decimal, PlainValidator(_parse_rate)]
Money = Annotated[int, Strict(), Field(ge=0)]
Count = Annotated[int, Strict(), Field(ge=0)]
MonthText = Annotated[Month, PlainValidator(_parse_month)]
Day = Annotated[dt.date, Strict()]
Text = Annotated[str, Strict(), Field(min_length=1)]
SourceKey = Annotated[str, Strict(), Field(pattern=r"^S-[A-Za-z0-9-]+$")]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the envelope every file shares ---------------------------------------------------------


class DatedValue(Frozen, Generic[V]):
    """One value of a quantity, in force from `effective` until the next value's date."""

    effective: Day
    value: V
    reference: Text  # regulation + article/annex, "art. ?" where unknown
    source: tuple[SourceKey, ...] = Field(min_length=1)  # sources.yaml keys, without [ ]
    last_verified: Day
    status: Status
    note: str = ""
    # Status of single fields of a structured value where they differ from `status`.
    field_status: dict[str, Status] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_status(self) -> DatedValue[V]:
        fields = set(type(self.value).model_fields) if isinstance(self.value, BaseModel) else set()
        unknown = sorted(set(self.field_status) - fields)
        if unknown:
            raise ValueError(f"field_status names fields the value does not have: {unknown}")
        statuses = {self.status, *self.field_status.values()}
        if statuses & {"uncertain", "derived"} and not self.note.strip():
            raise ValueError("an uncertain or derived value needs a note saying why")
        return self

    @property
    def is_uncertain(self) -> bool:
        return self.status == "uncertain" or "uncertain" in self.field_status.values()

    @property
    def weakest_status(self) -> Status:
        """The least sure of `status` and `field_status`, to show beside a figure."""
        present = {self.status, *self.field_status.values()}
        return next(s for s in reversed(STATUSES) if s in present)

    @property
    def sources(self) -> str:
        """The source keys as docs/regulation.md prints them: "[S-a], [S-b]"."""
        return ", ".join(f"[{key}]" for key in self.source)


class ParameterFile(Frozen, Generic[V]):
    name: Text
    description: Text
    unit: Text
    values: tuple[DatedValue[V], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_dates(self) -> ParameterFile[V]:
        for before, after in pairwise(self.values):
            if after.effective == before.effective:
                raise ValueError(f"duplicate effective date {after.effective.isoformat()}")
            if after.effective < before.effective:
                raise ValueError(
                    f"effective dates are not sorted: {after.effective.isoformat()} comes after "
                    f"{before.effective.isoformat()}"
                )
        return self


# --- BPU values (docs/rules.md R1–R3, policies) ---------------------------------------------


class IncomeLevels(Frozen):
    """Allowed declared incomes: minimum, maximum and the step between levels."""

    minimum: Money
    maximum: Money
    step: Annotated[int, Strict(), Field(gt=0)]

    @model_validator(mode="after")
    def _check(self) -> IncomeLevels:
        if self.maximum < self.minimum:
            raise ValueError("maximum is below minimum")
        if (self.maximum - self.minimum) % self.step:
            raise ValueError(
                "maximum is not a level: (maximum - minimum) is not a multiple of step"
            )
        return self

    def is_level(self, income: int) -> bool:
        return self.minimum <= income <= self.maximum and (income - self.minimum) % self.step == 0

    def levels(self) -> range:
        """Every allowed income, lowest first: what a form offers, what a test samples."""
        return range(self.minimum, self.maximum + 1, self.step)


class ProgramCombinations(Frozen):
    allowed: tuple[tuple[Program, ...], ...] = Field(min_length=1)

    def allows(self, programs: frozenset[Program]) -> bool:
        return any(frozenset(combination) == programs for combination in self.allowed)


class MonthWindow(Frozen):
    first_month: MonthText
    last_month: MonthText

    @model_validator(mode="after")
    def _check(self) -> MonthWindow:
        if self.last_month < self.first_month:
            raise ValueError("last_month is before first_month")
        return self

    def contains(self, month: Month) -> bool:
        return self.first_month <= month <= self.last_month


class SectorWindows(Frozen):
    transport: MonthWindow
    other: MonthWindow

    def for_sector(self, sector: Sector) -> MonthWindow:
        return self.transport if sector is Sector.TRANSPORT else self.other


class ContributionDiscount(Frozen):
    """A temporary cut of some programmes' contributions in dated windows of months."""

    discount: Rate  # the share taken off: "0.50" charges half
    programs: tuple[Program, ...] = Field(min_length=1)
    windows: SectorWindows
    excludes_publicly_funded: Annotated[bool, Strict()]  # JKK + JKM paid from APBN / APBD
    participants: tuple[Literal["existing", "new"], ...] = Field(min_length=1)
    rounding: Literal["half_up_each_part"]  # kernel.money.apply_rate
    overpayment: Literal["credited_to_next_month"]
    arrears_before_window: Literal["owed_in_full"]


class AgeLimits(Frozen):
    min_age: Count  # inclusive
    max_age_exclusive: Count

    @model_validator(mode="after")
    def _check(self) -> AgeLimits:
        if self.max_age_exclusive <= self.min_age:
            raise ValueError("max_age_exclusive must be above min_age")
        return self


class Prepayment(Frozen):
    max_months_ahead: Count


class CoveragePolicy(Frozen):
    event_covered_when: Literal["month_settled_before_event_or_prepaid"]
    late_payment_covers_past_event: Annotated[bool, Strict()]
    first_cover_starts: Literal["on_settlement_of_first_payment", "first_day_of_month"]


class PaymentDeadline(Frozen):
    due_day: Annotated[int, Strict(), Field(ge=1, le=28)]
    month_offset: Count  # 0: the contribution month itself; 1: the month after
    if_holiday: Literal["next_working_day", "not_specified"]
    has_late_fine: Annotated[bool, Strict()]


class Arrears(Frozen):
    grace_months: Count  # arrears payable for at most this many months after protection ended
    ends_after_consecutive_unpaid_months: Count  # more than this many: membership ends
    status_after_lapse: Literal["berakhir"]
    status_after_lapse_if_jht_claimed: Literal["nonaktif"]


# --- PU values (docs/rules.md R4) -----------------------------------------------------------


class RiskClassRates(Frozen):
    very_low: Rate
    low: Rate
    medium: Rate
    high: Rate
    very_high: Rate

    def for_class(self, risk_class: RiskClass) -> Decimal:
        rate: Decimal = getattr(self, risk_class.value)
        return rate


class JkkRates(Frozen):
    base: RiskClassRates
    in_jkp: RiskClassRates | None = None  # None: PU registered in JKP pay the base rates


class JkmRates(Frozen):
    base: Rate
    in_jkp: Rate | None = None  # None: PU registered in JKP pay the base rate


class SplitRate(Frozen):
    employer: Rate
    worker: Rate


class JkpFunding(Frozen):
    """JKP is not billed to anyone new: the government pays a share, the rest is recomposed."""

    total: Rate
    government: Rate
    recomposed_from: dict[Literal[Program.JKK, Program.JKM], Rate]

    @model_validator(mode="after")
    def _check(self) -> JkpFunding:
        if self.government + sum(self.recomposed_from.values(), Decimal(0)) != self.total:
            raise ValueError("total is not government + the recomposed shares")
        return self


class LateFine(Frozen):
    rate_per_month: Rate
    base: Literal["contribution_due"]
    paid_with: Literal["next_month_contribution"]
    payer: Literal["employer"]
