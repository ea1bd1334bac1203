"""Turning an actor and a change into an audit event, one way for every service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sertakan.access.actor import Actor
from sertakan.audit.model import AuditEvent, Outcome


def event(
    actor: Actor,
    at: dt.datetime,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    outcome: Outcome = Outcome.DONE,
    reason: str = "",
) -> AuditEvent:
    return AuditEvent(
        at=at,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_account_id=actor.account_id,
        actor_role=actor.role.value,
        request_id=actor.request_id,
        outcome=outcome,
        before=before,
        after=after,
        reason=reason,
    )
