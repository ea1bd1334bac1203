"""A contribution quote as a page shows it: one line per programme, the discount, the total.

Nothing is computed here that the regulation does not already return: the parts, the parts
before the discount and the discounts all come from `quote_bpu`; this only pairs them up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sertakan.regulation.contributions import BpuQuote

PROGRAM_ORDER = ("JKK", "JKM", "JHT")


@dataclass(frozen=True, slots=True)
class PartLine:
    program: str  # "JKK", "JKM", "JHT"
    amount: int  # what is paid
    full_amount: int  # what it would be without a discount

    @property
    def is_discounted(self) -> bool:
        return self.amount != self.full_amount


@dataclass(frozen=True, slots=True)
class DiscountLine:
    description_id: str
    description_en: str
    amount_off: int
    reference: str

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_id


@dataclass(frozen=True, slots=True)
class Breakdown:
    parts: tuple[PartLine, ...]
    discounts: tuple[DiscountLine, ...]
    total: int
    full_total: int

    @property
    def has_discount(self) -> bool:
        return self.total != self.full_total or bool(self.discounts)

    @classmethod
    def of(cls, quote: BpuQuote) -> Breakdown:
        parts = dict(quote.parts)
        full = dict(quote.full_parts)
        order = [p for p in PROGRAM_ORDER if p in parts] + sorted(set(parts) - set(PROGRAM_ORDER))
        return cls(
            parts=tuple(PartLine(str(p), parts[p], full.get(p, parts[p])) for p in order),
            discounts=tuple(
                DiscountLine(
                    d.description_id, getattr(d, "description_en", ""), d.amount_off, d.reference
                )
                for d in quote.discounts
            ),
            total=quote.total,
            full_total=sum(full.values()) if full else quote.total,
        )
