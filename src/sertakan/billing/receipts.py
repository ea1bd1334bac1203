"""The receipt to the payer: a reaction to `billing.invoice_paid` (issue 13, on the bus).

The payment's transaction records the fact (`billing.events`); the publisher then calls
`ReceiptOnPayment`, which queues the SMS in the outbox. It is idempotent, as every handler
must be (delivery is at least once): the message's id is made from the event's key, so a
second call finds it and writes nothing, and the outbox's primary key refuses a concurrent
second insert (that publisher records a failure, and its retry finds the message).

The text and the time stamp are the ones the payment wrote itself before (the message's
`created_at` is the moment the payment was recorded), so payers see no difference.
"""

from __future__ import annotations

from collections.abc import Callable

from sertakan.billing.events import invoice_paid
from sertakan.billing.ports import BillingUnitOfWork
from sertakan.kernel.events import Event
from sertakan.kernel.ids import id_for
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.notifications.model import Message


class ReceiptOnPayment:
    """Handler of `billing.invoice_paid`: one receipt SMS to the invoice's payer, if they have
    a phone."""

    def __init__(self, uow: Callable[[], BillingUnitOfWork]) -> None:
        self._uow = uow

    def __call__(self, event: Event) -> None:
        paid = invoice_paid(event)
        message_id = id_for(event.key)
        with self._uow() as uow:
            if uow.outbox.has(message_id):
                return  # published before: the receipt is already queued (or sent)
            phone = uow.invoices.payer_phones([paid.invoice_id]).get(paid.invoice_id)
            if not phone:
                return
            body = templates.receipt(
                paid.invoice_number,
                paid.amount,
                months_label(paid.months),
                paid.workers,
                paid.paid_at,
            )
            uow.outbox.add(
                Message(message_id, "sms", phone, templates.RECEIPT, body, event.occurred_at)
            )
            uow.commit()


def months_label(months: tuple[Month, ...]) -> str:
    """``Des 2026``, or the first and last month of several (``Nov 2026–Des 2026``)."""
    names = [m.short_name_id for m in sorted(set(months))]
    return names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}"
