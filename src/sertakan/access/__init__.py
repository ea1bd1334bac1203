"""Accounts, roles, the permission matrix (data), sign-in credentials, one-time codes, consent."""
