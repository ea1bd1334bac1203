"""Access use cases: accounts, signing in (password or phone code), tokens, one-time codes.

Staff sign in with a username and password (argon2, NIST SP 800-63B rules, a delay and then a
lock after repeated failures). Workers and sponsors sign in with their phone and a one-time
code sent through the notification port. A sign-in yields a token: a web session (cookie) or
an OAuth2 bearer token (API), short-lived and revocable; the store keeps only its SHA-256.
Every sign-in, refused or not, is audited; a refusal in a unit of work of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sertakan.access import codes, errors
from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.model import Account, AuthToken, CodePurpose, StoredCode, TokenKind
from sertakan.access.passwords import PasswordHasher, check_new_password
from sertakan.access.permissions import Permission, allows
from sertakan.access.ports import AccessUnitOfWork, SignInBrake
from sertakan.access.roles import ACCOUNT_ROLES, Role
from sertakan.access.signup_limiter import SignUpLimiter
from sertakan.access.throttle import LoginThrottle
from sertakan.audit.model import AuditEvent, Outcome
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import Conflict, Forbidden, RateLimited, RuleViolation, Violation
from sertakan.kernel.ids import new_id
from sertakan.kernel.safe_log import describe, safe_traceback
from sertakan.notifications import templates
from sertakan.notifications.delivery import describe_error
from sertakan.notifications.model import Message, mask_phone
from sertakan.notifications.ports import Provider

MAX_USERNAME = 40
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    session_ttl: dt.timedelta = dt.timedelta(hours=12)
    # Short-lived API access (issue 4); a client signs in again rather than refreshing.
    bearer_ttl: dt.timedelta = dt.timedelta(minutes=15)
    codes: codes.CodePolicy = field(default_factory=codes.CodePolicy)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # A code's message is sent by the request right after commit; the delivery worker leaves
    # it alone this long (longer than a gateway call may take), then sends it if the request
    # could not (notifications.delivery).
    delivery_hold: dt.timedelta = dt.timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: the secret goes to the client once and is never stored."""

    account: Account
    secret: str
    csrf: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Resolved:
    actor: Actor
    token: AuthToken
    account: Account


@dataclass(frozen=True, slots=True)
class CodeTicket:
    """A one-time code `AccessService.check_code` accepted, to be used by `use_code_in`."""

    code_id: str
    purpose: CodePurpose
    actor: Actor


