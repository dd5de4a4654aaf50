"""Cross-service tests: end-to-end pathways and the compose smoke test."""
