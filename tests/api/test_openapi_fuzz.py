"""The OpenAPI spec fuzzed (DESIGN: reliability targets): Schemathesis generates requests for
every operation of ``/api/v1/openapi.json`` — valid and invalid shapes — and sends each as the
administrator (writes included) and as Korea's mission; no response may be a server error.

``LIAISON_FUZZ_EXAMPLES`` sets examples per operation (default 15 in the suite)."""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("LIAISON_FUZZ_EXAMPLES", "15"))
READERS = ("admin", "korea")


def test_no_operation_answers_a_server_error(client, auth):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    headers = {reader: auth(reader) for reader in READERS}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            for reader in READERS:
                response = case.call(headers=headers[reader])
                assert response.status_code < 500, (
                    reader,
                    case.method,
                    case.formatted_path,
                    case.query,
                    response.text[:500],
                )

        fuzz()


def test_a_value_the_database_refuses_is_invalid_input_not_a_server_error(client, auth):
    """NUL in text (PostgreSQL refuses it) and ids beyond a 32-bit column: a 4xx, never a 500."""
    response = client.get("/api/v1/documents?q=a%00b", headers=auth("admin"))
    assert response.status_code < 500, response.text
    response = client.get("/api/v1/documents/99999999999999999999", headers=auth("admin"))
    assert response.status_code == 422, response.text
    response = client.get("/api/v1/documents?offset=99999999999999", headers=auth("admin"))
    assert response.status_code == 422
