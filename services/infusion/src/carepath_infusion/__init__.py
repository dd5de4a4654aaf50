"""Carepath infusion service: course planning, session safety and completion."""

from carepath_infusion.app import create_app
from carepath_infusion.settings import InfusionSettings

__all__ = ["InfusionSettings", "create_app"]
