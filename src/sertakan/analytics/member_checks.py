"""Which members of a batch can be billed, and why the others cannot: the rules as Ibis columns.

Each rule is a boolean column that is true when the row breaks it, with the stable rule code
the scalar functions use (`bpu.declared_income.minimum`, `nik.district`, ...). A row's
`reason` is the first rule it breaks, in the order the scalar functions report them:
required fields, declared income and programmes (`regulation.contributions.quote_bpu`),
occupation, sex and region (`registry.service`), then the NIK (`registry.nik.parse_nik`,
`check_nik_matches`). The rules are the registry's and the regulation's; only their form here
is columnar. Differences from the scalar readings, on purpose:

* the NIK is read as stored (16 digits, no spaces), as the registry writes it;
* programmes are read as the database stores them, comma-separated codes ("JKK,JKM,JHT");
  blank entries are ignored, so "" means no programme (refused as a combination).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from sertakan.analytics.member_rows import MEMBER_ARROW_SCHEMA
from sertakan.analytics.month_rules import MonthRules
from sertakan.analytics.region_tables import NIK_DISTRICT, VILLAGE_CODE, RegionTables
from sertakan.registry.nik import NIK_LENGTH, WOMEN_DAY_OFFSET
from sertakan.registry.occupations import all_occupations
from sertakan.regulation.codes import Program, Sector

# The columns of a member row: the contract of the synthetic nation and the database export.
MEMBER_COLUMNS: tuple[str, ...] = tuple(MEMBER_ARROW_SCHEMA.names)
REQUIRED_COLUMNS = tuple(name for name in MEMBER_COLUMNS if name != "sponsor_id")

KNOWN_PROGRAMS = tuple(program.value for program in Program)
OCCUPATIONS = tuple(item.code for item in all_occupations())
TRANSPORT_OCCUPATIONS = tuple(
    item.code for item in all_occupations() if item.sector is Sector.TRANSPORT
)
_NOT_A_NIK = "0" * NIK_LENGTH  # stands in for a malformed NIK so its digits can be read safely


_NIK_DISTRICT_OF_ROW = "chk_nik_district"


@dataclass(frozen=True, eq=False)
class Rule:
    code: str
    broken: ir.BooleanValue  # true when the row breaks the rule (null counts as not broken)


def in_scope(members: ir.Table, rules: MonthRules) -> ir.Table:
    """Members enrolled by the end of the month: the others owe nothing for it yet.

    A row without an enrolment date stays in scope, to be refused as incomplete.
    """
    enrolled_on = members.enrolled_on
    return members.filter(enrolled_on.isnull() | (enrolled_on <= rules.month.last_day))


def checked_members(members: ir.Table, rules: MonthRules, regions: RegionTables) -> ir.Table:
    """`members` (in scope) with the columns a bill needs and `reason` (null: billable).

    Added columns: `programs_chosen` (the chosen set written in the order JKK, JKM, JHT, null
    when not an allowed set), `has_jkk`, `has_jkm`, `has_jht`, `is_transport` (the
    occupation's PP 50/2025 sector), `reason`, and helper columns named `chk_*` (plus the
    joined `village_code` and `nik_district`) that `all_reasons` reads: select what you need.

    Intermediate values are columns of successive projections, each computed once: written as
    one expression, every rule would repeat the NIK's parsing (Ibis inlines sub-expressions).
    """
    scoped = in_scope(members, rules)
    scoped = scoped.mutate(**{_NIK_DISTRICT_OF_ROW: scoped.nik.substr(0, 6)})
    villages = regions.villages
    districts = regions.nik_districts
    joined = scoped.left_join(villages, scoped.region_code == villages[VILLAGE_CODE]).left_join(
        districts, scoped[_NIK_DISTRICT_OF_ROW] == districts[NIK_DISTRICT]
    )
    chosen, unknown_program = _programs_read(joined.programs, rules)
    is_format = joined.nik.re_search(f"^[0-9]{{{NIK_LENGTH}}}$").fill_null(False)
    read = joined.mutate(
        programs_chosen=chosen,
        is_transport=joined.occupation.isin(TRANSPORT_OCCUPATIONS).fill_null(False),
        chk_unknown_program=unknown_program,
        chk_nik_format=is_format,
        # A malformed NIK is never cast to numbers (Spark's ANSI mode would stop the run).
        chk_nik_digits=is_format.ifelse(joined.nik, _NOT_A_NIK),
    )
    digits = read.chk_nik_digits
    fields = read.mutate(
        has_jkk=_includes(read.programs_chosen, Program.JKK, rules),
        has_jkm=_includes(read.programs_chosen, Program.JKM, rules),
        has_jht=_includes(read.programs_chosen, Program.JHT, rules),
        chk_nik_day_field=digits.substr(6, 2).cast("int64"),
        chk_nik_month=digits.substr(8, 2).cast("int64"),
        chk_nik_yy=digits.substr(10, 2).cast("int64"),
        chk_nik_serial_zero=digits.substr(12, 4) == "0000",
    )
    day_field = fields.chk_nik_day_field
    month, yy = fields.chk_nik_month, fields.chk_nik_yy
    is_female = day_field > WOMEN_DAY_OFFSET
    day = is_female.ifelse(day_field - WOMEN_DAY_OFFSET, day_field)
    annotated = fields.mutate(
        chk_nik_sex=is_female.ifelse("F", "M"),
        chk_nik_day=day,
        chk_nik_real_date=(
            (
                day_field.between(1, 31)
                | day_field.between(1 + WOMEN_DAY_OFFSET, 31 + WOMEN_DAY_OFFSET)
            )
            & month.between(1, 12)
            & (day <= _days_in_month(month, yy))
        ),
    )
    broken = member_rules(annotated, rules)
    reason = ibis.cases(*((rule.broken, rule.code) for rule in broken), else_=ibis.null("string"))
    return annotated.mutate(reason=reason)


def all_reasons(checked: ir.Table, rules: MonthRules) -> ir.StringValue:
    """Every rule a row of `checked_members` breaks, comma-separated, in reporting order.

    Costlier than `reason`: compute it on refused rows only (the rejects file).
    """
    parts = [rule.broken.ifelse(rule.code + ",", "") for rule in member_rules(checked, rules)]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + part
    result: ir.StringValue = joined.re_replace(",$", "")
    return result


def member_rules(t: ir.Table, rules: MonthRules) -> list[Rule]:
    """Every rule, in reporting order, as columns of the annotated table `t`."""
    unknown_program = t.chk_unknown_program
    return [
        *(Rule(f"member.{name}.required", t[name].isnull()) for name in REQUIRED_COLUMNS),
        *_income(t.declared_income, rules),
        # quote_bpu names unknown codes, and only then judges the set (rule R1).
        Rule("bpu.programs.unknown", unknown_program),
        Rule("bpu.programs.combination", ~unknown_program & t.programs_chosen.isnull()),
        # registry.occupations: an occupation decides the PP 50/2025 sector (R2).
        Rule("occupation.unknown", ~t.occupation.isin(OCCUPATIONS)),
        Rule("member.sex", ~t.sex.isin(("M", "F"))),
        # registry.service: a village (level 4) of the current edition.
        Rule("region.village_unknown", t[VILLAGE_CODE].isnull()),
        *_nik(t),
    ]


def _income(income: ir.IntegerValue, rules: MonthRules) -> list[Rule]:
    # quote_bpu: minimum, else maximum, else a level (`bpu/declared_income_levels.yaml`, policy P1).
    minimum, maximum = rules.income_minimum, rules.income_maximum
    in_range = income.between(minimum, maximum)
    return [
        Rule("bpu.declared_income.minimum", income < minimum),
        Rule("bpu.declared_income.maximum", income > maximum),
        Rule(
            "bpu.declared_income.level",
            in_range & ((income - minimum) % rules.income_step != 0),
        ),
    ]


def _programs_read(
    programs: ir.StringValue, rules: MonthRules
) -> tuple[ir.StringValue, ir.BooleanValue]:
    """(the chosen set written in the order JKK, JKM, JHT or null, has an unknown code).

    quote_bpu reads each code stripped and upper-cased, and judges the set: order and
    duplicates do not matter. Nearly every row is already written as the store writes it
    ("JKK,JKM"), so those are matched as they are; only the others are taken apart (lists
    are costly per row, and CASE evaluates that branch for those rows only).
    """
    written = {",".join(combination): combination for combination in rules.allowed_programs}
    codes: ir.ArrayValue = (
        programs.upper().split(",").map(lambda code: code.strip()).filter(lambda code: code != "")
    )
    as_set = codes.unique().sort().join(",")
    parsed = ibis.cases(
        *((as_set == ",".join(sorted(combination)), text) for text, combination in written.items()),
        else_=ibis.null("string"),
    )
    unknown = (codes.filter(lambda code: ~code.isin(KNOWN_PROGRAMS)).length() > 0).fill_null(False)
    is_written_as_stored = programs.isin(tuple(written))
    chosen: ir.StringValue = is_written_as_stored.ifelse(programs, parsed)
    has_unknown: ir.BooleanValue = is_written_as_stored.ifelse(False, unknown)
    return chosen, has_unknown


def _includes(chosen: ir.StringValue, program: Program, rules: MonthRules) -> ir.BooleanValue:
    with_it = tuple(",".join(c) for c in rules.allowed_programs if program in c)
    result: ir.BooleanValue = (
        chosen.isin(with_it).fill_null(False) if with_it else ibis.literal(False)
    )
    return result


def _nik(t: ir.Table) -> list[Rule]:
    """registry.nik.parse_nik, then check_nik_matches (Dukcapil), on parsed columns."""
    is_format = t.chk_nik_format
    unknown_district = t[NIK_DISTRICT].isnull()
    is_real_date = t.chk_nik_real_date
    is_serial_zero = t.chk_nik_serial_zero
    # parse_nik reports district, date and serial together; the typed birth date and sex are
    # compared (check_nik_matches) only with a NIK that parses.
    parses = is_format & ~unknown_district & is_real_date & ~is_serial_zero
    birth = t.birth_date
    date_differs = (
        (t.chk_nik_day != birth.day())
        | (t.chk_nik_month != birth.month())
        | (t.chk_nik_yy != birth.year() % 100)
    )
    return [
        Rule("nik.format", ~is_format),
        Rule("nik.district", is_format & unknown_district),
        Rule("nik.birth_date", is_format & ~is_real_date),
        Rule("nik.serial", is_format & is_serial_zero),
        Rule("nik.birth_date_mismatch", parses & date_differs),
        Rule("nik.sex_mismatch", parses & (t.sex != t.chk_nik_sex)),
    ]


def _days_in_month(month: ir.IntegerValue, yy: ir.IntegerValue) -> ir.IntegerValue:
    # parse_nik takes the latest century that keeps the date in the past: 29 February exists
    # in it exactly when the two-digit year is a multiple of 4 (2000 was a leap year).
    february = (yy % 4 == 0).ifelse(29, 28)
    result: ir.IntegerValue = ibis.cases(
        (month == 2, february), (month.isin((4, 6, 9, 11)), 30), else_=31
    )
    return result
