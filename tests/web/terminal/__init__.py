"""Tests of the browser terminal."""
