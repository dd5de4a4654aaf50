"""Value types shared by every event: ids, UTC timestamps, vital signs, item scores."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

IDENTIFIER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


CodeT = TypeVar("CodeT", bound=StrEnum)


def _identifier(what: str) -> FieldInfo:
    return Field(pattern=IDENTIFIER_PATTERN, max_length=64, description=what)


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _sorted_unique(codes: list[CodeT]) -> list[CodeT]:
    return sorted(set(codes))


UNIQUE_CODES = AfterValidator(_sorted_unique)
"""Makes a list of codes a set: duplicates dropped, sorted, so equal facts serialize alike."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
"""A timezone-aware instant, normalised to UTC; naive datetimes are rejected."""

PatientId = Annotated[str, _identifier("Pseudonymous patient id (also the CloudEvent subject).")]
PathwayId = Annotated[str, _identifier("Care pathway id (the CloudEvent correlationid).")]
SessionId = Annotated[str, _identifier("Infusion session id.")]
CourseId = Annotated[str, _identifier("Infusion course id.")]
AssessmentId = Annotated[str, _identifier("Scheduled assessment id.")]
TherapySessionId = Annotated[str, _identifier("Psychotherapy session id.")]
ClinicianId = Annotated[str, _identifier("Pseudonymous clinician id.")]
ReviewId = Annotated[str, _identifier("Clinical review id.")]
ExternalReferralId = Annotated[str, _identifier("Id of the referral in the referring system.")]
EventId = Annotated[
    str, Field(pattern=UUID_PATTERN, max_length=36, description="CloudEvent id, a UUID.")
]

ItemScore = Annotated[int, Field(ge=0, le=4)]
"""One questionnaire item response (PCL-5 and IES-R items are both rated 0-4)."""

SystolicMmhg = Annotated[int, Field(ge=40, le=300)]
DiastolicMmhg = Annotated[int, Field(ge=20, le=200)]
HeartRateBpm = Annotated[int, Field(ge=20, le=300)]
Spo2Percent = Annotated[int, Field(ge=50, le=100)]
RespiratoryRatePerMin = Annotated[int, Field(ge=4, le=80)]
WeightKg = Annotated[float, Field(ge=30, le=400)]
HeightCm = Annotated[float, Field(ge=100, le=250)]
Bmi = Annotated[float, Field(ge=5, le=150)]
DoseMg = Annotated[float, Field(ge=0, le=300)]
RateMgPerMin = Annotated[float, Field(ge=0, le=20)]
DurationMinutes = Annotated[int, Field(ge=0, le=600)]
CadssTotal = Annotated[int, Field(ge=0, le=92)]
SessionNumber = Annotated[int, Field(ge=1, le=100)]


class ValueModel(BaseModel):
    """Base of nested value objects: immutable, tolerant of unknown fields."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Vitals(ValueModel):
    """A set of vital signs measured together."""

    systolic_mmhg: SystolicMmhg
    diastolic_mmhg: DiastolicMmhg
    heart_rate_bpm: HeartRateBpm
    spo2_percent: Spo2Percent
    respiratory_rate_per_min: RespiratoryRatePerMin | None = None
