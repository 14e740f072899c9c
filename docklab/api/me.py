from flask import g, jsonify

from . import bp
from .auth import token_required


@bp.get("/me")
@token_required()
def me():
    return jsonify(username=g.api_user.username, role=g.api_user.role)
