"""Classes as the views and the API use them: create, join, assign, hosts policy, access.

Other areas call:
- `allowed_entries_for(user_id)` (or `allowed_networks_for` / `allowed_hostnames_for`): the
  networks (CIDR strings) and host names the classes of a learner allow for their Docker hosts
  (union over classes; docklab.hosts.services.class_entries adds them to the learner's SSRF
  policy);
- `classes_of_student(user_id)`, `class_for_staff(class_id, user)` (None when not theirs).
"""
from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import datetime

from sqlalchemy import delete, func, select

from .. import settings
from ..extensions import db
from ..models import Role, User
from .models import LAB, SECTION, ClassAssignment, ClassMembership, Classroom

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
HOSTNAME_RULE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*"
                           r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


# Ranges the hosts area refuses unless an address rule inside them unlocks it (see
# docklab.hosts.policy). A class may not carry such a rule: only an admin opens those.
SPECIAL_NETWORKS = tuple(ipaddress.ip_network(cidr) for cidr in (
    "127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10", "0.0.0.0/8", "::/128",
    "224.0.0.0/4", "ff00::/8"))


class PolicyError(ValueError):
    """A hosts-policy entry the class cannot carry; `entry` is what was typed, `reason` is
    "invalid" (not a network or host name) or "special" (would unlock the server itself)."""

    def __init__(self, entry: str, reason: str = "invalid") -> None:
        super().__init__(entry)
        self.entry = entry
        self.reason = reason


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
def parse_policy(networks_text: str, hostnames_text: str) -> tuple[list[str], list[str]]:
    """Validate the instructor's lists (one entry per line or comma separated); raises
    PolicyError naming the first bad entry."""
    networks = []
    for entry in _entries(networks_text):
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise PolicyError(entry) from exc
        if _unlocks_special(network):
            raise PolicyError(entry, "special")
        networks.append(str(network))
    hostnames = []
    for entry in _entries(hostnames_text):
        name = entry.lower().rstrip(".")
        if not HOSTNAME_RULE.match(name):
            raise PolicyError(entry)
        hostnames.append(name)
    return list(dict.fromkeys(networks)), list(dict.fromkeys(hostnames))


def _unlocks_special(network) -> bool:
    """Would this rule open loopback, link-local... or one of this server's own addresses?
    (A broad rule such as 0.0.0.0/0 does not: the hosts area never lets those unlock them.)"""
    if any(network.version == special.version and network.subnet_of(special)
           for special in SPECIAL_NETWORKS):
        return True
    if network.num_addresses == 1:
        from ..hosts.policy import own_addresses

        return network.network_address in own_addresses()
    return False


def _entries(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[\n,]", text or "") if part.strip()]


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


# --- the shared local engine ----------------------------------------------------------------------
def shared_local_engine() -> int:
    """How many student accounts the server's own engine grades when that is on and there are
    no sandboxes (every one of them is checked against the same containers, so one learner's
    work passes for all); 0 when the local engine is off, sandboxes run, or at most one student
    exists (nothing to warn about)."""
    from ..sandboxes import services as sandboxes

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
