"""`/api/v1/accounts` (admin) and `/api/v1/audit` (auditor)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.access.roles import parse_role
from sertakan.api.problems import responses
from sertakan.api.schemas import DAY, AccountCreate, AccountRead, AuditEventRead, RoleChange
from sertakan.http.auth import Requires, container_of

router = APIRouter()
MAX_PAGE = 1000


@router.post(
    "/accounts",
    response_model=AccountRead,
    status_code=status.HTTP_201_CREATED,
    tags=["accounts"],
    responses=responses(422, s409="The username is taken"),
)
def create_account(
    request: Request,
    body: AccountCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.ACCOUNT_MANAGE))],
) -> AccountRead:
    """Create a staff or agent account (password rules: NIST SP 800-63B)."""
    account = container_of(request).access.create_staff_account(
        actor,
        role=parse_role(body.role),
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        branch_code=body.branch_code,
    )
    return AccountRead.of(account)


@router.get("/accounts", response_model=list[AccountRead], tags=["accounts"])
def list_accounts(
    request: Request,
    actor: Annotated[Actor, Depends(Requires(Permission.ACCOUNT_MANAGE))],
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> list[AccountRead]:
    accounts = container_of(request).access.list_accounts(actor, limit, offset)
    return [AccountRead.of(a) for a in accounts]


@router.put(
    "/accounts/{account_id}/role",
    response_model=AccountRead,
    tags=["accounts"],
    responses=responses(409, 422),
)
def change_role(
    request: Request,
    account_id: str,
    body: RoleChange,
    actor: Annotated[Actor, Depends(Requires(Permission.ACCOUNT_MANAGE))],
) -> AccountRead:
    """Change a staff account's role; its open sessions and tokens end at once."""
    account = container_of(request).access.change_role(
        actor, account_id, parse_role(body.role), body.branch_code
    )
    return AccountRead.of(account)


@router.get("/audit", response_model=list[AuditEventRead], tags=["audit"], responses=responses(422))
def audit_events(
    request: Request,
    actor: Annotated[Actor, Depends(Requires(Permission.AUDIT_READ))],
    start: Annotated[
        dt.date, Query(alias="from", description="First day, inclusive", json_schema_extra=DAY)
    ],
    end: Annotated[
        dt.date, Query(alias="to", description="Last day, inclusive", json_schema_extra=DAY)
    ],
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 200,
) -> list[AuditEventRead]:
    """The audit trail between two days (WIB), oldest first, paged."""
    events = container_of(request).audit.events(actor, start, end, limit=limit, offset=offset)
    return [AuditEventRead.of(e) for e in events]
