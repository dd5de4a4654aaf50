"""Each service's OpenAPI says what the gate does (issue 15, finding 9): the bearer scheme on
every guarded route and each error status a route can answer."""

import pytest

from .services import APPS, app_of

FORM_ROUTES = {
    "/v1/patients/{patient_id}/screening",
    "/v1/patients/{patient_id}/review",
    "/v1/patients/{patient_id}/withdraw",
}


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_guarded_operation_declares_the_bearer_scheme_and_its_errors(tmp_path, service):
    app = app_of(service, tmp_path)
    document = app.openapi()
    scheme = document["components"]["securitySchemes"]["bearer"]

    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            public = app.state.access[f"{method.upper()} {path}"].public
            statuses = set(operation["responses"])
            if public:
                assert "security" not in operation, path
                continue
            assert operation["security"] == [{"bearer": []}], path
            assert {"401", "403", "413"} <= statuses, (path, statuses)
            if "{patient_id}" in path:
                assert {"404", "422"} <= statuses, (path, statuses)
            if path in FORM_ROUTES:
                assert "409" in statuses, (path, statuses)
            problems = operation["responses"].get("422", {}).get("content", {})
            if problems:
                schema = problems["application/json"]["schema"]["$ref"]
                assert schema.endswith("/ValidationProblems"), path
