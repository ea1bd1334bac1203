"""Pydantic schemas of billing over the API: invoices (tagihan), payments, the suspense list and
a member's coverage. Money is whole rupiah (`int`); a contribution month is "YYYY-MM"."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sertakan.billing.channels import channel_label
from sertakan.billing.coverage import Coverage
from sertakan.billing.invoice_views import MemberMonth, MonthState
from sertakan.billing.invoicing import IssueReport
from sertakan.billing.model import Invoice, InvoiceLine, SuspenseItem
from sertakan.billing.payments import NoticeResult
from sertakan.billing.ports import PaymentInstruction
from sertakan.billing.sight import InvoiceSight
from sertakan.billing.status import MemberCover
from sertakan.kernel.clock import WIB

PayerKindText = Literal["sponsor", "member"]
# A contribution month as the API writes it. Bounded to this century: nothing older was ever
# billed, and a year like 0000 is not a calendar year at all.
MONTH_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])$"


def _wib(moment: dt.datetime | None) -> dt.datetime | None:
    """Times go out in WIB, as the payer and the branch read them (the store keeps UTC)."""
    return moment.astimezone(WIB) if moment is not None else None


# -- invoices ----------------------------------------------------------------------------------


class InvoiceRead(BaseModel):
    id: str
    number: str = Field(description="What the payer quotes and the gateway carries")
    payer_kind: str = Field(description="sponsor | member")
    payer_id: str
    kind: str = Field(description="monthly | advance")
    month: str = Field(description="The contribution month (the first one, when ahead)")
    due_on: dt.date
    total: int = Field(description="Rupiah")
    status: str = Field(description="open | paid | cancelled")
    status_label: str
    branch_code: str | None
    created_at: dt.datetime
    paid_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceRead:
        return cls(**_invoice_fields(invoice))


class InvoiceLineRead(BaseModel):
    member_id: str
    month: str
    programs: list[str]
    jkk: int
    jkm: int
    jht: int
    discount: int = Field(description="PP 50/2025 reduction, already taken off the parts")
    total: int

    @classmethod
    def of(cls, line: InvoiceLine) -> InvoiceLineRead:
        return cls(
            member_id=line.member_id,
            month=str(line.month),
            programs=list(line.programs),
            jkk=line.jkk,
            jkm=line.jkm,
            jht=line.jht,
            discount=line.discount,
            total=line.total,
        )


class InvoiceDetailRead(InvoiceRead):
    total: int | None = Field(  # type: ignore[assignment]
        description="Rupiah; null for a worker reading their sponsor's invoice (only_own_line)"
    )
    only_own_line: bool = Field(
        description="A worker reading their sponsor's invoice: only their own line is listed, "
        "and neither the total nor the other workers' lines are shown"
    )
    months: list[str] = Field(
        description="The months its (visible) lines bill, YYYY-MM: what the invoice is headed by"
    )
    payable: bool = Field(
        description="Open and the reader's to pay: false for a worker on their sponsor's invoice"
    )
    lines: list[InvoiceLineRead]

    @classmethod
    def of_sight(cls, sight: InvoiceSight) -> InvoiceDetailRead:
        """As `billing.sight` lets the reader see it."""
        return cls(
            **(_invoice_fields(sight.invoice) | {"total": sight.total}),
            only_own_line=sight.only_own_line,
            months=[str(month) for month in sight.months],
            payable=sight.payable,
            lines=[InvoiceLineRead.of(line) for line in sight.lines],
        )


def _invoice_fields(invoice: Invoice) -> dict[str, object]:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "payer_kind": invoice.payer_kind.value,
        "payer_id": invoice.payer_id,
        "kind": invoice.kind.value,
        "month": str(invoice.month),
        "due_on": invoice.due_on,
        "total": invoice.total,
        "status": invoice.status.value,
        "status_label": invoice.status.label_id,
        "branch_code": invoice.branch_code,
        "created_at": invoice.created_at.astimezone(WIB),
        "paid_at": _wib(invoice.paid_at),
        "cancelled_at": _wib(invoice.cancelled_at),
        "cancel_reason": invoice.cancel_reason,
    }


class InvoiceAheadCreate(BaseModel):
    """Bill months ahead: the current month and the next ones (`bpu/prepayment.yaml`)."""

    model_config = ConfigDict(extra="forbid")

    payer_kind: PayerKindText
    payer_id: str = Field(max_length=40)
    months: int = Field(strict=True, description="How many months, the current one first")


class InvoiceIssueCreate(BaseModel):
    """Issue one payer's invoice for a month now, instead of waiting for the daily job."""

    model_config = ConfigDict(extra="forbid")

    payer_kind: PayerKindText
    payer_id: str = Field(max_length=40)
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-11"])


