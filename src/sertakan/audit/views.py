"""The read model of the audit trail: an event as a flat row, the one shape of the auditor's
page, the CSV and the Parquet export. Moments are given in WIB, the branch's time, and in UTC
for machines."""

from __future__ import annotations

import json
from typing import Any

from sertakan.audit.model import AuditEvent
from sertakan.kernel.clock import WIB

COLUMNS = (
    "id",
    "at_utc",
    "at_wib",
    "actor_role",
    "actor_account_id",
    "action",
    "entity_type",
    "entity_id",
    "outcome",
    "reason",
    "request_id",
    "before",
    "after",
)


def event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at_utc": event.at.isoformat(),
        "at_wib": event.at.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S"),
        "actor_role": event.actor_role,
        "actor_account_id": event.actor_account_id or "",
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "outcome": event.outcome.value,
        "reason": event.reason,
        "request_id": event.request_id,
        "before": _json(event.before),
        "after": _json(event.after),
    }


def _json(snapshot: Any) -> str:
    return "" if snapshot is None else json.dumps(snapshot, ensure_ascii=False, sort_keys=True)
