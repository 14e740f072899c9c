"""Tests of labs, checks, the own-machine line."""
