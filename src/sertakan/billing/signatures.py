"""The gateway's notice signature: HMAC-SHA256 over the raw request body, hex, in a header.

The signature is computed over the bytes as received, before any parsing, so a body that was
re-serialised on the way (other key order, other spacing) does not verify. Compared in
constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Callback-Signature"
_PREFIX = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    """The header value for `body`: ``sha256=<64 hex digits>``."""
    return _PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), signature.strip().encode())
