"""Database models. Every change here comes with an Alembic revision in migrations/versions."""
from __future__ import annotations

import enum
import functools
import hashlib
import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, Integer, String, func, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .dbtypes import UTCDateTime
from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


@functools.cache
def _nobody_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.STUDENT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on password change and on log-out, so every other session cookie of this user ends.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_password_of_nobody(password: str) -> bool:
        """As long as a real check, for a user name that does not exist: the time a log-in
        takes must not tell whether the account exists."""
        check_password_hash(_nobody_hash(), password)
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch or 0}"

    def end_sessions(self) -> None:
        """Every session cookie issued so far stops working (log-out, password change)."""
        self.session_epoch = (self.session_epoch or 0) + 1

    @classmethod
    def by_name(cls, name: str) -> User | None:
        """The user with this name in any letter case (names are unique regardless of case)."""
        return db.session.scalar(select(cls).where(func.lower(cls.username) == name.lower()))

    @property
    def is_instructor(self) -> bool:
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


# `Alice` may not sit beside `alice` on a roster (names allow ASCII letters, digits and Korean,
# for which SQL lower() and Python's casefold() agree).
Index("uq_users_lower_username", func.lower(User.username), unique=True)


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast digest is enough; only the digest is stored.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A personal API token for scripts and the JSON API; stored hashed, revocable."""

    __tablename__ = "api_tokens"
    PREFIX = "dl_"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))  # first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token; the plain value is returned once and never stored."""
        plain = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(user=user, name=name, token_hash=hash_token(plain), hint=plain[:10])
        db.session.add(token)
        return token, plain

    @classmethod
    def find_active(cls, plain: str) -> ApiToken | None:
        token = db.session.scalar(db.select(cls).options(joinedload(cls.user))
                                  .where(cls.token_hash == hash_token(plain)))
        if token is None or token.revoked_at is not None:
            return None
        return token


class RateLimitHit(db.Model):
    """One counted event (a failed log-in, a lab check...). Kept in the database, not in process
    memory, so every worker behind a proxy sees the same counts."""

    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

