"""Errors as RFC 9457 problem documents (`application/problem+json`) naming the field and rule."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
    """401 (sign in), 403 (not yours) or 429 (slow down), naming the rule."""
    titles = {401: "Sign in first", 403: "Forbidden", 429: "Too many requests"}
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
