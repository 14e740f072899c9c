"""Tests of learners' hosts, the address policy, outbound calls."""
