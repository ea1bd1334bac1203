"""Reference figures the national enrolment report divides by, other than population: one
cited file each.

`reference/informal_workforce.yaml` holds Indonesia's informal workforce (BPS Sakernas),
with its reference, sources (keys of `regulation/sources.yaml`), last verification and
status, like a regulation parameter. It is read and checked every time it is loaded: a file
with an unknown key, a missing citation or a non-positive value is refused, naming the problem.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_serializer

from sertakan.kernel.errors import ConfigurationError
from sertakan.kernel.periods import Month
from sertakan.regulation.schema import MonthText, SourceKey, Status, Text

__all__ = ["INFORMAL_WORKFORCE_FILE", "InformalWorkforce", "load_informal_workforce"]

INFORMAL_WORKFORCE_FILE = Path(__file__).resolve().parent / "reference" / "informal_workforce.yaml"


class InformalWorkforce(BaseModel):
    """A national count of informal workers, and where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["informal_workforce"]
    description: Text
    unit: Literal["persons"]
    scope: Literal["national"]  # no provincial figure is cited (BPS Sakernas, national)
    value: Annotated[int, Strict(), Field(gt=0)]
    as_of: MonthText  # the survey month
    reference: Text
    source: tuple[SourceKey, ...] = Field(min_length=1)
    last_verified: Annotated[dt.date, Strict()]
    status: Status
    note: str = ""

    @field_serializer("as_of")
    def _month_text(self, month: Month) -> str:
        return str(month)  # "2024-02", as the file writes it

    @property
    def sources(self) -> str:
        """The source keys as docs/regulation.md prints them: "[S-a], [S-b]"."""
        return ", ".join(f"[{key}]" for key in self.source)


def load_informal_workforce(path: Path = INFORMAL_WORKFORCE_FILE) -> InformalWorkforce:
    """Read and check the file; ConfigurationError naming the file and each problem."""
    try:
        with path.open(encoding="utf-8") as stream:
            raw = yaml.safe_load(stream)
        return InformalWorkforce.model_validate(raw)
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: file is missing") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigurationError(f"{path}: {problems}") from None
