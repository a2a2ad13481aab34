"""The OpenAPI spec documents the problem responses of every API operation (400, 401, 404,
409, 413, 422, 429 as ``application/problem+json``), and what the API answers matches it."""

from __future__ import annotations

PROBLEMS = {"400", "401", "404", "409", "413", "422", "429"}


def test_every_api_operation_documents_its_problem_responses(client):
    spec = client.get("/api/v1/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    operations = [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    ]
    assert len(operations) > 20
    for path, method, operation in operations:
        responses = operation["responses"]
        assert set(responses) >= PROBLEMS, (method, path)
        for status in PROBLEMS:
            assert responses[status]["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, (method, path, status)


def test_the_answers_are_the_documented_problems(client, auth):
    spec = client.get("/api/v1/openapi.json").json()
    required = spec["components"]["schemas"]["Problem"]["required"]
    answers = {
        401: client.get("/api/v1/jobs/1"),
        404: client.get("/api/v1/jobs/999999", headers=auth("admin")),
        422: client.get("/api/v1/documents?limit=0", headers=auth("admin")),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert all(key in body for key in required), body
        assert body["status"] == status
