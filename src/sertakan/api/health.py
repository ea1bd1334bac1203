"""`GET /healthz`: liveness and readiness for a load balancer or an orchestrator's probe.

Public and cheap: no sign-in is looked up (a probe sends no credentials), and the database is
asked one `SELECT 1`. 200 `{"status": "ok", "database": "ok"}` while the process serves and
its database answers; 503 (problem+json) when the database does not, so the probe takes the
process out of rotation instead of sending it requests that would fail.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.problems import PROBLEM, problem
from sertakan.http.auth import Requires, container_of

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get(
    "/healthz",
    response_model=Health,
    responses={
        503: {
            "description": "The database does not answer",
            "content": {PROBLEM: {"schema": {"type": "object"}}},
        }
    },
)
def healthz(
    request: Request, _: Annotated[Actor, Depends(Requires(Permission.PUBLIC))]
) -> Health | JSONResponse:
    """Liveness and readiness: the process answers and its database answers `SELECT 1`."""
    if not container_of(request).database.answers():
        return problem(
            503,
            "database-unavailable",
            "The database does not answer",
            "The database did not answer SELECT 1",
            database="unavailable",
        )
    return Health(status="ok", database="ok")
