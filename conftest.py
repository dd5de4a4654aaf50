"""Root conftest: loads the shared real-infrastructure fixtures for every test folder."""

pytest_plugins = ["carepath_testing.plugin"]
