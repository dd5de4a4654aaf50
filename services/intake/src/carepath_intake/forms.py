"""The HTTP forms intake takes. Unlike events, the referral form carries personal details."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from carepath_contracts import (
    ExternalReferralId,
    HistoryFlag,
    Medication,
    Pcl5Items,
    ReferralSource,
    ResponderRole,
    ReviewDecision,
    ReviewReason,
    ScreeningSubmitted,
    Vitals,
    WithdrawalReason,
)
from carepath_contracts.values import HeightCm, WeightKg
from carepath_intake.store import PersonalDetails

TextField = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^\S(.*\S)?$",
        description="Text without leading or trailing spaces.",
    ),
]
"""Refused, not trimmed, when padded: the published schema says exactly what is accepted."""
Phone = Annotated[
    str,
    Field(
        pattern=r"^\+?[0-9][0-9 ()./-]{5,38}$",
        description="Digits, optionally starting with + and grouped by spaces, dots or dashes.",
        examples=["+1 555 010 4477"],
    ),
]
Email = Annotated[
    str,
    Field(
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        max_length=254,
        description="An e-mail address (name@domain.tld).",
        examples=["j.doe@example.org"],
    ),
]


class _Form(BaseModel):
    # A misspelt field must fail loudly: "weight" for "weight_kg" would otherwise read as
    # "no weight recorded" and screen the patient out.
    # Strict: a JSON type the published schema does not allow is refused, not converted
    # ("120" for a number, 0 for false); codes and dates come as JSON strings (`FromText`).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


FromText = Strict(False)
"""For codes and dates, which JSON can only carry as strings."""


class VitalsForm(Vitals):
    """The contracts' vital signs, strictly typed as the form's other fields."""

    model_config = ConfigDict(strict=True)


class ReferralForm(_Form):
    """A referral with the patient's personal details, which stay in intake's database."""

    external_referral_id: ExternalReferralId
    given_name: TextField
    family_name: TextField
    date_of_birth: Annotated[date, FromText]
    phone: Phone
    email: Email
    responder_role: Annotated[ResponderRole, FromText]
    agency: Annotated[TextField, Field(description="Employing agency.")]
    referral_source: Annotated[ReferralSource, FromText]

    def personal_details(self) -> PersonalDetails:
        return PersonalDetails(
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            phone=self.phone,
            email=self.email,
            agency=self.agency,
        )


class ScreeningForm(_Form):
    """The screening form: baseline PCL-5, vitals, body measures, history, consent, escort.

    Unlike the inbound event, the form requires vitals, weight and height: a screening is
    recorded once, and a field forgotten at the desk must not screen the patient out.
    """

    pcl5_items: Pcl5Items = Field(description="The 20 PCL-5 responses (0-4), item 1 first.")
    vitals: VitalsForm
    weight_kg: WeightKg
    height_cm: HeightCm
    history: list[Annotated[HistoryFlag, FromText]] = Field(default_factory=list)
    current_medications: list[Annotated[Medication, FromText]] = Field(default_factory=list)
    consent_given: bool
    escort_named: bool

    def submission(self, at: datetime) -> ScreeningSubmitted:
        """The form as the contracts' screening submission, the one shape the rules read."""
        return ScreeningSubmitted(**self.model_dump(), submitted_at=at)


class ReviewForm(_Form):
    """A clinician's decision on a screening that needs review (the reviewer is the caller)."""

    decision: Annotated[ReviewDecision, FromText]
    reason_code: Annotated[ReviewReason, FromText]


class WithdrawalForm(_Form):
    """The patient leaves the pathway."""

    reason_code: Annotated[WithdrawalReason, FromText]
