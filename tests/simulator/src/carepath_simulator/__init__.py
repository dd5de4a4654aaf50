"""Carepath simulator."""
