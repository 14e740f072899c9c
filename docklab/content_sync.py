"""Check the built-in content (quizzes, labs) when the app is set up or started."""
from __future__ import annotations


def sync_content() -> str:
    return "content: nothing to load yet"
