"""Areas announce their entry points here; the layout renders the menu and home tiles from it,
so adding an area never means editing base.html."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy gettext string
    blurb: object
    visible: Callable[[object], bool] = lambda user: True
    order: int = 50


_ENTRIES: list[NavEntry] = []


def add(entry: NavEntry) -> None:
    if all(existing.endpoint != entry.endpoint for existing in _ENTRIES):
        _ENTRIES.append(entry)
        _ENTRIES.sort(key=lambda item: item.order)


def register(app: Flask) -> None:
    def visible_entries():
        return [entry for entry in _ENTRIES if entry.endpoint in app.view_functions
                and entry.visible(current_user)]

    @app.context_processor
    def navigation():
        return {
            "nav_links": lambda: [(e.endpoint, e.label) for e in visible_entries()],
            "home_tiles": lambda: [(e.endpoint, e.label, e.blurb) for e in visible_entries()],
        }
