"""One-time codes sent by SMS to workers and sponsors: making, digesting and judging them. Pure.

A code is 6 random digits, valid for 5 minutes, good once, with at most 5 wrong tries, and at
most 3 codes per phone per 15 minutes and 20 per client IP per hour. Its purpose is
"sign_in" (a worker or sponsor signs in) or "consent" (a sponsor enrolling a worker records
the worker's consent with a code sent to the worker's phone).

Codes are never stored in clear: the store keeps an HMAC-SHA256 digest keyed with the
installation's secret and bound to the phone and the purpose, so a leaked table cannot be
brute-forced offline (a million codes) and a consent code cannot sign anyone in.

Sources: NIST SP 800-63B rev. 3 §5.1.3.2 (out-of-band verifiers: a secret of at least 20
bits from an approved random generator, valid for at most 10 minutes, accepted only once) and
§5.2.2 (rate limiting); OWASP Multifactor Authentication Cheat Sheet. §5.1.3.3 calls SMS a
"restricted" authenticator (SIM swap, interception): fine for a worker's own card, not for
staff, who sign in with a password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sertakan.kernel.errors import Violation

MIN_SECRET_BYTES = 16  # 128 bits: the HMAC key must be out of reach of a brute force
_PURPOSE = re.compile(r"[a-z][a-z_]*", re.ASCII)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}", re.ASCII)
_TYPED_SEPARATORS = re.compile(r"[\s-]+")
REFERENCE = "NIST SP 800-63B §5.1.3.2"


@dataclass(frozen=True, slots=True)
class CodePolicy:
    """How codes are made and how often they may be asked for and tried.

    6 digits are ~20 bits, the minimum of §5.1.3.2; the short lifetime and the attempt limit
    keep an online guess at 5 in a million per code.
    """

    digits: int = 6
    ttl: dt.timedelta = dt.timedelta(minutes=5)
    max_attempts: int = 5
    per_phone_limit: int = 3
    per_phone_window: dt.timedelta = dt.timedelta(minutes=15)
    per_ip_limit: int = 20
    per_ip_window: dt.timedelta = dt.timedelta(hours=1)

    def __post_init__(self) -> None:
        if not 6 <= self.digits <= 10:
            raise ValueError("a code has 6 to 10 digits (NIST SP 800-63B §5.1.3.2: 20 bits)")
        if self.ttl <= dt.timedelta(0) or self.max_attempts < 1:
            raise ValueError("ttl must be positive and max_attempts at least 1")
        if self.per_phone_limit < 1 or self.per_ip_limit < 1:
            raise ValueError("rate limits must allow at least one code")
        if self.per_phone_window <= dt.timedelta(0) or self.per_ip_window <= dt.timedelta(0):
            raise ValueError("rate-limit windows must be positive")


DEFAULT_CODE_POLICY = CodePolicy()


def new_code(
    policy: CodePolicy = DEFAULT_CODE_POLICY,
    *,
    randbelow: Callable[[int], int] = secrets.randbelow,
) -> str:
    """A fresh code: `policy.digits` uniformly random digits, leading zeros kept ("004211").

    `randbelow` is `secrets.randbelow` (the OS CSPRNG, as §5.1.3.2 requires); tests may pass
    their own.
    """
    space = 10**policy.digits
    number = randbelow(space)
    if not 0 <= number < space:
        raise ValueError("randbelow returned a number outside [0, 10**digits)")
    return f"{number:0{policy.digits}d}"


def code_digest(code: str, *, phone: str, purpose: str, secret: bytes) -> str:
    """The HMAC-SHA256 (hex) of the code, bound to the phone (E.164) and the purpose.

    This is what the store keeps instead of the code.
    """
    if not (code.isascii() and code.isdigit()):
        raise ValueError("a code is made of the digits 0-9")
    return _digest(code, phone=phone, purpose=purpose, secret=secret)


def codes_match(digest: str, code: str, *, phone: str, purpose: str, secret: bytes) -> bool:
    """Whether the code someone typed is the one whose digest was stored.

    Typed spaces and dashes are ignored and full-width digits read as digits ("123 456",
    "１２３４５６"); anything else simply does not match. The comparison takes the same time
    however many characters agree (`hmac.compare_digest`).
    """
    typed = _TYPED_SEPARATORS.sub("", unicodedata.normalize("NFKC", code))
    if not (typed.isascii() and typed.isdigit()):
        return False
    expected = _digest(typed, phone=phone, purpose=purpose, secret=secret)
    return hmac.compare_digest(digest.encode(), expected.encode())


def _digest(code: str, *, phone: str, purpose: str, secret: bytes) -> str:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the code secret needs at least {MIN_SECRET_BYTES} bytes")
    if not _E164.fullmatch(phone):
        raise ValueError("phone must be in E.164 (+62...)")
    if not _PURPOSE.fullmatch(purpose):
        raise ValueError("purpose is a lower-case word such as 'sign_in' or 'consent'")
    # Newlines cannot occur in any of the three parts, so the message is unambiguous.
    message = f"sertakan-code\n{purpose}\n{phone}\n{code}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class CodeState:
    """What the store knows about an issued code (all datetimes timezone-aware).

    `attempts` counts the wrong tries recorded so far.
    """

    issued_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    attempts: int

    @classmethod
    def fresh(cls, issued_at: dt.datetime, policy: CodePolicy = DEFAULT_CODE_POLICY) -> CodeState:
        """The state of a code issued at `issued_at`: unused, untried, expiring after `ttl`."""
        return cls(issued_at, issued_at + policy.ttl, None, 0)


class CodeVerdict(StrEnum):
    """The answer to a typed code. Every verdict but OK refuses it."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    TOO_MANY_ATTEMPTS = "too_many_attempts"

    @property
    def message(self) -> str:
        """English, for logs and the API."""
        return _CODE_MESSAGES[self][0]

    @property
    def message_id(self) -> str:
        """Bahasa Indonesia, for pages and the worker's phone."""
        return _CODE_MESSAGES[self][1]

    def violation(self) -> Violation:
        """The refusal as a violation on field "code" (rule "code.<verdict>")."""
        if self is CodeVerdict.OK:
            raise ValueError("an accepted code is no violation")
        return Violation("code", f"code.{self.value}", self.message, self.message_id, REFERENCE)


