"""What a refused request gets back: `{"detail": ...}` bodies that name fields and error codes,
never the values sent, and never more than a few problems however bad the input."""

import json
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

MAX_PROBLEMS = 20
MAX_LOCATION_PART = 64  # an unknown key is caller input: only its start is named
MAX_MESSAGE = 300


class Problem(BaseModel):
    detail: str = Field(description="What is wrong, in words.")


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Where: 'body', 'path' or 'query', then the field.")
    type: str = Field(description="Error code, e.g. missing, extra_forbidden, string_too_long.")
    msg: str = Field(description="What is wrong with the field; never its value.")


class ValidationProblems(BaseModel):
    detail: list[FieldProblem] = Field(description=f"The first {MAX_PROBLEMS} problems.")
    problems: int = Field(description="How many problems there were in all.")


def problem_body(detail: str) -> bytes:
    return json.dumps({"detail": detail}).encode()


def validation_body(errors: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps(_bounded(errors)).encode()


def _bounded(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "detail": [
            {
                "loc": [
                    part if isinstance(part, int) else str(part)[:MAX_LOCATION_PART]
                    for part in error.get("loc", ())
                ],
                "type": str(error.get("type", "invalid")),
                "msg": str(error.get("msg", ""))[:MAX_MESSAGE],
            }
            for error in errors[:MAX_PROBLEMS]
        ],
        "problems": len(errors),
    }


async def bounded_validation_error(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 without the input and its context: the first problems, by field and code."""
    assert isinstance(error, RequestValidationError)
    return JSONResponse(_bounded(error.errors()), status_code=422)
