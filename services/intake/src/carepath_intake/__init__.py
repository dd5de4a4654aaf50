"""Carepath intake: referrals, personal details and screening; the pathway's front door."""

from carepath_intake.app import create_app
from carepath_intake.settings import IntakeSettings

__all__ = ["IntakeSettings", "create_app"]
