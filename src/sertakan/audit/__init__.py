"""Append-only audit events, written inside the unit of work of the change they record."""
