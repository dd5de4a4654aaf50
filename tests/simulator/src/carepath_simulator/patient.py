"""One simulated patient: how the outside world around them reacts to Carepath's events.

`react` is pure: given an event it returns the actions the clinic, the patient's app, the
therapy scheduler or a clinician will take, and when. The simulation carries them out.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from carepath_contracts import (
    AssessmentSubmitted,
    EventData,
    HistoryFlag,
    Instrument,
    PatientDischarged,
    PregnancyTest,
    ReviewOutcomeSubmitted,
    ReviewTrigger,
    SessionCheckedIn,
    SessionEnded,
    SessionKind,
    TherapySessionAttended,
    TreatmentProtocol,
    Vitals,
    VitalsRecorded,
)
from carepath_simulator.people import Referral
from carepath_simulator.scenarios import Outcome, Script, pcl5_items

CLINIC = "clinic/monitor"
PATIENT_APP = "patient-app/mobile"
THERAPY_SCHEDULER = "therapy-scheduler/main"

NORMAL = Vitals(systolic_mmhg=122, diastolic_mmhg=78, heart_rate_bpm=72, spo2_percent=98)
HIGH_BLOOD_PRESSURE = Vitals(
    systolic_mmhg=162, diastolic_mmhg=98, heart_rate_bpm=84, spo2_percent=98
)
DANGEROUS_SYSTOLIC = 186
EXTRA_DOSE_MG = 8.0  # a dose-deviation scenario's infusion: this much above the plan
SUBMIT_AFTER_DUE = timedelta(hours=2)
WITHDRAW_AFTER_SESSION = timedelta(days=1)
REVIEW_AFTER = timedelta(hours=4)
# Inside the tightest respond-by (immediate: 1 h), so a simulated review is never overdue.
ANSWER_AFTER = timedelta(minutes=30)
CLINICIAN_ID = "clin-sim-01"


def screening_form(pcl5_total: int, history: Iterable[HistoryFlag] = ()) -> dict[str, Any]:
    """Intake's screening form: a PCL-5 adding up to `pcl5_total`, normal vitals, `history`."""
    return {
        "pcl5_items": pcl5_items(pcl5_total),
        "vitals": NORMAL.model_dump(),
        "weight_kg": 82.0,
        "height_cm": 178.0,
        "history": [flag.value for flag in history],
        "current_medications": [],
        "consent_given": True,
        "escort_named": True,
    }


@dataclass(frozen=True)
class Action:
    """Something the outside world does at a moment of clinical time."""

    at: datetime
    kind: str  # "inbound", "approve", "answer" (a review outcome) or "withdraw"
    source: str = ""
    service: str = ""
    data: tuple[EventData, ...] = ()
    session_id: str = ""
    traceparent: str = ""
    """The trace it continues: that of the event it answers."""


