"""Examples of follow-up's inbound facts and published events."""

from carepath_contracts import followup as fu
from carepath_contracts.codes import Instrument, TherapyModality, Timepoint
from carepath_contracts.examples.patient import (
    IESR_ITEMS,
    PROTOCOL,
    SESSION_ID,
    WEEK_4_ITEMS,
    WEEK_4_PCL5,
    Example,
    at,
)
from carepath_contracts.instruments import score_iesr
from carepath_contracts.protocol import default_protocol

WEEK_2_EVIDENCE = fu.ScoreEvidence(
    assessment_id="assess-9d41f0e3-week_2",
    timepoint=Timepoint.WEEK_2,
    instrument=Instrument.PCL5,
    total=26,
    submitted_at=at(30),
)
WEEK_4_EVIDENCE = fu.ScoreEvidence(
    assessment_id="assess-9d41f0e3-week_4",
    timepoint=Timepoint.WEEK_4,
    instrument=Instrument.PCL5,
    total=24,
    submitted_at=at(44),
)
WORSENING_EVIDENCE = WEEK_2_EVIDENCE.model_copy(update={"total": 63})

FOLLOWUP_EXAMPLES: tuple[Example, ...] = (
    Example(
        at(44),
        fu.AssessmentSubmitted(
            assessment_id="assess-9d41f0e3-week_4",
            instrument=Instrument.PCL5,
            items=WEEK_4_ITEMS,
            submitted_at=at(44),
        ),
    ),
    Example(
        at(2),
        fu.TherapySessionAttended(therapy_session_id="therapy-9d41f0e3-01", attended_at=at(2)),
    ),
    Example(
        at(4), fu.TherapySessionMissed(therapy_session_id="therapy-9d41f0e3-02", missed_at=at(4))
    ),
    Example(
        at(0, 41),
        fu.TherapySessionScheduled(
            therapy_session_id="therapy-9d41f0e3-01",
            after_infusion_session_id=SESSION_ID,
            modality=TherapyModality.PROLONGED_EXPOSURE,
            earliest_at=at(1, 40),
            latest_at=at(3, 40),
            scheduled_for=at(2),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(40),
        fu.AssessmentDue(
            assessment_id="assess-9d41f0e3-week_4",
            timepoint=Timepoint.WEEK_4,
            instruments=[Instrument.PCL5],
            due_at=at(40),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(42),
        fu.AssessmentOverdue(
            assessment_id="assess-9d41f0e3-week_4",
            timepoint=Timepoint.WEEK_4,
            due_at=at(40),
            overdue_at=at(42),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(44),
        fu.AssessmentScored(
            assessment_id="assess-9d41f0e3-week_4",
            timepoint=Timepoint.WEEK_4,
            instrument=Instrument.PCL5,
            score=WEEK_4_PCL5,
            change_from_baseline=-28,
            change_from_previous=-2,
            response=True,
            remission=True,
            submitted_at=at(44),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(44, 1),
        fu.MaintenanceRecommended(
            interval_days=28,
            reason_code=fu.MaintenanceReason.PLATEAU,
            evidence=[WEEK_2_EVIDENCE, WEEK_4_EVIDENCE],
            recommended_at=at(44, 1),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(30, 1),
        fu.ClinicalReviewRequired(
            reason_code=fu.ReviewTrigger.WORSENING,
            urgency=fu.Urgency.URGENT,
            evidence=[WORSENING_EVIDENCE],
            required_at=at(30, 1),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(100),
        fu.PathwayCompleted(
            outcome=fu.PathwayOutcome.REMISSION,
            final_score=WEEK_4_PCL5,
            baseline_total=52,
            change_from_baseline=-28,
            completed_at=at(100),
            protocol=PROTOCOL,
        ),
    ),
)

# IES-R is scored by the same event type; this second example keeps its shape documented.
IESR_SCORED_EXAMPLE = fu.AssessmentScored(
    instrument=Instrument.IESR,
    score=score_iesr(IESR_ITEMS, default_protocol()),
    submitted_at=at(45),
    protocol=PROTOCOL,
)
