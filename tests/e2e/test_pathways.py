"""Whole pathways across the three services (separate processes, real broker), one test per
scenario: each patient's full event sequence, the expected decision, and no dead letters."""

from collections import Counter
from datetime import timedelta

import pytest

from carepath_contracts import default_protocol
from carepath_simulator.scenarios import Scenario

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

PROTOCOL = default_protocol()
INDUCTION = PROTOCOL.course.induction_sessions


def patient_events(pathways, scenario: Scenario):
    result, by_patient, _ = pathways
    (patient,) = [p for p in result.patients if p.script.scenario == scenario]
    assert patient.outcome == patient.script.expected, patient.decisions
    return patient, by_patient[patient.patient_id]


def names(events) -> list[str]:
    return [event.type.split(".")[2] for event in events]


def of(events, name: str) -> list:
    return [event for event in events if event.type.split(".")[2] == name]


def completed(events, kind: str = "induction") -> list:
    return [e for e in of(events, "session-completed") if e.data.kind == kind]


def assert_full_course(events) -> None:
    """Six induction infusions, each followed by integration therapy, and one course end."""
    sessions = completed(events)
    # A rescheduled session keeps its number but may come after later ones.
    assert sorted(e.data.session_number for e in sessions) == list(range(1, INDUCTION + 1))
    assert len(of(events, "course-planned")) == 1
    (course_completed,) = of(events, "course-completed")
    assert course_completed.data.sessions_completed == INDUCTION
    assert sessions[-1].data.is_last_induction_session
    therapy = of(events, "therapy-session-scheduled")
    assert len(therapy) >= INDUCTION
    for session in sessions:
        (booked,) = [
            t for t in therapy if t.data.after_infusion_session_id == session.data.session_id
        ]
        hours = (booked.data.scheduled_for - session.data.completed_at) / timedelta(hours=1)
        assert PROTOCOL.therapy.earliest_hours_after_infusion <= hours
        assert hours <= PROTOCOL.therapy.latest_hours_after_infusion


def assert_assessments_due_on_schedule(events) -> None:
    sessions = completed(events)
    first, last = sessions[0].data.completed_at, sessions[-1].data.completed_at
    due = {e.data.timepoint: e.data.due_at for e in of(events, "assessment-due")}
    assert due["after_first_infusion"] == first + timedelta(hours=24)
    assert due["end_of_treatment"] == last + timedelta(hours=24)
    for timepoint, weeks in (("week_2", 2), ("week_4", 4), ("week_8", 8), ("week_12", 12)):
        if timepoint in due:
            assert due[timepoint] == last + timedelta(weeks=weeks)


def test_no_event_was_dead_lettered(pathways):
    _, _, dead_letters = pathways
    assert dead_letters == []


def test_every_pathway_reaches_its_expected_end(pathways):
    result, _, _ = pathways
    assert {p.script.scenario: p.outcome for p in result.patients} == {
        p.script.scenario: p.script.expected for p in result.patients
    }


def test_every_completed_infusion_is_followed_by_its_discharge_assessment(pathways):
    """The run ends once the clinic has done what it planned: a patient's last infusion ends
    with its discharge even when that pathway's outcome was known before (the chaos run found
    a run ending before a last discharge, another after it: effects that differed by timing)."""
    result, by_patient, _ = pathways
    undischarged = []
    for patient in result.patients:
        events = by_patient[patient.patient_id]
        discharged = {e.data.session_id for e in of(events, "discharge-assessed")}
        undischarged += [
            (patient.script.scenario, e.data.session_number)
            for e in of(events, "session-completed")
            if e.data.session_id not in discharged
        ]
    assert undischarged == []


def test_every_review_is_answered_before_its_respond_by(pathways):
    _, by_patient, _ = pathways
    events = [event for patient_events in by_patient.values() for event in patient_events]
    opened = {e.data.review_id: e.data for e in of(events, "review-opened")}
    answered = {e.data.review_id: e.data for e in of(events, "review-outcome-recorded")}
    assert opened and answered.keys() == opened.keys()
    assert all(answered[rid].recorded_at < opened[rid].respond_by for rid in opened)
    assert of(events, "review-overdue") == []


