"""The clock is a port: services ask it for today; rule functions never read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

# Contribution months and due dates are civil dates in Indonesia; Bogor is on WIB.
WIB = ZoneInfo("Asia/Jakarta")


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(tz=WIB)

    def today(self) -> dt.date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock for tests and demo data: it says what it is told."""

    moment: dt.datetime

    def now(self) -> dt.datetime:
        return self.moment

    def today(self) -> dt.date:
        return self.moment.date()
