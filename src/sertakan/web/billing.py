"""What the billing pages share: dates, months and moments in the reader's language, whose
invoices a page shows, and how a cancellation reads. The invoice as a reader may see it is
billing's read model (`billing.invoice_views.MoneyViews.invoice`, `container.money`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.billing.model import PayerKind
from sertakan.kernel.periods import Month
from sertakan.web import i18n
from sertakan.web.error_pages import N_

# The daily job writes its reason for a cancellation in English (for logs and the audit
# trail); pages say it in Indonesian. The prefix is `InvoiceService.cancel_unpayable`'s.
_ARREARS_WINDOW_PASSED = "arrears window passed"
CANCELLED_ARREARS = N_("Lewat batas 3 bulan tunggakan: tidak dapat dibayar lagi")
CANCELLED_OTHER = N_("Dibatalkan")


def month_label(month: Month, lang: str) -> str:
    """ "Desember 2026" (id), "December 2026" (en)."""
    return i18n.format_month(month, lang)


def months_label(months: Iterable[Month], lang: str) -> str:
    """One month, or the first and the last: "Desember 2026 – Februari 2027"."""
    ordered = sorted(set(months))
    if not ordered:
        return ""
    if len(ordered) == 1:
        return month_label(ordered[0], lang)
    return f"{month_label(ordered[0], lang)} – {month_label(ordered[-1], lang)}"


def moment_label(at: dt.datetime, lang: str) -> str:
    """ "10 Desember 2026, 09.15 WIB": the platform's time zone, as receipts print it."""
    return i18n.format_moment(at, lang)


def cancel_reason_id(reason: str) -> str:
    """A cancellation's reason as the payer reads it (a message id)."""
    return CANCELLED_ARREARS if reason.startswith(_ARREARS_WINDOW_PASSED) else CANCELLED_OTHER


@dataclass(frozen=True, slots=True)
class PayerRef:
    """Whose invoices a page shows: a sponsor, or a self-paying member."""

    kind: PayerKind
    id: str

    def is_own(self, actor: Actor) -> bool:
        if self.kind is PayerKind.SPONSOR:
            return actor.sponsor_id == self.id
        return actor.member_id == self.id

    def page_url(self, actor: Actor, **extra: str) -> str:
        """`/tagihan` for one's own invoices; staff name the payer in the query."""
        query: dict[str, str] = {}
        if not self.is_own(actor):
            query["sponsor" if self.kind is PayerKind.SPONSOR else "peserta"] = self.id
        query.update(extra)
        return "/tagihan" + (f"?{urlencode(query)}" if query else "")


def own_payer(actor: Actor) -> PayerRef | None:
    """The payer a signed-in sponsor or worker is, if any."""
    if actor.role is Role.SPONSOR and actor.sponsor_id:
        return PayerRef(PayerKind.SPONSOR, actor.sponsor_id)
    if actor.role is Role.WORKER and actor.member_id:
        return PayerRef(PayerKind.MEMBER, actor.member_id)
    return None
