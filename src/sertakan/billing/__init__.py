"""Billing: invoices (tagihan) per payer, payments from a gateway counted exactly once, the
suspense list, reconciliation against the gateway's settlement file, and coverage derived from
the months paid (`bpu/arrears.yaml`, `bpu/coverage_policy.yaml`).

The money flow: `invoicing` bills each month's contributions per payer (a sponsor for all the
workers they pay for, or the self-paying member); `payments` stores each gateway notice in an
inbox and applies it once, settling every line of the invoice set-based; `coverage` answers
"was this member protected then?" from the settled months alone.
"""