def assert_maintenance_series_ends(events) -> None:
    """The protocol's series of maintenance infusions, each booked at the interval after the
    recommendation that asked for it, a PCL-5 asked before each, then the pathway completed."""
    recommended = of(events, "maintenance-recommended")
    limits = PROTOCOL.maintenance
    assert all(
        limits.interval_days_min <= r.data.interval_days <= limits.interval_days_max
        for r in recommended
    )
    given = completed(events, "maintenance")
    assert len(given) == limits.series_infusions
    for infusion in given:
        asked_for = [r for r in recommended if r.data.recommended_at < infusion.data.completed_at]
        last = asked_for[-1].data
        assert (
            infusion.data.completed_at.date()
            >= (last.recommended_at + timedelta(days=last.interval_days)).date()
        )
    before = [e for e in of(events, "assessment-due") if e.data.timepoint == "before_maintenance"]
    assert len(before) >= limits.series_infusions
    (done,) = of(events, "pathway-completed")
    assert done.data.ended_by == "maintenance_series_completed"
    assert done.data.completed_at == given[-1].data.completed_at


def test_responder_plateaus_and_a_maintenance_series_runs_to_its_end(pathways):
    _, events = patient_events(pathways, Scenario.RESPONDER_MAINTENANCE)
    assert_full_course(events)
    assert_assessments_due_on_schedule(events)
    assert_maintenance_series_ends(events)
    assert of(events, "review-opened") == []


def test_worsening_after_response_a_clinician_starts_maintenance_and_the_series_ends(pathways):
    _, events = patient_events(pathways, Scenario.MAINTENANCE_SERIES)
    assert_full_course(events)
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("worsening", "urgent")
    (answer,) = of(events, "review-outcome-recorded")
    assert (answer.data.review_id, answer.data.outcome) == (
        review.data.review_id,
        "start_maintenance",
    )
    assert answer.data.recorded_at < review.data.respond_by and of(events, "review-overdue") == []
    first = of(events, "maintenance-recommended")[0]
    assert (first.data.reason_code, first.data.interval_days) == ("clinical_review", 14)
    assert_maintenance_series_ends(events)


def test_a_review_resumes_a_course_suspended_after_a_serious_adverse_event(pathways):
    _, events = patient_events(pathways, Scenario.REVIEW_RESUMES_COURSE)
    (suspended,) = of(events, "course-suspended")
    assert suspended.data.reason_code == "serious_adverse_event"
    reasons = {e.data.reason_code: e.data for e in of(events, "review-opened")}
    assert reasons.keys() == {"serious_adverse_event", "course_suspended"}
    outcomes = {e.data.reason_code: e.data.outcome for e in of(events, "review-outcome-recorded")}
    assert outcomes == {
        "serious_adverse_event": "continue_monitoring",
        "course_suspended": "resume_course",
    }
    replanned = [e for e in of(events, "session-scheduled") if e.time > suspended.data.suspended_at]
    assert sorted(e.data.session_number for e in replanned) == [4, 5, 6]
    assert_full_course(events)
    (done,) = of(events, "pathway-completed")
    assert done.data.ended_by == "schedule_completed"


def test_non_responder_is_sent_to_clinical_review_at_the_end_of_the_course(pathways):
    _, events = patient_events(pathways, Scenario.NON_RESPONDER)
    assert_full_course(events)
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("non_response", "routine")
    end_of_treatment = [
        e for e in of(events, "assessment-scored") if e.data.timepoint == "end_of_treatment"
    ]
    assert end_of_treatment and end_of_treatment[0].data.response is False
    assert of(events, "maintenance-recommended") == []
    (answer,) = of(events, "review-outcome-recorded")
    assert answer.data.outcome == "continue_monitoring"
    (done,) = of(events, "pathway-completed")
    assert done.data.outcome == "no_response"


def test_ineligible_patient_is_screened_out_and_never_planned(pathways):
    _, events = patient_events(pathways, Scenario.INELIGIBLE)
    assert names(events) == ["referral-accepted", "patient-screened"]
    screened = events[1].data
    assert (screened.outcome, screened.final) == ("ineligible", True)
    assert "psychosis" in screened.reason_codes


def test_needs_review_is_approved_then_treated(pathways):
    _, events = patient_events(pathways, Scenario.NEEDS_REVIEW_APPROVED)
    screened = [(e.data.outcome, e.data.final) for e in of(events, "patient-screened")]
    assert screened == [("needs_review", False), ("eligible", True)]
    # The reviewer is the subject of the clinician token the simulator used.
    assert of(events, "patient-screened")[1].data.reviewed_by == "local-clinician"
    assert_full_course(events)
    assert of(events, "pathway-completed")


