"""Parameter files -> frozen, validated, cited objects.

`load_parameters()` reads every YAML file under `parameters/` (PyYAML safe_load), checks it
against `schema` and returns a frozen `Parameters` with one typed series per regulated
quantity. A broken file is refused with an error naming the file and each problem in it; so is
a missing file, and a file the loader does not know (every file must be read and checked).
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

import yaml
from pydantic import ValidationError

from sertakan.kernel.errors import ParameterMissing, SertakanError
from sertakan.regulation import schema
from sertakan.regulation.schema import DatedValue, ParameterFile
from sertakan.regulation.sources import Sources, load_sources

V = TypeVar("V")

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "parameters"


class ParameterFileError(SertakanError):
    """One or more parameter files are broken; `problems` holds (file, problem) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {file}: {problem}" for file, problem in problems)
        super().__init__(f"invalid regulation parameters:\n{lines}")


@dataclass(frozen=True, slots=True)
class Series(Generic[V]):
    """The dated values of one quantity, sorted by effective date."""

    file: str  # relative to the parameters folder, e.g. "bpu/jkk_rate.yaml"
    name: str
    description: str
    unit: str
    values: tuple[DatedValue[V], ...]

    def in_force_on(self, on: dt.date) -> DatedValue[V] | None:
        """The value in force on `on`, or None when the quantity did not exist yet."""
        index = bisect_right(self.values, on, key=lambda value: value.effective)
        return self.values[index - 1] if index else None

    def value_on(self, on: dt.date) -> DatedValue[V]:
        """The value in force on `on`; raises ParameterMissing rather than guess."""
        found = self.in_force_on(on)
        if found is None:
            first = self.values[0].effective.isoformat()
            raise ParameterMissing(
                self.file, f"no value in force on {on.isoformat()}; the first is from {first}"
            )
        return found


@dataclass(frozen=True, slots=True)
class BpuParameters:
    """BPU (informal workers): rules R1–R3 and the project policies (docs/rules.md)."""

    jkk_rate: Series[Decimal]
    jkm_amount: Series[int]
    jht_rate: Series[Decimal]
    declared_income_levels: Series[schema.IncomeLevels]
    program_combinations: Series[schema.ProgramCombinations]
    pp50_2025_discount: Series[schema.ContributionDiscount]
    eligibility: Series[schema.AgeLimits]
    prepayment: Series[schema.Prepayment]
    coverage_policy: Series[schema.CoveragePolicy]
    payment_deadline: Series[schema.PaymentDeadline]
    arrears: Series[schema.Arrears]


@dataclass(frozen=True, slots=True)
class PuParameters:
    """PU (wage earners): rule R4 (docs/rules.md)."""

    jkk_risk_class_rates: Series[schema.JkkRates]
    jkm_rate: Series[schema.JkmRates]
    jht_rates: Series[schema.SplitRate]
    jp_rates: Series[schema.SplitRate]
    jp_wage_cap: Series[int]
    jkp_rates: Series[schema.JkpFunding]
    late_fine: Series[schema.LateFine]
    payment_deadline: Series[schema.PaymentDeadline]


class UncertainValue(NamedTuple):
    file: str
    effective: dt.date
    note: str


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity
class Parameters:
    directory: Path
    bpu: BpuParameters
    pu: PuParameters
    sources: Sources

    def series(self) -> Iterator[Series[Any]]:
        for group in (self.bpu, self.pu):
            for field in fields(group):
                yield getattr(group, field.name)

    def uncertain(self) -> tuple[UncertainValue, ...]:
        """Every value (or field of a value) marked uncertain, to check against primary texts."""
        return tuple(
            UncertainValue(series.file, value.effective, value.note)
            for series in self.series()
            for value in series.values
            if value.is_uncertain
        )


def load_parameters(directory: Path | None = None, sources: Sources | None = None) -> Parameters:
    """Load and validate the parameter files (default: this package's `parameters/` folder),
    checking that every source key they name is in `sources` (default: `sources.yaml`)."""
    if directory is None and sources is None:
        return _load_default()
    return _load(Path(directory or DEFAULT_DIRECTORY), sources or load_sources())


@functools.lru_cache(maxsize=1)
def _load_default() -> Parameters:
    return _load(DEFAULT_DIRECTORY, load_sources())


