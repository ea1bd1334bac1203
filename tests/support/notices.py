"""Payment notices as the sandbox gateway sends them: the JSON body and its HMAC signature,
and posted to the callback endpoint (`post_notice`, `send`)."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from httpx import Response

from sertakan.billing.signatures import sign
from tests.support.containers import GATEWAY_SECRET

NOTIFY = "/api/v1/payments/notifications"


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


def post_notice(client: TestClient, body: bytes, signature: str | None = None) -> Response:
    """The gateway's callback as it arrives: the raw body, signed with `signature` if any."""
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Callback-Signature"] = signature
    return client.post(NOTIFY, content=body, headers=headers)


def send(client: TestClient, body: bytes) -> dict[str, object]:
    """Post a correctly signed notice; the JSON answer, which must be 200."""
    response = post_notice(client, body, signed(body))
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer
