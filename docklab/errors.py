"""Error pages: JSON under /api/, a friendly bilingual page elsewhere."""
from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return jsonify(error="csrf", message=error.description), 400
        return render_template("errors/error.html", code=400, reason=error.description), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if wants_json():
            return jsonify(error=error.name.lower().replace(" ", "_"),
                           message=error.description), error.code
        return render_template("errors/error.html", code=error.code, reason=error.name), error.code
