"""Every API operation, fed whatever its OpenAPI schema allows, never answers 5xx.

Schemathesis turns the app's own schema into Hypothesis strategies, one per operation; a
sponsor is registered first so that enrolments may name a real one. (Schemathesis' pytest
plugin does not run on pytest 9 yet, so the strategies are drawn here directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import bearer, sign_up_code
from tests.support.operations import OPERATIONS


def test_the_fuzzed_operations_are_every_operation_of_the_api(container: Container) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    found = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_generated_request_makes_the_api_fail_with_a_server_error(
    container: Container, provider: RecordingProvider, method: str, path: str
) -> None:
    app = create_app(container)
    with TestClient(app) as client:
        # Fuzz as a signed-in branch officer, so the generated requests get past the door.
        auth = bearer(client, Role.OFFICER.value)
        client.post(
            "/api/v1/sponsors",
            headers=auth,
            json={
                "kind": "business",
                "name": "Warung Bu Ijah",
                "phone": "085712345678",
                "region_code": "32.71.01.1001",
                "nib": "1234567890123",
                "phone_code": sign_up_code(client, provider, "085712345678"),
            },
        )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    statuses: list[int] = []

    @given(data=st.data())
    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    def no_server_error(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        response = case.call_and_validate(headers=auth, checks=[not_a_server_error])
        statuses.append(response.status_code)

    no_server_error()
    assert statuses  # the operation was really exercised
