"""The pathway's start and end, the assessment schedule, timers firing, and therapy booking."""

import re
from datetime import timedelta

import pytest

from carepath_contracts import (
    AssessmentDue,
    AssessmentOverdue,
    ProtocolRef,
    ScreeningOutcome,
    SessionKind,
    Timepoint,
)
from carepath_followup import domain
from carepath_followup.domain.pathway import pathway_started

from .builders import (
    DAY,
    HOUR,
    PROTOCOL,
    T0,
    course_completed_data,
    infusion_data,
    new_patient,
    pathway,
    screened_data,
)

OVERDUE_AFTER = timedelta(hours=PROTOCOL.assessments.overdue_after_hours)
OFFSETS = {entry.timepoint: entry.offset_hours for entry in PROTOCOL.assessments.schedule}


def start(screened, existing=None):
    patient_id, pathway_id = new_patient()
    return pathway_started(
        existing, screened, patient_id=patient_id, pathway_id=pathway_id, protocol=PROTOCOL
    )


def infusion(path, data, *, booked=False, offset=0.0):
    return domain.infusion_completed(
        path,
        data,
        PROTOCOL,
        therapy_already_booked=booked,
        booking_offset_hours=offset,
        now=data.completed_at,
    )


def test_a_final_eligible_screening_opens_the_pathway_with_its_pcl5_as_baseline():
    started = start(screened_data(47))

    assert started.pathway.baseline.total == 47
    assert started.pathway.status is domain.PathwayStatus.ACTIVE
    assert started.assessments == []  # the baseline is the screening's PCL-5, never asked again


@pytest.mark.parametrize(
    "changes",
    [{"final": False, "outcome": ScreeningOutcome.NEEDS_REVIEW}, {"outcome": "ineligible"}],
)
def test_a_screening_that_is_not_final_and_eligible_opens_nothing(changes):
    assert start(screened_data(**changes)) is None


def test_a_second_eligible_screening_keeps_the_first_baseline():
    first = start(screened_data(47)).pathway

    assert start(screened_data(60), existing=first) is None


def test_a_screening_under_another_protocol_is_refused_naming_both():
    other = screened_data(protocol=ProtocolRef(id="ketamine-ptsd-standard", version=2))

    with pytest.raises(domain.PathwayRuleError, match=r"v2.*ketamine-ptsd-standard v1"):
        start(other)


def test_the_first_infusion_schedules_its_assessment_with_the_overdue_time():
    outcome = infusion(pathway(), infusion_data(1, T0))

    (assessment,) = outcome.assessments
    assert assessment.timepoint is Timepoint.AFTER_FIRST_INFUSION
    assert assessment.due_at == T0 + timedelta(hours=OFFSETS[Timepoint.AFTER_FIRST_INFUSION])
    assert assessment.overdue_at == assessment.due_at + OVERDUE_AFTER
    assert outcome.pathway.first_infusion_at == T0


def test_the_last_induction_infusion_schedules_end_of_treatment_and_weeks_2_to_12():
    path = pathway(first_infusion_at=T0)
    last = T0 + 12 * DAY

    outcome = infusion(path, infusion_data(6, last, last=True))

    assert [(a.timepoint, a.due_at) for a in outcome.assessments] == [
        (point, last + timedelta(hours=OFFSETS[point]))
        for point in (
            Timepoint.END_OF_TREATMENT,
            Timepoint.WEEK_2,
            Timepoint.WEEK_4,
            Timepoint.WEEK_8,
            Timepoint.WEEK_12,
        )
    ]
    assert outcome.pathway.last_infusion_at == last


def test_later_and_repeated_infusions_schedule_no_assessment_again():
    path = infusion(pathway(), infusion_data(1, T0)).pathway
    ended = infusion(path, infusion_data(6, T0 + 12 * DAY, last=True)).pathway

    assert infusion(path, infusion_data(2, T0 + 2 * DAY)).assessments == []
    assert infusion(ended, infusion_data(6, T0 + 12 * DAY, last=True)).assessments == []
    maintenance = infusion_data(1, T0 + 40 * DAY, kind=SessionKind.MAINTENANCE)
    assert infusion(ended, maintenance).assessments == []


def test_course_completed_anchors_the_schedule_only_when_the_last_infusion_did_not():
    path = pathway(first_infusion_at=T0)
    anchored = infusion(path, infusion_data(6, T0 + 12 * DAY, last=True)).pathway

    fallback = domain.course_completed(path, course_completed_data(T0 + 13 * DAY), PROTOCOL)
    repeat = domain.course_completed(anchored, course_completed_data(T0 + 13 * DAY), PROTOCOL)

    assert fallback.assessments[0].due_at == T0 + 13 * DAY + timedelta(
        hours=OFFSETS[Timepoint.END_OF_TREATMENT]
    )
    assert repeat.assessments == []
    assert repeat.pathway.course_completed_at == T0 + 13 * DAY


def test_every_infusion_books_therapy_inside_the_protocol_window():
    outcome = infusion(pathway(), infusion_data(2, T0), offset=6)

    (scheduled,) = outcome.events
    window = PROTOCOL.therapy
    assert scheduled.earliest_at == T0 + timedelta(hours=window.earliest_hours_after_infusion)
    assert scheduled.latest_at == T0 + timedelta(hours=window.latest_hours_after_infusion)
    assert scheduled.scheduled_for == scheduled.earliest_at + 6 * HOUR
    assert scheduled.modality is window.default_modality
    assert scheduled.protocol == PROTOCOL.ref


