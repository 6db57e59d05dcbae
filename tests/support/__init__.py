"""Test helpers shared by the suites: pytest plugins registered from tests/conftest.py."""
