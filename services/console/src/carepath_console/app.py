"""The console's ASGI app: sign-in, the worklist (live), the patient page, operations."""

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Header, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from carepath_console import operations
from carepath_console.board import URGENCY_RANK, Board, Change, review_order
from carepath_console.chart import iesr_chart, pcl5_chart
from carepath_console.feed import Feed
from carepath_console.services import ServiceRefusedError, Services, ServiceUnavailableError
from carepath_console.settings import ConsoleSettings
from carepath_console.signin import COOKIE, LOGIN_COOKIE, ROLES, SignIn, SignIns
from carepath_console.timeline import pathway_timeline
from carepath_contracts import (
    ProtocolRef,
    ReviewOutcome,
    UnknownProtocolError,
    Urgency,
    load_catalogue,
)
from carepath_contracts.values import IDENTIFIER_PATTERN
from carepath_runtime.auth import Authenticator, StaticTokens
from carepath_runtime.dead_letter_reading import (
    SERVICES,
    DeadLetterNotFoundError,
    find_dead_letter,
    replay,
)
from carepath_runtime.errors import CarepathError
from carepath_runtime.oidc import OidcVerifier

HERE = Path(__file__).parent
PatientId = Annotated[str, PathParam(pattern=IDENTIFIER_PATTERN, max_length=64)]
ReviewId = Annotated[str, PathParam(pattern=IDENTIFIER_PATTERN, max_length=64)]
Position = Annotated[str, PathParam(pattern=r"^[0-9]{1,6}:[0-9]{1,19}$")]

