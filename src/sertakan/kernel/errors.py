"""The error vocabulary shared by every layer.

A `RuleViolation` names the field and the rule it broke, so the API can answer 422 with a
problem document, and the web page can print the Indonesian message next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Violation:
    field: str
    rule: str  # a stable code, e.g. "bpu.declared_income.minimum"
    message: str  # English, for logs and the API
    message_id: str  # Bahasa Indonesia, for pages
    reference: str = ""  # the regulation behind the rule, where there is one


class SertakanError(Exception):
    """Base of every error the project raises on purpose."""


@dataclass(eq=False)
class RuleViolation(SertakanError):
    """Input that breaks one or more rules; carries every violation so one answer names them all."""

    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(f"{v.field}: {v.message}" for v in self.violations))

    @classmethod
    def single(
        cls, field: str, rule: str, message: str, message_id: str, reference: str = ""
    ) -> RuleViolation:
        return cls([Violation(field, rule, message, message_id, reference)])


class NotFound(SertakanError):
    """The thing asked for does not exist."""


@dataclass(eq=False)
class Conflict(SertakanError):
    """The change would contradict what is already recorded (e.g. a NIK already enrolled)."""

    message: str
    message_id: str
    rule: str

    def __post_init__(self) -> None:
        super().__init__(self.message)


class ParameterMissing(SertakanError):
    """The regulation parameters hold no value for what was asked: never guessed.

    Raised, for example, for a date before a rule existed. The message says
    "not in the parameters yet".
    """

    def __init__(self, parameter: str, detail: str) -> None:
        self.parameter = parameter
        self.detail = detail
        super().__init__(f"{parameter}: not in the parameters yet ({detail})")


class ConfigurationError(SertakanError):
    """The installation is missing something it needs (a data folder, a setting)."""


@dataclass(eq=False)
class Unauthorized(SertakanError):
    """No valid credentials came with the request: sign in first (HTTP 401)."""

    message: str = "Sign in first"
    message_id: str = "Silakan masuk terlebih dahulu"
    rule: str = "access.unauthenticated"

    def __post_init__(self) -> None:
        super().__init__(self.message)


@dataclass(eq=False)
class Forbidden(SertakanError):
    """The caller is known but may not do this, or not to this record (HTTP 403)."""

    message: str = "You may not do this"
    message_id: str = "Anda tidak berhak membuka atau mengubah data ini"
    rule: str = "access.forbidden"

    def __post_init__(self) -> None:
        super().__init__(self.message)


@dataclass(eq=False)
class RateLimited(SertakanError):
    """Too many attempts in a window: try again later (HTTP 429)."""

    message: str
    message_id: str
    rule: str
    retry_after_seconds: int = 0

    def __post_init__(self) -> None:
        super().__init__(self.message)
