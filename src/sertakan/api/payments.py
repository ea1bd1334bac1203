"""`/api/v1/payments`: the gateway's payment notices, and the suspense list of money that could
not be applied as it came (allocate it to an invoice, or refund it).

The notice route is open to anyone: the HMAC signature over the raw body is the proof, so the
body is read as bytes and never re-serialised before it is checked. A forged notice is kept
for audit and answered 401; a malformed one 422 naming the fields (an amount past
`notices.MAX_AMOUNT`, a control character or NUL in a text field included), kept likewise; a
stored one 200, a repeat included (`duplicate: true`, nothing changed), so the gateway stops
retrying. Notices that arrive together are stored and applied together
(`kernel.group_commit`), each judged alone: one refused never fails the others of its batch.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api import problems
from sertakan.api.billing_schemas import (
    InvoiceRead,
    NoticeResultRead,
    PaymentNoticeBody,
    SuspenseAllocate,
    SuspenseItemRead,
    SuspenseRefund,
)
from sertakan.api.problems import responses
from sertakan.billing.payments import Delivery, NoticeResult
from sertakan.billing.signatures import SIGNATURE_HEADER
from sertakan.http.auth import Requires, container_of
from sertakan.kernel.errors import Unauthorized
from sertakan.kernel.group_commit import GroupCommit

router = APIRouter(prefix="/payments", tags=["payments"])

_NOTICE_BODY = {
    "required": True,
    "content": {"application/json": {"schema": PaymentNoticeBody.model_json_schema()}},
}


@router.post(
    "/notifications",
    response_model=NoticeResultRead,
    openapi_extra={"requestBody": _NOTICE_BODY},
    responses=responses(
        s401="The signature does not verify: kept for audit, applies nothing",
        s422=(
            "The body is not a notice (or a value is out of range or holds a control "
            "character): kept for audit, the problem names each field"
        ),
    ),
)
async def payment_notification(
    request: Request,
    actor: Annotated[Actor, Depends(Requires(Permission.PAYMENT_NOTIFY))],
    signature: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER,
            description="sha256=<hex HMAC-SHA256 of the raw body with the shared secret>",
        ),
    ] = None,
) -> JSONResponse:
    """The gateway's callback: store the notice once per transaction, then apply its money to
    the invoice or keep it in the suspense list."""
    raw_body = await request.body()
    try:
        result = await notice_batches(request).submit((raw_body, signature))
    except Unauthorized as refused:
        answer = problems.access_refused(401, refused.rule, refused.message, refused.message_id)
        # The gateway proves itself with the signature, not a bearer token: do not invite it
        # to sign in.
        del answer.headers["WWW-Authenticate"]
        return answer
    # Built here rather than validated again by FastAPI on the way out: the busiest route.
    return JSONResponse(NoticeResultRead.of(result).model_dump(mode="json"))


def notice_batches(request: Request) -> GroupCommit[Delivery, NoticeResult]:
    """The container's one group commit of notices (`bootstrap` builds it)."""
    return container_of(request).notice_batches


@router.get("/suspense", response_model=list[SuspenseItemRead])
def suspense_list(
    request: Request,
    actor: Annotated[Actor, Depends(Requires(Permission.PAYMENT_REVIEW))],
) -> list[SuspenseItemRead]:
    """Money received that waits for an officer (an officer: their branch, and money naming
    no known invoice), oldest first."""
    return [SuspenseItemRead.of(i) for i in container_of(request).billing_views.suspense(actor)]


@router.post(
    "/suspense/{item_id}/allocate",
    response_model=InvoiceRead,
    responses=responses(422, s409="The invoice is paid or cancelled, or the money is resolved"),
)
def allocate_suspense(
    request: Request,
    item_id: str,
    body: SuspenseAllocate,
    actor: Annotated[Actor, Depends(Requires(Permission.PAYMENT_RESOLVE))],
) -> InvoiceRead:
    """Apply the money to the open invoice of exactly that amount that the payer meant; the
    invoice as it was before it was paid."""
    invoice = container_of(request).payments.allocate(
        actor, item_id, body.invoice_number, body.note
    )
    return InvoiceRead.of(invoice)


@router.post(
    "/suspense/{item_id}/refund", response_model=SuspenseItemRead, responses=responses(409, 422)
)
def refund_suspense(
    request: Request,
    item_id: str,
    body: SuspenseRefund,
    actor: Annotated[Actor, Depends(Requires(Permission.PAYMENT_RESOLVE))],
) -> SuspenseItemRead:
    """Mark the money to be returned to the payer; the note says how."""
    item = container_of(request).payments.refund(actor, item_id, body.note)
    return SuspenseItemRead.of(item)
