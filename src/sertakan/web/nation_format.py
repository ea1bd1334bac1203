"""Numbers of the national enrolment report written the reader's way (Babel, CLDR): the page
and the CLI.

Counts are grouped (``1.234.567`` in Bahasa Indonesia), shares are percentages with two
decimals (``1,23%``; below 1% four, ``0,0153%``; a share too small to show is
``<0,0001%``, never a misleading ``0,00%``),
axis labels are compact (``Rp1,2 M``). Rupiah amounts use `i18n.format_rupiah` (``Rp36.800``).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from sertakan.web import i18n
from sertakan.web.i18n import format_rupiah

__all__ = [
    "format_compact_rupiah",
    "format_count",
    "format_month",
    "format_month_short",
    "format_rupiah",
    "format_share",
]

_SMALLEST_SHOWN = 0.000001  # 0.0001%
_ONE_PERCENT = 0.01


def format_count(value: int, locale: str) -> str:
    """A head count: ``1.234.567`` (id), ``1,234,567`` (en)."""
    return format_decimal(value, format="#,##0", locale=locale)


def format_share(share: float | None, locale: str) -> str:
    """A share as a percentage: ``12,34%``; below 1% with four decimals (``0,0150%``),
    so that small shares still differ; ``<0,0001%`` when above 0 but smaller; ``–`` when
    there is nothing to divide by."""
    if share is None:
        return "–"
    if 0 < share < _SMALLEST_SHOWN:
        return "<" + format_percent(_SMALLEST_SHOWN, format="#,##0.0000%", locale=locale)
    pattern = "#,##0.00%" if share == 0 or share >= _ONE_PERCENT else "#,##0.0000%"
    return format_percent(share, format=pattern, locale=locale)


def format_compact_rupiah(amount: int, locale: str) -> str:
    """Rupiah for an axis: ``Rp1,2 M`` (miliar), ``Rp850 rb`` (ribu); ``Rp0``."""
    if amount == 0:
        return "Rp0"
    return "Rp" + format_compact_decimal(
        amount, format_type="short", locale=locale, fraction_digits=1
    )


def format_month(month_start: dt.date, locale: str) -> str:
    """A month in words: ``Februari 2024`` (the pages' one spelling, `i18n.format_month`)."""
    return i18n.format_month(month_start, locale)


def format_month_short(month_start: dt.date, locale: str) -> str:
    """A month on an axis: ``Feb``."""
    return format_date(month_start, format="LLL", locale=locale)
