"""Describing an exception in a log line without the personal data its message may carry.

A database error's text quotes the row it refused: SQLAlchemy's "[parameters: ...]" (hidden by
`hide_parameters` on our engines, not on every engine a test or a tool makes), PostgreSQL's
"DETAIL: Key (nik)=(3271...) already exists", SQLite's failing value. A traceback prints that
text for every exception of the chain. So a log line about an unexpected error holds the
exception *types* and the frames (file, line, function; not the source line, which may hold a
literal), never a message (OWASP Logging Cheat Sheet, "Data to exclude": personal data,
passwords, hashes).
"""

from __future__ import annotations

import traceback

__all__ = ["describe", "safe_traceback"]


def _name(error: BaseException) -> str:
    kind = type(error)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and its causes (or contexts), outermost first, each once."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return seen


def describe(error: BaseException) -> str:
    """The chain's types, outermost first: 'sqlalchemy.exc.IntegrityError <- sqlite3...'."""
    return " <- ".join(_name(e) for e in _chain(error))


def safe_traceback(error: BaseException) -> str:
    """The traceback of the whole chain with every exception's message left out."""
    parts: list[str] = []
    for position, link in enumerate(reversed(_chain(error))):  # innermost first, as Python
        if position:
            parts.append("\nThe above exception led to the following one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(
            f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
            for frame in traceback.extract_tb(link.__traceback__, limit=None)
        )
        parts.append(f"{_name(link)} (message not logged: it may quote personal data)\n")
    return "".join(parts)
