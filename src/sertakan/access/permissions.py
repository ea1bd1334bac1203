"""The permission matrix: which role may do what. One table, as data; the docs print it.

Every API and web route names exactly one permission (a test walks the router and fails on a
route without one). A permission answers "may this role try at all"; *which* records a role
reaches (its own card, its sponsored workers, its branch) is the scope rule in `scope.py`.
`docs/permissions.md` is generated from this table (`sertakan access matrix`) and a test keeps
it in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sertakan.access.roles import ACCOUNT_ROLES, Role


class Permission(StrEnum):
    PUBLIC = "public"  # prices, regions, sign-in: anyone, signed in or not
    SIGNED_IN = "signed_in"  # one's own session: the account page, sign out
    MEMBER_ENROL = "member.enrol"
    MEMBER_READ = "member.read"
    MEMBER_SEARCH = "member.search"
    MEMBER_READ_NIK = "member.read_nik"  # the NIK in full; everyone else sees 3271********0001
    MEMBER_CORRECT = "member.correct"  # name, phone, address: branch staff, with a reason
    MEMBER_TERMS = "member.terms"  # income level and programmes from next month: who pays
    SPONSOR_REGISTER = "sponsor.register"
    SPONSOR_READ = "sponsor.read"
    SPONSOR_LIST = "sponsor.list"
    SPONSORSHIP_END = "sponsorship.end"
    CONSENT_CONFIRM = "consent.confirm"  # the code sent to the worker's phone is the proof
    CONSENT_ATTEST = "consent.attest"  # staff attest consent with a reason, without a code
    CONSENT_APPROVE = "consent.approve"  # a supervisor approves an officer's attestation
    CONSENT_RESEND = "consent.resend"  # send the worker a fresh consent code (in scope)
    COVERAGE_READ = "coverage.read"
    INVOICE_READ = "invoice.read"
    INVOICE_PAY = "invoice.pay"  # open a payment for an invoice, bill months ahead
    PAYMENT_NOTIFY = "payment.notify"  # the gateway's notice: its HMAC signature is the proof
    PAYMENT_REVIEW = "payment.review"  # arrears, suspense and reconciliation lists
    PAYMENT_RESOLVE = "payment.resolve"  # allocate or refund money in suspense
    BILLING_RUN = "billing.run"  # issue a month's invoices, run the daily job: the console
    AUDIT_READ = "audit.read"
    ACCOUNT_MANAGE = "account.manage"


_STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR})
_EVERYONE = frozenset(Role) - {Role.SYSTEM}

MATRIX: Mapping[Permission, frozenset[Role]] = {
    Permission.PUBLIC: _EVERYONE,
    Permission.SIGNED_IN: frozenset(ACCOUNT_ROLES),
    Permission.MEMBER_ENROL: frozenset({Role.SPONSOR, Role.AGENT}) | _STAFF,
    Permission.MEMBER_READ: frozenset({Role.WORKER, Role.SPONSOR, Role.AGENT, Role.AUDITOR})
    | _STAFF,
    Permission.MEMBER_SEARCH: frozenset({Role.AUDITOR}) | _STAFF,
    Permission.MEMBER_READ_NIK: _STAFF,
    Permission.MEMBER_CORRECT: _STAFF,
    # Whoever pays (the consenting sponsor, the self-paying worker: scope in the service) and
    # the member's branch staff.
    Permission.MEMBER_TERMS: frozenset({Role.WORKER, Role.SPONSOR}) | _STAFF,
    # A household or UMKM signs itself up; agents and staff sign sponsors up at the counter.
    Permission.SPONSOR_REGISTER: frozenset({Role.ANONYMOUS, Role.AGENT}) | _STAFF,
    Permission.SPONSOR_READ: frozenset({Role.SPONSOR, Role.AUDITOR}) | _STAFF,
    Permission.SPONSOR_LIST: frozenset({Role.AUDITOR}) | _STAFF,
    Permission.SPONSORSHIP_END: frozenset({Role.WORKER}) | _STAFF,
    Permission.CONSENT_CONFIRM: _EVERYONE,
    Permission.CONSENT_ATTEST: _STAFF,
    Permission.CONSENT_APPROVE: frozenset({Role.SUPERVISOR}),
    # The sponsor of the sponsorship, the worker, their branch's staff (scope.py): not agents.
    Permission.CONSENT_RESEND: frozenset({Role.WORKER, Role.SPONSOR}) | _STAFF,
    Permission.COVERAGE_READ: frozenset({Role.AUDITOR}) | _STAFF,
    Permission.INVOICE_READ: frozenset({Role.WORKER, Role.SPONSOR, Role.AUDITOR}) | _STAFF,
    Permission.INVOICE_PAY: frozenset({Role.WORKER, Role.SPONSOR}) | _STAFF,
    Permission.PAYMENT_NOTIFY: _EVERYONE,
    Permission.PAYMENT_REVIEW: frozenset({Role.AUDITOR}) | _STAFF,
    Permission.PAYMENT_RESOLVE: _STAFF,
    Permission.BILLING_RUN: frozenset(),
    Permission.AUDIT_READ: frozenset({Role.AUDITOR}),
    Permission.ACCOUNT_MANAGE: frozenset({Role.ADMIN}),
}

# What each permission means, for the printed matrix.
MEANING: Mapping[Permission, str] = {
    Permission.PUBLIC: "See prices, regions, sign-in and sign-up pages",
    Permission.SIGNED_IN: "See one's own account, sign out",
    Permission.MEMBER_ENROL: "Enrol a worker (a sponsor: only as their own sponsor)",
    Permission.MEMBER_READ: "Open a member's card (within the role's scope)",
    Permission.MEMBER_SEARCH: "Search members by NIK, KPJ or name (within the branch)",
    Permission.MEMBER_READ_NIK: "See a NIK unmasked",
    Permission.MEMBER_CORRECT: "Correct a member's name, phone and address (with a reason)",
    Permission.MEMBER_TERMS: "Change a member's income level and programmes from next month",
    Permission.SPONSOR_REGISTER: "Register a sponsor (household or UMKM)",
    Permission.SPONSOR_READ: "Open a sponsor's sheet of workers (within the role's scope)",
    Permission.SPONSOR_LIST: "List sponsors",
    Permission.SPONSORSHIP_END: "End a sponsorship (the worker, or branch staff)",
    Permission.CONSENT_CONFIRM: "Confirm a worker's consent with the code sent to their phone",
    Permission.CONSENT_ATTEST: "Attest a worker's consent with a reason (no code)",
    Permission.CONSENT_APPROVE: "Approve an officer's attestation",
    Permission.CONSENT_RESEND: "Send the worker a fresh consent code (sponsor, worker, branch)",
    Permission.COVERAGE_READ: "See the national enrolment report",
    Permission.INVOICE_READ: "See invoices (tagihan), receipts and payment history (in scope)",
    Permission.INVOICE_PAY: "Pay an invoice through the gateway; bill months ahead",
    Permission.PAYMENT_NOTIFY: "Send a payment notice (the gateway; checked by its signature)",
    Permission.PAYMENT_REVIEW: "See arrears, the suspense list and reconciliation reports",
    Permission.PAYMENT_RESOLVE: "Allocate or refund a payment in suspense",
    Permission.BILLING_RUN: "Issue a month's invoices and run the daily job (console only)",
    Permission.AUDIT_READ: "Read and export the audit trail",
    Permission.ACCOUNT_MANAGE: "Create accounts and change roles",
}

# The console (CLI on the server) may do everything; it is audited as role "system".
_SYSTEM_ONLY = Role.SYSTEM


def allows(role: Role, permission: Permission) -> bool:
    """May `role` attempt `permission` at all? (Which records: see `scope.py`.)"""
    return role is _SYSTEM_ONLY or role in MATRIX[permission]


def matrix_markdown() -> str:
    """The matrix as a Markdown table, as printed in docs/permissions.md."""
    roles = (Role.ANONYMOUS, *ACCOUNT_ROLES)
    head = "| Permission | Meaning | " + " | ".join(r.value for r in roles) + " |"
    rule = "|---|---|" + "---|" * len(roles)
    rows = [
        f"| `{p.value}` | {MEANING[p]} | "
        + " | ".join("✔" if r in MATRIX[p] else "" for r in roles)
        + " |"
        for p in Permission
    ]
    return "\n".join([head, rule, *rows]) + "\n"
