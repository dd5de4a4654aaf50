"""Marks the intake folder as a package so its tests import as `intake.tests.*`, not `tests.*`."""
