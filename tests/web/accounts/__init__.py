"""Tests of log-in, sign-up, tokens, passwords."""
