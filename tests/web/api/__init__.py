"""Tests of the API contract."""