class IssueReportRead(BaseModel):
    month: str
    invoices: int
    lines: int
    amount: int = Field(description="Rupiah billed by this run")
    already_billed: int = Field(description="Member-months already on an invoice")
    already_paid: int = Field(description="Member-months already paid (ahead)")
    ended: int = Field(description="Members whose membership ended: billed again when they pay")
    refused: dict[str, int] = Field(description="Why members could not be billed: how many")

    @classmethod
    def of(cls, report: IssueReport) -> IssueReportRead:
        return cls(
            month=str(report.month),
            invoices=report.invoices,
            lines=report.lines,
            amount=report.amount,
            already_billed=report.already_billed,
            already_paid=report.already_paid,
            ended=report.ended,
            refused=dict(report.refused),
        )


# -- paying --------------------------------------------------------------------------------------


class CheckoutCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(
        max_length=40,
        description="va_bri, va_bni, va_mandiri, va_bca, qris, ewallet_dana, ewallet_ovo, "
        "ewallet_gopay, retail_alfamart or retail_indomaret",
        examples=["va_bri"],
    )


class PaymentInstructionRead(BaseModel):
    """What the payer needs: a virtual-account number, a QRIS payload, or the gateway's page."""

    gateway: str
    reference: str = Field(description="The gateway's id for this charge")
    invoice_number: str
    channel: str
    channel_label: str
    amount: int
    pay_url: str
    expires_at: dt.datetime
    va_number: str | None
    qris_payload: str | None

    @classmethod
    def of(cls, instruction: PaymentInstruction) -> PaymentInstructionRead:
        return cls(
            gateway=instruction.gateway,
            reference=instruction.reference,
            invoice_number=instruction.invoice_number,
            channel=instruction.channel,
            channel_label=channel_label(instruction.channel),
            amount=instruction.amount,
            pay_url=instruction.pay_url,
            expires_at=instruction.expires_at.astimezone(WIB),
            va_number=instruction.va_number,
            qris_payload=instruction.qris_payload,
        )


class PaymentNoticeBody(BaseModel):
    """The gateway's notice as documented (`billing.notices`); the route reads the raw bytes,
    because the signature is over them, so this model documents the body and checks nothing."""

    transaction_id: str = Field(max_length=64, examples=["SBX-7F3A0C9D12E4B6A8"])
    invoice_number: str = Field(max_length=64, examples=["INV-202611-4F2A9C01"])
    amount: int = Field(description="Whole rupiah, a JSON integer", examples=[28400])
    currency: Literal["IDR"] = "IDR"
    channel: str = Field(examples=["va_bri"])
    status: Literal["paid"] = "paid"
    paid_at: dt.datetime = Field(description="ISO 8601 with its UTC offset")


class NoticeResultRead(BaseModel):
    """The answer to the gateway: the notice is stored, and what became of its money."""

    status: str = Field(description="applied | suspense")
    duplicate: bool = Field(description="This transaction was received before: nothing changed")
    notice_id: str
    invoice_number: str
    reason: str | None = Field(
        description="Why the money waits in the suspense list: unknown_invoice, "
        "amount_mismatch, invoice_cancelled, already_paid, paid_in_future (paid_at later than "
        "the notice arrived), paid_before_issue (paid_at before the invoice was issued)"
    )

    @classmethod
    def of(cls, result: NoticeResult) -> NoticeResultRead:
        return cls(
            status=result.outcome.value,
            duplicate=result.duplicate,
            notice_id=result.notice_id,
            invoice_number=result.invoice_number,
            reason=result.reason.value if result.reason is not None else None,
        )


# -- the suspense list ---------------------------------------------------------------------------


class SuspenseItemRead(BaseModel):
    id: str
    notice_id: str
    invoice_id: str | None = Field(description="The invoice the notice named, when it exists")
    amount: int
    reason: str
    reason_label: str
    status: str = Field(description="open | allocated | refunded")
    status_label: str
    branch_code: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str
    allocated_invoice_id: str | None

    @classmethod
    def of(cls, item: SuspenseItem) -> SuspenseItemRead:
        return cls(
            id=item.id,
            notice_id=item.notice_id,
            invoice_id=item.invoice_id,
            amount=item.amount,
            reason=item.reason.value,
            reason_label=item.reason.label_id,
            status=item.status.value,
            status_label=item.status.label_id,
            branch_code=item.branch_code,
            created_at=item.created_at.astimezone(WIB),
            resolved_at=_wib(item.resolved_at),
            resolved_by=item.resolved_by,
            resolution_note=item.resolution_note,
            allocated_invoice_id=item.allocated_invoice_id,
        )


