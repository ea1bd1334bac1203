"""A billing run that dies between parts (run by tests/analytics/test_billing_run.py, never
imported by the suite):

    python -m tests.support.bill_then_die <parts> billing run --month ... --to-db

It runs the batch CLI (`sertakan.cli.batch_commands`) with the given arguments, and SIGKILLs
itself inside part number `parts` + 1 (counting from 1): after that part's invoices were
written to its temporary folder and committed to the database, before its summary marks it
done. The first `parts` parts are whole. The crash lands there every time, whatever the
machine's speed (the test used to poll the output folder and kill the run from outside).

SIGKILL: no `finally`, no atexit; the next run must find the half-done part and redo it.
Exit code 3 means it failed to die where asked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any

from sertakan.cli.batch_commands import main as batch_main
from sertakan.store import database


def main(argv: list[str]) -> int:
    parts = int(argv[0])
    original = database.insert_member_contributions
    calls = 0

    def insert_then_die(*args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        stored = original(*args, **kwargs)
        if calls > parts:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return stored

    database.insert_member_contributions = insert_then_die  # type: ignore[assignment]
    sys.argv = ["batch_commands", *argv[1:]]
    with contextlib.suppress(SystemExit):
        batch_main()
    return 3  # still alive: the test fails on this exit code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