def test_a_booking_offset_past_the_window_books_at_the_latest_allowed_time():
    outcome = infusion(pathway(), infusion_data(2, T0), offset=1000)

    assert outcome.therapy.scheduled_for == outcome.therapy.latest_at


def test_an_infusion_already_booked_is_not_booked_again():
    outcome = infusion(pathway(), infusion_data(2, T0), booked=True)

    assert (outcome.therapy, outcome.events) == (None, [])


def test_an_infusion_for_a_withdrawn_pathway_is_refused():
    path = domain.pathway_withdrawn(pathway(), T0)

    with pytest.raises(domain.PathwayRuleError, match="withdrawn"):
        infusion(path, infusion_data(2, T0))


def test_each_assessment_has_a_due_and_an_overdue_timer_with_deterministic_keys():
    (assessment,) = infusion(pathway(), infusion_data(1, T0)).assessments

    due, overdue = domain.assessment_timers(assessment)

    assert (due.kind, due.due_at) == (domain.TimerKind.ASSESSMENT_DUE, assessment.due_at)
    assert (overdue.kind, overdue.due_at) == (
        domain.TimerKind.ASSESSMENT_OVERDUE,
        assessment.overdue_at,
    )
    assert due.key.endswith(assessment.assessment_id) and due.key != overdue.key
    assert due.payload == {
        "assessment_id": assessment.assessment_id,
        "timepoint": "after_first_infusion",
    }


def test_a_due_assessment_is_asked_for():
    path = pathway()
    (assessment,) = infusion(path, infusion_data(1, T0)).assessments

    fired = domain.assessment_fell_due(path, assessment, PROTOCOL)

    (due,) = fired.events
    assert isinstance(due, AssessmentDue)
    assert (due.assessment_id, due.due_at) == (assessment.assessment_id, assessment.due_at)
    assert due.instruments == list(assessment.instruments)
    assert fired.assessment.status is domain.AssessmentStatus.DUE


def test_an_assessment_still_not_submitted_goes_overdue_once():
    path = pathway()
    (assessment,) = infusion(path, infusion_data(1, T0)).assessments
    due = domain.assessment_fell_due(path, assessment, PROTOCOL).assessment

    overdue = domain.assessment_went_overdue(path, due, PROTOCOL)
    again = domain.assessment_went_overdue(path, overdue.assessment, PROTOCOL)

    (event,) = overdue.events
    assert isinstance(event, AssessmentOverdue)
    assert event.overdue_at == assessment.overdue_at
    assert again.events == []


def test_timers_of_a_settled_assessment_or_a_closed_pathway_do_nothing():
    path = pathway()
    (assessment,) = infusion(path, infusion_data(1, T0)).assessments
    submitted = domain.Assessment(**{**assessment.__dict__, "status": "submitted"})
    withdrawn = domain.pathway_withdrawn(path, T0)

    assert domain.assessment_fell_due(path, submitted, PROTOCOL).events == []
    assert domain.assessment_fell_due(withdrawn, assessment, PROTOCOL).events == []


def test_the_pathway_closes_at_the_last_timepoint_of_the_schedule():
    assert domain.closing_timepoint(PROTOCOL) is Timepoint.WEEK_12


def test_withdrawal_closes_an_open_pathway_but_keeps_a_completed_outcome():
    completed = pathway(status=domain.PathwayStatus.COMPLETED, closed_at=T0)

    withdrawn = domain.pathway_withdrawn(pathway(), T0 + DAY)

    assert (withdrawn.status, withdrawn.closed_at) == (domain.PathwayStatus.WITHDRAWN, T0 + DAY)
    assert domain.pathway_withdrawn(completed, T0 + DAY) == completed


def booked(path) -> domain.TherapySession:
    return infusion(path, infusion_data(2, T0)).therapy


def test_attendance_is_recorded_once_and_repeated_reports_change_nothing():
    path = pathway()
    therapy = booked(path)

    attended = domain.attendance_recorded(
        therapy, path.patient_id, domain.TherapyStatus.ATTENDED, T0 + DAY
    )

    assert (attended.status, attended.status_at) == (domain.TherapyStatus.ATTENDED, T0 + DAY)
    assert (
        domain.attendance_recorded(attended, path.patient_id, domain.TherapyStatus.ATTENDED, T0)
        is None
    )


def test_a_session_reported_both_attended_and_missed_is_refused():
    path = pathway()
    attended = domain.attendance_recorded(
        booked(path), path.patient_id, domain.TherapyStatus.ATTENDED, T0 + DAY
    )

    with pytest.raises(domain.PathwayRuleError, match="already recorded as attended"):
        domain.attendance_recorded(attended, path.patient_id, domain.TherapyStatus.MISSED, T0)


def test_attendance_for_another_patients_session_is_refused():
    with pytest.raises(domain.PathwayRuleError, match="belongs to another patient"):
        domain.attendance_recorded(
            booked(pathway()), "p-someone-else", domain.TherapyStatus.MISSED, T0
        )


def test_ids_stay_deterministic_and_within_the_contract_rule_for_long_patient_ids():
    long_patient = "p" + "x" * 63
    ids = {domain.assessment_id_for(long_patient, Timepoint.WEEK_12) for _ in range(2)}

    (assessment_id,) = ids
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", assessment_id)
    assert assessment_id.endswith("week_12")
    assert assessment_id != domain.assessment_id_for("p" + "y" * 63, Timepoint.WEEK_12)
    assert domain.assessment_id_for("p-1", Timepoint.WEEK_2) == "asm-p-1-week_2"
