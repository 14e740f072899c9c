"""Tests of the instructor's pages."""
