"""Payment notices as the sandbox gateway sends them: the JSON body and its HMAC signature."""

from __future__ import annotations

import datetime as dt
import json

from sertakan.billing.signatures import sign
from tests.support.containers import GATEWAY_SECRET


def notice_body(
    invoice_number: str,
    amount: int,
    transaction_id: str,
    paid_at: dt.datetime,
    channel: str = "va_bri",
) -> bytes:
    return json.dumps(
        {
            "transaction_id": transaction_id,
            "invoice_number": invoice_number,
            "amount": amount,
            "currency": "IDR",
            "channel": channel,
            "status": "paid",
            "paid_at": paid_at.isoformat(),
        }
    ).encode()


def signed(body: bytes, secret: str = GATEWAY_SECRET) -> str:
    return sign(secret.encode(), body)