@dataclass
class SimulatedPatient:
    number: int
    script: Script
    referral: Referral
    patient_id: str = ""
    pathway_id: str = ""
    outcome: Outcome | None = None
    seen: Counter[str] = field(default_factory=Counter)
    decisions: list[str] = field(default_factory=list)
    doses: dict[str, float] = field(default_factory=dict)
    schedules: Counter[int] = field(default_factory=Counter)
    withdrawn: bool = False
    cancelled_sessions: set[str] = field(default_factory=set)
    traceparent: str = ""
    """The referral portal's trace context: the trace of this patient's pathway."""
    mishaps: set[str] = field(default_factory=set)

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def screening_form(self) -> dict[str, Any]:
        return screening_form(self.script.baseline_pcl5, self.script.history)

    def react(self, event: Any, protocol: TreatmentProtocol) -> list[Action]:
        """Record what Carepath said and return what the outside world does about it."""
        name = event.type.split(".")[2]
        self.seen[name] += 1
        handler = getattr(self, "_on_" + name.replace("-", "_"), None)
        actions = handler(event.data, protocol) if handler else []
        trace = event.traceparent or self.traceparent
        return [replace(action, traceparent=trace) for action in actions]

    def _finish(self, outcome: Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome

    def _on_patient_screened(self, data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        if data.outcome == "needs_review" and not data.final:
            return [Action(data.screened_at + REVIEW_AFTER, "approve")]
        if data.final and data.outcome == "ineligible":
            self.decisions.append("screened ineligible")
            self._finish(Outcome.SCREENED_INELIGIBLE)
        return []

    def _on_session_scheduled(self, data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        self.doses[data.session_id] = data.dose_mg
        self.schedules[data.session_number] += 1
        first_time = self.schedules[data.session_number] == 1
        induction = data.kind == SessionKind.INDUCTION
        if self.withdrawn or self.finished:
            return []
        if induction and first_time and self.script.no_show_for_session == data.session_number:
            return []
        vitals = NORMAL
        if (
            induction
            and first_time
            and (self.script.high_blood_pressure_at_check_in_of == data.session_number)
        ):
            vitals = HIGH_BLOOD_PRESSURE
        check_in = SessionCheckedIn(
            session_id=data.session_id,
            checked_in_at=data.scheduled_for,
            vitals=vitals,
            pregnancy_test=PregnancyTest.NOT_APPLICABLE,
            escort_present=True,
        )
        return [
            Action(data.scheduled_for, "inbound", CLINIC, "infusion", (check_in,), data.session_id)
        ]

    def _on_session_cancelled(self, data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        # The clinic drops a cancelled session from its list: nobody checks the patient in.
        self.cancelled_sessions.add(data.session_id)
        return []

    def still_wanted(self, action: Action) -> bool:
        return action.session_id not in self.cancelled_sessions

    def _on_session_cleared(self, data: Any, protocol: TreatmentProtocol) -> list[Action]:
        start = data.cleared_at
        every = timedelta(minutes=protocol.infusion_safety.vitals_interval_minutes)
        duration = timedelta(minutes=protocol.dosing.infusion_minutes)
        dangerous = self.script.dangerous_reading_in_session == data.session_number
        silent = self.script.monitor_silent_in_session == data.session_number and self._once(
            "monitor silent"
        )
        readings = 1 if silent else int(duration / every)  # the monitor stops after one
        actions = []
        for reading in range(readings):
            at = start + every * reading
            systolic = DANGEROUS_SYSTOLIC if dangerous and reading == 2 else NORMAL.systolic_mmhg
            vitals = VitalsRecorded(
                session_id=data.session_id,
                measured_at=at,
                systolic_mmhg=systolic,
                diastolic_mmhg=NORMAL.diastolic_mmhg,
                heart_rate_bpm=NORMAL.heart_rate_bpm,
                spo2_percent=NORMAL.spo2_percent,
            )
            actions.append(Action(at, "inbound", CLINIC, "infusion", (vitals,)))
        ended_at = start + duration
        ended = SessionEnded(
            session_id=data.session_id,
            ended_at=ended_at,
            dose_given_mg=round(self.doses[data.session_id] + self._extra_dose(data), 1),
            duration_minutes=protocol.dosing.infusion_minutes,
            peak_dissociation_cadss=18,
            serious_adverse_event=self._harmed_in(data.session_number),
        )
        discharged_at = ended_at + timedelta(
            minutes=protocol.discharge.min_observation_minutes + 10
        )
        discharged = PatientDischarged(
            session_id=data.session_id,
            discharged_at=discharged_at,
            vitals=NORMAL,
            dissociation_resolved=True,
            escort_present=True,
            no_driving_instruction_given=True,
        )
        return [
            *actions,
            Action(ended_at, "inbound", CLINIC, "infusion", (ended,)),
            Action(discharged_at, "inbound", CLINIC, "infusion", (discharged,)),
        ]

    def _once(self, what: str) -> bool:
        """True the first time only (a scripted mishap is not repeated on a rebooking)."""
        if what in self.mishaps:
            return False
        self.mishaps.add(what)
        return True

    def _extra_dose(self, data: Any) -> float:
        above = self.script.dose_above_plan_in_session == data.session_number
        return EXTRA_DOSE_MG if above and self._once("dose above plan") else 0.0

    def _harmed_in(self, session_number: int) -> bool:
        harmed = self.script.serious_adverse_event_in_session == session_number
        if harmed and "serious adverse event" not in self.decisions:
            self.decisions.append("serious adverse event")
            return True
        return False

    def _on_session_completed(self, data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        if self.script.withdraw_after_session == data.session_number and not self.withdrawn:
            self.withdrawn = True
            return [Action(data.completed_at + WITHDRAW_AFTER_SESSION, "withdraw")]
        return []

    def _on_therapy_session_scheduled(self, data: Any, _p: TreatmentProtocol) -> list[Action]:
        if self.finished or self.withdrawn:
            return []
        attended = TherapySessionAttended(
            therapy_session_id=data.therapy_session_id, attended_at=data.scheduled_for
        )
        return [Action(data.scheduled_for, "inbound", THERAPY_SCHEDULER, "followup", (attended,))]

    def _on_assessment_due(self, data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        if self.finished or self.withdrawn or data.timepoint in self.script.silent_at:
            return []
        total = self.script.trajectory.get(data.timepoint, self.script.baseline_pcl5)
        at = data.due_at + SUBMIT_AFTER_DUE
        submitted = AssessmentSubmitted(
            assessment_id=data.assessment_id,
            instrument=Instrument.PCL5,
            items=pcl5_items(total),
            submitted_at=at,
        )
        return [Action(at, "inbound", PATIENT_APP, "followup", (submitted,))]

    def _on_review_opened(self, data: Any, _p: TreatmentProtocol) -> list[Action]:
        """The clinician answers every review well before its respond-by time (one opened as
        the pathway ends too: a clinical question outlives the pathway)."""
        self.decisions.append(f"clinical review ({data.urgency}, {data.reason_code})")
        outcome, interval = self.script.answer(ReviewTrigger(data.reason_code))
        at = data.opened_at + ANSWER_AFTER
        answer = ReviewOutcomeSubmitted(
            review_id=data.review_id,
            outcome=outcome,
            maintenance_interval_days=interval,
            decided_by=CLINICIAN_ID,
            decided_at=at,
        )
        return [Action(at, "answer", "clinic/review", "followup", (answer,))]

    def _on_review_outcome_recorded(self, data: Any, _p: TreatmentProtocol) -> list[Action]:
        self.decisions.append(f"review answered: {data.outcome}")
        return []

    def _on_maintenance_recommended(self, data: Any, _p: TreatmentProtocol) -> list[Action]:
        self.decisions.append(f"maintenance every {data.interval_days} days")
        return []

    def _on_pathway_completed(self, data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        self.decisions.append(f"pathway completed ({data.outcome})")
        self._finish(Outcome.PATHWAY_COMPLETED)
        return []

    def _on_patient_withdrawn(self, _data: Any, _protocol: TreatmentProtocol) -> list[Action]:
        self.decisions.append("withdrawn")
        self._finish(Outcome.WITHDRAWN)
        return []
