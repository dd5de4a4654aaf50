"""Why intake refuses a request: the patient's record or state does not allow it."""


class IntakeRefusal(Exception):
    """A request the intake record cannot accept; retrying the same request cannot help."""


class UnknownPatientError(IntakeRefusal):
    """No referral is on record for the patient id."""

    def __init__(self, patient_id: str) -> None:
        super().__init__(f"no referral is on record for patient {patient_id}")
        self.patient_id = patient_id


class ConflictingRecordError(IntakeRefusal):
    """The request contradicts what is already on record (a repeat would be accepted)."""


class NotAllowedNowError(IntakeRefusal):
    """The patient's current status forbids the request."""


class MissingDateOfBirthError(IntakeRefusal):
    """Screening needs the patient's age, and no date of birth is on record yet."""

    def __init__(self, patient_id: str) -> None:
        super().__init__(
            f"patient {patient_id} has no date of birth on record, so their age cannot be "
            "checked: send the personal details (POST /v1/referrals with the same external "
            "referral id) before the screening form"
        )


class ImplausibleMeasurementsError(IntakeRefusal):
    """Body measures that cannot both be right."""
