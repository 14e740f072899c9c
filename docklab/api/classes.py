"""Classes over the JSON API: instructors create, students join, staff read the progress."""
from flask import g, jsonify, request

from ..classes import catalog, services
from ..classes.board import board_json, build_board
from ..errors import ApiError, not_found
from . import bp
from .auth import token_required
from .contract import contract, ok, refused
from .labs import MAX_ID
from .models import Board, BoardQuery, ClassCreated, ClassList, ClassRequest, Joined, JoinRequest


@bp.get("/classes")
@token_required()
@contract("classes", "Classes you teach (instructors; admins: all) or are in (students)",
          responses={200: ok("Classes.", ClassList)})
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
@contract("classes", "Create a class (instructors and admins)", body=ClassRequest,
          example={"name": "Docker 1"}, responses={201: ok("Created.", ClassCreated)})
def create_class(body: ClassRequest):
    classroom = services.create_class(
        g.api_user, body.name, labs=[info.item.ref for info in catalog.labs()],
        sections=[info.item.ref for info in catalog.sections()])
    return jsonify(id=classroom.id, join_code=classroom.join_code, name=classroom.name), 201


@bp.post("/classes/join")
@token_required("student")
@contract("classes", "Join a class with its code (students)", body=JoinRequest,
          example={"code": "K7Q2-9XMD"}, responses={
              200: ok("Joined (or already a member).", Joined),
              404: refused("No class has this code (error: not_found)."),
              429: refused("Too many wrong codes (error: rate_limited).")})
def join_class(body: JoinRequest):
    joining = services.join_with_code(g.api_user, body.code)
    if joining.limited:
        raise ApiError(429, "rate_limited", "join_limited")
    if joining.classroom is None:
        raise not_found("no_class_with_code")
    return jsonify(id=joining.classroom.id, name=joining.classroom.name,
                   joined=joining.joined), 200


@bp.get("/classes/<int:class_id>/progress")
@token_required("instructor", "admin")
@contract("classes", "A class's progress board (its instructor and admins)", query=BoardQuery,
          responses={200: ok("The board.", Board),
                     404: refused("No such class, or not yours.")})
def class_progress(class_id: int):
    classroom = services.class_for_staff(class_id, g.api_user) if class_id <= MAX_ID else None
    if classroom is None:
        raise not_found("no_class")
    args = request.args
    board = build_board(classroom, query=args.get("q", ""), item_key=args.get("item", ""),
                        state=args.get("state", ""), sort=args.get("sort", "name"),
                        direction=args.get("dir", "asc"))
    return jsonify(board_json(board))
