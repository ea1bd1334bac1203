"""Errors access raises on purpose. Each names its rule and speaks Bahasa Indonesia on pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sertakan.kernel.errors import Conflict, Unauthorized


@dataclass(eq=False)
class SignInRefused(Unauthorized):
    """A refused sign-in; `delay` is how long the answer is held back (a brake on guessing)."""

    delay: dt.timedelta = dt.timedelta(0)


def sign_in_refused(
    rule: str, message: str, message_id: str, delay: dt.timedelta = dt.timedelta(0)
) -> SignInRefused:
    return SignInRefused(message=message, message_id=message_id, rule=rule, delay=delay)


WRONG_CREDENTIALS = (
    "access.sign_in.wrong",
    "Wrong username or password",
    "Nama pengguna atau kata sandi salah",
)
LOCKED = (
    "access.sign_in.locked",
    "Too many failed attempts: the account is locked for a while",
    "Terlalu banyak percobaan gagal: akun dikunci sementara, coba lagi nanti",
)
TOKEN_INVALID = (
    "access.token.invalid",
    "The token is unknown, expired or revoked: sign in again",
    "Sesi tidak dikenal, kedaluwarsa, atau sudah dicabut: silakan masuk lagi",
)


@dataclass(eq=False)
class CodeRefused(Unauthorized):
    """A wrong, expired, used or worn-out one-time code. The caller's transaction rolls back;
    `AccessService.record_refusal` then counts the attempt and audits it in one of its own."""

    code_id: str | None = None
    purpose: str = ""
    actor: object = None


@dataclass(eq=False)
class AccountChoiceNeeded(Conflict):
    """The code is right and the phone holds accounts of several roles (a worker who also
    sponsors): the caller names one, with the same code, which this answer leaves unused."""

    roles: tuple[str, ...] = ()


def account_choice_needed(roles: tuple[str, ...]) -> AccountChoiceNeeded:
    return AccountChoiceNeeded(
        message="This phone has several accounts: sign in again with the same code and a role",
        message_id="Nomor HP ini punya beberapa akun: pilih masuk sebagai apa",
        rule="access.sign_in.choose_role",
        roles=roles,
    )