class SuspenseAllocate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_number: str = Field(max_length=64, description="The open invoice the payer meant")
    note: str = Field(default="", max_length=300)


class SuspenseRefund(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=300, description="How the money goes back to the payer")


# -- coverage ------------------------------------------------------------------------------------


class ProgramCoverRead(BaseModel):
    program: str = Field(description="JKK | JKM | JHT")
    covered: bool
    status: str = Field(description="aktif | menunggak | berakhir | nonaktif | menunggu")
    status_label: str
    reason: str = Field(
        description="Why, as a code: paid | not_yet_member | never_paid | unpaid | paid_late "
        "| lapsed | program_not_paid"
    )
    why: str
    why_id: str
    month: str = Field(description="The contribution month of the moment asked about")
    settled_at: dt.datetime | None = Field(description="When that month's contribution settled")
    covered_since: dt.date | None = Field(
        description="First day of the unbroken run of paid months holding that month"
    )
    protected_until: dt.date | None
    reference: str = Field(description="The rule applied (bpu/coverage_policy.yaml)")

    @classmethod
    def of(cls, cover: Coverage) -> ProgramCoverRead:
        return cls(
            program=cover.program,
            covered=cover.covered,
            status=cover.status.value,
            status_label=cover.status.label_id,
            reason=cover.reason.value,
            why=cover.why,
            why_id=cover.why_id,
            month=str(cover.month),
            settled_at=_wib(cover.settled_at),
            covered_since=cover.covered_since,
            protected_until=cover.protected_until,
            reference=cover.reference,
        )


class OpenInvoiceRead(BaseModel):
    id: str
    number: str
    month: str
    total: int
    due_on: dt.date

    @classmethod
    def of(cls, invoice: Invoice) -> OpenInvoiceRead:
        return cls(
            id=invoice.id,
            number=invoice.number,
            month=str(invoice.month),
            total=invoice.total,
            due_on=invoice.due_on,
        )


class MemberCoverageRead(BaseModel):
    member_id: str
    at: dt.datetime = Field(description="The moment asked about")
    covered: bool = Field(description="Protected by at least one programme at that moment")
    status: str = Field(description="aktif | menunggak | berakhir | nonaktif | menunggu")
    status_label: str
    reason: str = Field(
        description="Why, as a code: paid | not_yet_member | never_paid | unpaid | paid_late "
        "| lapsed | program_not_paid"
    )
    covered_since: dt.date | None = Field(description="Covered without a break since this day")
    protected_until: dt.date | None
    arrears: list[str] = Field(description="Unpaid months still payable (YYYY-MM)")
    programs: list[ProgramCoverRead]
    open_invoices: list[OpenInvoiceRead] = Field(
        description="What can be paid now (arrears and this month), whatever moment was asked"
    )
    to_pay: int = Field(description="Rupiah: the open invoices together")

    @classmethod
    def of(cls, cover: MemberCover) -> MemberCoverageRead:
        return cls(
            member_id=cover.member.id,
            at=cover.at.astimezone(WIB),
            covered=cover.is_protected,
            status=cover.status.value,
            status_label=cover.status.label_id,
            reason=cover.reason.value,
            covered_since=cover.covered_since,
            protected_until=cover.protected_until,
            arrears=[str(month) for month in cover.arrears],
            programs=[ProgramCoverRead.of(c) for c in cover.programs],
            open_invoices=[OpenInvoiceRead.of(i) for i in cover.open_invoices],
            to_pay=cover.to_pay,
        )


class MemberMonthRead(BaseModel):
    """One member's contribution month as the reader may see it (`billing.invoice_views`)."""

    month: str = Field(description="YYYY-MM")
    state: str = Field(description="paid | billed | unbilled")
    amount: int | None = Field(
        description="Rupiah: the member's own line (never a sponsor's total); null if unbilled"
    )
    invoice_id: str | None
    invoice_number: str | None
    payer_kind: str | None = Field(description="sponsor | member; null if unbilled")
    payer_name: str = Field(description="The sponsor's name; empty when the member pays")
    payable: bool = Field(description="Billed, open, and the reader's to pay")
    due_on: dt.date | None
    paid_at: dt.datetime | None

    @classmethod
    def of(cls, month: MemberMonth) -> MemberMonthRead:
        return cls(
            month=str(month.month),
            state=month.state.value,
            amount=month.amount,
            invoice_id=month.invoice_id,
            invoice_number=month.invoice_number,
            payer_kind=month.payer_kind.value if month.payer_kind else None,
            payer_name=month.payer_name,
            payable=month.state is MonthState.BILLED and month.is_reader_payer,
            due_on=month.due_on,
            paid_at=_wib(month.paid_at),
        )
