"""Tests of the whole site: access rules, CLI, settings, workers."""
