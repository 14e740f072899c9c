"""The OpenAPI description of this API, built from the endpoints' declarations and models
(contract.py) the first time it is asked for, then kept for the app; served without a token."""
from __future__ import annotations

import json

from flask import Flask, Response, current_app

from . import bp
from .contract import build_document, contract, ok

DOCUMENT_KEY = "docklab.api.openapi"


def document(app: Flask) -> str:
    """The document as JSON text, built once per app."""
    text = app.extensions.get(DOCUMENT_KEY)
    if text is None:
        text = json.dumps(build_document(app), ensure_ascii=False, indent=1) + "\n"
        app.extensions[DOCUMENT_KEY] = text
    return text


@bp.get("/openapi.json")
@contract("meta", "This OpenAPI description", public=True,
          responses={200: ok("The OpenAPI document.", {"type": "object"})})
def openapi():
    return Response(document(current_app), mimetype="application/json")


@bp.cli.command("openapi")
def print_openapi() -> None:
    """Print the OpenAPI document (the one served at /api/v1/openapi.json)."""
    print(document(current_app), end="")
