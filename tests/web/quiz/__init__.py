"""Tests of quizzes, review, notes."""
