"""What only staff do: warn about the shared local engine, give a learner a new password, and
(admins) make accounts instructors or students. Classes themselves live in docklab.classes."""
from __future__ import annotations

from sqlalchemy import func, select

from .. import settings
from ..classes.models import ClassMembership, Classroom
from ..extensions import db
from ..models import Role, User
from ..sandboxes import services as sandboxes


# --- the shared local engine ----------------------------------------------------------------------
def shared_local_engine() -> int:
    """How many student accounts the server's own engine grades when that is on and there are
    no sandboxes (every one of them is checked against the same containers, so one learner's
    work passes for all); 0 when the local engine is off, sandboxes run, or at most one student
    exists (nothing to warn about)."""
    # With sandboxes running, learners are graded on their own engines (as the lab page says).
    if not settings.current().local_engine or sandboxes.unavailable() is None:
        return 0
    students = db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.STUDENT.value)) or 0
    return students if students > 1 else 0


# --- passwords ---------------------------------------------------------------------------------
def may_set_password(actor, target: User) -> bool:
    """Who may give `target` a new password without knowing the old one: an admin for anyone;
    an instructor for a student in one of the classes they teach; nobody else (not even for
    themselves: that is the account page, which asks for the current password)."""
    if not actor.is_authenticated or actor.id == target.id:
        return False
    if actor.is_admin:
        return True
    if actor.role != Role.INSTRUCTOR or target.role != Role.STUDENT:
        return False
    return db.session.scalar(
        select(ClassMembership.id).join(Classroom, Classroom.id == ClassMembership.class_id)
        .where(ClassMembership.user_id == target.id, Classroom.instructor_id == actor.id)
        .limit(1)) is not None


def set_password(target: User, password: str) -> None:
    """A new password; every session of `target` ends (set_password bumps the epoch). API
    tokens stay: they were the learner's own, and the account page revokes them."""
    target.set_password(password)
    db.session.commit()


# --- admin -------------------------------------------------------------------------------------
MANAGED_ROLES = (Role.STUDENT.value, Role.INSTRUCTOR.value)


def set_role(user: User, role: str) -> bool:
    """An admin turns a student into an instructor or back. Admin accounts are not changed here
    (the CLI manages them), so an admin cannot lock everyone out by accident."""
    if role not in MANAGED_ROLES or user.role not in MANAGED_ROLES:
        return False
    user.role = role
    db.session.commit()
    return True
