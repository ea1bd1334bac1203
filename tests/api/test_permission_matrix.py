"""Every route against every role, generated from the router (issue 4's permission matrix).

Each API and page route must declare exactly one permission (`Requires`). Then every route is
called as every role: a role the matrix refuses gets the access refusal (401 when nobody is
signed in, 403 otherwise); a role it allows never does. Path ids point at records inside each
role's reach (a worker enrolled by the agent, paid for by the sponsor, in the officer's branch),
so a scope refusal cannot hide a missing rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission, allows, matrix_markdown
from sertakan.access.roles import ACCOUNT_ROLES, Role
from sertakan.app import create_app
from sertakan.billing.model import PayerKind
from sertakan.bootstrap import Container
from sertakan.http.auth import Requires
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import (
    CONSOLE,
    FormClient,
    bearer,
    make_staff,
    phone_bearer,
    web_phone_sign_in,
    web_sign_in,
)
from tests.support.builders import a_sponsor, a_worker

ROLES = (Role.ANONYMOUS, *ACCOUNT_ROLES)
REFUSALS = {"access.forbidden", "access.unauthenticated"}
# Routes that end the caller's own sign-in run last, so they do not sign the others out.
LAST = ("/keluar", "/api/v1/auth/revoke")


def api_routes(app: object) -> list[RouteContext]:
    """Every route the app serves, walked from the router (FastAPI includes routers lazily)."""
    return [
        c
        for c in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
        if isinstance(c.original_route, APIRoute)
    ]


def permission_of(route: RouteContext) -> Permission:
    found = [
        d.call.permission for d in route.dependant.dependencies if isinstance(d.call, Requires)
    ]
    assert len(found) == 1, f"{sorted(route.methods)} {route.path} declares {len(found)} rules"
    return found[0]


@dataclass(frozen=True)
class World:
    ids: dict[str, str]
    clients: dict[Role, TestClient]


@pytest.fixture
def world(container: Container, provider: RecordingProvider) -> Iterator[World]:
    for role in (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.AGENT):
        make_staff(container, role)
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(address=""),
    )
    # The agent enrols the worker, so the agent's scope (workers it enrolled) reaches her.
    with container.uow() as uow:
        agent_account = uow.accounts.by_username("agent")
    assert agent_account is not None
    card = container.registry.enrol_member(
        container.access.actor_for(agent_account),
        a_worker(
            phone="0812-3456-7890",
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
            address="",
        ),
    )
    assert card.sponsorship is not None
    # The worker's month, billed to her (the sponsorship awaits her consent): the invoice
    # routes (the receipt PDF among them) meet a real invoice in every reaching role's scope.
    report = container.invoices.issue_for_payer(
        CONSOLE, PayerKind.MEMBER, card.member.id, Month.of(container.clock.today())
    )
    ids = {
        "member_id": card.member.id,
        "sponsor_id": sponsor.id,
        "sponsorship_id": card.sponsorship.id,
        "account_id": agent_account.id,
        "invoice_id": report.issued[0],
    }
    app = create_app(container)
    clients: dict[Role, TestClient] = {}
    for role in ROLES:
        client = FormClient(app, raise_server_exceptions=False)
        client.__enter__()
        if role in (Role.WORKER, Role.SPONSOR):
            phone = "+6281234567890" if role is Role.WORKER else "+6281298765432"
            client.headers.update(phone_bearer(client, provider, phone))
            web_phone_sign_in(client, provider, phone)
        elif role is not Role.ANONYMOUS:
            client.headers.update(bearer(client, role.value))
            web_sign_in(client, role.value)
        clients[role] = client
    yield World(ids, clients)
    for client in clients.values():
        client.__exit__(None, None, None)


def is_refusal(response: object) -> bool:
    status = getattr(response, "status_code", 0)
    if status not in (401, 403):
        return False
    text = getattr(response, "text", "")
    if "application/problem+json" in getattr(response, "headers", {}).get("content-type", ""):
        return bool(response.json().get("rule") in REFUSALS)  # type: ignore[attr-defined]
    return "Silakan masuk terlebih dahulu" in text or "Anda tidak berhak" in text


def test_every_route_declares_exactly_one_permission(container: Container) -> None:
    checked = [permission_of(r) for r in api_routes(create_app(container))]
    assert len(checked) > 40


def test_every_route_refuses_exactly_the_roles_the_matrix_refuses(
    container: Container, world: World
) -> None:
    app = world.clients[Role.ANONYMOUS].app
    routes = sorted(api_routes(app), key=lambda r: (r.path in LAST, r.path))
    wrong: list[str] = []
    for route in routes:
        permission = permission_of(route)
        path = re.sub(r"\{(\w+)\}", lambda m: world.ids.get(m.group(1), "x"), route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            for role in ROLES:
                client = world.clients[role]
                if method == "GET":
                    response = client.get(path, follow_redirects=False)
                elif path.startswith("/api/"):
                    response = client.request(method, path, json={})
                else:
                    response = client.post(path, data={}, follow_redirects=False)
                refused = is_refusal(response)
                if refused == allows(role, permission):
                    wrong.append(
                        f"{method} {route.path} as {role.value}: {response.status_code} "
                        f"(matrix {'allows' if allows(role, permission) else 'refuses'})"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_printed_matrix_in_the_docs_is_the_matrix_in_the_code() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    assert matrix_markdown() in docs.read_text(encoding="utf-8")


def test_the_console_may_do_everything_and_no_account_role_is_the_console() -> None:
    assert all(allows(Role.SYSTEM, p) for p in Permission)
    assert Role.SYSTEM not in ACCOUNT_ROLES
    assert Actor.console().role is Role.SYSTEM
