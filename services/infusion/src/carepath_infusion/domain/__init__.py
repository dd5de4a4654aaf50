"""Infusion's pure rules: course planning, session gates, safety, discharge and rebooking."""
