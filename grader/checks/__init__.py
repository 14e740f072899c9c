"""The check kinds a lab file may name, by `kind`: importing a module registers its kinds."""
from __future__ import annotations

from . import container, engine, exec, image  # noqa: F401 - imported to register their kinds
from .base import ERROR, FAIL, PASS, REGISTRY, SKIP, Check, Outcome, Param

__all__ = ["REGISTRY", "Check", "Outcome", "Param", "PASS", "FAIL", "ERROR", "SKIP"]
