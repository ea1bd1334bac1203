"""Adapters to payment gateways: the `billing.ports.PaymentGateway` implementations.

`sandbox` is a fake Indonesian gateway (like Xendit, Midtrans or DOKU) for laptops, demos and
tests: it keeps its own charges in its own SQLite file (it is a separate "bank", not our
database), shows a payer's page, and notifies the app with signed notices the way a real one
does, retries, duplicates and daily settlement file included. Adapters for real gateways live
beside it. This package may import billing, kernel and config, never the entrypoints.
"""
