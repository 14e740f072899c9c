from flask import g, jsonify

from . import bp
from .auth import token_required
from .contract import contract, ok
from .models import Me


@bp.get("/me")
@token_required()
@contract("me", "The token's user", responses={200: ok("The user.", Me)})
def me():
    return jsonify(username=g.api_user.username, role=g.api_user.role)
