"""Helpers for tests/test_conformance_clients.py (clients that need their own venv)."""
