"""Errors as RFC 9457 problem documents (`application/problem+json`) naming the field and rule."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from sertakan.access.permissions import Permission, allows
from sertakan.access.roles import ACCOUNT_ROLES
from sertakan.http.auth import Requires
from sertakan.kernel.errors import Conflict, NotFound, ParameterMissing, RuleViolation

PROBLEM = "application/problem+json"
BASE = "https://sertakan.example/problems/"


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": BASE + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def rule_violation(error: RuleViolation) -> JSONResponse:
    errors = [
        {
            "field": v.field,
            "rule": v.rule,
            "message": v.message,
            "message_id": v.message_id,
            "reference": v.reference,
        }
        for v in error.violations
    ]
    return problem(422, "rule-violation", "The input breaks a rule", str(error), errors=errors)


def parameter_missing(error: ParameterMissing, field: str = "on") -> JSONResponse:
    errors = [
        {
            "field": field,
            "rule": "regulation.not_in_parameters",
            "message": str(error),
            "message_id": "Aturan untuk tanggal ini belum ada dalam parameter",
            "reference": error.parameter,
        }
    ]
    return problem(422, "not-in-parameters", "Not in the parameters yet", str(error), errors=errors)


def request_invalid(error: RequestValidationError) -> JSONResponse:
    errors = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query")]
        errors.append(
            {
                "field": ".".join(location) or "body",
                "rule": f"request.{item.get('type', 'invalid')}",
                "message": item.get("msg", "invalid"),
                "message_id": "Isian tidak valid",
                "reference": "",
            }
        )
    fields = ", ".join(e["field"] for e in errors)
    return problem(
        422, "invalid-request", "The request is malformed", f"invalid: {fields}", errors=errors
    )


def conflict(error: Conflict) -> JSONResponse:
    return problem(
        409,
        "conflict",
        "Already recorded",
        error.message,
        rule=error.rule,
        detail_id=error.message_id,
        **_conflict_extra(error),
    )


def access_refused(status: int, rule: str, message: str, message_id: str) -> JSONResponse:
    """401 (sign in), 403 (not yours), 423 (locked for a while) or 429 (slow down), naming
    the rule."""
    titles = {401: "Sign in first", 403: "Forbidden", 423: "Locked", 429: "Too many requests"}
    response = problem(
        status,
        rule.replace(".", "-"),
        titles.get(status, "Refused"),
        message,
        rule=rule,
        detail_id=message_id,
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sertakan"'
    return response


def not_found(error: NotFound) -> JSONResponse:
    return problem(404, "not-found", "Not found", "No such record")


def internal_error() -> JSONResponse:
    return problem(500, "internal", "Internal error", "Something went wrong; nothing was changed.")


def _conflict_extra(error: Conflict) -> dict[str, Any]:
    masked = getattr(error, "masked_kpj", None)
    extra: dict[str, Any] = {"existing_kpj": masked} if masked else {}
    roles = getattr(error, "roles", None)  # a phone of several accounts: which one signs in
    if roles:
        extra["roles"] = list(roles)
    return extra


# -- documenting them ----------------------------------------------------------------------------
#
# Every status the API can answer is declared in the OpenAPI document with its media type, so a
# client (and schemathesis' conformance checks, tests/api/test_schema_conformance.py) can rely on
# it. The statuses every API route shares are added from one place (`document`, called by the
# app when it builds the document); a route declares only what is its own with `responses(...)`.

SCHEMA_NAME = "Problem"
# The `type` slugs a 422 may carry here (an OpenAPI specification extension, `x-`).
TYPES = "x-problem-types"


class ProblemFieldRead(BaseModel):
    field: str
    rule: str
    message: str
    message_id: str = Field(description="The message in Bahasa Indonesia")
    reference: str


class ProblemRead(BaseModel):
    """An RFC 9457 problem document; some carry more members (`rule`, `errors`, ...)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description=BASE + "<slug>")
    title: str
    status: int
    detail: str
    rule: str | None = Field(default=None, description="The rule refused, e.g. access.forbidden")
    detail_id: str | None = Field(default=None, description="The detail in Bahasa Indonesia")
    errors: list[ProblemFieldRead] | None = Field(default=None, description="One per field")


