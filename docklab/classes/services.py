"""Classes as the views and the API use them: create, join, assign, hosts policy, access.

Other areas call:
- `join_with_code(user, code)`: a student joins with a typed code (rate-limited; the pages and
  the API both go through it);
- `allowed_entries_for(user_id)` (or `allowed_networks_for` / `allowed_hostnames_for`): the
  networks (CIDR strings) and host names the classes of a learner allow for their Docker hosts
  (union over classes). `host_entries_for` gives them as one list, and docklab/classes/__init__.py
  registers it with docklab.hosts.services, which adds them to the learner's SSRF policy;
- `classes_of_student(user_id)`, `class_for_staff(class_id, user)` (None when not theirs).

The instructor's lists are validated by docklab.hosts.policy.parse_policy (the SSRF rules live
there once); `set_policy` stores what passed.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from .. import ratelimit
from ..extensions import db
from ..models import Role, User
from .models import LAB, SECTION, ClassAssignment, ClassMembership, Classroom

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Guessing codes is the only way into a class without an invitation: keep it slow.
JOIN_LIMIT, JOIN_WINDOW = 20, 3600


# --- codes and classes -------------------------------------------------------------------------
def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Classroom.id).where(Classroom.join_code == code)) is None:
            return code


def normalize_code(text: str) -> str:
    """What a student typed → the stored form: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def create_class(instructor: User, name: str, labs: list[str] | None = None,
                 sections: list[str] | None = None) -> Classroom:
    classroom = Classroom(name=name.strip(), instructor_id=instructor.id,
                          join_code=new_join_code(), allowed_networks=[], allowed_hostnames=[])
    db.session.add(classroom)
    set_assignments(classroom, LAB, labs or [])
    set_assignments(classroom, SECTION, sections or [])
    db.session.commit()
    return classroom


def rotate_code(classroom: Classroom) -> str:
    classroom.join_code = new_join_code()
    db.session.commit()
    return classroom.join_code


def find_by_code(code: str) -> Classroom | None:
    normalized = normalize_code(code)
    if not normalized:
        return None
    return db.session.scalar(select(Classroom).where(Classroom.join_code == normalized))


def join(classroom: Classroom, student: User) -> bool:
    """Add the student; False when they were already in the class."""
    if is_member(classroom.id, student.id):
        return False
    db.session.add(ClassMembership(class_id=classroom.id, user_id=student.id))
    db.session.commit()
    return True


@dataclass(frozen=True)
class Joining:
    """What `join_with_code` did. `limited`: too many wrong codes lately, nothing was looked up.
    Otherwise `classroom` is None when no class has the code (counted as a wrong code), or the
    class, with `joined` False when the student was in it already."""

    classroom: Classroom | None = None
    joined: bool = False
    limited: bool = False


def join_limited(user_id: int) -> bool:
    return ratelimit.too_many(f"class-join:{user_id}", JOIN_LIMIT, JOIN_WINDOW)


def record_failed_join(user_id: int) -> None:
    ratelimit.record(f"class-join:{user_id}", JOIN_WINDOW)


def join_with_code(student: User, code: str) -> Joining:
    """A student types a join code (the join page and the API): refused while they have too
    many wrong codes, a wrong code counts against them, a right one joins the class."""
    if join_limited(student.id):
        return Joining(limited=True)
    classroom = find_by_code(code)
    if classroom is None:
        record_failed_join(student.id)
        return Joining()
    return Joining(classroom, joined=join(classroom, student))


def leave(classroom: Classroom, student_id: int) -> None:
    db.session.execute(delete(ClassMembership).where(ClassMembership.class_id == classroom.id,
                                                     ClassMembership.user_id == student_id))
    db.session.commit()


def is_member(class_id: int, user_id: int) -> bool:
    return db.session.scalar(select(ClassMembership.id).where(
        ClassMembership.class_id == class_id, ClassMembership.user_id == user_id)) is not None


def set_assignments(classroom: Classroom, kind: str, refs: list[str],
                    due: dict[str, datetime | None] | None = None) -> None:
    """Make `refs` (in this order) the class's assigned labs or sections; keeps nothing else."""
    due = due or {}
    keep = {item.ref: item for item in classroom.assignments if item.kind == kind}
    for item in list(classroom.assignments):
        if item.kind == kind and item.ref not in refs:
            classroom.assignments.remove(item)
    for position, ref in enumerate(dict.fromkeys(refs)):
        item = keep.get(ref)
        if item is None:
            item = ClassAssignment(kind=kind, ref=ref)
            classroom.assignments.append(item)
        item.position = position
        item.due_at = due.get(ref)


def classes_taught_by(user: User) -> list[Classroom]:
    query = select(Classroom).order_by(Classroom.created_at.desc(), Classroom.id.desc())
    if not user.is_admin:
        query = query.where(Classroom.instructor_id == user.id)
    return list(db.session.scalars(query))


def classes_of_student(user_id: int) -> list[Classroom]:
    return list(db.session.scalars(
        select(Classroom).join(ClassMembership).where(ClassMembership.user_id == user_id)
        .order_by(ClassMembership.joined_at, Classroom.id)))


def class_for_staff(class_id: int, user) -> Classroom | None:
    """The class when `user` teaches it (or is an admin); None otherwise, so callers answer 404
    and another instructor cannot even tell that the class exists."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not user.is_authenticated:
        return None
    if user.is_admin or (user.role == Role.INSTRUCTOR and classroom.instructor_id == user.id):
        return classroom
    return None


def roster(classroom: Classroom) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ClassMembership, ClassMembership.user_id == User.id)
        .where(ClassMembership.class_id == classroom.id).order_by(User.username)))


def member_or_none(classroom: Classroom, user_id: int) -> User | None:
    if not is_member(classroom.id, user_id):
        return None
    return db.session.get(User, user_id)


# --- hosts policy ------------------------------------------------------------------------------
def set_policy(classroom: Classroom, networks: list[str], hostnames: list[str]) -> None:
    classroom.allowed_networks = list(networks)
    classroom.allowed_hostnames = list(hostnames)
    db.session.commit()


def allowed_networks_for(user_id: int) -> list[str]:
    """Networks (CIDR strings) the classes of this learner allow for their Docker hosts, as the
    union over every class they are in (de-duplicated, in a stable order)."""
    return allowed_entries_for(user_id)[0]


def allowed_hostnames_for(user_id: int) -> list[str]:
    """Host names (a leading `*.` matches any sub-domain) the learner's classes allow."""
    return allowed_entries_for(user_id)[1]


def allowed_entries_for(user_id: int) -> tuple[list[str], list[str]]:
    """(networks, host names) over the learner's classes, from one query (every check asks)."""
    networks: dict[str, None] = {}
    hostnames: dict[str, None] = {}
    for classroom in classes_of_student(user_id):
        networks.update(dict.fromkeys(classroom.allowed_networks or []))
        hostnames.update(dict.fromkeys(classroom.allowed_hostnames or []))
    return list(networks), list(hostnames)


def host_entries_for(user_id: int) -> list[str]:
    """The same, as one list of allow-list entries (what docklab.hosts.services asks for)."""
    networks, hostnames = allowed_entries_for(user_id)
    return [*networks, *hostnames]