def _load(directory: Path, sources: Sources) -> Parameters:
    reader = _Reader(directory, sources)
    bpu = BpuParameters(
        jkk_rate=reader.read("bpu/jkk_rate.yaml", ParameterFile[schema.Rate]),
        jkm_amount=reader.read("bpu/jkm_amount.yaml", ParameterFile[schema.Money]),
        jht_rate=reader.read("bpu/jht_rate.yaml", ParameterFile[schema.Rate]),
        declared_income_levels=reader.read(
            "bpu/declared_income_levels.yaml", ParameterFile[schema.IncomeLevels]
        ),
        program_combinations=reader.read(
            "bpu/program_combinations.yaml", ParameterFile[schema.ProgramCombinations]
        ),
        pp50_2025_discount=reader.read(
            "bpu/pp50_2025_discount.yaml", ParameterFile[schema.ContributionDiscount]
        ),
        eligibility=reader.read("bpu/eligibility.yaml", ParameterFile[schema.AgeLimits]),
        prepayment=reader.read("bpu/prepayment.yaml", ParameterFile[schema.Prepayment]),
        coverage_policy=reader.read(
            "bpu/coverage_policy.yaml", ParameterFile[schema.CoveragePolicy]
        ),
        payment_deadline=reader.read(
            "bpu/payment_deadline.yaml", ParameterFile[schema.PaymentDeadline]
        ),
        arrears=reader.read("bpu/arrears.yaml", ParameterFile[schema.Arrears]),
    )
    pu = PuParameters(
        jkk_risk_class_rates=reader.read(
            "pu/jkk_risk_class_rates.yaml", ParameterFile[schema.JkkRates]
        ),
        jkm_rate=reader.read("pu/jkm_rate.yaml", ParameterFile[schema.JkmRates]),
        jht_rates=reader.read("pu/jht_rates.yaml", ParameterFile[schema.SplitRate]),
        jp_rates=reader.read("pu/jp_rates.yaml", ParameterFile[schema.SplitRate]),
        jp_wage_cap=reader.read("pu/jp_wage_cap.yaml", ParameterFile[schema.Money]),
        jkp_rates=reader.read("pu/jkp_rates.yaml", ParameterFile[schema.JkpFunding]),
        late_fine=reader.read("pu/late_fine.yaml", ParameterFile[schema.LateFine]),
        payment_deadline=reader.read(
            "pu/payment_deadline.yaml", ParameterFile[schema.PaymentDeadline]
        ),
    )
    reader.finish()
    return Parameters(directory=directory, bpu=bpu, pu=pu, sources=sources)


class _Reader:
    """Reads files one by one, collecting every problem so one run reports them all."""

    def __init__(self, directory: Path, sources: Sources) -> None:
        self.directory = directory
        self.sources = sources
        self.problems: list[tuple[str, str]] = []
        self.seen: set[str] = set()

    def read(self, relative: str, model: type[ParameterFile[V]]) -> Series[V]:
        self.seen.add(relative)
        expected_name = relative.removesuffix(".yaml").replace("/", ".")
        try:
            raw = _read_yaml(self.directory / relative)
            parsed = model.model_validate(raw)
        except FileNotFoundError:
            self.problems.append((relative, "file is missing"))
        except yaml.YAMLError as exc:
            self.problems.append((relative, f"not valid YAML: {exc}"))
        except ValidationError as exc:
            self.problems.extend((relative, _describe(error, raw)) for error in _root(exc))
        else:
            if parsed.name != expected_name:
                self.problems.append(
                    (relative, f"name is {parsed.name!r}, expected {expected_name!r}")
                )
            self.problems.extend(
                (
                    relative,
                    f"values[{value.effective.isoformat()}].source: {key} is not in sources.yaml",
                )
                for value in parsed.values
                for key in value.source
                if key not in self.sources
            )
            return Series(relative, parsed.name, parsed.description, parsed.unit, parsed.values)
        return Series(relative, expected_name, "", "", ())  # a stand-in: finish() will raise

    def finish(self) -> None:
        on_disk = {p.relative_to(self.directory).as_posix() for p in self.directory.rglob("*.y*ml")}
        self.problems.extend(
            (extra, "unknown parameter file: the loader does not read it")
            for extra in sorted(on_disk - self.seen)
        )
        if self.problems:
            raise ParameterFileError(self.problems)


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """safe_load that refuses a key written twice (PyYAML would keep the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} written twice", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


def _root(exc: ValidationError) -> list[Any]:
    """The errors worth reading: a "too short" list whose items failed is only an echo."""
    errors = exc.errors()
    inner = [error["loc"] for error in errors]
    return [
        error
        for error in errors
        if not (
            error["type"] == "too_short"
            and any(
                loc[: len(error["loc"])] == error["loc"] and loc != error["loc"] for loc in inner
            )
        )
    ]


def _describe(error: Any, raw: Any) -> str:
    """One readable line per pydantic error: where, and what is wrong."""
    loc = error["loc"]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    where = where.lstrip(".")
    if len(loc) >= 2 and loc[0] == "values" and isinstance(loc[1], int):
        where += _effective_of(raw, loc[1])
    kind, message = error["type"], error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"{where}: unknown key {loc[-1]!r}"
    if kind == "missing":
        return f"{where}: missing required key {loc[-1]!r}"
    if kind in {"value_error", "assertion_error"}:
        return f"{where}: {message}" if where else message
    shown = repr(error["input"])
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"{where}: {message} (got {shown})"


def _effective_of(raw: Any, index: int) -> str:
    try:
        return f" (effective {raw['values'][index]['effective']})"
    except (KeyError, IndexError, TypeError):
        return ""