# What each status means for any route. A 422 is either the
# request's shape (`invalid-request`, any route) or a rule the schema cannot say (a NIK that does
# not match the birth date, a date without parameters): routes that apply such rules declare
# `responses(422)`, and only they may answer `rule-violation` or `not-in-parameters`.
STANDARD: dict[int, str] = {
    400: "The body cannot be read: not UTF-8, or not the declared media type",
    401: "Sign in first: no bearer token, or one unknown, expired or revoked",
    403: "This role or this account may not do this here",
    404: "No such record (or not one this account may see)",
    405: "Method not allowed: the `Allow` header lists the methods",
    409: "Conflicts with what is recorded already",
    413: "The body is too large",
    422: "The input breaks a rule, or the request is malformed: the problem names each field",
    429: "Too many requests: try again later (`Retry-After`)",
}
RULES = ("invalid-request", "rule-violation", "not-in-parameters")
MALFORMED = ("invalid-request",)


def problem_response(status: int, description: str = "", *types: str) -> dict[str, Any]:
    """One status answered with `application/problem+json`: the OpenAPI response object."""
    response: dict[str, Any] = {
        "description": description or STANDARD.get(status, "Refused"),
        "content": {PROBLEM: {"schema": {"$ref": f"#/components/schemas/{SCHEMA_NAME}"}}},
    }
    if status == 422:
        response[TYPES] = list(types or RULES)
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    return response


def responses(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """A route's own problem statuses: `responses(409, 422)`, or with a description that says
    when it happens here: `responses(s409="The NIK is enrolled already")`."""
    found: dict[int | str, dict[str, Any]] = {s: problem_response(s) for s in statuses}
    for key, text in described.items():
        status = int(key.removeprefix("s"))
        found[status] = problem_response(status, text)
    return found


def document(app: FastAPI, openapi: dict[str, Any]) -> dict[str, Any]:
    """Complete the app's OpenAPI document: the Problem schema, and on every API operation the
    problems any route may answer unless the route declared them itself: 400 and 413 where
    there is a body (bytes that do not decode; too many of them), 401 (an unknown or
    expired bearer token is refused on every route, and a signed-in route refuses no token),
    403 where some role is refused, 404 where the path names a record, 422 for a malformed
    request (`invalid-request` only: a route that applies rules a schema cannot say declares
    `responses(422)` itself)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    found = ProblemRead.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(found.pop("$defs", {}))
    schemas[SCHEMA_NAME] = found
    paths = openapi.get("paths", {})
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format or ""
        if not isinstance(route, APIRoute) or not path.startswith("/api/") or path not in paths:
            continue
        permission = _permission(route.dependant)
        shared = [401, 422]
        if permission is not None and any(not allows(role, permission) for role in ACCOUNT_ROLES):
            shared.append(403)
        if "{" in path:
            shared.append(404)
        for method in context.methods or ():
            operation = paths[path].get(method.lower())
            if operation is not None:
                body = [400, 413] if "requestBody" in operation else []
                _complete(operation.setdefault("responses", {}), shared + body)
    return openapi


def _complete(declared: dict[str, Any], shared: list[int]) -> None:
    if "422" in declared and PROBLEM not in declared["422"].get("content", {}):
        del declared["422"]  # FastAPI's own (HTTPValidationError): not what is answered
    for status in shared:
        if status == 422:
            declared.setdefault(
                "422", problem_response(422, "The request is malformed", *MALFORMED)
            )
        else:
            declared.setdefault(str(status), problem_response(status))


def _permission(dependant: Dependant) -> Permission | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Requires):
            return dependency.call.permission
        found = _permission(dependency)
        if found is not None:
            return found
    return None
