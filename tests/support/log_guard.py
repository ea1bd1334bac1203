"""A guard over every log record of the test run: no NIK and no mobile number, unmasked.

`tests/conftest.py` installs `LogGuard` for the whole session, on the root logger and on every
logger that does not propagate to it (uvicorn's, when a configuration made them so), and checks
each record as it is emitted: its message, its traceback and its stack. A record holding a
16-digit number shaped like a NIK (a province code, a birth day and month where the NIK keeps
them) or an Indonesian mobile number in full (08..., 628..., +628..., with or without dashes)
fails the test that logged it, and the run; the report names the logger and the kind of data,
never the value (which would put it in the CI log). Masked forms (3271********0012,
+62812****7890) pass: they are how the platform shows them.
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass

# Dukcapil's province codes (the NIK's first two digits; Permendagri 72/2019 region codes).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53}
    | {61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96}
)
# Bounded by anything but a letter or digit: a random hex id ("0c0824041545746f") holds digit
# runs shaped like a number without being one.
_SIXTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{16}(?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:\+62|62|0)8[1-9][0-9](?:[0-9]{6,9}|[- .][0-9]{3,4}[- .][0-9]{3,5})"
    r"(?![0-9A-Za-z])"
)


def _is_nik_shaped(digits: str) -> bool:
    day, month = int(digits[6:8]), int(digits[8:10])
    return (
        int(digits[:2]) in PROVINCES
        and (1 <= day <= 31 or 41 <= day <= 71)  # women's day + 40 (Dukcapil)
        and 1 <= month <= 12
    )


def personal_data_in(text: str) -> list[str]:
    """The kinds of personal data found in `text` ("NIK", "mobile number"), not the values."""
    kinds = []
    if any(_is_nik_shaped(m.group()) for m in _SIXTEEN_DIGITS.finditer(text)):
        kinds.append("NIK")
    if _MOBILE.search(text):
        kinds.append("mobile number")
    return kinds


def record_text(record: logging.LogRecord) -> str:
    """What any handler could write for the record: message, traceback, stack."""
    try:
        text = record.getMessage()
    except Exception:  # a malformed call: judge its parts
        text = f"{record.msg} {record.args}"
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    return "\n".join(part for part in (text, record.exc_text, record.stack_info) if part)


@dataclass(frozen=True)
class Offence:
    logger: str
    level: str
    kinds: tuple[str, ...]
    test: str  # the test running when it was logged ("" outside any test)

    def describe(self) -> str:
        where = f" during {self.test}" if self.test else " outside any test"
        return f"logger {self.logger!r} ({self.level}) logged a {' and a '.join(self.kinds)}{where}"


class LogGuard(logging.Handler):
    """Checks every record it is given; keeps the offences, not the records."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.offences: list[Offence] = []
        self.current_test = ""

    def emit(self, record: logging.LogRecord) -> None:
        kinds = personal_data_in(record_text(record))
        if kinds:
            self.offences.append(
                Offence(record.name, record.levelname, tuple(kinds), self.current_test)
            )

    def attach(self) -> None:
        """On the root logger and on every logger that does not propagate to it."""
        loggers = [logging.getLogger()]
        loggers += [
            logger
            for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate
        ]
        for logger in loggers:
            if self not in logger.handlers:
                logger.addHandler(self)

    def detach(self) -> None:
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
            if isinstance(logger, logging.Logger) and self in logger.handlers:
                logger.removeHandler(self)
