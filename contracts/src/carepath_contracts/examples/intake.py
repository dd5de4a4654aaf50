"""Examples of intake's inbound facts and published events."""

from carepath_contracts import intake as ik
from carepath_contracts.codes import HistoryFlag, Medication
from carepath_contracts.examples.patient import (
    BASELINE_PCL5,
    PROTOCOL,
    SCREENING_ITEMS,
    VITALS,
    Example,
    at,
)

INTAKE_EXAMPLES: tuple[Example, ...] = (
    Example(
        at(-5),
        ik.ReferralReceived(
            external_referral_id="ref-20250227-0042",
            responder_role=ik.ResponderRole.PARAMEDIC_EMT,
            referral_source=ik.ReferralSource.OCCUPATIONAL_HEALTH,
            received_at=at(-5),
        ),
    ),
    Example(
        at(-4),
        ik.ScreeningSubmitted(
            pcl5_items=SCREENING_ITEMS,
            vitals=VITALS,
            weight_kg=82.5,
            height_cm=178,
            history=[HistoryFlag.HYPERTENSION_CONTROLLED],
            current_medications=[Medication.SSRI],
            consent_given=True,
            escort_named=True,
            submitted_at=at(-4),
        ),
    ),
    Example(
        at(-3),
        ik.ReviewDecided(
            decision=ik.ReviewDecision.APPROVED,
            reason_code=ik.ReviewReason.CAUTION_MANAGED,
            clinician_id="clin-04",
            decided_at=at(-3),
        ),
    ),
    Example(
        at(10),
        ik.ConsentWithdrawn(withdrawn_at=at(10), reason_code=ik.WithdrawalReason.CONSENT_WITHDRAWN),
    ),
    Example(
        at(-5, 5),
        ik.ReferralAccepted(
            responder_role=ik.ResponderRole.PARAMEDIC_EMT,
            referral_source=ik.ReferralSource.OCCUPATIONAL_HEALTH,
            accepted_at=at(-5, 5),
        ),
    ),
    Example(
        at(-3),
        ik.PatientScreened(
            outcome=ik.ScreeningOutcome.ELIGIBLE,
            reason_codes=[ik.ScreeningReason.HYPERTENSION_CONTROLLED],
            baseline_pcl5=BASELINE_PCL5,
            dosing_weight_kg=82.5,
            dosing_weight_basis=ik.DosingWeightBasis.ACTUAL,
            bmi=26.0,
            final=True,
            reviewed_by="clin-04",
            protocol=PROTOCOL,
            screened_at=at(-3),
        ),
    ),
    Example(
        at(10, 1),
        ik.PatientWithdrawn(reason_code=ik.WithdrawalReason.CONSENT_WITHDRAWN, withdrawn_at=at(10)),
    ),
    Example(
        at(-3),
        ik.SafetyConcernRaised(
            concern=ik.SafetyConcern.HIGH_SUICIDE_RISK,
            action=ik.UrgentAction.ROUTE_TO_URGENT_CARE,
            raised_at=at(-3),
            protocol=PROTOCOL,
        ),
    ),
)
