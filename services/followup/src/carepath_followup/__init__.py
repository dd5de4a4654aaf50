"""Carepath follow-up: therapy integration, assessments, and maintenance decisions."""

from carepath_followup.app import create_app
from carepath_followup.settings import FollowupSettings

__all__ = ["FollowupSettings", "create_app"]
