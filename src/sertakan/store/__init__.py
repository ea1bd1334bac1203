"""Persistence: SQLAlchemy 2 tables, repositories, the unit of work and Alembic migrations.

The only home of SQL in the project. SQLite is the embedded default; PostgreSQL runs the same
migrations. `memory.py` is the in-memory fake that implements the same ports for service tests.
"""