def test_high_blood_pressure_at_check_in_defers_and_reschedules_the_session(pathways):
    _, events = patient_events(pathways, Scenario.DEFERRED_HIGH_BP)
    (deferred,) = of(events, "session-deferred")
    assert deferred.data.session_number == 2
    assert {"systolic_above_limit", "diastolic_above_limit"} <= set(deferred.data.reason_codes)
    replacement = [
        e
        for e in of(events, "session-scheduled")
        if e.data.replaces_session_id == deferred.data.session_id
    ]
    assert len(replacement) == 1
    assert replacement[0].data.scheduled_for > deferred.data.deferred_at
    assert_full_course(events)
    first = of(events, "course-planned")[0].data.first_session_at
    window_ends = of(events, "course-planned")[0].data.window_ends_at
    assert all(
        first <= e.data.completed_at <= window_ends + timedelta(hours=4) for e in completed(events)
    )


def test_a_dangerous_reading_mid_infusion_raises_exactly_one_alert(pathways):
    _, events = patient_events(pathways, Scenario.SAFETY_ALERT)
    (alert,) = of(events, "safety-alert")
    assert alert.data.rule == "systolic_high"
    assert alert.data.reading_value == 186
    session_three = [e for e in of(events, "session-scheduled") if e.data.session_number == 3]
    assert alert.data.session_id in {e.data.session_id for e in session_three}
    assert_full_course(events)


def test_a_missed_session_is_marked_missed_and_rescheduled(pathways):
    _, events = patient_events(pathways, Scenario.MISSED_SESSION)
    (missed,) = of(events, "session-missed")
    assert missed.data.session_number == 4
    grace = missed.data.missed_at - missed.data.scheduled_for
    assert grace == timedelta(hours=2)
    replacement = [
        e
        for e in of(events, "session-scheduled")
        if e.data.replaces_session_id == missed.data.session_id
    ]
    assert len(replacement) == 1
    assert_full_course(events)


def test_withdrawal_mid_course_cancels_every_remaining_session(pathways):
    _, events = patient_events(pathways, Scenario.WITHDRAWAL)
    assert [e.data.session_number for e in completed(events)] == [1, 2, 3]
    withdrawn_at = of(events, "patient-withdrawn")[0].time
    cancelled = of(events, "session-cancelled")
    assert sorted(e.data.session_number for e in cancelled) == [4, 5, 6]
    assert all(e.time >= withdrawn_at for e in cancelled)
    after = [e for e in events if e.time > withdrawn_at]
    assert not {"session-completed", "assessment-due", "course-completed"} & set(names(after))


def test_an_unanswered_assessment_becomes_overdue_and_the_pathway_goes_on(pathways):
    _, events = patient_events(pathways, Scenario.ASSESSMENT_OVERDUE)
    (overdue,) = of(events, "assessment-overdue")
    assert overdue.data.timepoint == "week_2"
    assert overdue.data.overdue_at - overdue.data.due_at == timedelta(
        hours=PROTOCOL.assessments.overdue_after_hours
    )
    scored = Counter(e.data.timepoint for e in of(events, "assessment-scored"))
    assert "week_2" not in scored and scored["week_12"] == 1
    assert_assessments_due_on_schedule(events)
    assert of(events, "pathway-completed")


def test_worsening_triggers_an_urgent_review_that_is_answered(pathways):
    _, events = patient_events(pathways, Scenario.WORSENING)
    urgent = [e for e in of(events, "review-opened") if e.data.urgency == "urgent"]
    assert urgent and urgent[0].data.reason_code == "worsening"
    answered = {e.data.review_id for e in of(events, "review-outcome-recorded")}
    assert {e.data.review_id for e in urgent} <= answered
    assert of(events, "pathway-completed")
    (scored,) = [
        e for e in of(events, "assessment-scored") if e.data.timepoint == "after_first_infusion"
    ]
    assert scored.data.change_from_baseline >= PROTOCOL.decisions.worsening_points


# The safety net's scenarios (issue 14) --------------------------------------------------------


def versions(events) -> set[int]:
    return {e.data.protocol.version for e in events if hasattr(e.data, "protocol")}


