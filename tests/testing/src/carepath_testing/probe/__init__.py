"""A minimal service used to test the runtime: it counts what it handles and emits a reply."""
