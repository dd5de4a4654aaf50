"""The request gate: ASGI middleware that answers for every route before the route runs.

In this order, and before one byte of the body is read: the caller is authenticated (401),
authorised from the access table (403), and the declared size checked against the route's
limit (413). Then the body is read up to that limit only (413 past it, chunked bodies too),
refused if it holds NaN or Infinity (422: not JSON numbers), and handed on to the route.
FastAPI itself reads and parses the body before any dependency runs, so none of this could
be a dependency.
"""

import json
import re
from collections.abc import Callable

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carepath_runtime.access import AccessTable, RouteAccess
from carepath_runtime.auth import Authenticator, Caller
from carepath_runtime.problems import problem_body, validation_body

ANY_CALLER = RouteAccess(frozenset())
"""A path or method no route serves: 404/405 for an authenticated caller, 401 for anyone
else (so an unauthenticated caller learns nothing about which routes exist)."""


class _NotJsonNumber(ValueError):
    pass


class RequestGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        access: AccessTable,
        authenticator: Callable[[], Authenticator],
    ) -> None:
        self._app = app
        self._rows = [_compiled(key, row) for key, row in access.items()]
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        access = self._access_for(scope)
        if access.public:
            await self._app(scope, receive, send)
            return
        caller = await self._caller(scope)
        if caller is None:
            await _answer(send, 401, problem_body("missing or invalid bearer token"), _CHALLENGE)
            return
        if access.roles and caller.role not in access.roles:
            await _answer(send, 403, problem_body("this token may not do this"))
            return
        scope.setdefault("state", {})["caller"] = caller
        if access is ANY_CALLER:  # the router answers 404 or 405 without reading the body
            await self._app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > access.body_limit:
            await _answer(send, 413, problem_body(_too_large(access)))
            return
        if access.body_limit == 0:
            await self._app(scope, receive, send)
            return
        body = await _read_body(receive, access.body_limit)
        if body is None:
            await _answer(send, 413, problem_body(_too_large(access)))
            return
        if body and _is_json(scope) and (refusal := _unreadable_json(body)):
            problem = {"loc": ["body"], "type": "json_invalid", "msg": refusal}
            await _answer(send, 422, validation_body([problem]))
            return
        await self._app(scope, _replay(body, receive), send)

    def _access_for(self, scope: Scope) -> RouteAccess:
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        for row_method, path, access in self._rows:
            if row_method == method and path.match(scope["path"]):
                return access
        return ANY_CALLER

    async def _caller(self, scope: Scope) -> Caller | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    return await self._authenticator().caller_of(token.strip())
                return None
        return None


def _compiled(key: str, access: RouteAccess) -> tuple[str, re.Pattern[str], RouteAccess]:
    method, template = key.split(" ", 1)
    path, _, _ = compile_path(template)  # the same matching as the router's
    return method, path, access


_CHALLENGE = [(b"www-authenticate", b'Bearer realm="carepath"')]


def _too_large(access: RouteAccess) -> str:
    if access.body_limit == 0:
        return "this route takes no request body"
    return f"request body larger than {access.body_limit} bytes"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, as the server sends it

    return replay


def _refuse(constant: str) -> float:
    raise _NotJsonNumber(constant)


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise _NotJsonNumber(text)
    return number


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media = value.decode("latin-1").split(";", 1)[0].strip().lower()
            return media == "application/json" or (
                media.startswith("application/") and media.endswith("+json")
            )
    return False


def _unreadable_json(body: bytes) -> str | None:
    """Why a JSON body is refused, or None to hand it on. Python's parser would read NaN and
    Infinity (and numbers too large for a float) and fail outright on thousands of digits or
    very deep nesting; the route would then answer 500 or 400. All of them are 422 here."""
    try:
        json.loads(body, parse_constant=_refuse, parse_float=_finite)
    except _NotJsonNumber:
        return "NaN and Infinity are not JSON numbers"
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "the body is not valid JSON"
    except ValueError:
        return "a number in the body has too many digits"
    except RecursionError:
        return "the body is nested too deeply"
    return None


async def _answer(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
