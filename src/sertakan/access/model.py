"""Accounts, the tokens that stand for a sign-in, and stored one-time codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sertakan.access.roles import Role


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    role: Role
    display_name: str
    username: str | None  # staff and agents sign in with username + password
    password_hash: str | None
    phone: str | None  # E.164; workers and sponsors sign in with a code sent here
    member_id: str | None  # worker
    sponsor_id: str | None  # sponsor
    branch_code: str | None  # officer, supervisor
    is_active: bool
    failed_sign_ins: int
    locked_until: dt.datetime | None
    created_at: dt.datetime


class TokenKind(StrEnum):
    SESSION = "session"  # a web session, in an HttpOnly cookie
    BEARER = "bearer"  # an OAuth2 access token for the API


@dataclass(frozen=True, slots=True)
class AuthToken:
    """A sign-in. Only the SHA-256 digest of the secret is stored, so a leaked table signs no
    one in; revoking sets `revoked_at`."""

    digest: str
    kind: TokenKind
    account_id: str
    csrf: str  # the session's CSRF token (empty for bearer tokens)
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None

    def is_valid_at(self, moment: dt.datetime) -> bool:
        return self.revoked_at is None and moment < self.expires_at


class CodePurpose(StrEnum):
    SIGN_IN = "sign_in"
    CONSENT = "consent"
    # Proves a phone before an account is made with it (issue 12): a sponsor's sign-up.
    SIGN_UP = "sign_up"


@dataclass(frozen=True, slots=True)
class StoredCode:
    """A one-time code as stored: its HMAC digest, never the code."""

    id: str
    purpose: CodePurpose
    phone: str
    digest: str
    subject_id: str | None  # consent: the sponsorship the code confirms
    client_ip: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    attempts: int