_CODE_MESSAGES = {
    CodeVerdict.OK: ("The code is right", "Kode benar"),
    CodeVerdict.WRONG: ("The code is wrong", "Kode salah"),
    CodeVerdict.EXPIRED: (
        "The code has expired; ask for a new one",
        "Kode sudah kedaluwarsa, minta kode baru",
    ),
    CodeVerdict.USED: (
        "The code has already been used; ask for a new one",
        "Kode sudah dipakai, minta kode baru",
    ),
    CodeVerdict.TOO_MANY_ATTEMPTS: (
        "Too many wrong attempts; ask for a new code",
        "Terlalu banyak percobaan, minta kode baru",
    ),
}


def judge(
    state: CodeState,
    now: dt.datetime,
    policy: CodePolicy = DEFAULT_CODE_POLICY,
    *,
    matches: bool,
) -> CodeVerdict:
    """The verdict on a try at `now`; `matches` is `codes_match` for the typed code.

    Used, worn out (`max_attempts` wrong tries) and expired come before right-or-wrong, so
    those answers say nothing about whether the guess was right: a stolen, stale or used code
    cannot be confirmed. On WRONG the caller records the attempt; on OK it marks the code used.
    """
    if state.used_at is not None:
        return CodeVerdict.USED
    if state.attempts >= policy.max_attempts:
        return CodeVerdict.TOO_MANY_ATTEMPTS
    if now >= state.expires_at:
        return CodeVerdict.EXPIRED
    if not matches:
        return CodeVerdict.WRONG
    return CodeVerdict.OK


def attempts_left(state: CodeState, policy: CodePolicy = DEFAULT_CODE_POLICY) -> int:
    """How many more wrong tries the code survives (0: the next try is refused anyway)."""
    return max(policy.max_attempts - state.attempts, 0)


class RateVerdict(StrEnum):
    """Whether another code may be sent now."""

    OK = "ok"
    PHONE_LIMIT = "phone_limit"
    IP_LIMIT = "ip_limit"

    @property
    def message(self) -> str:
        """English, worded for the default policy's windows (see `messages` for another)."""
        return self.messages(DEFAULT_CODE_POLICY)[0]

    @property
    def message_id(self) -> str:
        """Bahasa Indonesia, worded for the default policy's windows."""
        return self.messages(DEFAULT_CODE_POLICY)[1]

    def retry_after(self, policy: CodePolicy = DEFAULT_CODE_POLICY) -> dt.timedelta:
        """The longest wait before a refused request can succeed (its limit's window)."""
        if self is RateVerdict.PHONE_LIMIT:
            return policy.per_phone_window
        if self is RateVerdict.IP_LIMIT:
            return policy.per_ip_window
        return dt.timedelta(0)

    def messages(self, policy: CodePolicy = DEFAULT_CODE_POLICY) -> tuple[str, str]:
        """(English, Bahasa Indonesia), naming the wait of `policy`."""
        if self is RateVerdict.OK:
            return ("A code may be sent", "Kode dapat dikirim")
        english, indonesian = _duration_words(self.retry_after(policy))
        if self is RateVerdict.PHONE_LIMIT:
            return (
                f"Too many code requests for this number; try again in {english}",
                f"Terlalu banyak permintaan kode; coba lagi dalam {indonesian}",
            )
        return (
            f"Too many code requests from this network; try again in {english}",
            f"Terlalu banyak permintaan kode dari jaringan ini; coba lagi dalam {indonesian}",
        )

    def violation(self, policy: CodePolicy = DEFAULT_CODE_POLICY) -> Violation:
        """The refusal as a violation on field "phone" (rule "code.<verdict>")."""
        if self is RateVerdict.OK:
            raise ValueError("an allowed request is no violation")
        english, indonesian = self.messages(policy)
        return Violation(
            "phone", f"code.{self.value}", english, indonesian, "NIST SP 800-63B §5.2.2"
        )


def rate_limit_verdict(
    recent_for_phone: int, recent_for_ip: int, policy: CodePolicy = DEFAULT_CODE_POLICY
) -> RateVerdict:
    """May another code be sent? The counts are the codes already issued within
    `per_phone_window` to the phone and within `per_ip_window` to the client IP.

    When both limits are reached, the one with the longer window is named (its wait is the
    one that matters).
    """
    if recent_for_phone < 0 or recent_for_ip < 0:
        raise ValueError("counts cannot be negative")
    phone_hit = recent_for_phone >= policy.per_phone_limit
    ip_hit = recent_for_ip >= policy.per_ip_limit
    if phone_hit and ip_hit:
        longer_is_ip = policy.per_ip_window >= policy.per_phone_window
        return RateVerdict.IP_LIMIT if longer_is_ip else RateVerdict.PHONE_LIMIT
    if ip_hit:
        return RateVerdict.IP_LIMIT
    if phone_hit:
        return RateVerdict.PHONE_LIMIT
    return RateVerdict.OK


def _duration_words(span: dt.timedelta) -> tuple[str, str]:
    minutes = max(1, round(span.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return (f"{hours} hour" + ("s" if hours > 1 else ""), f"{hours} jam")
    return (f"{minutes} minute" + ("s" if minutes > 1 else ""), f"{minutes} menit")
