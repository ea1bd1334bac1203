"""The API does what its OpenAPI document says, checked by schemathesis' conformance checks.

For every operation, requests are drawn from the app's own schema twice: valid ones (positive
mode) and ones the schema forbids (negative mode). Each answer must be documented: its status
code and media type declared for that operation, its body valid against the declared schema,
its declared headers present; a valid request is never refused as malformed (a business rule
that a schema cannot say, such as a NIK's birth date or an unknown region, may answer 422
`rule-violation`, and only where the operation documents 422); a forbidden one is refused.

Every failure of a run is collected (not only the first) and all of them are printed, so the
count of distinct failures shows how far the document has drifted. The number of examples is
bounded (`EXAMPLES`) to keep the run around a minute on two shared cores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup

from sertakan.access.roles import Role
from sertakan.api.problems import MALFORMED, TYPES
from sertakan.app import create_app
from sertakan.bootstrap import Container
from tests.support.auth import bearer, make_staff
from tests.support.operations import OPERATIONS

EXAMPLES = 12  # per operation and mode: 33 operations x 2 modes x 12 requests

# Each operation is fuzzed as a role that may use it, so its success answers are checked too.
ROLE_OF = {
    "/api/v1/accounts": Role.ADMIN,
    "/api/v1/accounts/{account_id}/role": Role.ADMIN,
    "/api/v1/audit": Role.AUDITOR,
    "/api/v1/sponsorships/{sponsorship_id}/approve": Role.SUPERVISOR,
}
REVOKE = "/api/v1/auth/revoke"


class ValidRequestRefused(Failure):
    """A request the schema allows was answered 422 as malformed (`invalid-request`)."""

    kind_title = "Valid data refused"


class UndocumentedProblemType(Failure):
    """A 422 whose problem type the operation does not list (`x-problem-types`)."""

    kind_title = "Undocumented problem type"


def documented_422(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 422 carries a problem type its operation lists, and a valid request is not malformed.

    This is schemathesis' `positive_data_acceptance` made exact for this API. The schema says
    which requests are well formed; some rules cannot be said in it (a NIK's check against the
    birth date, a region that must exist). Those answer 422 `rule-violation` (or
    `not-in-parameters`), and only on operations that list that type. A 422 `invalid-request`
    (the request's shape) for a request the schema allows is drift.

    Text with control characters is refused at the edge on every route, which a schema could
    only say with a pattern on every string: such a request may be refused however it is.
    """
    if response.status_code != 422 or _has_control_characters(case):
        return None
    listed = case.operation.definition.raw.get("responses", {}).get("422", {}).get(TYPES, [])
    problem_type = str(json.loads(response.content or b"{}").get("type", ""))
    slug = problem_type.rsplit("/", 1)[-1]
    if slug not in listed:
        raise UndocumentedProblemType(
            operation=case.operation.label,
            message=f"422 {slug} is not among {listed}\n{response.content[:400]!r}",
        )
    if case.meta is not None and case.meta.generation.mode.is_positive and slug in MALFORMED:
        raise ValidRequestRefused(
            operation=case.operation.label,
            message=f"A schema-valid request was refused: 422 {slug}\n{response.content[:400]!r}",
        )
    return None


def _has_control_characters(case: Any) -> bool:
    sent = [case.body, case.query, case.path_parameters, case.headers]
    # A path parameter reaches the app percent-decoded ("%0A" arrives as a line feed).
    return any(_CONTROL.search(text) or _CONTROL.search(unquote(text)) for text in _texts(sent))


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace")]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in _texts(key) + _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


# Unicode category Cc, as the edge refuses it (web.security.ControlCharacters): C0, DEL and C1.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


COMMON = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
CHECKS: dict[GenerationMode, list[Callable[..., bool | None]]] = {
    GenerationMode.POSITIVE: [*COMMON, documented_422],
    GenerationMode.NEGATIVE: [*COMMON, documented_422, negative_data_rejection],
}


@pytest.fixture
def tokens(container: Container) -> dict[Role, dict[str, str]]:
    for role in (Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR):
        make_staff(container, role)
    with TestClient(create_app(container)) as client:
        found = {
            role: bearer(client, role.value) for role in (Role.OFFICER, *set(ROLE_OF.values()))
        }
        # A sponsor, so that enrolments may name a real one.
        client.post(
            "/api/v1/sponsors",
            headers=found[Role.OFFICER],
            json={
                "kind": "business",
                "name": "Warung Bu Ijah",
                "phone": "085712345678",
                "region_code": "32.71.01.1001",
                "nib": "1234567890123",
            },
        )
    return found


def conformance_failures(
    container: Container, tokens: dict[Role, dict[str, str]], method: str, path: str
) -> tuple[list[str], int]:
    """Every distinct conformance failure of one operation, and how many requests were sent."""
    app = create_app(container)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    auth = tokens[ROLE_OF.get(path, Role.OFFICER)]
    failures: dict[str, str] = {}
    sent = 0

    def run_mode(mode: GenerationMode, checks: list[Any]) -> None:
        @given(data=st.data())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,  # the same requests on every run: a failure is not luck
        )
        def run(data: st.DataObject) -> None:
            nonlocal sent
            case = data.draw(operation.as_strategy(generation_mode=mode))
            sent += 1
            headers = auth
            if path == REVOKE:  # each request signs out its token: sign in afresh each time
                with TestClient(app) as client:
                    headers = bearer(client, Role.OFFICER.value)
            try:
                case.call_and_validate(headers=headers, checks=checks)
            except FailureGroup as group:
                for failure in group.exceptions:
                    _keep(failures, method, path, mode, failure)
            except Failure as failure:
                _keep(failures, method, path, mode, failure)

        run()

    for mode, checks in CHECKS.items():
        try:
            run_mode(mode, checks)
        except Unsatisfiable:
            # Nothing to negate: the operation takes no parameter and no body.
            assert mode is GenerationMode.NEGATIVE, f"{method} {path}: no valid request"

    return sorted(failures.values()), sent


def _keep(
    failures: dict[str, str], method: str, path: str, mode: GenerationMode, failure: Failure
) -> None:
    key = f"{method} {path} [{mode.value}] {type(failure).__name__}: {failure.title}"
    first_line = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
    failures.setdefault(key + f" ({first_line})", f"{key}\n    {failure.message[:600]}")


def test_every_answer_of_the_api_conforms_to_its_openapi_document(
    container: Container, tokens: dict[Role, dict[str, str]]
) -> None:
    found: list[str] = []
    sent = 0
    for method, path in OPERATIONS:
        failures, count = conformance_failures(container, tokens, method, path)
        found.extend(failures)
        sent += count
    assert sent >= len(OPERATIONS) * 2  # every operation was exercised in both modes
    assert not found, f"{len(found)} conformance failures:\n" + "\n".join(found)
