"""Tests of joining classes."""