def token_digest(secret: str) -> str:
    """Tokens are 256-bit random secrets, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessService:
    def __init__(
        self,
        uow: Callable[[], AccessUnitOfWork],
        clock: Clock,
        hasher: PasswordHasher,
        secret: bytes,
        provider: Provider,
        branch_prefix: Callable[[str], str | None],
        *,
        policy: AccessPolicy | None = None,
        ids: Callable[[], str] = new_id,
        random_code: Callable[[], str] = codes.new_code,
        sign_up_limiter: SignUpLimiter | None = None,
        brake: SignInBrake | None = None,
        reader: Callable[[], AccessUnitOfWork] | None = None,
    ) -> None:
        self._uow = uow
        # Read-only units of work (issue 12): resolving a token on every request must not take
        # the write lock, or each read would queue behind a sign-in.
        self._read = reader or uow
        self._clock = clock
        self._hasher = hasher
        self._secret = secret
        self._provider = provider
        self._branch_prefix = branch_prefix
        self.policy = policy or AccessPolicy()
        self._new_id = ids
        self._random_code = random_code
        self.sign_up_limiter = sign_up_limiter or SignUpLimiter()
        self._brake = brake

    # -- accounts ------------------------------------------------------------------------

    def create_staff_account(
        self,
        actor: Actor,
        *,
        role: Role,
        username: str,
        password: str,
        display_name: str,
        branch_code: str | None = None,
    ) -> Account:
        """An account that signs in with a username and password (agents and staff)."""
        self._require(actor, Permission.ACCOUNT_MANAGE)
        username = username.strip().lower()
        violations = check_new_password(password, username=username)
        if not username or len(username) > MAX_USERNAME or not username.isascii():
            violations.insert(
                0,
                Violation(
                    "username",
                    "account.username",
                    f"username: 1 to {MAX_USERNAME} plain letters, digits, dots or dashes",
                    f"Nama pengguna: 1 sampai {MAX_USERNAME} huruf, angka, titik atau strip",
                ),
            )
        violations += _staff_role_violations(role, branch_code)
        if violations:
            raise RuleViolation(violations)
        account = Account(
            id=self._new_id(),
            role=role,
            display_name=" ".join(display_name.split()) or username,
            username=username,
            password_hash=self._hasher.hash(password),
            phone=None,
            member_id=None,
            sponsor_id=None,
            branch_code=branch_code if role.is_branch_staff else None,
            is_active=True,
            failed_sign_ins=0,
            locked_until=None,
            created_at=self._clock.now(),
        )
        with self._uow() as uow:
            if uow.accounts.by_username(username) is not None:
                raise Conflict(
                    "This username is taken", "Nama pengguna sudah dipakai", "account.username"
                )
            uow.accounts.add(account)
            uow.audit.append(
                event(
                    actor,
                    self._clock.now(),
                    "account.create",
                    "account",
                    account.id,
                    after=_account_snapshot(account),
                )
            )
            uow.commit()
        return account

    def correct_phone_account_in(
        self, uow: AccessUnitOfWork, actor: Actor, account: Account, phone: str, name: str
    ) -> Account:
        """A worker's account after an officer corrected their phone or name (inside the
        caller's unit of work): they sign in with the corrected phone from now on, and the
        sessions opened with the old number end (the number may have changed hands)."""
        changed = replace(account, phone=phone, display_name=name)
        uow.accounts.update(changed)
        if account.phone != phone:
            uow.tokens.revoke_all_for(account.id, self._clock.now())
        uow.audit.append(
            event(
                actor,
                self._clock.now(),
                "account.correct",
                "account",
                account.id,
                before=_account_snapshot(account),
                after=_account_snapshot(changed),
            )
        )
        return changed

    def phone_account_in(
        self,
        uow: AccessUnitOfWork,
        actor: Actor,
        *,
        role: Role,
        phone: str,
        display_name: str,
        member_id: str | None = None,
        sponsor_id: str | None = None,
    ) -> Account:
        """The worker's or sponsor's account, created inside the caller's unit of work."""
        assert role.signs_in_with_phone
        account = Account(
            id=self._new_id(),
            role=role,
            display_name=display_name,
            username=None,
            password_hash=None,
            phone=phone,
            member_id=member_id,
            sponsor_id=sponsor_id,
            branch_code=None,
            is_active=True,
            failed_sign_ins=0,
            locked_until=None,
            created_at=self._clock.now(),
        )
        uow.accounts.add(account)
        uow.audit.append(
            event(
                actor,
                self._clock.now(),
                "account.create",
                "account",
                account.id,
                after=_account_snapshot(account),
            )
        )
        return account

    def list_accounts(self, actor: Actor, limit: int = 100, offset: int = 0) -> list[Account]:
        self._require(actor, Permission.ACCOUNT_MANAGE)
        with self._read() as uow:
            return uow.accounts.list(limit, offset)

    def change_role(
        self, actor: Actor, account_id: str, role: Role, branch_code: str | None = None
    ) -> Account:
        """Admins change roles among the staff roles; every change is audited."""
        self._require(actor, Permission.ACCOUNT_MANAGE)
        violations = _staff_role_violations(role, branch_code)
        if violations:
            raise RuleViolation(violations)
        with self._uow() as uow:
            account = uow.accounts.get(account_id)
            if account is None or account.role.signs_in_with_phone:
                raise Forbidden()
            changed = replace(
                account, role=role, branch_code=branch_code if role.is_branch_staff else None
            )
            uow.accounts.update(changed)
            # A new role takes effect at once: sessions of the old role end.
            uow.tokens.revoke_all_for(account_id, self._clock.now())
            uow.audit.append(
                event(
                    actor,
                    self._clock.now(),
                    "account.change_role",
                    "account",
                    account_id,
                    before=_account_snapshot(account),
                    after=_account_snapshot(changed),
                )
            )
            uow.commit()
        return changed

    # -- signing in ------------------------------------------------------------------------

    def sign_in_with_password(
        self,
        username: str,
        password: str,
        *,
        kind: TokenKind,
        client: Actor,
        client_ip: str = "",
    ) -> SignedIn:
        """Check a username and password. A wrong one counts towards a delay and then a lock
        of this client address out of the account (docs/security.md).

        The answer is the same for an unknown username and a wrong password (and takes as
        long). Each try is counted before the password is checked ("count then check"), so
        however many arrive at once no more are checked than the policy allows; and the hash
        is checked with no transaction open, so guessing never holds the database's write
        lock while argon2 runs (SQLite has one writer).
        """
        now = self._clock.now()
        key = username.strip().lower()[:MAX_USERNAME]
        self._brake_or_refuse(client, client_ip, key or None)
        # 1. Read the account in a read-only unit of work (no write lock).
        with self._read() as uow:
            account = uow.accounts.by_username(key) if key else None
        if account is None or not account.is_active or not account.password_hash:
            # The same argon2 cost as a real check: the answer's timing does not say whether
            # the username exists.
            self._hasher.verify_or_dummy(None, password)
            self._brake_failed(client_ip, key or None)
            self._refuse_sign_in(client, now, account, key, errors.WRONG_CREDENTIALS)
            raise errors.sign_in_refused(*errors.WRONG_CREDENTIALS)
        # 2. Count the try, atomically, before checking it (NIST SP 800-63B §5.2.2).
        try:
            failures = self._reserve_password_try(account, client, client_ip, now)
        except errors.SignInLocked:
            self._brake_failed(client_ip, key)
            raise
        # 3. Check the password with no transaction open.
        ok = self._hasher.verify_or_dummy(account.password_hash, password)
        if not ok:
            self._brake_failed(client_ip, key)
            self._refuse_sign_in(client, now, account, key, errors.WRONG_CREDENTIALS)
            raise errors.sign_in_refused(
                *errors.WRONG_CREDENTIALS, delay=self.policy.throttle.delay_after(failures)
            )
        rehashed = (
            self._hasher.hash(password)
            if self._hasher.needs_rehash(account.password_hash)
            else None
        )
        # 4. A short write: the counts start again, the token and its audit event.
        with self._uow() as uow:
            uow.accounts.reset_sign_in_failures(account.id, client_ip)
            if rehashed is not None:
                uow.accounts.set_password_hash(account.id, rehashed)
            account = replace(
                account,
                password_hash=rehashed or account.password_hash,
                failed_sign_ins=0,
                locked_until=None,
            )
            signed = self._issue_token(uow, account, kind, client)
            uow.commit()
        return signed

    def _reserve_password_try(
        self, account: Account, client: Actor, client_ip: str, now: dt.datetime
    ) -> int:
        """Count one try from `client_ip` on the account and on the account as a whole; the
        consecutive failures from this address it makes. Raise SignInLocked (refused
        unchecked) when the address, or the whole account, is locked."""
        throttle = self.policy.throttle
        lock_until = now + throttle.lock_for
        with self._uow() as uow:
            failures = uow.accounts.reserve_sign_in_try(
                account.id,
                client_ip,
                now=now,
                lock_after=throttle.lock_after,
                lock_until=lock_until,
            )
            reserved = failures is not None and (
                uow.accounts.reserve_account_try(
                    account.id,
                    now=now,
                    lock_after=throttle.account_lock_after,
                    lock_until=lock_until,
                )
                is not None
            )
            if failures is not None and reserved:
                uow.commit()
                return failures
            ends = uow.accounts.sign_in_lock(account.id, client_ip) or lock_until
            # Not committed: a try refused because the whole account is locked does not count
            # towards this address's lock either.
        self._refuse_sign_in(client, now, account, "", errors.LOCKED)
        wait = max(int((ends - now).total_seconds() + 0.999), 1)
        raise errors.SignInLocked(
            message=errors.LOCKED[1],
            message_id=errors.LOCKED[2],
            rule=errors.LOCKED[0],
            retry_after_seconds=wait,
        )

    def _brake_or_refuse(self, client: Actor, client_ip: str, account_key: str | None) -> None:
        """The moving-window brake on failures per address and per account and address: a
        try is refused (429) while either window is full, before anything is checked."""
        if self._brake is None:
            return
        wait = self._brake.wait(client_ip, account_key)
        if wait is None:
            return
        rule, message, message_id = errors.TOO_MANY_TRIES
        with self._uow() as uow:
            uow.audit.append(
                event(
                    client,
                    self._clock.now(),
                    "account.sign_in",
                    "account",
                    "",
                    outcome=Outcome.REFUSED,
                    reason=rule,
                )
            )
            uow.commit()
        raise RateLimited(message, message_id, rule, max(wait, 1))

    def _brake_failed(self, client_ip: str, account_key: str | None) -> None:
        if self._brake is not None:
            self._brake.failed(client_ip, account_key)

    def _refuse_sign_in(
        self,
        client: Actor,
        now: dt.datetime,
        account: Account | None,
        key: str,
        reason: tuple[str, str, str],
    ) -> None:
        with self._uow() as uow:
            uow.audit.append(self._sign_in_refusal(client, now, account, key, reason))
            uow.commit()

    @staticmethod
    def _sign_in_refusal(
        client: Actor,
        now: dt.datetime,
        account: Account | None,
        key: str,
        reason: tuple[str, str, str],
    ) -> AuditEvent:
        return event(
            client,
            now,
            "account.sign_in",
            "account",
            account.id if account else "",
            outcome=Outcome.REFUSED,
            reason=reason[0],
            after={"username": key} if account is None else None,
        )

    def request_sign_in_code(self, phone: str, *, client: Actor, client_ip: str) -> None:
        """Send a sign-in code to a worker's or sponsor's phone.

        The answer does not say whether the number has an account (no enumeration), but the
        rate limits count every request, so guessing numbers is slow too.
        """
        self._send_code(
            client,
            CodePurpose.SIGN_IN,
            phone,
            client_ip,
            lambda code: templates.sign_in_code(code, self.code_minutes()),
            only_to_accounts=True,
        )

    def _send_code(
        self,
        client: Actor,
        purpose: CodePurpose,
        phone: str,
        client_ip: str,
        text: Callable[[str], str],
        *,
        only_to_accounts: bool = False,
    ) -> None:
        """Issue a code (rate-limited, in the outbox, one transaction) and deliver it at once;
        a refusal by the rate limits is audited. With `only_to_accounts` nothing is sent to a
        number without an active account, though the request still counts."""
        try:
            with self._uow() as uow:
                send = not only_to_accounts or any(
                    a.is_active for a in uow.accounts.by_phone(phone)
                )
                message = self.issue_code_in(
                    uow,
                    client,
                    purpose=purpose,
                    phone=phone,
                    subject_id=None,
                    client_ip=client_ip,
                    send=send,
                    text=text,
                )
                uow.commit()
        except RateLimited as limited:
            self.record_rate_limit(client, purpose, phone, limited)
            raise
        if message is not None:
            self.deliver(message)

    # -- proving a phone before an account is made with it (issue 12) -----------------------

    def brake_sign_up(self, actor: Actor, phone: str, client_ip: str) -> None:
        """Count a sign-up request against the per-address (or per-account) and per-phone
        allowances (`signup_limiter`); a refusal is audited and raised (429). The console is
        not braked: its operator holds the database already."""
        if actor.role is Role.SYSTEM:
            return
        try:
            self.sign_up_limiter.hit(phone=phone, client_ip=client_ip, account_id=actor.account_id)
        except RateLimited as limited:
            self.record_rate_limit(actor, CodePurpose.SIGN_UP, phone, limited)
            raise

    def request_phone_proof(self, phone: str, *, client: Actor, client_ip: str) -> None:
        """Send the code that proves a phone to whoever signs an account up with it.

        Sent whether or not the number has an account already: signing up a second account
        (a worker becoming a sponsor) is allowed, with the phone's consent. Braked by
        `brake_sign_up` and by the per-phone code limit of `issue_code_in`.
        """
        self.brake_sign_up(client, phone, client_ip)
        self._send_code(
            client,
            CodePurpose.SIGN_UP,
            phone,
            client_ip,
            lambda code: templates.sign_up_code(code, self.code_minutes()),
        )

    def prove_phone(self, actor: Actor, phone: str, code: str) -> CodeTicket:
        """Check the phone's sign-up code (the try counted first, `check_code`) before the
        caller opens its unit of work; the caller then uses the ticket inside it with
        `use_code_in`, so a registration that fails leaves the code unused."""
        return self.check_code(
            actor, purpose=CodePurpose.SIGN_UP, phone=phone, subject_id=None, code=code
        )

    def sign_in_with_code(
        self,
        phone: str,
        code: str,
        *,
        kind: TokenKind,
        client: Actor,
        role: Role | None = None,
        client_ip: str = "",
    ) -> SignedIn:
        self._brake_or_refuse(client, client_ip, phone)
        try:
            return self._sign_in_with_code(phone, code, kind=kind, client=client, role=role)
        except errors.CodeRefused as refused:
            self._brake_failed(client_ip, phone)
            self.record_refusal(refused)
            raise

    def _sign_in_with_code(
        self, phone: str, code: str, *, kind: TokenKind, client: Actor, role: Role | None
    ) -> SignedIn:
        ticket = self.check_code(
            client, purpose=CodePurpose.SIGN_IN, phone=phone, subject_id=None, code=code
        )
        with self._uow() as uow:
            self.use_code_in(uow, ticket)
            accounts = [a for a in uow.accounts.by_phone(phone) if a.is_active]
            roles = tuple(sorted({a.role.value for a in accounts}))
            if role is None and len(roles) > 1:
                # One phone may be a worker's and a sponsor's (issue 12): never pick one for
                # the caller. Leaving here rolls the transaction back, so the code stays
                # unused and the caller signs in with it again, naming the role.
                raise errors.account_choice_needed(roles)
            if role is not None:
                accounts = [a for a in accounts if a.role is role]
            if not accounts:
                raise errors.sign_in_refused(*errors.WRONG_CREDENTIALS)
            # Several accounts of one role (a person who sponsors as a household and as a
            # business): the oldest, as before there was a second.
            account = min(accounts, key=lambda a: a.created_at)
            signed = self._issue_token(uow, account, kind, client)
            uow.commit()
        return signed

    def resolve(self, secret: str, kind: TokenKind, request_id: str = "") -> Resolved | None:
        """The actor behind a token, or None when it is unknown, expired, revoked or of the
        wrong kind (a session cookie is no bearer token)."""
        if not secret or len(secret) > 200:
            return None
        with self._read() as uow:
            found = uow.tokens.with_account(token_digest(secret))
        if found is None:
            return None
        token, account = found
        if token.kind is not kind or not token.is_valid_at(self._clock.now()):
            return None
        if not account.is_active:
            return None
        return Resolved(self.actor_for(account, request_id), token, account)

    def actor_for(self, account: Account, request_id: str = "") -> Actor:
        return Actor(
            role=account.role,
            account_id=account.id,
            display_name=account.display_name,
            branch_code=account.branch_code,
            branch_region_prefix=(
                self._branch_prefix(account.branch_code) if account.branch_code else None
            ),
            member_id=account.member_id,
            sponsor_id=account.sponsor_id,
            request_id=request_id,
        )

    def sign_out(self, secret: str, actor: Actor) -> None:
        with self._uow() as uow:
            digest = token_digest(secret)
            token = uow.tokens.get(digest)
            if token is None:
                return
            uow.tokens.revoke(digest, self._clock.now())
            uow.audit.append(
                event(
                    actor, self._clock.now(), "account.sign_out", token.kind.value, token.account_id
                )
            )
            uow.commit()

    # -- one-time codes (also used by consent, inside the registry's unit of work) -----------

    def issue_code_in(
        self,
        uow: AccessUnitOfWork,
        actor: Actor,
        *,
        purpose: CodePurpose,
        phone: str,
        subject_id: str | None,
        client_ip: str,
        text: Callable[[str], str],
        send: bool = True,
    ) -> Message | None:
        """Store a new code's digest and put its message in the outbox (same transaction).

        Returns the message to hand to `deliver` after commit, or None when `send` is False
        (an unknown phone: counted for the rate limit, nothing sent). The outbox holds the
        message for that caller (`policy.delivery_hold`) so the worker does not send it too.
        """
        policy = self.policy.codes
        now = self._clock.now()
        # The per-address limit brakes anonymous guessing of sign-in codes. Consent codes are
        # asked for by signed-in sponsors and staff, and a branch counter is one address that
        # enrols many workers an hour: they are limited per phone only.
        from_address = (
            uow.codes.count_issued_since(now - policy.per_ip_window, client_ip=client_ip)
            if purpose is CodePurpose.SIGN_IN
            else 0
        )
        verdict = codes.rate_limit_verdict(
            uow.codes.count_issued_since(now - policy.per_phone_window, phone=phone),
            from_address,
            policy,
        )
        if verdict is not codes.RateVerdict.OK:
            refusal_en, refusal_id = verdict.messages(policy)
            raise RateLimited(
                refusal_en,
                refusal_id,
                f"access.code.{verdict.value}",
                int(verdict.retry_after(policy).total_seconds()),
            )
        code = self._random_code()
        stored = StoredCode(
            id=self._new_id(),
            purpose=purpose,
            phone=phone,
            digest=codes.code_digest(code, phone=phone, purpose=purpose.value, secret=self._secret),
            subject_id=subject_id,
            client_ip=client_ip,
            issued_at=now,
            expires_at=now + policy.ttl,
            used_at=None,
            attempts=0,
        )
        uow.codes.supersede(purpose, phone, subject_id, now)  # only the newest code works
        uow.codes.add(stored)
        uow.audit.append(
            event(
                actor,
                now,
                f"code.issue.{purpose.value}",
                "code",
                stored.id,
                after={"phone": mask_phone(phone), "sent": send},
            )
        )
        if not send:
            return None
        message = Message(
            id=self._new_id(),
            channel="sms",
            recipient=phone,
            template=f"code.{purpose.value}",
            body=text(code),
            created_at=now,
        )
        uow.outbox.add(message, held_until=now + self.policy.delivery_hold)
        return message

    def check_code(
        self,
        actor: Actor,
        *,
        purpose: CodePurpose,
        phone: str,
        subject_id: str | None,
        code: str,
    ) -> CodeTicket:
        """Count the try, then compare the code ("count then check"), in a short unit of work
        of its own, before the caller opens theirs: however many tries arrive at once, no
        more than `max_attempts` are ever compared (NIST SP 800-63B §5.2.2). A refusal is
        audited there and raised as CodeRefused; an accepted code is handed to `use_code_in`
        inside the caller's unit of work."""
        now = self._clock.now()
        policy = self.policy.codes
        with self._uow() as uow:
            stored = uow.codes.latest(purpose, phone, subject_id)
            if stored is None:
                verdict = codes.CodeVerdict.WRONG
            else:
                # A used code is refused as used whatever the try; otherwise the try takes a
                # number first (None: no try left), and only a numbered try is compared.
                attempt = (
                    uow.codes.reserve_attempt(stored.id, policy.max_attempts)
                    if stored.used_at is None
                    else None
                )
                matches = attempt is not None and codes.codes_match(
                    stored.digest,
                    code.strip(),
                    phone=phone,
                    purpose=purpose.value,
                    secret=self._secret,
                )
                verdict = codes.judge(
                    codes.CodeState(
                        stored.issued_at,
                        stored.expires_at,
                        stored.used_at,
                        policy.max_attempts if attempt is None else attempt - 1,
                    ),
                    matches=matches,
                    now=now,
                    policy=policy,
                )
            if verdict is codes.CodeVerdict.OK:
                assert stored is not None
                uow.commit()
                return CodeTicket(stored.id, purpose, actor)
            refused = errors.CodeRefused(
                verdict.message,
                verdict.message_id,
                f"access.code.{verdict.value}",
                code_id=stored.id if stored else None,
                purpose=purpose.value,
                actor=actor,
                recorded=True,
            )
            uow.audit.append(self._code_refusal(refused))
            uow.commit()
        raise refused

    def use_code_in(self, uow: AccessUnitOfWork, ticket: CodeTicket) -> None:
        """Use an accepted code inside the caller's unit of work, once: of two right answers
        at once, the second is refused as used."""
        if uow.codes.mark_used(ticket.code_id, self._clock.now()):
            return
        verdict = codes.CodeVerdict.USED
        raise errors.CodeRefused(
            verdict.message,
            verdict.message_id,
            f"access.code.{verdict.value}",
            code_id=ticket.code_id,
            purpose=ticket.purpose.value,
            actor=ticket.actor,
        )

    def record_refusal(self, refused: errors.CodeRefused) -> None:
        """Audit a refusal not audited yet, after the caller's transaction has rolled back
        (SQLite has one writer: this cannot run inside it). The try itself was counted by
        `check_code` before the code was compared."""
        if refused.recorded:
            return
        with self._uow() as uow:
            uow.audit.append(self._code_refusal(refused))
            uow.commit()

    def _code_refusal(self, refused: errors.CodeRefused) -> AuditEvent:
        actor = refused.actor if isinstance(refused.actor, Actor) else Actor.anonymous()
        return event(
            actor,
            self._clock.now(),
            f"code.check.{refused.purpose}",
            "code",
            refused.code_id or "",
            outcome=Outcome.REFUSED,
            reason=refused.rule,
        )

    def record_rate_limit(
        self, actor: Actor, purpose: CodePurpose, phone: str, limited: RateLimited
    ) -> None:
        """Audit a code request refused by the rate limits, after the caller's transaction
        has rolled back (SQLite has one writer: this cannot run inside it)."""
        with self._uow() as uow:
            uow.audit.append(
                event(
                    actor,
                    self._clock.now(),
                    f"code.issue.{purpose.value}",
                    "code",
                    "",
                    outcome=Outcome.REFUSED,
                    reason=limited.rule,
                    after={"phone": mask_phone(phone)},
                )
            )
            uow.commit()

    # -- helpers ---------------------------------------------------------------------------

    def _issue_token(
        self, uow: AccessUnitOfWork, account: Account, kind: TokenKind, client: Actor
    ) -> SignedIn:
        now = self._clock.now()
        secret = secrets.token_urlsafe(32)
        ttl = self.policy.session_ttl if kind is TokenKind.SESSION else self.policy.bearer_ttl
        csrf = secrets.token_urlsafe(32) if kind is TokenKind.SESSION else ""
        token = AuthToken(token_digest(secret), kind, account.id, csrf, now, now + ttl)
        uow.tokens.add(token)
        # Who signed in, as the audit trail names them; no branch lookup here: we are inside a
        # write transaction, and SQLite allows one writer at a time.
        signer = Actor(account.role, account.id, account.display_name, request_id=client.request_id)
        uow.audit.append(
            event(
                signer,
                now,
                "account.sign_in",
                "account",
                account.id,
                after={"via": kind.value},
            )
        )
        return SignedIn(account, secret, csrf, token.expires_at)

    def code_minutes(self) -> int:
        return int(self.policy.codes.ttl.total_seconds() // 60)

    def deliver(self, message: Message) -> None:
        """Hand a committed message (held for this caller, see `issue_code_in`) to the
        provider at once, and mark it sent so the delivery worker does not send it again.

        Never fails the caller's request, whose change is already committed: if the provider
        refuses, the message stays in the outbox and the worker sends it once the hold ends.
        """
        try:
            self._provider.deliver(message)
        except Exception as error:
            _log.warning(
                "%s to %s not delivered at once (%s); left to the delivery worker",
                message.template,
                mask_phone(message.recipient),
                describe_error(error, message),
            )
            return
        try:
            with self._uow() as uow:
                uow.outbox.mark_sent(message.id, self._clock.now())
                uow.commit()
        except Exception as error:
            # Delivered but not recorded: the worker will send it once more after the hold.
            # The database's message may quote the row: types and frames only (safe_log).
            _log.error(
                "%s %s delivered but not marked sent: %s\n%s",
                message.template,
                message.id,
                describe(error),
                safe_traceback(error),
            )

    def _require(self, actor: Actor, permission: Permission) -> None:
        if not allows(actor.role, permission):
            with self._uow() as uow:
                uow.audit.append(
                    event(
                        actor,
                        self._clock.now(),
                        permission.value,
                        "permission",
                        "",
                        outcome=Outcome.DENIED,
                        reason="access.forbidden",
                    )
                )
                uow.commit()
            raise Forbidden()


def _staff_role_violations(role: Role, branch_code: str | None) -> list[Violation]:
    """A staff account holds a staff role, and officers and supervisors hold a branch."""
    found = []
    if role not in ACCOUNT_ROLES or role.signs_in_with_phone:
        found.append(
            Violation(
                "role",
                "account.role",
                "staff accounts are agent, officer, supervisor, auditor or admin",
                "Akun petugas: agen, petugas, supervisor, auditor atau admin",
            )
        )
    if role.is_branch_staff and not branch_code:
        found.append(
            Violation(
                "branch_code",
                "account.branch_required",
                "officers and supervisors work for one branch",
                "Petugas dan supervisor harus punya kantor cabang",
            )
        )
    return found


def _account_snapshot(account: Account) -> dict[str, object]:
    return {
        "role": account.role.value,
        "username": account.username,
        "phone": mask_phone(account.phone) if account.phone else None,
        "member_id": account.member_id,
        "sponsor_id": account.sponsor_id,
        "branch_code": account.branch_code,
        "is_active": account.is_active,
    }
