"""Monthly contributions, BPU (rules R1, R2 of docs/rules.md) and PU (R4). Pure functions.

Every function takes the date it applies on and reads the parameters in force that day; none
reads the clock. Each part is rounded on its own by `kernel.money.apply_rate` and a total is
the sum of its parts (policy P2, docs/rules.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sertakan.kernel.errors import RuleViolation, Violation
from sertakan.kernel.money import apply_rate, rupiah
from sertakan.kernel.periods import Month
from sertakan.regulation.codes import Program, RiskClass, Sector
from sertakan.regulation.loader import Parameters
from sertakan.regulation.schema import (
    ContributionDiscount,
    DatedValue,
    IncomeLevels,
    ProgramCombinations,
)

__all__ = [
    "BpuQuote",
    "Discount",
    "Program",
    "PuQuote",
    "PuShare",
    "Reference",
    "RiskClass",
    "Sector",
    "quote_bpu",
    "quote_date_in_horizon",
    "quote_pu",
]

BPU_ORDER = (Program.JKK, Program.JKM, Program.JHT)
PU_ORDER = (Program.JKK, Program.JKM, Program.JHT, Program.JP, Program.JKP)


@dataclass(frozen=True)
class Reference:
    """What a figure rests on, for the caller to cite."""

    program_or_topic: str
    regulation: str
    source: str  # "[S-a], [S-b]": the keys of `regulation/sources.yaml`
    status: str  # the weakest of the value's statuses: confirmed ... uncertain
    source_keys: tuple[str, ...] = ()

    @classmethod
    def of(cls, topic: str, value: DatedValue[Any]) -> Reference:
        return cls(topic, value.reference, value.sources, value.weakest_status, value.source)


@dataclass(frozen=True, kw_only=True)
class Discount:
    code: str = "PP50_2025"
    description_en: str
    description_id: str
    programs: tuple[str, ...]
    factor: Decimal  # the multiplier applied to each discounted part: 0.50 charges half
    amount_off: int
    reference: str


@dataclass(frozen=True)
class BpuQuote:
    declared_income: int
    on: dt.date
    sector: Sector
    publicly_funded: bool
    programs: tuple[str, ...]
    parts: dict[str, int]  # after discount, in the order JKK, JKM, JHT
    full_parts: dict[str, int]  # before discount
    total: int  # sum of parts
    discounts: tuple[Discount, ...]
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class PuShare:
    """Who funds one programme's monthly amount.

    `recomposed` holds amounts moved into this programme from other programmes'
    contributions, by source programme: JKP is funded by the government's share plus
    {"JKK": 0.14%} (and {"JKM": 0.10%} under PP 37/2021). Nothing in it is billed on top.
    """

    employer: int
    worker: int
    government: int = 0
    recomposed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.employer + self.worker + self.government + sum(self.recomposed.values())


@dataclass(frozen=True)
class PuQuote:
    wage: int
    on: dt.date
    risk_class: RiskClass
    in_jkp: bool
    parts: dict[str, PuShare]  # JKK, JKM, JHT, JP, and JKP when in_jkp and in force
    employer_total: int  # sum of employer shares
    worker_total: int  # sum of worker shares
    jp_wage_base: int  # min(wage, JP wage cap in force)
    references: tuple[Reference, ...]


# --- BPU --------------------------------------------------------------------------------------


def quote_date_in_horizon(params: Parameters, on: dt.date, today: dt.date) -> None:
    """Refuse a quote for a day no payment can be for: past the last month a BPU member may
    pay ahead (project policy, `bpu/prepayment.yaml`), i.e. after the last day of the month
    `max_months_ahead` months after today's. The rates of so distant a day are not known;
    quoting them as if they were would mislead. Past days are not refused here (arrears are
    billed at their own month's rates; before the rules exist is `ParameterMissing`).
    """
    limit = params.bpu.prepayment.value_on(today)
    ahead = limit.value.max_months_ahead
    horizon = Month.of(today).plus(ahead).last_day
    if on > horizon:
        raise RuleViolation.single(
            "on",
            "bpu.prepayment.max_months_ahead",
            f"A quote can be for a day up to {horizon.isoformat()}: contributions are paid at "
            f"most {ahead} months ahead",
            f"Iuran hanya dapat dihitung sampai {horizon.isoformat()}: iuran dibayar di muka "
            f"paling banyak {ahead} bulan",
            limit.reference,
        )


def quote_bpu(
    params: Parameters,
    *,
    declared_income: int,
    on: dt.date,
    programs: Iterable[str],
    sector: Sector | str = Sector.OTHER,
    publicly_funded: bool = False,
) -> BpuQuote:
    """BPU contribution for the month containing `on` (R1), with the PP 50/2025 discount (R2).

    Raises RuleViolation naming every broken rule at once, and ParameterMissing for a date
    before the rules exist.
    """
    income = rupiah(declared_income)
    if not isinstance(publicly_funded, bool):
        raise TypeError("publicly_funded is a bool")
    bpu = params.bpu
    rates = {
        Program.JKK: bpu.jkk_rate.value_on(on),
        Program.JHT: bpu.jht_rate.value_on(on),
    }
    jkm = bpu.jkm_amount.value_on(on)
    levels = bpu.declared_income_levels.value_on(on)
    combinations = bpu.program_combinations.value_on(on)
    pp50 = bpu.pp50_2025_discount.in_force_on(on)

    violations = _income_violations(income, levels)
    chosen, program_violations = _parse_programs(programs, combinations)
    violations += program_violations
    parsed_sector = _parse_sector(sector)
    if parsed_sector is None:
        violations.append(
            Violation(
                "sector",
                "bpu.sector.unknown",
                f"Unknown sector {sector!r}: choose 'transport' or 'other'",
                f"Sektor {sector!r} tidak dikenal: pilih 'transport' atau 'other' (lainnya)",
                pp50.reference if pp50 else "",
            )
        )
    if violations or parsed_sector is None:  # an unknown sector is among the violations
        raise RuleViolation(violations)

    full: dict[str, int] = {}
    for program in chosen:
        if program is Program.JKM:
            full[program.value] = jkm.value
        else:
            full[program.value] = apply_rate(income, rates[program].value)

    parts = dict(full)
    discounts: tuple[Discount, ...] = ()
    references = [Reference.of(p.value, jkm if p is Program.JKM else rates[p]) for p in chosen]
    references += [
        Reference.of("declared_income_levels", levels),
        Reference.of("program_combinations", combinations),
    ]
    if pp50 and _pp50_applies(pp50.value, Month.of(on), parsed_sector, publicly_funded):
        factor = Decimal(1) - pp50.value.discount
        cut = tuple(p.value for p in chosen if p in pp50.value.programs)
        for code in cut:
            parts[code] = apply_rate(full[code], factor)
        discounts = (_pp50_discount(pp50, parsed_sector, cut, factor, full, parts),)
        references.append(Reference.of("PP50_2025", pp50))

    return BpuQuote(
        declared_income=income,
        on=on,
        sector=parsed_sector,
        publicly_funded=publicly_funded,
        programs=tuple(p.value for p in chosen),
        parts=parts,
        full_parts=full,
        total=sum(parts.values()),
        discounts=discounts,
        references=tuple(references),
    )


def _income_violations(income: int, levels: DatedValue[IncomeLevels]) -> list[Violation]:
    bounds = levels.value
    ref = levels.reference
    if income < bounds.minimum:
        return [
            Violation(
                "declared_income",
                "bpu.declared_income.minimum",
                f"Declared income must be at least {_en(bounds.minimum)} a month",
                f"Penghasilan minimal {_id(bounds.minimum)} sebulan",
                ref,
            )
        ]
    if income > bounds.maximum:
        return [
            Violation(
                "declared_income",
                "bpu.declared_income.maximum",
                f"Declared income must be at most {_en(bounds.maximum)} a month",
                f"Penghasilan maksimal {_id(bounds.maximum)} sebulan",
                ref,
            )
        ]
    if not bounds.is_level(income):
        return [
            Violation(
                "declared_income",
                "bpu.declared_income.level",
                f"Declared income must be a level: a multiple of {_en(bounds.step)} "
                f"from {_en(bounds.minimum)} to {_en(bounds.maximum)}",
                f"Penghasilan harus kelipatan {_id(bounds.step)}, "
                f"dari {_id(bounds.minimum)} sampai {_id(bounds.maximum)}",
                ref,
            )
        ]
    return []


def _parse_programs(
    programs: Iterable[str], combinations: DatedValue[ProgramCombinations]
) -> tuple[tuple[Program, ...], list[Violation]]:
    if isinstance(programs, str):
        raise TypeError("programs is an iterable of codes such as ['JKK', 'JKM'], not one string")
    chosen: set[Program] = set()
    unknown: list[str] = []
    for code in programs:
        try:
            chosen.add(Program(str(code).strip().upper()))
        except ValueError:
            unknown.append(str(code))
    ref = combinations.reference
    if unknown:
        listed = ", ".join(unknown)
        return (), [
            Violation(
                "programs",
                "bpu.programs.unknown",
                f"Unknown programme code(s): {listed}",
                f"Kode program tidak dikenal: {listed}",
                ref,
            )
        ]
    if not combinations.value.allows(frozenset(chosen)):
        allowed = " or ".join(" + ".join(c) for c in combinations.value.allowed)
        allowed_id = " atau ".join(" + ".join(c) for c in combinations.value.allowed)
        message = f"BPU members may take {allowed}"
        message_id = f"Peserta BPU dapat memilih {allowed_id}"
        if chosen & {Program.JP, Program.JKP}:
            message = f"JP and JKP are for wage earners (PU) only; {message}"
            message_id = f"JP dan JKP hanya untuk peserta penerima upah (PU); {message_id}"
        return (), [Violation("programs", "bpu.programs.combination", message, message_id, ref)]
    return tuple(p for p in BPU_ORDER if p in chosen), []


def _parse_sector(sector: Sector | str) -> Sector | None:
    try:
        return Sector(str(sector).strip().lower())
    except ValueError:
        return None


def _pp50_applies(
    rule: ContributionDiscount, month: Month, sector: Sector, publicly_funded: bool
) -> bool:
    # PP 50/2025 art. 2–4 (R2): not for members whose JKK + JKM the state pays.
    if publicly_funded and rule.excludes_publicly_funded:
        return False
    return rule.windows.for_sector(sector).contains(month)


def _pp50_discount(
    pp50: DatedValue[ContributionDiscount],
    sector: Sector,
    cut: tuple[str, ...],
    factor: Decimal,
    full: dict[str, int],
    parts: dict[str, int],
) -> Discount:
    window = pp50.value.windows.for_sector(sector)
    first, last = window.first_month, window.last_month
    percent = f"{pp50.value.discount * 100:.0f}%"
    sector_en = "transport sector" if sector is Sector.TRANSPORT else "non-transport sectors"
    sector_id = "sektor transportasi" if sector is Sector.TRANSPORT else "sektor non-transportasi"
    programs = " and ".join(cut)
    return Discount(
        description_en=f"PP 50/2025: {percent} off {programs} for BPU workers, {sector_en}, "
        f"{first} to {last}",
        description_id=f"PP 50/2025: diskon {percent} iuran {' dan '.join(cut)} bagi peserta "
        f"BPU, {sector_id}, {first.name_id} s.d. {last.name_id}",
        programs=cut,
        factor=factor,
        amount_off=sum(full[code] - parts[code] for code in cut),
        reference=pp50.reference,
    )


# --- PU ---------------------------------------------------------------------------------------


def quote_pu(
    params: Parameters, *, wage: int, risk_class: str, on: dt.date, in_jkp: bool = False
) -> PuQuote:
    """PU contribution for the month containing `on` (R4).

    JKK by risk class (recomposed rates for JKP members from PP 49/2023), JKM, JHT, JP on
    min(wage, cap in force) and, for JKP members once JKP exists, a JKP part funded by the
    government and by recomposition (its employer and worker shares are 0).
    """
    pay = rupiah(wage)
    pu = params.pu
    jkk = pu.jkk_risk_class_rates.value_on(on)
    jkm = pu.jkm_rate.value_on(on)
    jht = pu.jht_rates.value_on(on)
    jp = pu.jp_rates.value_on(on)
    cap = pu.jp_wage_cap.value_on(on)
    jkp = pu.jkp_rates.in_force_on(on) if in_jkp else None

    violations: list[Violation] = []
    if pay <= 0:
        violations.append(
            Violation(
                "wage",
                "pu.wage.positive",
                "The monthly wage must be more than Rp0",
                "Upah sebulan harus lebih dari Rp0",
            )
        )
    parsed_class = _parse_risk_class(risk_class)
    if parsed_class is None:
        choices = ", ".join(c.value for c in RiskClass)
        violations.append(
            Violation(
                "risk_class",
                "pu.risk_class.unknown",
                f"Unknown risk class {risk_class!r}: choose one of {choices}",
                f"Kelompok risiko {risk_class!r} tidak dikenal: pilih salah satu dari {choices}",
                jkk.reference,
            )
        )
    if violations or parsed_class is None:  # an unknown class is among the violations
        raise RuleViolation(violations)

    jkk_table = jkk.value.in_jkp if in_jkp and jkk.value.in_jkp else jkk.value.base
    jkm_rate = jkm.value.in_jkp if in_jkp and jkm.value.in_jkp is not None else jkm.value.base
    jp_base = min(pay, cap.value)
    parts = {
        "JKK": PuShare(apply_rate(pay, jkk_table.for_class(parsed_class)), 0),
        "JKM": PuShare(apply_rate(pay, jkm_rate), 0),
        "JHT": PuShare(apply_rate(pay, jht.value.employer), apply_rate(pay, jht.value.worker)),
        "JP": PuShare(apply_rate(jp_base, jp.value.employer), apply_rate(jp_base, jp.value.worker)),
    }
    references = [
        Reference.of("JKK", jkk),
        Reference.of("JKM", jkm),
        Reference.of("JHT", jht),
        Reference.of("JP", jp),
        Reference.of("jp_wage_cap", cap),
    ]
    if jkp is not None:
        parts["JKP"] = PuShare(
            employer=0,
            worker=0,
            government=apply_rate(pay, jkp.value.government),
            recomposed={
                str(source): apply_rate(pay, share)
                for source, share in sorted(jkp.value.recomposed_from.items())
            },
        )
        references.append(Reference.of("JKP", jkp))

    return PuQuote(
        wage=pay,
        on=on,
        risk_class=parsed_class,
        in_jkp=in_jkp,
        parts=parts,
        employer_total=sum(share.employer for share in parts.values()),
        worker_total=sum(share.worker for share in parts.values()),
        jp_wage_base=jp_base,
        references=tuple(references),
    )


def _parse_risk_class(risk_class: str) -> RiskClass | None:
    try:
        return RiskClass(str(risk_class).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        return None


# --- how amounts are written ------------------------------------------------------------------


def _en(amount: int) -> str:
    return f"Rp{amount:,}"


def _id(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")
