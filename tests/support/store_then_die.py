"""A process that dies while receiving a payment notice (run by tests/integration/
test_payment_crash.py, never imported by the suite):

    python -m tests.support.store_then_die <database url> <sandbox db> <stage>  < body

It bootstraps on the test's database like the app would, with the test secrets, then:

* ``after-store``: stores the notice (step 1 commits) and SIGKILLs itself before applying it;
* ``mid-apply``: receives the notice, and SIGKILLs itself inside step 2, after the payment,
  settlements, events and audit rows were written but before the commit.

SIGKILL: no `finally`, no atexit, no rollback sent by this process; the database must make
the half-done transaction vanish on its own. Exit code 3 means it failed to die where asked.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from sertakan.bootstrap import bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.billing_repositories import SqlNoticeRepository
from tests.support.auth import cheap_hasher
from tests.support.builders import office_clock
from tests.support.containers import GATEWAY_SECRET, SECRET
from tests.support.notices import signed

STAGES = ("after-store", "mid-apply")


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    url, sandbox_db, stage = argv
    if stage not in STAGES:
        raise SystemExit(f"stage must be one of {', '.join(STAGES)}")
    body = sys.stdin.buffer.read()
    container = bootstrap(
        Settings(
            database_url=url,
            secret_key=SECRET,
            gateway_secret=GATEWAY_SECRET,
            sandbox_db=Path(sandbox_db),
        ),
        clock=office_clock(),
        hasher=cheap_hasher(),
        provider=RecordingProvider(),
    )
    if stage == "after-store":
        stored, _ = container.payments.store(body, signed(body))
        print(stored.id)
        die()
    else:

        def mark_then_die(self: SqlNoticeRepository, *args: Any, **kwargs: Any) -> None:
            original_mark(self, *args, **kwargs)
            die()  # the notice is marked applied, everything written: only the commit is left

        original_mark = SqlNoticeRepository.mark_many
        SqlNoticeRepository.mark_many = mark_then_die  # type: ignore[method-assign]
        container.payments.receive(body, signed(body))
    return 3  # still alive: the test fails on this exit code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
