"""Made-up personal details for simulated referrals (they must never reach the bus)."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from carepath_contracts import ReferralSource, ResponderRole

GIVEN = ["Alex", "Sam", "Jordan", "Robin", "Casey", "Morgan", "Riley", "Jamie", "Taylor", "Avery"]
FAMILY = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Novak", "Reyes"]
AGENCIES = ["Metro Fire Rescue", "County EMS", "City Police", "Regional 911 Dispatch"]


@dataclass(frozen=True)
class Referral:
    external_referral_id: str
    given_name: str
    family_name: str
    date_of_birth: date
    phone: str
    email: str
    responder_role: ResponderRole
    agency: str
    referral_source: ReferralSource

    def form(self) -> dict[str, str]:
        return {
            "external_referral_id": self.external_referral_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "phone": self.phone,
            "email": self.email,
            "responder_role": self.responder_role.value,
            "agency": self.agency,
            "referral_source": self.referral_source.value,
        }


def make_referral(rng: random.Random, number: int, run: str, today: date) -> Referral:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    age_days = rng.randint(25 * 365, 55 * 365)
    return Referral(
        external_referral_id=f"sim-{run}-{number:05d}",
        given_name=given,
        family_name=f"{family}-{number}",
        date_of_birth=today - timedelta(days=age_days),
        phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        email=f"{given.lower()}.{family.lower()}{number}@example.org",
        responder_role=rng.choice(list(ResponderRole)),
        agency=rng.choice(AGENCIES),
        referral_source=rng.choice(list(ReferralSource)),
    )
