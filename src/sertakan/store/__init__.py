"""Persistence: SQLAlchemy 2 tables, repositories, the unit of work and Alembic migrations.

The only home of SQL in the project. SQLite is the embedded default (and what the service tests
use, in a temporary file); PostgreSQL runs the same migrations.
"""
