"""Classes: who teaches them, who is in them, what is assigned and which Docker hosts their
learners may register (the class's share of the SSRF guard)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models import User, utcnow

LAB = "lab"
SECTION = "section"
ASSIGNMENT_KINDS = (LAB, SECTION)


class Classroom(db.Model):
    """A class run by one instructor. `join_code` is what students type (or follow as an invite
    link); the instructor can rotate it to close the door on an old code."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    instructor_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Hosts policy: CIDR networks ("10.0.0.0/8", "192.168.56.10/32") and host names
    # ("lab-*.school.example") its learners' Docker hosts may use, on top of the site default.
    allowed_networks: Mapped[list] = mapped_column(JSON, default=list)
    allowed_hostnames: Mapped[list] = mapped_column(JSON, default=list)
    # Whether a self-reported lab pass (checked on the learner's own computer: the pasted line or
    # `grader check --submit`) counts as passed on this class's board, CSV and funnel. Off: it
    # shows, marked, but is not counted.
    self_reports_count: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())

    instructor: Mapped[User] = relationship()
    memberships: Mapped[list[ClassMembership]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan")
    assignments: Mapped[list[ClassAssignment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan",
        order_by=lambda: [ClassAssignment.kind, ClassAssignment.position])

    def assigned(self, kind: str) -> list[ClassAssignment]:
        return [item for item in self.assignments if item.kind == kind]


class ClassMembership(db.Model):
    """A student in a class (a student may be in several)."""

    __tablename__ = "class_members"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_class_members_class_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class ClassAssignment(db.Model):
    """A lab (by lab id) or a quiz section (by note-section anchor) assigned to a class, with an
    optional due date. `position` keeps the instructor's column order on the board."""

    __tablename__ = "class_assignments"
    __table_args__ = (UniqueConstraint("class_id", "kind", "ref",
                                       name="uq_class_assignments_class_kind_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(16))  # LAB or SECTION
    ref: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
