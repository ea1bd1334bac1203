"""`/api/v1/auth`: OAuth2 bearer tokens, by password (staff) or phone code (workers,
sponsors); revoking one's token; who am I."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from sertakan.access.actor import Actor
from sertakan.access.errors import SignInRefused
from sertakan.access.model import TokenKind
from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.access.service import SignedIn
from sertakan.api.schemas import CodeRequest, CodeSignIn, Me, TokenRead
from sertakan.http.auth import Requires, client_ip, container_of, current_actor
from sertakan.kernel.errors import RuleViolation
from sertakan.registry.phones import normalize_mobile

router = APIRouter(prefix="/auth", tags=["auth"])
PUBLIC = Depends(Requires(Permission.PUBLIC))


def _token(signed: SignedIn, request: Request) -> TokenRead:
    seconds = int((signed.expires_at - container_of(request).clock.now()).total_seconds())
    return TokenRead(access_token=signed.secret, expires_in=max(seconds, 0))


@router.post("/token", response_model=TokenRead, dependencies=[PUBLIC])
async def password_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenRead:
    """OAuth2 password grant for staff and agents. Repeated failures slow down, then lock."""
    access = container_of(request).access
    try:
        signed = await asyncio.to_thread(
            access.sign_in_with_password,
            form.username,
            form.password,
            kind=TokenKind.BEARER,
            client=current_actor(request),
        )
    except SignInRefused as refused:
        await asyncio.sleep(refused.delay.total_seconds())
        raise
    return _token(signed, request)


@router.post("/code", status_code=status.HTTP_202_ACCEPTED, dependencies=[PUBLIC])
def request_code(request: Request, body: CodeRequest) -> dict[str, str]:
    """Send a sign-in code by SMS. The answer is the same whether or not the number has an
    account; requests are rate-limited per phone and per client address (429)."""
    phone = normalize_mobile(body.phone)
    container_of(request).access.request_sign_in_code(
        phone, client=current_actor(request), client_ip=client_ip(request)
    )
    return {"detail": "If this number has an account, a code was sent to it"}


@router.post(
    "/code/token",
    response_model=TokenRead,
    dependencies=[PUBLIC],
    responses={
        409: {
            "description": (
                "The phone has accounts of several roles (rule access.sign_in.choose_role; "
                "`roles` lists them): send the same code again with `role`"
            )
        }
    },
)
def code_token(request: Request, body: CodeSignIn) -> TokenRead:
    """Exchange a phone's sign-in code for a bearer token (single use, expires). A phone
    that is both a worker's and a sponsor's is never signed in as either by default: the
    answer is 409 naming the roles, and the code stays valid for the request with `role`."""
    phone = normalize_mobile(body.phone)
    role = None
    if body.role is not None:
        if body.role not in (Role.WORKER.value, Role.SPONSOR.value):
            raise RuleViolation.single(
                "role", "account.role", "role is worker or sponsor", "Peran: peserta atau sponsor"
            )
        role = Role(body.role)
    signed = container_of(request).access.sign_in_with_code(
        phone, body.code, kind=TokenKind.BEARER, client=current_actor(request), role=role
    )
    return _token(signed, request)


@router.post("/revoke", status_code=status.HTTP_204_NO_CONTENT)
def revoke(
    request: Request, actor: Annotated[Actor, Depends(Requires(Permission.SIGNED_IN))]
) -> None:
    """Revoke the bearer token this request carries (sign out of the API)."""
    _, _, secret = request.headers.get("authorization", "").partition(" ")
    container_of(request).access.sign_out(secret.strip(), actor)


@router.get("/me", response_model=Me)
def me(actor: Annotated[Actor, Depends(Requires(Permission.SIGNED_IN))]) -> Me:
    assert actor.account_id is not None
    return Me(
        account_id=actor.account_id,
        role=actor.role.value,
        display_name=actor.display_name,
        branch_code=actor.branch_code,
        member_id=actor.member_id,
        sponsor_id=actor.sponsor_id,
    )
