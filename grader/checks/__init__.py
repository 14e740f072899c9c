"""The check kinds a lab file may name, by `kind`: importing a module registers its kinds."""
from __future__ import annotations

# imported to register their kinds
from . import container, engine, exec, image, logs, objects  # noqa: F401
from .base import ERROR, FAIL, PASS, REGISTRY, SKIP, Check, Outcome, Param

__all__ = ["REGISTRY", "Check", "Outcome", "Param", "PASS", "FAIL", "ERROR", "SKIP"]
