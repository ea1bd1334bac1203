"""What a form was typed as, and the messages to print next to its fields.

A `FormErrors` holds one list of messages per field and the messages that belong to no field
(shown at the top). Services raise `RuleViolation`s naming their fields; the form puts each
message where the person typing will look for it, in the page's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from sertakan.kernel.errors import Violation


@dataclass
class FormErrors:
    """Messages per field; `general` for those the form has no field for."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        messages = self.fields.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def add_violations(
        self,
        violations: Iterable[Violation],
        lang: str,
        known_fields: Iterable[str],
        aliases: dict[str, str] | None = None,
    ) -> None:
        """Each violation under its field; a field the form lacks goes to the top."""
        known = set(known_fields)
        for violation in violations:
            name = (aliases or {}).get(violation.field, violation.field)
            message = message_for(violation, lang)
            if name in known:
                self.add(name, message)
            elif message not in self.general:
                self.general.append(message)

    def sort(self, order: Iterable[str]) -> None:
        """List the fields' messages in the order the form shows the fields."""
        rank = {name: index for index, name in enumerate(order)}
        self.fields = dict(sorted(self.fields.items(), key=lambda item: rank.get(item[0], 99)))

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def count(self) -> int:
        return sum(len(m) for m in self.fields.values()) + len(self.general)


def message_for(violation: Violation, lang: str) -> str:
    """Bahasa Indonesia on Indonesian pages; the service's English message on English ones."""
    if lang == "en" and violation.message:
        return violation.message[:1].upper() + violation.message[1:]
    return violation.message_id


def text(form: FormData, name: str, limit: int = 200) -> str:
    """A text field as typed (strings only: a file upload is not text), cut to a sane length."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def texts(form: FormData, name: str, limit: int = 20) -> list[str]:
    return [v[:limit] for v in form.getlist(name) if isinstance(v, str)]


def parse_date(typed: str) -> dt.date | None:
    """`<input type="date">` sends YYYY-MM-DD; people typing by hand write DD-MM-YYYY."""
    typed = typed.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(typed, pattern).date()  # noqa: DTZ007 - a civil date
        except ValueError:
            continue
    return None


def parse_rupiah(typed: str) -> int | None:
    """A whole rupiah amount as typed: "2500000", "2.500.000" or "Rp2.500.000"."""
    cleaned = typed.strip().removeprefix("Rp").replace(".", "").replace(" ", "")
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        return None
    return int(cleaned)
