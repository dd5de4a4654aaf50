"""The chaos run: a seeded cohort undisturbed and again under faults, compared record by record."""
