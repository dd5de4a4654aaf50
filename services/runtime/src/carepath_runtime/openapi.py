"""The OpenAPI document says what the gate does: the bearer scheme on every guarded route and
each error a route can answer (401, 403, 413, 422 from the runtime; 404, 409 from the route)."""

from typing import Any

from fastapi import FastAPI

from carepath_runtime.access import AccessTable
from carepath_runtime.problems import Problem, ValidationProblems

BEARER = "bearer"

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Not known here (e.g. no such patient)."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "Contradicts what is on record."}
}
"""`responses=` of routes that can answer 404 or 409."""

_GUARDED = {
    "401": ("Missing or invalid bearer token.", Problem),
    "403": ("The token's role may not call this route.", Problem),
    "413": ("Request body larger than this route takes.", Problem),
}
_INVALID = ("Invalid request: the first problems, by field and error code.", ValidationProblems)


def declare_security_and_errors(app: FastAPI, access: AccessTable) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare(build(), access)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare(schema: dict[str, Any], access: AccessTable) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A static Carepath token or an OpenID Connect access token (JWT).",
    }
    schemas = components.setdefault("schemas", {})
    for model in (Problem, ValidationProblems):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(definition.pop("$defs", {}))
        schemas[model.__name__] = definition
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if not access[f"{method.upper()} {path}"].public:
                operation["security"] = [{BEARER: []}]
                for status, (description, model) in _GUARDED.items():
                    responses[status] = _response(description, model)
            if operation.get("parameters") or operation.get("requestBody"):
                responses["422"] = _response(*_INVALID)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _response(description: str, model: type) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
    }
