"""One transaction, as every domain's unit of work is (docs/architecture.md): `with uow:` opens
it, and it rolls back on exit unless `commit()` was called. Each domain's `ports.py` adds the
repositories its use cases reach; the store's one SQL unit of work serves them all."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self


class Transaction(Protocol):
    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