SECURITY_HEADERS = {
    # Everything is served from here: no CDN, no inline script, no framing.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SignInRequired(Exception):
    pass


class RoleRefused(Exception):
    def __init__(self, sign_in: SignIn) -> None:
        self.sign_in = sign_in


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    # httpx logs every call's URL at INFO: patient ids in paths, and noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Every shipped version: each patient's chart is drawn under the version the patient is on.
    protocols = load_catalogue(settings.protocol_id, settings.protocol_version)
    board = Board(alert_window=timedelta(hours=settings.alert_window_hours))
    feed = Feed(settings.bus, settings.topic_prefix, board)
    sign_ins = SignIns(settings.session_minutes * 60)
    oidc = settings.oidc
    authenticator = Authenticator(
        StaticTokens(settings.tokens), OidcVerifier(oidc) if oidc else None
    )
    services = Services(settings.service_urls, settings.api_timeout_s)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["urgency_rank"] = URGENCY_RANK

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await feed.start()
        try:
            yield
        finally:
            board.close()
            await feed.stop()
            await services.close()

    app = FastAPI(
        title="Carepath console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.board = board
    app.state.feed = feed
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"  # pages may hold personal details
        return response

    # --- who is signed in ------------------------------------------------------------------

    def need(role: str):
        def signed_in(request: Request) -> SignIn:
            sign_in = sign_ins.find(request.cookies.get(COOKIE))
            if sign_in is None:
                raise SignInRequired
            if sign_in.caller.role != role:
                raise RoleRefused(sign_in)
            return sign_in

        return Depends(signed_in)

    Clinician = Annotated[SignIn, need("clinician")]
    Operator = Annotated[SignIn, need("operator")]

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, _error: SignInRequired) -> Response:
        if request.url.path.endswith("/live"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(RoleRefused)
    async def refuse(request: Request, error: RoleRefused) -> Response:
        return page(request, "refused.html", error.sign_in, status_code=403)

    def page(
        request: Request, name: str, sign_in: SignIn | None, status_code: int = 200, **context
    ) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            name,
            {"sign_in": sign_in, "board": board, **context},
            status_code=status_code,
        )

    def checked_csrf(sign_in: SignIn, presented: str) -> None:
        if not sign_in.csrf_matches(presented):
            raise CsrfRefused

    class CsrfRefused(Exception):
        pass

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _error: CsrfRefused) -> Response:
        return HTMLResponse(
            "<p>The form was out of date or not from this console: go back, reload and "
            "try again.</p>",
            status_code=403,
        )

    # --- operations of the console itself --------------------------------------------------

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": "console"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        ready = feed.ready
        return JSONResponse(
            {"ready": ready, "service": "console", "checks": {"feed": ready}},
            status_code=200 if ready else 503,
        )

    # --- sign in and out -------------------------------------------------------------------

    def login_page(request: Request, next_: str, status_code: int = 200, problem: str = ""):
        """The sign-in form with a fresh form token, also set as a cookie (double submit)."""
        form_token = secrets.token_urlsafe(24)
        response = page(
            request,
            "login.html",
            None,
            status_code=status_code,
            problem=problem,
            form_token=form_token,
            next=_local(next_),
        )
        response.set_cookie(
            LOGIN_COOKIE,
            form_token,
            max_age=600,
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookies,
            path="/login",
        )
        return response

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/") -> Response:
        return login_page(request, next)

    @app.post("/login", response_class=HTMLResponse)
    async def login(
        request: Request,
        token: Annotated[str, Form(max_length=4096)],
        form_token: Annotated[str, Form(max_length=64)],
        next: Annotated[str, Form(max_length=200)] = "/",
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE) or ""
        if not expected or not secrets.compare_digest(expected, form_token):
            raise CsrfRefused
        caller = await authenticator.caller_of(token.strip())
        if caller is None or caller.role not in ROLES:
            problem = (
                "That token is not accepted."
                if caller is None
                else "This console is for clinicians and operators; that token is a system's."
            )
            return login_page(request, next, status_code=401, problem=problem)
        session_id, _ = sign_ins.open(caller, token.strip())
        home = "/worklist" if caller.role == "clinician" else "/operations"
        target = _local(next) if next not in ("", "/") else home
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=settings.session_minutes * 60,
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookies,
            path="/",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @app.post("/logout")
    async def logout(request: Request, csrf: Annotated[str, Form(max_length=64)]) -> Response:
        sign_in = sign_ins.find(request.cookies.get(COOKIE))
        if sign_in is not None:
            checked_csrf(sign_in, csrf)
            sign_ins.close(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/")
    async def home(request: Request) -> Response:
        sign_in = sign_ins.find(request.cookies.get(COOKIE))
        if sign_in is None:
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse(
            "/worklist" if sign_in.caller.role == "clinician" else "/operations", status_code=303
        )

    # --- clinicians ------------------------------------------------------------------------

    @app.get("/worklist", response_class=HTMLResponse)
    async def worklist(request: Request, sign_in: Clinician) -> Response:
        problem = ""
        try:
            reviews = await services.get("followup", "/v1/reviews?limit=500", sign_in.token)
        except CarepathError as error:
            reviews, problem = [], str(error)
        reviews = sorted(reviews or [], key=lambda r: review_order(r["urgency"], r["respond_by"]))
        return page(request, "worklist.html", sign_in, reviews=reviews, problem=problem)

    @app.get("/worklist/live", response_class=EventSourceResponse)
    async def worklist_live(
        request: Request,
        _sign_in: Clinician,
        last_event_id: Annotated[str | None, Header(max_length=20)] = None,
    ) -> AsyncIterator[ServerSentEvent]:
        """New alerts and reviews as they are read from the topics (server-sent events)."""
        after = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
        queue = board.watch(after)
        try:
            while (change := await queue.get()) is not None:
                yield ServerSentEvent(
                    event=change.kind, id=str(change.number), data=_live_row(change)
                )
        finally:
            board.unwatch(queue)

    def _live_row(change: Change) -> dict[str, Any]:
        template = templates.env.get_template("rows.html")
        module = template.module
        if change.kind == "alert":
            html = module.alert_row(change.row)
            return {"table": "alerts", "key": f"alert-{change.number}", "html": str(html)}
        row = change.row
        return {
            "table": "reviews",
            "key": f"review-{row.review_id}",
            "html": str(module.live_review_row(row)) if change.kind == "review" else "",
            "rank": URGENCY_RANK[Urgency(row.urgency)],
            "respond_by": row.respond_by.isoformat(),
        }

    @app.get("/patients/{patient_id}", response_class=HTMLResponse)
    async def patient(
        request: Request, patient_id: PatientId, sign_in: Clinician, problem: str = ""
    ) -> Response:
        try:
            views = {
                name: await services.get(name, f"/v1/patients/{patient_id}", sign_in.token)
                for name in SERVICES
            }
        except ServiceRefusedError as error:
            return page(
                request, "problem.html", sign_in, status_code=error.status, problem=str(error)
            )
        except ServiceUnavailableError as error:
            return page(request, "problem.html", sign_in, status_code=502, problem=str(error))
        if not any(views.values()):
            return page(
                request,
                "problem.html",
                sign_in,
                status_code=404,
                problem=f"No service knows a patient {patient_id}.",
            )
        followup = views["followup"]
        try:
            protocol = (
                protocols.of(ProtocolRef.model_validate(followup["protocol"]))
                if followup and followup.get("protocol")
                else protocols.current
            )
        except UnknownProtocolError as error:
            return page(request, "problem.html", sign_in, status_code=500, problem=str(error))
        return page(
            request,
            "patient.html",
            sign_in,
            patient_id=patient_id,
            intake=views["intake"],
            infusion=views["infusion"],
            followup=followup,
            timeline=pathway_timeline(views["intake"], views["infusion"], followup),
            chart=pcl5_chart(followup, protocol) if followup else None,
            iesr=iesr_chart(followup, protocol) if followup else None,
            open_reviews=[r for r in (followup or {}).get("reviews", []) if not r["resolved_at"]],
            outcomes=list(ReviewOutcome),
            maintenance=protocol.maintenance,
            problem=problem[:300],
        )

    @app.post("/patients/{patient_id}/reviews/{review_id}/outcome")
    async def record_outcome(
        patient_id: PatientId,
        review_id: ReviewId,
        sign_in: Clinician,
        outcome: Annotated[ReviewOutcome, Form()],
        csrf: Annotated[str, Form(max_length=64)],
        maintenance_interval_days: Annotated[str, Form(max_length=3)] = "",
    ) -> Response:
        """Through follow-up's API with the clinician's own token: follow-up records who."""
        checked_csrf(sign_in, csrf)
        body: dict[str, Any] = {"outcome": outcome.value}
        if maintenance_interval_days.strip():
            if not maintenance_interval_days.strip().isdigit():
                return _back(patient_id, "maintenance interval: a whole number of days")
            body["maintenance_interval_days"] = int(maintenance_interval_days)
        try:
            await services.post("followup", f"/v1/reviews/{review_id}/outcome", sign_in.token, body)
        except CarepathError as error:
            return _back(patient_id, str(error))
        return RedirectResponse(f"/patients/{patient_id}#timeline", status_code=303)

    # --- operators -------------------------------------------------------------------------

    @app.get("/operations", response_class=HTMLResponse)
    async def operations_page(request: Request, sign_in: Operator, message: str = "") -> Response:
        healths = await operations.overview(
            services, sign_in.token, settings.bus, settings.topic_prefix
        )
        return page(
            request,
            "operations.html",
            sign_in,
            healths=healths,
            message=message[:300],
            feed=feed,
        )

    @app.post("/operations/dead-letters/{service}/{position}/replay")
    async def replay_dead_letter(
        service: str,
        position: Position,
        sign_in: Operator,
        csrf: Annotated[str, Form(max_length=64)],
    ) -> Response:
        checked_csrf(sign_in, csrf)
        if service not in SERVICES:
            return JSONResponse({"detail": f"unknown service {service!r}"}, status_code=404)
        try:
            letter = await find_dead_letter(settings.bus, settings.topic_prefix, service, position)
            topic = await replay(settings.bus, letter)
        except DeadLetterNotFoundError as error:
            message = str(error)
        else:
            message = f"dead letter {service} {position} sent back to {topic}"
        return RedirectResponse(f"/operations?message={quote(message)}", status_code=303)

    return app


def _back(patient_id: str, problem: str) -> RedirectResponse:
    return RedirectResponse(
        f"/patients/{patient_id}?problem={quote(problem[:300])}#review", status_code=303
    )


def _local(target: str) -> str:
    """Only a path on this console (never another site) after signing in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
