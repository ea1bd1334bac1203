"""An audit event: who, in which role, when, did what to which record, before and after.

Events are append-only (the store refuses UPDATE and DELETE on them) and are written in the
same unit of work as the change they record, so a rolled-back change leaves none and a
committed one always has one. Refused attempts (a wrong code, a forbidden record) are written
in a unit of work of their own, with `outcome` saying why. Snapshots never hold a full NIK:
the domain masks it before it hands the snapshot over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sertakan.kernel.ids import new_event_id


class Outcome(StrEnum):
    DONE = "done"
    DENIED = "denied"  # not allowed: no rights, or outside the role's scope
    REFUSED = "refused"  # allowed to try, but the input was wrong (a wrong code, a bad password)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: dt.datetime
    action: str  # "member.enrol", "sponsorship.end", "account.sign_in" ...
    entity_type: str  # "member", "sponsorship", "account", "session" ...
    entity_id: str
    actor_account_id: str | None
    actor_role: str
    request_id: str
    outcome: Outcome = Outcome.DONE
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str = ""  # a rule code or a free-text reason (an attestation's)
    # Given when the event is made, not by the store: a UUIDv7 (kernel/ids.py), unique across
    # branch offices and ordered by time, so books kept apart can be merged (docs/architecture.md).
    id: str = field(default_factory=new_event_id, compare=False)
