"""The OpenAPI description of this API (docklab/api/openapi.json), served as is, without a token."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Response

from . import bp

SPEC_FILE = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def _document() -> bytes:
    return SPEC_FILE.read_bytes()


@bp.get("/openapi.json")
def openapi():
    return Response(_document(), mimetype="application/json")
