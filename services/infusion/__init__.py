"""Marks the infusion folder as a package so its tests import as `infusion.tests.*`."""
