"""One patient's pathway as a timeline, merged from the three services' patient views:
referral and screening (intake), infusions with their doses, deferrals and alerts (infusion),
therapy, assessments, decisions, reviews and maintenance (follow-up)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

KINDS = ("intake", "infusion", "therapy", "assessment", "decision", "review", "alert")


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # one of KINDS (a CSS class and a filter)
    what: str
    detail: str = ""


def pathway_timeline(
    intake: dict[str, Any] | None, infusion: dict[str, Any] | None, followup: dict[str, Any] | None
) -> list[Entry]:
    entries = [
        *(_intake(intake) if intake else ()),
        *(_infusion(infusion) if infusion else ()),
        *(_followup(followup) if followup else ()),
    ]
    return sorted(entries, key=lambda entry: entry.at)


def _intake(view: dict[str, Any]):
    yield Entry(
        parse_time(view["received_at"]), "intake", "referral received", view["referral_source"]
    )
    if screening := view.get("screening"):
        reasons = ", ".join(screening["reason_codes"])
        yield Entry(
            parse_time(screening["screened_at"]),
            "intake",
            f"screened: {screening['outcome']}",
            reasons,
        )
    if review := view.get("review"):
        yield Entry(
            parse_time(review["decided_at"]),
            "decision",
            f"screening review: {review['decision']}",
            f"{review['reason_code']} by {review['clinician_id']}",
        )
    if withdrawal := view.get("withdrawal"):
        yield Entry(
            parse_time(withdrawal["withdrawn_at"]),
            "decision",
            "withdrawn",
            withdrawal["reason_code"],
        )


def _infusion(view: dict[str, Any]):
    for session in view["sessions"]:
        name = f"{session['kind']} infusion {session['session_number']}"
        dose = session["dose_given_mg"] or session["dose_mg"]
        for entry in session["history"]:
            what = entry["what"]
            kind = "alert" if "alert" in what else "infusion"
            yield Entry(
                parse_time(entry["at"]),
                kind,
                f"{name}: {what.replace('_', ' ')}",
                _detail(entry["detail"], dose_mg=dose),
            )


def _followup(view: dict[str, Any]):
    for point in view["trajectory"]:
        yield Entry(
            parse_time(point["submitted_at"]),
            "assessment",
            f"{point['instrument'].upper()} {point['total']}",
            point.get("timepoint") or "unscheduled",
        )
    for assessment in view["assessments"]:
        if assessment["status"] == "overdue":
            yield Entry(
                parse_time(assessment["overdue_at"]),
                "alert",
                f"assessment overdue: {assessment['timepoint']}",
            )
    for therapy in view["therapy_sessions"]:
        if therapy["status_at"]:
            yield Entry(
                parse_time(therapy["status_at"]),
                "therapy",
                f"therapy session {therapy['status']}",
                therapy["modality"],
            )
    for decision in view["decisions"]:
        yield Entry(
            parse_time(decision["decided_at"]),
            "decision",
            decision_name(decision["event_type"]),
            _detail(decision["data"]),
        )
    for review in view["reviews"]:
        yield Entry(
            parse_time(review["opened_at"]),
            "review",
            f"review opened ({review['urgency']}): {review['reason']}",
            f"respond by {review['respond_by']}",
        )
        if review["resolved_at"]:
            yield Entry(
                parse_time(review["resolved_at"]),
                "review",
                f"review outcome: {review['outcome']}",
                f"by {review['decided_by']}",
            )


def _detail(detail: dict[str, Any], **extra: Any) -> str:
    """Scalar codes and numbers only (nested evidence stays in the services' views)."""
    shown = {**extra, **detail}
    return ", ".join(
        f"{key.replace('_', ' ')} {_value(value)}"
        for key, value in shown.items()
        if _plain(value) and not key.endswith("_id")
    )[:240]


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and not any(isinstance(item, dict | list) for item in value)
    return isinstance(value, str | int | float) and value != ""


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def decision_name(event_type: str) -> str:
    """carepath.followup.maintenance-recommended.v1 -> maintenance recommended"""
    parts = event_type.split(".")
    return parts[2].replace("-", " ") if len(parts) > 2 else event_type
