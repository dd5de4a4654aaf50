"""Test support shared by all packages: real Kafka and PostgreSQL fixtures, test helpers."""
