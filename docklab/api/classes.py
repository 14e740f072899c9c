"""Classes over the JSON API: instructors create, students join, staff read the progress."""
from flask import g, jsonify, request

from ..classes import catalog, services
from ..classes.board import board_json, build_board
from . import bp
from .auth import error, token_required
from .labs import MAX_ID

MAX_NAME = 120


def _json_body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.get("/classes")
@token_required()
def list_classes():
    """Instructors: the classes they teach (admins: all). Students: the classes they are in."""
    user = g.api_user
    if user.is_instructor:
        classes = services.classes_taught_by(user)
        return jsonify(classes=[{"id": c.id, "name": c.name, "join_code": c.join_code,
                                 "students": len(c.memberships)} for c in classes])
    return jsonify(classes=[{"id": c.id, "name": c.name}
                            for c in services.classes_of_student(user.id)])


@bp.post("/classes")
@token_required("instructor", "admin")
def create_class():
    body = _json_body()
    name = body.get("name") if body else None
    if not isinstance(name, str) or not name.strip():
        return error(400, "bad_request", 'Send {"name": "..."} with a non-empty class name.')
    if len(name.strip()) > MAX_NAME:
        return error(400, "bad_request", f"The class name is longer than {MAX_NAME} characters.")
    classroom = services.create_class(
        g.api_user, name, labs=[info.item.ref for info in catalog.labs()],
        sections=[info.item.ref for info in catalog.sections()])
    return jsonify(id=classroom.id, join_code=classroom.join_code, name=classroom.name), 201


@bp.post("/classes/join")
@token_required("student")
def join_class():
    body = _json_body()
    code = body.get("code") if body else None
    if not isinstance(code, str) or not code.strip():
        return error(400, "bad_request", 'Send {"code": "..."} with the join code.')
    joining = services.join_with_code(g.api_user, code)
    if joining.limited:
        return error(429, "too_many_requests", "Too many wrong codes. Try again later.")
    if joining.classroom is None:
        return error(404, "not_found", "No class has this join code.")
    return jsonify(id=joining.classroom.id, name=joining.classroom.name,
                   joined=joining.joined), 200


@bp.get("/classes/<int:class_id>/progress")
@token_required("instructor", "admin")
def class_progress(class_id: int):
    classroom = services.class_for_staff(class_id, g.api_user) if class_id <= MAX_ID else None
    if classroom is None:
        return error(404, "not_found", "No such class.")
    args = request.args
    board = build_board(classroom, query=args.get("q", ""), item_key=args.get("item", ""),
                        state=args.get("state", ""), sort=args.get("sort", "name"),
                        direction=args.get("dir", "asc"))
    return jsonify(board_json(board))
