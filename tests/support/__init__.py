"""Helpers shared by the test suite: live server, PostgreSQL databases.

The fixtures themselves live in tests/conftest.py.
"""