def test_relapse_after_response_opens_a_routine_review_and_the_pathway_ends_as_relapse(pathways):
    _, events = patient_events(pathways, Scenario.RELAPSE_AFTER_RESPONSE)
    assert_full_course(events)
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("relapse", "routine")
    scores = [(s.timepoint, s.total) for item in review.data.evidence for s in item.scores]
    assert scores == [("baseline", 52), ("end_of_treatment", 30), ("week_2", 45)]
    (done,) = of(events, "pathway-completed")
    assert done.data.outcome == "relapse"


def test_a_missed_end_of_treatment_is_decided_from_week_2_and_flagged(pathways):
    _, events = patient_events(pathways, Scenario.MISSED_END_OF_TREATMENT)
    assert_full_course(events)
    (overdue,) = of(events, "assessment-overdue")
    assert overdue.data.timepoint == "end_of_treatment"
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("missing_end_of_treatment", "routine")
    scores = [(s.timepoint, s.total) for item in review.data.evidence for s in item.scores]
    assert scores == [("baseline", 50), ("week_2", 48)]
    (done,) = of(events, "pathway-completed")
    assert done.data.outcome == "no_response"


def test_high_suicide_risk_at_screening_is_routed_to_urgent_care_and_reviewed(pathways):
    _, events = patient_events(pathways, Scenario.SUICIDE_RISK_AT_SCREENING)
    (screened,) = of(events, "patient-screened")
    assert (screened.data.outcome, screened.data.final) == ("ineligible", True)
    assert "high_suicide_risk" in screened.data.reason_codes
    (concern,) = of(events, "safety-concern-raised")
    assert (concern.data.concern, concern.data.action) == (
        "high_suicide_risk",
        "route_to_urgent_care",
    )
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("urgent_safety_concern", "urgent")
    (answer,) = of(events, "review-outcome-recorded")
    assert answer.data.outcome == "refer_out"
    assert of(events, "course-planned") == []


def test_a_monitor_that_goes_silent_mid_infusion_raises_one_alert_and_a_review(pathways):
    _, events = patient_events(pathways, Scenario.MONITOR_SILENCE)
    assert_full_course(events)
    (alert,) = of(events, "safety-alert")
    silence = PROTOCOL.infusion_safety.monitor_silence_minutes
    assert (alert.data.rule, alert.data.unit) == ("monitor_silence", "min")
    assert alert.data.reading_value == alert.data.threshold_value == silence
    second = [e for e in of(events, "session-cleared") if e.data.session_number == 2]
    assert alert.data.session_id == second[0].data.session_id
    assert alert.data.measured_at == second[0].data.cleared_at + timedelta(minutes=silence)
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("safety_event", "urgent")


def test_a_dose_above_the_plan_is_a_deviation_an_alert_and_an_urgent_review(pathways):
    _, events = patient_events(pathways, Scenario.DOSE_DEVIATION)
    assert_full_course(events)
    (fourth,) = [e.data for e in completed(events) if e.data.session_number == 4]
    assert fourth.deviations == ["dose_above_plan"]
    assert round(fourth.dose_given_mg - fourth.dose_planned_mg, 1) == 8.0
    (alert,) = of(events, "safety-alert")
    assert (alert.data.rule, alert.data.session_id) == ("dose_above_plan", fourth.session_id)
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("dose_above_plan", "urgent")


def test_a_protocol_upgrade_mid_cohort_new_patients_on_v2_the_others_finish_on_v1(pathways):
    result, by_patient, dead_letters = pathways
    upgraded, events = patient_events(pathways, Scenario.PROTOCOL_UPGRADE)
    assert versions(events) == {2}
    # A 12-point drop at the end of treatment: a response under v1, not under v2 (15 points).
    (end,) = [e for e in of(events, "assessment-scored") if e.data.timepoint == "end_of_treatment"]
    assert (end.data.change_from_baseline, end.data.response) == (-12, False)
    (review,) = of(events, "review-opened")
    assert (review.data.reason_code, review.data.urgency) == ("non_response", "routine")
    assert_full_course(events)
    (done,) = of(events, "pathway-completed")
    assert done.data.outcome == "remission"
    earlier = [p for p in result.patients if p is not upgraded]
    assert all(versions(by_patient[p.patient_id]) == {1} for p in earlier)
    upgraded_at = min(e.time for e in events)
    assert any(e.time > upgraded_at for p in earlier for e in by_patient[p.patient_id])
    assert dead_letters == []
