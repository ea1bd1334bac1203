"""`/api/v1/invoices`: a payer's invoices (tagihan), one with its lines, paying one through the
gateway, billing months ahead, issuing a payer's month now, and the arrears list.

The services check the scope (a sponsor reaches only their own invoices, a worker their own
and the ones they are a line of, staff their branch) and write the audit trail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.billing_schemas import (
    CheckoutCreate,
    InvoiceAheadCreate,
    InvoiceDetailRead,
    InvoiceIssueCreate,
    InvoiceRead,
    IssueReportRead,
    MemberMonthRead,
    PayerKindText,
    PaymentInstructionRead,
)
from sertakan.api.problems import responses
from sertakan.billing.model import PayerKind
from sertakan.http.auth import Requires, container_of
from sertakan.kernel.periods import Month

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("", response_model=list[InvoiceRead], responses=responses(404))
def payer_invoices(
    request: Request,
    payer_kind: Annotated[PayerKindText, Query(description="sponsor or member")],
    payer_id: Annotated[str, Query(max_length=40, description="The sponsor's or member's id")],
    actor: Annotated[Actor, Depends(Requires(Permission.INVOICE_READ))],
) -> list[InvoiceRead]:
    """A payer's invoices, newest month first."""
    found = container_of(request).invoices.for_payer(actor, PayerKind(payer_kind), payer_id)
    return [InvoiceRead.of(invoice) for invoice in found]


# Declared before `/{invoice_id}`, which would otherwise take "member-months" for an id.
@router.get("/member-months", response_model=list[MemberMonthRead], responses=responses(404))
def member_months(
    request: Request,
    member_id: Annotated[str, Query(max_length=40, description="The member's id")],
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_READ))],
) -> list[MemberMonthRead]:
    """A member's contribution months, the current one first, then newest first: paid (by
    whom, when), billed (to whom), or not billed yet. The amount is the member's own line,
    never a sponsor's total; `payable` only where the reader is the invoice's payer. The
    same read as the worker's Tagihan page (a worker: her own; a sponsor: their workers;
    staff: their branch)."""
    container = container_of(request)
    views = container.money
    return [MemberMonthRead.of(m) for m in views.member_months(actor, member_id).months]


# Declared before `/{invoice_id}`, which would otherwise take "arrears" for an id.
@router.get("/arrears", response_model=list[InvoiceRead])
def arrears(
    request: Request,
    actor: Annotated[Actor, Depends(Requires(Permission.PAYMENT_REVIEW))],
) -> list[InvoiceRead]:
    """Open invoices past their due date, oldest first (an officer: their branch only)."""
    return [InvoiceRead.of(i) for i in container_of(request).billing_views.arrears(actor)]


@router.post(
    "/ahead",
    response_model=InvoiceRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(404, 422, s409="Every month asked for is billed or paid already"),
)
def bill_months_ahead(
    request: Request,
    body: InvoiceAheadCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.INVOICE_PAY))],
) -> InvoiceRead:
    """One invoice for the current month and the next ones (at most the regulation's limit
    ahead, `bpu/prepayment.yaml`), for the payer's members not billed or paid yet. The same request
    again (a double tap, at once or later) answers with the invoice it made while it is open."""
    invoice = container_of(request).invoices.issue_ahead(
        actor, PayerKind(body.payer_kind), body.payer_id, body.months
    )
    return InvoiceRead.of(invoice)


@router.post("/issue", response_model=IssueReportRead, responses=responses(404, 409, 422))
def issue_payer_month(
    request: Request,
    body: InvoiceIssueCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.INVOICE_PAY))],
) -> IssueReportRead:
    """Issue one payer's invoice for a month now (idempotent: again issues nothing twice)."""
    report = container_of(request).invoices.issue_for_payer(
        actor, PayerKind(body.payer_kind), body.payer_id, Month.parse(body.month)
    )
    return IssueReportRead.of(report)


@router.get("/{invoice_id}", response_model=InvoiceDetailRead)
def get_invoice(
    request: Request,
    invoice_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.INVOICE_READ))],
) -> InvoiceDetailRead:
    """An invoice with its lines: each member's month, part by part. A worker reading their
    sponsor's invoice gets their own line only, without the total (`only_own_line`)."""
    return InvoiceDetailRead.of_sight(container_of(request).invoices.read(actor, invoice_id))


@router.post(
    "/{invoice_id}/checkout",
    response_model=PaymentInstructionRead,
    responses=responses(422, s409="The invoice is paid or cancelled"),
)
def checkout(
    request: Request,
    invoice_id: str,
    body: CheckoutCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.INVOICE_PAY))],
) -> PaymentInstructionRead:
    """Open a charge at the gateway for the whole invoice: a virtual-account number, a QRIS
    payload or the gateway's page, payable for 24 hours."""
    instruction = container_of(request).payments.checkout(actor, invoice_id, body.channel)
    return PaymentInstructionRead.of(instruction)
